"""Trust operations at council scale: backup, check, retention review, history, access and erasure.

Erasure is timed for the contact named in the most touchpoints (the worst case: the most
free text to clean), on a private SQLite copy and, on PostgreSQL, in a transaction that is
rolled back. It holds the write lock while it runs, so its time is how long colleagues wait.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    if context is None:
        from bench.__main__ import prepare

        context = prepare(quick)
    rows: list[dict[str, Any]] = []
    if context.get("sqlite_url"):
        rows += _measure(context["copy_sqlite"](context["sqlite_url"]), "SQLite", private=True)
    if context.get("pg_url"):
        rows += _measure(context["pg_url"], "PostgreSQL", private=False)
    return rows


def _row(name: str, seconds: float, target: float, note: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "value": round(seconds, 3),
        "unit": "s",
        "target": f"< {target:g} s",
        "baseline": None,
        "ratio": None,
        "ok": seconds < target,
        "note": note,
    }


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _measure(url: str, backend: str, private: bool) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from partnercrm import backup, history, privacy
    from partnercrm import models as m
    from partnercrm.database import open_database

    rows = []
    db = open_database(url, actor="bench")
    try:
        if db.is_sqlite:
            target = Path(url.removeprefix("sqlite:///")).with_suffix(".backup.db")
            took, result = _timed(lambda: backup.backup(db, target, force=True))
            rows.append(_row(f"backup ({backend})", took, 60, f"{result.size / 1e6:.0f} MB"))
            target.unlink(missing_ok=True)
        took, report = _timed(lambda: backup.check(db))
        rows.append(_row(f"check ({backend})", took, 60, ", ".join(report.checks)))
        with db.reader() as s, s.begin():
            took, stale = _timed(lambda: privacy.stale_contacts(s, 2))
            rows.append(
                _row(f"privacy stale --years 2 ({backend})", took, 5, f"{len(stale)} listed")
            )
            org_id = s.scalar(
                select(m.Conversation.organisation_id)
                .group_by(m.Conversation.organisation_id)
                .order_by(func.count().desc())
                .limit(1)
            )
            took, _ = _timed(lambda: history.entries(s, organisation_id=org_id, limit=200))
            rows.append(_row(f"history of the busiest partner ({backend})", took, 0.1))
            busiest = s.scalar(
                select(m.Touchpoint.contact_id)
                .where(m.Touchpoint.contact_id.is_not(None))
                .group_by(m.Touchpoint.contact_id)
                .order_by(func.count().desc())
                .limit(1)
            )
        session = db.session()
        with session.begin():
            person = session.get(m.Contact, busiest)
            took, _ = _timed(lambda: privacy.subject_access(session, person))
            rows.append(_row(f"privacy export, busiest contact ({backend})", took, 5))
            took, result = _timed(lambda: privacy.erase(session, person))
            rows.append(
                _row(
                    f"privacy erase, busiest contact ({backend})",
                    took,
                    10,
                    f"{sum(result.free_text.values())} texts, {result.history_entries} history entries",
                )
            )
            if not private:
                session.rollback()
        session.close()
    finally:
        db.dispose()
        if private:
            path = Path(url.removeprefix("sqlite:///"))
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
    return rows
