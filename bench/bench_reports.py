"""Reports at council scale: each report function at N=100 (200,000 warm conversations).

Each report runs in a fresh read session: once to warm up, then `RUNS` times; the figure is
the median (target: under 1 s), on SQLite and on PostgreSQL. Also timed: the whole HTML pack
(every report, the charts and the CSVs), and two filtered variants (one mission; a period),
which take other query plans. The baseline is the same report at N=1, so the ratio shows how
the figure grows with the data (200x more conversations).

Standalone: `python -m bench.bench_reports [--quick] [SQLITE_URL [PG_URL]]` builds nothing
when given URLs; otherwise it asks `bench.__main__.prepare` for the shared data.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TARGET_MS = 1000.0
PACK_TARGET_MS = 10000.0  # the whole pack, written once for a committee: 9 MB of CSV at N=100


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    if context is None:
        from bench.__main__ import prepare

        context = prepare(quick)
    runs = 2 if quick else 5
    scale = context.get("scale", "?")
    small = context.get("small") or {}
    rows: list[dict[str, Any]] = []
    for key, backend in (("sqlite_url", "SQLite"), ("pg_url", "PostgreSQL")):
        url = context.get(key)
        if not url:
            continue
        measured = _measure(url, runs)
        baseline = _measure(small[key], runs) if small.get(key) else {}
        for name, (median, note) in measured.items():
            target = PACK_TARGET_MS if name == "pack" else TARGET_MS
            base = baseline.get(name, (None, ""))[0]
            rows.append(
                {
                    "name": f"report {name}, N={scale} ({backend})",
                    "value": round(median, 1),
                    "unit": "ms",
                    "target": f"< {target:g} ms",
                    "baseline": round(base, 1) if base else None,
                    "ratio": round(median / base, 1) if base else None,
                    "ok": median < target,
                    "note": note + (" baseline: N=1" if base else ""),
                }
            )
    return rows


def _reports(today: date) -> dict[str, tuple[Callable[[Any], Any], str]]:
    from partnercrm import reports as r

    first = today.replace(day=1)
    year_ago = today - timedelta(days=365)
    return {
        "pipeline": (lambda s: r.pipeline(s), "stages, conversion, median/p80 days, moves"),
        "pipeline, one mission": (
            lambda s: r.pipeline(s, r.Filters(mission_id=_mission(s))),
            "--mission",
        ),
        "pipeline, last 12 months": (
            lambda s: r.pipeline(s, r.Filters(since=year_ago, until=today)),
            "--since/--until",
        ),
        "coverage": (lambda s: r.coverage(s), "mission x role matrix"),
        "impact": (lambda s: r.impact(s), "promised/delivered, by month, 20 stories"),
        "impact, last 12 months": (
            lambda s: r.impact(s, r.Filters(since=year_ago, until=today)),
            "--since/--until",
        ),
        "activity": (lambda s: r.activity(s, today=today), "per colleague"),
        "stale": (lambda s: r.stale(s, today=today, limit=100), "count + oldest 100"),
        "overdue": (lambda s: r.overdue(s, today=today, limit=200), "by owner + 200 steps"),
        "sectors": (lambda s: r.sectors(s), "sector x anchor"),
        "commitments due this month": (
            lambda s: r.commitments_due(s, first, today + timedelta(days=31)),
            "dashboard",
        ),
        "steps for a colleague": (lambda s: r.steps_for(s, _busiest(s), today=today), "dashboard"),
    }


def _mission(session: Any) -> int:
    from sqlalchemy import func, select

    from partnercrm import models as m

    return int(session.scalar(select(func.min(m.Mission.id))))


def _busiest(session: Any) -> int:
    from sqlalchemy import func, select

    from partnercrm import models as m

    return int(
        session.scalar(
            select(m.Step.owner_id).group_by(m.Step.owner_id).order_by(func.count().desc()).limit(1)
        )
    )


def _load() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return f.read().split()[0]
    except OSError:
        return "?"


def _measure(url: str, runs: int) -> dict[str, tuple[float, str]]:
    from partnercrm.database import open_database
    from partnercrm.reports.pack import write_pack

    today = date.today()
    db = open_database(url, actor="bench")
    results: dict[str, tuple[float, str]] = {}
    try:
        in_process = url.startswith("sqlite") or "://" not in url
        for name, (report, note) in _reports(today).items():
            times, cpu = [], []
            load = _load()
            for i in range(runs + 1):
                with db.reader() as s, s.begin():
                    started, cpu_started = time.perf_counter(), time.process_time()
                    report(s)
                    elapsed = (time.perf_counter() - started) * 1000
                    cpu_ms = (time.process_time() - cpu_started) * 1000
                if i:  # the first run warms the caches
                    times.append(elapsed)
                    cpu.append(cpu_ms)
            # SQLite works in this process, so its CPU time is the work itself, whatever
            # else the machine is doing; the load average says how shared the CPUs were
            work = f"; CPU {statistics.median(cpu):.0f} ms" if in_process else ""
            results[name] = (
                statistics.median(times),
                f"{note}; median of {runs}{work}; load {load}",
            )
        with tempfile.TemporaryDirectory() as tmp:
            times = []
            for i in range(max(2, runs // 2) + 1):
                with db.reader() as s, s.begin():
                    started = time.perf_counter()
                    write_pack(s, Path(tmp) / "pack", today=today, force=True)
                    elapsed = (time.perf_counter() - started) * 1000
                if i:
                    times.append(elapsed)
            results["pack"] = (
                statistics.median(times),
                "HTML + charts + 10 CSVs (full stale and overdue lists)",
            )
    finally:
        db.dispose()
    return results


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    ctx: dict[str, Any] | None = None
    if args:
        ctx = {"scale": "?", "sqlite_url": args[0], "pg_url": args[1] if len(args) > 1 else None}
    for row in run(quick=quick, context=ctx):
        ok = {True: "ok", False: "SLOW", None: ""}[row["ok"]]
        print(
            f"{row['name']:<60} {row['value']:>9} {row['unit']}  {row['target']}  {ok}  "
            f"{row['note']}"
        )
