"""Search at council scale: `search.search` in-process against a LIKE '%x%' scan, on both backends.

With N=100 the data set holds 10,000 organisations, 100,000 contacts, 200,000 warm
conversations and 500,000 touchpoints. The queries are what people type: the first letters
of partner names, whole and partial names of people, the start of email addresses, words from
conversation subjects and notes, ward names, and a few that match nothing. Each is run once
to warm up, then timed; the figure is the median (and p95) over all queries.

The baseline does what a search without an index would: `lower(column) LIKE '%text%'` on the
same columns with the same LIMIT, per kind.

Also timed: the partner list narrowed as you type (`list_organisations(query=..., limit=50)`,
what the TUI's filter calls on each key) and `dedupe organisations` over every partner.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

TARGET_MS = 10.0
FILTER_TARGET_MS = 100.0


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    if context is None:
        from bench.__main__ import prepare

        context = prepare(quick)
    rows: list[dict[str, Any]] = []
    for key, backend in (("sqlite_url", "SQLite"), ("pg_url", "PostgreSQL")):
        url = context.get(key)
        if url:
            rows += _measure(url, backend, quick)
    return rows


def _queries(session: Any, rng: random.Random, count: int) -> list[str]:
    from sqlalchemy import select

    from partnercrm import models as m

    def sample(column: Any, n: int) -> list[str]:
        # drawn by the seeded `rng` from rows in a fixed order: the same queries on every run
        # and on both databases (the database's random() made each run's figure its own)
        table = column.class_
        found = [
            v
            for v in session.scalars(select(column).where(column.is_not(None)).order_by(table.id))
            if v
        ]
        return rng.sample(found, min(n, len(found)))

    queries: list[str] = []
    for name in sample(m.Organisation.name, count // 4):
        queries.append(name[: rng.randint(3, 8)])  # the first letters, as you type
    for name in sample(m.Contact.name, count // 4):
        words = name.split()
        queries.append(name if rng.random() < 0.5 else f"{words[0]} {words[-1][:3]}")
    for email in sample(m.Contact.email, count // 8):
        queries.append(email.split("@")[0][:6])
    for subject in sample(m.Conversation.subject, count // 8):
        words = [w for w in subject.split() if len(w) > 3] or subject.split()
        queries.append(rng.choice(words)[:6])
    for note in sample(m.Touchpoint.note, count // 16):
        words = [w for w in note.split() if len(w) > 4] or note.split()
        queries.append(rng.choice(words))
    for ward in sample(m.Organisation.ward, count // 16):
        queries.append(ward)
    queries += ["zzqx", "Wellc", "camden", "senate hous", "cafe"]
    return queries


def _like_baseline(session: Any, text: str, limit: int) -> int:
    from sqlalchemy import func, select

    from partnercrm import models as m

    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = 0
    for model, columns in (
        (m.Organisation, [m.Organisation.name]),
        (m.Contact, [m.Contact.name, m.Contact.email, m.Contact.job_title]),
        (m.Conversation, [m.Conversation.subject]),
        (m.Touchpoint, [m.Touchpoint.note]),
        (m.Delivery, [m.Delivery.story]),
    ):
        from sqlalchemy import or_

        cond = or_(*(func.lower(c).like(pattern, escape="\\") for c in columns))
        found += len(session.execute(select(model.id).where(cond).limit(limit)).all())
    return found


def _timed(fn: Any, queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        fn(q)  # warm
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _measure(url: str, backend: str, quick: bool) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from partnercrm import dedupe, organisations, search
    from partnercrm import models as m
    from partnercrm.database import open_database

    db = open_database(url, actor="bench", upgrade=False)
    rng = random.Random(8)
    rows: list[dict[str, Any]] = []
    try:
        with db.reader() as s:
            counts = {
                name: s.scalar(select(func.count()).select_from(model))
                for name, model in (
                    ("organisations", m.Organisation),
                    ("contacts", m.Contact),
                    ("conversations", m.Conversation),
                    ("touchpoints", m.Touchpoint),
                )
            }
            queries = _queries(s, rng, 40 if quick else 160)
            hits = [len(search.search(s, q)) for q in queries]
            ours = _timed(lambda q: search.search(s, q, limit=25), queries)
            like = _timed(lambda q: _like_baseline(s, q, 25), queries)
            typing = [q[:n] for q in queries[:40] for n in (2, 3, 5) if len(q) >= n]
            filter_times = _timed(
                lambda q: organisations.list_organisations(s, query=q, limit=50), typing
            )
            started = time.perf_counter()
            pairs = dedupe.organisation_pairs(s)
            dedupe_seconds = time.perf_counter() - started
    finally:
        db.dispose()
    size = (
        f"{counts['organisations']:,} organisations, {counts['contacts']:,} contacts, "
        f"{counts['conversations']:,} conversations, {counts['touchpoints']:,} touchpoints"
    )
    median, base = statistics.median(ours), statistics.median(like)
    rows.append(
        {
            "name": f"search median, in-process ({backend})",
            "value": round(median, 2),
            "unit": "ms",
            "target": f"< {TARGET_MS:.0f} ms",
            "baseline": round(base, 2),
            "ratio": round(median / base, 3) if base else None,
            "ok": median < TARGET_MS,
            "note": f"{len(queries)} typed queries over {size}; baseline: LIKE '%x%' on the "
            f"same columns; {sum(1 for h in hits if h)} queries found something",
        }
    )
    rows.append(
        {
            "name": f"search p95, in-process ({backend})",
            "value": round(_p95(ours), 2),
            "unit": "ms",
            "target": None,
            "baseline": round(_p95(like), 2),
            "ratio": round(_p95(ours) / _p95(like), 3) if _p95(like) else None,
            "ok": None,
            "note": f"slowest: {max(ours):.1f} ms for {queries[ours.index(max(ours))]!r}",
        }
    )
    fmed = statistics.median(filter_times)
    rows.append(
        {
            "name": f"partner list filter as you type, median ({backend})",
            "value": round(fmed, 2),
            "unit": "ms",
            "target": f"< {FILTER_TARGET_MS:.0f} ms",
            "baseline": None,
            "ratio": None,
            "ok": fmed < FILTER_TARGET_MS,
            "note": f"list_organisations(query=2, 3 and 5 letters, limit=50); "
            f"p95 {_p95(filter_times):.1f} ms",
        }
    )
    rows.append(
        {
            "name": f"dedupe organisations, every partner ({backend})",
            "value": round(dedupe_seconds, 2),
            "unit": "s",
            "target": None,
            "baseline": None,
            "ratio": None,
            "ok": None,
            "note": f"{counts['organisations']:,} organisations, {len(pairs)} pairs suggested",
        }
    )
    return rows


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(row)
