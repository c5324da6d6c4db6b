"""Council-scale data: N times the demo, built through bulk Core inserts in a few minutes.

`build(db, N)` loads the demo (when it is not there yet) and then adds, per unit of N, about
100 organisations, 1,000 contacts, 2,000 warm conversations, 5,000 touchpoints, 3,000 steps,
500 commitments, 3 events and 1,500 attendances, with the skew of a real borough: a few
anchors with long histories, many partners with one conversation, some prospects with none.

One partner, the "big partner", has the same long history (600 conversations) whatever N is,
so a benchmark can compare the same partner's brief in a small and a large database.

Rows are written by the bulk writer (partnercrm.bulk: executemany on SQLite with the search
triggers run once per table, COPY on PostgreSQL), with ids assigned here so no row needs a
round trip; the audit trail gets one summary entry per table
(`history.record_many`), not one per row. Building again on the same database adds another
batch; names and emails never collide with what is there. On PostgreSQL the foreign keys and
plain indexes of the tables being filled are set aside and made again (`pg_suspend`) inside
the build's transaction, so other sessions wait for the build.

The words and weights are in `scale.vocabulary`, each table's rows in `scale.generators`.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from partnercrm import history
from partnercrm import models as m
from partnercrm.bulk import BulkWriter, Progress
from partnercrm.database import Database
from partnercrm.errors import Invalid
from partnercrm.pg_suspend import suspended
from partnercrm.scale.generators import Plan, big_partner, generate, start
from partnercrm.scale.vocabulary import BIG_CONVERSATIONS, BIG_PARTNER, PER_UNIT

__all__ = ["BIG_CONVERSATIONS", "BIG_PARTNER", "PER_UNIT", "build"]


def build(
    db: Database,
    scale: int,
    progress: Progress | None = None,
    seed: int = 1,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """Build a council-scale data set `scale` times the demo into `db`; returns what was added."""
    if scale < 1:
        raise Invalid("the scale must be at least 1", field="scale")
    from partnercrm.demo import load_demo

    started = time.perf_counter()
    today = today or date.today()
    with db.transaction() as s:
        load_demo(s, today=today)
    with db.transaction() as s:
        if db.is_sqlite:
            # a larger page cache keeps the indexes in memory while millions of rows go in
            s.execute(text("PRAGMA cache_size = -400000"))
        writer = BulkWriter(s, progress=progress)
        plan = start(s, today, writer)
        rng = random.Random(seed)
        with suspended(s, WRITTEN, progress):
            big = big_partner(s, plan, writer, seed)
            generate(s, plan, writer, rng, scale)
        summarise(s, plan, scale, seed)
        if not db.is_sqlite:
            reset_sequences(s)
        if db.is_sqlite:
            s.execute(text("PRAGMA cache_size = -2000"))
    fresh_statistics(db)
    return {
        **plan.counts,
        "big_partner": big,
        "build": {"scale": scale, "seed": seed, "seconds": round(time.perf_counter() - started, 1)},
    }


def fresh_statistics(db: Database) -> None:
    """Fresh planner statistics, so the first queries on the new data choose good plans.

    On PostgreSQL, of this CRM's tables only: a bare ANALYZE reads every table of every schema
    in the database, another CRM's too, and waits on their locks."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.execute(text("PRAGMA analysis_limit = 2000"))
            conn.execute(text("ANALYZE"))
        else:
            tables = conn.scalars(
                text(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) "
                    "FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
                )
            ).all()
            if tables:
                conn.execute(text(f"ANALYZE {', '.join(tables)}"))
        conn.commit()


def summarise(s: Session, plan: Plan, scale: int, seed: int) -> None:
    """One audit entry per table written, not one per row."""
    start_ids = {k: v for k, v in plan.next_id.items()}
    entries = []
    for key, entity in (
        ("colleagues", "colleague"),
        ("organisations", "organisation"),
        ("contacts", "contact"),
        ("conversations", "conversation"),
        ("stage_changes", "stage_change"),
        ("touchpoints", "touchpoint"),
        ("steps", "step"),
        ("commitments", "commitment"),
        ("deliveries", "delivery"),
        ("ambassadorships", "ambassadorship"),
        ("events", "event"),
        ("attendances", "attendance"),
    ):
        count = plan.counts.get(key, 0)
        if not count:
            continue
        last = start_ids[entity] - 1
        entries.append(
            {
                "action": "bulk_create",
                "entity": entity,
                "entity_id": last - count + 1,
                "organisation_id": None,
                "summary": f"scale data (N={scale}, seed {seed}): {count:,} {key.replace('_', ' ')}",
                "changes": {"count": count, "last_id": last, "scale": scale, "seed": seed},
            }
        )
    history.record_many(s, entries)


# the tables the generator writes (their foreign keys are checked once, at the end, on PostgreSQL)
WRITTEN = (
    "colleague",
    "organisation",
    "organisation_alias",
    "contact",
    "conversation",
    "conversation_contact",
    "conversation_mission",
    "stage_change",
    "touchpoint",
    "step",
    "commitment",
    "commitment_mission",
    "delivery",
    "ambassadorship",
    "event",
    "attendance",
    "attendance_mission",
    "attendance_role",
)


def reset_sequences(s: Session) -> None:
    """PostgreSQL: move each id sequence past the ids written here."""
    for table in m.Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        s.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )
