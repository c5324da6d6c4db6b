"""SVG snapshots of the key screens on the demo data, at a fixed size and a fixed day.

Review every diff before `pytest --snapshot-update`: a changed snapshot is a changed screen.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partnercrm.database import Database, open_database
from tests.test_tui import ME, make_app, org_id, settle


async def drawn(pilot: Any) -> None:
    """Workers done, and the tables have sized their columns to the rows they were given."""
    from textual.widgets import DataTable

    await settle(pilot)
    before = None
    for _ in range(100):
        # a DataTable sizes its columns on idle after rows are added
        tables = [*pilot.app.screen.query(DataTable)]
        if pilot.app.screen_stack[0] is not pilot.app.screen:
            tables += [*pilot.app.screen_stack[-2].query(DataTable)]
        screen = pilot.app.screen
        reading = getattr(screen, "in_flight", False) or getattr(screen, "_checking", False)
        # and what the tables hold and how wide their columns are has stopped changing (a
        # busy machine once caught a table's columns sized to its headings, its rows just in)
        now = [(t.row_count, [c.get_render_width(t) for c in t.columns.values()]) for t in tables]
        if not reading and not any(t._require_update_dimensions for t in tables):
            if now == before:
                break
            before = now
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.fixture
def snap_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database made on the fixed day."""
    path = tmp_path / "snap.db"
    shutil.copy(demo_template, path)
    db = open_database(str(path), actor=ME)
    yield db
    db.dispose()


# the window a partnership officer has over SSH, and a full-screen terminal
SIZES = {"80x24": (80, 24), "140x45": (140, 45)}
sizes = pytest.mark.parametrize("size", list(SIZES))


@sizes
def test_dashboard_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=drawn)


@sizes
def test_partners_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("p")
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)


@sizes
def test_partner_page_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_partner(org_id(snap_db, "Camden Giving"))
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)


@sizes
def test_partner_conversations_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_partner(org_id(snap_db, "Camden Giving"), tab="conversations")
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)


@sizes
def test_conversation_form_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_partner(org_id(snap_db, "Roundhouse"))
        await settle(pilot)
        await pilot.press("l")
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)


@sizes
def test_search_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("slash", *"camden")
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)


@sizes
def test_events_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("e")
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)


def _place(key: str) -> Any:
    """Open a place (or Help) by its key from the dashboard, as a person would."""

    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(key)
        await drawn(pilot)

    return before


@sizes
def test_my_work_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=_place("w"))


@sizes
def test_help_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    assert snap_compare(
        make_app(snap_db), terminal_size=SIZES[size], run_before=_place("question_mark")
    )


@sizes
def test_duplicates_snapshot(snap_db: Database, snap_compare: Any, size: str) -> None:
    """A pair to compare: the sector in words, the dates as every screen shows them."""
    from datetime import datetime

    from partnercrm import organisations

    with snap_db.transaction() as s:
        twin = organisations.add_organisation(s, "Phoenix Court Works Ltd", "vcs", new=True)
        twin.created_at = datetime(2024, 3, 5, 10, 0)
        organisations.find_organisation(s, "Phoenix Court Works").created_at = datetime(
            2025, 11, 12, 9, 0
        )

    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.app.switch_mode("duplicates")
        await drawn(pilot)
        screen = pilot.app.screen
        for _ in range(500):  # the two sides are filled when the first pair is highlighted
            if all(
                "Phoenix" in str(screen.query_one(side).render()) for side in ("#left", "#right")
            ):
                break
            await pilot.pause(0.02)  # up to 10 s: a busy machine (the suite runs in parallel)
        await drawn(pilot)
        # under heavy load the pair list has twice been caught with its columns as wide as
        # their headings ("Pho"), then drawn right: wait until the names fit (up to 10 s)
        pairs = screen.query_one("#pairs")
        for _ in range(500):
            widths = [c.get_render_width(pairs) for c in pairs.columns.values()]
            if widths[1] > len("Phoenix Court Works"):
                break
            await pilot.pause(0.02)
        await drawn(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZES[size], run_before=before)
