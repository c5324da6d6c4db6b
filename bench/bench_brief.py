"""Brokerage briefs at council scale.

- one brief (assemble + render HTML, fresh session, as the CLI does it) for the big partner
  (600 conversations) in the N=100 database (10,000 organisations, 100,000 contacts): median
  and p95, target median < 50 ms, on SQLite and on PostgreSQL;
- the same partner's brief at N=100 against N=1: the cost must not grow with the database
  (target ratio <= 1.5);
- `partnercrm brief --event NAME --out-dir DIR` for an event with 100 organisations in the
  room, as a whole process: target < 5 s.

Run through the bench runner (`python -m bench --only brief`), which prepares the data; run on
its own (`python bench/bench_brief.py [--quick]`) it asks the runner's helpers for the data.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_cpu_ms: dict[str, float] = {}

TARGET_MS = 50.0
TARGET_RATIO = 1.5
TARGET_EVENT_S = 5.0
EVENT_ORGS = 100
EVENT_NAME = "Benchmark anchor roundtable"


def _time_briefs(urls: list[str], org_id: int, runs: int) -> dict[str, list[float]]:
    """Milliseconds per brief (wall clock) in each database: open a read session, assemble,
    render HTML. The databases take turns, brief by brief, so a busy machine weighs on each
    alike and their ratio stays fair; the CPU milliseconds go to `_cpu_ms`."""
    from partnercrm import models as m
    from partnercrm.briefs import build_brief, render_html
    from partnercrm.database import open_database

    dbs = {url: open_database(url, actor="bench") for url in urls}
    times: dict[str, list[float]] = {url: [] for url in urls}
    cpu: dict[str, list[float]] = {url: [] for url in urls}
    try:
        for i in range(runs + 3):
            for url, db in dbs.items():
                started, cpu_started = time.perf_counter(), time.process_time()
                with db.reader() as s, s.begin():
                    render_html(build_brief(s, s.get(m.Organisation, org_id)))
                if i >= 3:  # the first few warm the page cache and the statement cache
                    times[url].append((time.perf_counter() - started) * 1000)
                    cpu[url].append((time.process_time() - cpu_started) * 1000)
        for url in urls:
            _cpu_ms[url] = statistics.median(cpu[url])
        return times
    finally:
        for db in dbs.values():
            db.dispose()


def _load() -> str:
    """The machine's load, since other work on it stretches wall-clock figures."""
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "load unknown"


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _partnercrm() -> list[str]:
    script = Path(sys.executable).with_name("partnercrm")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cli.main import main; main()"]


def _add_event(url: str) -> int:
    """An event with one person from each of 100 current organisations (through the library)."""
    from sqlalchemy import func, select

    from partnercrm import events
    from partnercrm import models as m
    from partnercrm.database import open_database

    db = open_database(url, actor="bench")
    try:
        with db.transaction() as s:
            existing = s.scalar(select(m.Event).where(m.Event.name == EVENT_NAME))
            if existing is None:
                existing = events.add_event(s, EVENT_NAME, "roundtable", "today")
            people = s.execute(
                select(func.min(m.Contact.id))
                .join(m.Organisation, m.Organisation.id == m.Contact.organisation_id)
                .where(
                    m.Organisation.archived.is_(False),
                    m.Contact.erased_at.is_(None),
                    m.Contact.archived.is_(False),
                )
                .group_by(m.Contact.organisation_id)
                .order_by(func.count(m.Contact.id).desc(), m.Contact.organisation_id)
                .limit(EVENT_ORGS)
            ).scalars()
            for contact_id in list(people):
                events.record_attendance(s, existing, s.get(m.Contact, contact_id))
            return len(
                {
                    a.organisation_id
                    for a in s.scalars(
                        select(m.Attendance).where(m.Attendance.event_id == existing.id)
                    )
                }
            )
    finally:
        db.dispose()


def _time_event(url: str, runs: int) -> tuple[float, float, int]:
    """Median wall seconds and median CPU seconds (user + system) of the whole process."""
    times, cpu = [], []
    written = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    *_partnercrm(),
                    "--db",
                    url,
                    "brief",
                    "--event",
                    EVENT_NAME,
                    "--out-dir",
                    out,
                    "--format",
                    "html",
                ],
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                raise RuntimeError(f"brief --event failed: {done.stderr.strip()}")
            written = len(list(Path(out).glob("*.html"))) - 1
    return statistics.median(times), statistics.median(cpu), written


def _row(
    name: str,
    value: float | None,
    unit: str,
    target: Any,
    ok: bool | None,
    *,
    baseline: float | None = None,
    ratio: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    return {
        "name": name,
        "value": None if value is None else round(value, 2),
        "unit": unit,
        "target": target,
        "baseline": None if baseline is None else round(baseline, 2),
        "ratio": None if ratio is None else round(ratio, 2),
        "ok": ok,
        "note": note,
    }


def _standalone_context(quick: bool) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.__main__ import copy_sqlite, sqlite_data  # the runner's cached data sets

    large = sqlite_data(2 if quick else 100)
    small = sqlite_data(1)
    return {
        "quick": quick,
        "scale": large["scale"],
        "sqlite_url": large["url"],
        "pg_url": None,
        "small": {"scale": 1, "sqlite_url": small["url"], "pg_url": None},
        "big_partner": large["summary"]["big_partner"],
        "copy_sqlite": copy_sqlite,
    }


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    context = context or _standalone_context(quick)
    runs = 10 if quick else 40
    scale = context.get("scale", "?")
    big = context["big_partner"]
    who = f"{big['name']} ({big['conversations']} conversations)"
    rows: list[dict[str, Any]] = []

    small = context.get("small") or {}
    for backend, key in (("SQLite", "sqlite_url"), ("PostgreSQL", "pg_url")):
        if not context.get(key):
            continue
        urls = [context[key]] + ([small[key]] if small.get(key) else [])
        timed = _time_briefs(urls, big["id"], runs)
        large = timed[context[key]]
        median = statistics.median(large)
        rows.append(
            _row(
                f"brief median, in-process, N={scale} ({backend})",
                median,
                "ms",
                f"< {TARGET_MS:g} ms",
                median < TARGET_MS,
                note=f"{who}; assemble + HTML, fresh session each; {runs} runs; "
                f"CPU {_cpu_ms[context[key]]:.1f} ms; {_load()}",
            )
        )
        rows.append(
            _row(
                f"brief p95, in-process, N={scale} ({backend})",
                _p95(large),
                "ms",
                None,
                None,
                note=who,
            )
        )
        if small.get(key):
            base = statistics.median(timed[small[key]])
            ratio = median / base
            rows.append(
                _row(
                    f"brief at N={scale} / at N=1, same partner ({backend})",
                    median,
                    "ms",
                    f"ratio <= {TARGET_RATIO}",
                    ratio <= TARGET_RATIO,
                    baseline=base,
                    ratio=ratio,
                    note=f"{who}; the two databases take turns; CPU "
                    f"{_cpu_ms[context[key]]:.1f} ms against "
                    f"{_cpu_ms[small[key]]:.1f} ms",
                )
            )

    # the event briefs write to the database (the event itself), so they use a private copy
    copy = context["copy_sqlite"](context["sqlite_url"])
    try:
        organisations = _add_event(copy)
        seconds, cpu_seconds, written = _time_event(copy, 1 if quick else 3)
    finally:
        path = Path(copy.removeprefix("sqlite:///"))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    rows.append(
        _row(
            f"`brief --event` for {organisations} organisations, whole process, N={scale} (SQLite)",
            seconds,
            "s",
            f"< {TARGET_EVENT_S:g} s",
            seconds < TARGET_EVENT_S and written == organisations,
            note=f"{written} HTML briefs and an index; median of {1 if quick else 3}; "
            f"CPU {cpu_seconds:.2f} s; {_load()}",
        )
    )
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(
            f"{row['name']}: {row['value']} {row['unit']} (target {row['target']}, "
            f"ratio {row['ratio']}, ok {row['ok']}) {row['note']}"
        )
