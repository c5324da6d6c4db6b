"""The TUI at council scale: time to a usable first screen, and a keystroke in the partners filter.

First screen: a fresh `python` process imports the app, opens the database and runs it
headless (Textual's `run_test`). Two moments are timed from before the imports: the dashboard
drawn and answering keys (its panels read in workers and fill in), and every panel showing
its figures from the reports. Each is the median of several starts; the baseline is the time
to import textual.app and sqlalchemy.orm alone (the floor any Textual + SQLAlchemy program
pays).

Filter keystroke: on the partners screen, partner names are typed a key at a time, each key
delivered as the terminal driver delivers one, at a person's pace (the screen has finished
drawing the previous result); each is timed from the key press to the table showing that
filter's page (one page of rows, queried through the search index). The baseline is the same
update with the filter box empty (the first page of all partners).
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FIRST_SCREEN_TARGET_S = 1.5
KEYSTROKE_TARGET_MS = 100.0
PARTNER_TARGET_MS = 300.0
ROOT = Path(__file__).resolve().parent.parent

FIRST_SCREEN_SCRIPT = r"""
import time
start = time.perf_counter()
import asyncio, json, sys
from datetime import date
from tui.app import PartnerApp
from partnercrm.database import open_database
imported = time.perf_counter()

async def main():
    db = open_database(sys.argv[1], actor=sys.argv[2])
    opened = time.perf_counter()
    app = PartnerApp(db, blink=False)
    async with app.run_test(size=(140, 45)) as pilot:
        while getattr(app.screen, "painted_at", None) is None:
            await asyncio.sleep(0.002)
        drawn = app.screen.painted_at  # the dashboard is painted and answers keys
        while getattr(app.screen, "figures", None) is None:
            await asyncio.sleep(0.005)
        await pilot.pause()
        usable = time.perf_counter()  # every panel shows its figures
        # then the busiest partner, the first opened in this process: its screen made, and
        # its statements and the brief's template compiled, for the first time
        from tui.screens.partner import PartnerScreen
        frames = [0.0]
        display = app._display
        def timed(screen, renderable):
            display(screen, renderable)
            frames[0] = time.perf_counter()
        app._display = timed
        started = time.perf_counter()
        app.open_partner(int(sys.argv[3]))
        while not (isinstance(app.screen, PartnerScreen) and app.screen.page is not None):
            await asyncio.sleep(0.002)
        await pilot.pause()
        partner = frames[0] - started
    print(json.dumps({"import": imported - start, "open": opened - start,
                      "drawn": drawn - start, "usable": usable - start, "partner": partner}))

asyncio.run(main())
"""

FLOOR_SCRIPT = r"""
import time
start = time.perf_counter()
import textual.app, sqlalchemy.orm
print(time.perf_counter() - start)
"""


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    url = (context or {}).get("sqlite_url") or _small_database(quick)
    found = re.search(r"scale-(\d+)", url)
    scale = (context or {}).get("scale") or (found.group(1) if found else "small")
    actor = _busiest_colleague(url)
    busiest = _busiest_partner(url)
    starts = [_first_screen(url, actor, busiest) for _ in range(2 if quick else 5)]
    first_partner = statistics.median(s["partner"] for s in starts) * 1000
    floor = statistics.median(_floor() for _ in range(3))
    usable = statistics.median(s["usable"] for s in starts)
    drawn = statistics.median(s["drawn"] for s in starts)
    keystrokes, empty = asyncio.run(_keystrokes(url, actor, quick))
    burst, _ = asyncio.run(_keystrokes(url, actor, quick=True, paced=False))
    read_ms, open_ms, partner = asyncio.run(_partner_page(url, actor, busiest, quick))
    median = statistics.median(keystrokes)
    worst = max(keystrokes)
    p95 = sorted(keystrokes)[max(0, int(len(keystrokes) * 0.95) - 1)]
    note = f"SQLite, N={scale}, acting as {actor}"
    return [
        _row(
            f"TUI first screen drawn, keys answered (SQLite, N={scale})",
            drawn,
            "s",
            f"< {FIRST_SCREEN_TARGET_S} s",
            floor,
            drawn <= FIRST_SCREEN_TARGET_S,
            note + "; the dashboard's panels are still filling in; baseline: importing "
            "textual.app + sqlalchemy.orm",
        ),
        _row(
            f"TUI first screen with every figure (SQLite, N={scale})",
            usable,
            "s",
            f"< {FIRST_SCREEN_TARGET_S} s",
            floor,
            usable <= FIRST_SCREEN_TARGET_S,
            note + f"; import {statistics.median(s['import'] for s in starts):.2f} s, "
            f"database open {statistics.median(s['open'] for s in starts):.2f} s; baseline: "
            "importing textual.app + sqlalchemy.orm",
        ),
        _row(
            f"TUI partner page read, busiest partner (SQLite, N={scale})",
            statistics.median(read_ms),
            "ms",
            f"< {PARTNER_TARGET_MS:.0f} ms",
            None,
            statistics.median(read_ms) <= PARTNER_TARGET_MS,
            note + f"; {partner}: partner_page.load, the same statements whatever the size; "
            f"median of {len(read_ms)}",
        ),
        _row(
            f"TUI partner screen opened, busiest partner (SQLite, N={scale})",
            statistics.median(open_ms),
            "ms",
            f"< {PARTNER_TARGET_MS:.0f} ms",
            statistics.median(read_ms),
            statistics.median(open_ms) <= PARTNER_TARGET_MS,
            note + f"; {partner}: from opening to the page and its brief drawn and the app "
            f"idle, opened {len(open_ms)} times in one session (the app keeps the screen it "
            "made at the first), median; baseline: the page's read alone",
        ),
        _row(
            f"TUI partner screen, first opened in a session, busiest partner (SQLite, N={scale})",
            first_partner,
            "ms",
            None,
            statistics.median(read_ms),
            None,
            note + "; the first partner opened after the first screen, in a new process: the "
            "screen made, the page's and the brief's statements and the brief's template "
            "compiled, and the sector's commitments read, for the first time; median of "
            f"{len(starts)} starts, for comparison, no target; baseline: the page's read alone",
        ),
        _row(
            f"TUI partners filter keystroke median (SQLite, N={scale})",
            median,
            "ms",
            f"< {KEYSTROKE_TARGET_MS:.0f} ms",
            empty,
            median <= KEYSTROKE_TARGET_MS,
            note + f"; {len(keystrokes)} keystrokes; baseline: the unfiltered first page",
        ),
        _row(
            f"TUI partners filter keystroke p95 (SQLite, N={scale})",
            p95,
            "ms",
            f"< {KEYSTROKE_TARGET_MS:.0f} ms",
            empty,
            p95 <= KEYSTROKE_TARGET_MS,
            note + f"; worst {worst:.0f} ms",
        ),
        _row(
            f"TUI partners filter, keys back to back, median (SQLite, N={scale})",
            statistics.median(burst),
            "ms",
            None,
            empty,
            None,
            note + "; each key sent the moment the last result is shown, before the screen "
            "has drawn it (faster than anyone types): for comparison, no target",
        ),
    ]


def _row(
    name: str,
    value: float,
    unit: str,
    target: str | None,
    baseline: float | None,
    ok: bool | None,
    note: str,
) -> dict[str, Any]:
    return {
        "name": name,
        "value": round(value, 3 if unit == "s" else 1),
        "unit": unit,
        "target": target,
        "baseline": round(baseline, 3 if unit == "s" else 1) if baseline else None,
        "ratio": round(value / baseline, 2) if baseline else None,
        "ok": ok,
        "note": note,
    }


def _first_screen(url: str, actor: str, partner: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN_SCRIPT, url, actor, str(partner)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _floor() -> float:
    out = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return float(out.stdout.strip())


def _busiest_colleague(url: str) -> str:
    """The colleague owning the most open steps: the fullest 'my steps' panel."""
    from partnercrm import colleagues, reports
    from partnercrm.database import open_database

    db = open_database(url, actor="bench")
    try:
        with db.reader() as s:
            found = reports.overdue(s, limit=1).owners
            if found:
                return found[0].owner
            return colleagues.list_colleagues(s)[0].name
    finally:
        db.dispose()


async def _keystrokes(
    url: str, actor: str, quick: bool, paced: bool = True
) -> tuple[list[float], float]:
    from partnercrm import organisations
    from partnercrm.database import open_database
    from tui.app import PartnerApp

    db = open_database(url, actor=actor)
    with db.reader() as s:
        names = [r.name for r in organisations.list_organisations(s, limit=400)][::40]
    names = names[:3] if quick else names[:8]
    names += ["camden", "kings cross"]
    app = PartnerApp(db, blink=False)
    timings: list[float] = []
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("p")
        screen = await _partners_screen(app, pilot)
        empty = statistics.median(
            [await _until_shown(pilot, screen, screen.reload) for _ in range(5)]
        )
        for name in names:
            screen.query_one("#filter").focus()
            for ch in name[:8]:
                if paced:  # at a person's pace: the screen has drawn the last result
                    await pilot.pause()
                timings.append(await _until_shown(pilot, screen, lambda c=ch: _type(app, c)))
            await _until_shown(pilot, screen, lambda: screen.action_clear_filter())
    db.dispose()
    return timings, empty


def _busiest_partner(url: str) -> int:
    """The organisation with the most conversations."""
    from sqlalchemy import func, select

    from partnercrm import models as m
    from partnercrm.database import open_database

    db = open_database(url, actor="bench")
    try:
        with db.reader() as s:
            c = m.Conversation
            return int(
                s.scalar(
                    select(c.organisation_id)
                    .group_by(c.organisation_id)
                    .order_by(func.count().desc(), c.organisation_id)
                    .limit(1)
                )
            )
    finally:
        db.dispose()


async def _partner_page(
    url: str, actor: str, org_id: int, quick: bool
) -> tuple[list[float], list[float], str]:
    """The partner with the most conversations: its page read, and its screen opened."""
    from datetime import date

    from partnercrm import models as m
    from partnercrm import partner_page
    from partnercrm.database import open_database
    from tui.app import PartnerApp
    from tui.screens.partner import PartnerScreen

    db = open_database(url, actor=actor)
    with db.reader() as s:
        name = s.get(m.Organisation, org_id).name
    reads = []
    for _ in range(3 if quick else 7):
        started = time.perf_counter()
        with db.reader() as s, s.begin():
            page = partner_page.load(s, org_id, date.today())
        reads.append((time.perf_counter() - started) * 1000)
    label = f"{name} ({len(page.threads)} conversations)"
    opens: list[float] = []
    briefs: list[float] = []
    app = PartnerApp(db, blink=False)
    drawn = _last_drawn(app)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        for _ in range(2 if quick else 5):
            started = time.perf_counter()
            app.open_partner(org_id)
            while not (isinstance(app.screen, PartnerScreen) and app.screen.page is not None):
                await asyncio.sleep(0.002)
            # every tab's table filled and drawn, and nothing more to do (Pilot waits until
            # the process is idle; the time is that of the last frame drawn before, not when
            # Pilot's 20 ms samples notice it)
            await pilot.pause()
            opens.append((drawn[0] - started) * 1000)
            while app.screen.brief is None:  # the brief follows in its own worker
                await asyncio.sleep(0.002)
            briefs.append((drawn[0] - started) * 1000)
            app.pop_screen()
            await pilot.pause()
    db.dispose()
    return reads, opens, f"{label}; its brief shown after {statistics.median(briefs):.0f} ms"


def _last_drawn(app: Any) -> list[float]:
    """[when the app last sent a frame to the terminal], kept up to date (Textual's _display)."""
    drawn = [0.0]
    display = app._display

    def timed(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        drawn[0] = time.perf_counter()

    app._display = timed
    return drawn


async def _partners_screen(app: Any, pilot: Any) -> Any:
    from tui.screens.partners import PartnersScreen

    while not isinstance(app.screen, PartnersScreen):
        await asyncio.sleep(0.005)
    while app.screen.shown < 0:
        await asyncio.sleep(0.005)
    return app.screen


def _type(app: Any, char: str) -> None:
    """One key, delivered as the terminal driver delivers a key press (no Pilot waits)."""
    from textual import events

    key = events.Key("space" if char == " " else char, char)
    key.set_sender(app)
    app._driver.send_message(key)


async def _until_shown(pilot: Any, screen: Any, act: Any) -> float:
    """Milliseconds from `act` (a key press) to the table showing the filter it set."""
    asked = screen.requested
    started = time.perf_counter()
    result = act()
    if asyncio.iscoroutine(result):
        await result
    while screen.requested == asked or screen.shown != screen.requested:
        await asyncio.sleep(0.001)
    return (time.perf_counter() - started) * 1000


def _small_database(quick: bool) -> str:
    """Without the bench runner's data: build N=2 (quick) or N=20 once under bench/data/."""
    from partnercrm import scale
    from partnercrm.database import open_database

    n = 2 if quick else 20
    path = ROOT / "bench" / "data" / f"tui-scale-{n}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        db = open_database(str(path), actor="bench")
        scale.build(db, n)
        db.dispose()
    return f"sqlite:///{path}"


if __name__ == "__main__":
    import pprint

    url = next((a for a in sys.argv[1:] if "://" in a), None)
    if url and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        sys.exit(f"no database at {url}")
    pprint.pprint(run(quick="--quick" in sys.argv, context={"sqlite_url": url} if url else None))
