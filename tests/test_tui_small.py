"""What the screens show in an 80x24 window over SSH (and at 140x45): footers that fit and
offer only keys that work where the focus is, wide tables that say there is more to the
right, and a history whose words read whole."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import DataTable, Input

from partnercrm.access import Identity
from partnercrm.database import Database
from tests.test_tui import demo_db as demo_db
from tests.test_tui import demo_template as demo_template
from tests.test_tui import make_app, open_partner, settle
from tui import actions
from tui.app import PartnerApp
from tui.screens.dashboard import COVERAGE_LEGENDS, COVERAGE_TITLES
from tui.screens.partner import PartnerScreen
from tui.widgets.table import MORE_LEFT, MORE_RIGHT

SMALL = (80, 24)
LARGE = (140, 45)


def drive_at(db: Database, size: tuple[int, int], body: Any) -> None:
    async def main() -> None:
        app = make_app(db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


async def footer(pilot: Any) -> dict[str, str]:
    """The footer's keys as drawn ({key: words}), after checking every one is on screen."""
    await settle(pilot)
    await pilot.pause(0.05)  # the footer lays itself out again after the bindings change
    keys = list(pilot.app.screen.query("FooterKey"))
    width = pilot.app.screen.region.width
    for key in keys:
        assert key.region.area and key.region.right <= width, (key.key_display, key.region)
    return {str(k.key_display): str(k.description) for k in keys}


def header(table: DataTable[Any]) -> str:
    """The table's header row as drawn (the arrows included)."""
    return table.render_line(0).text.rstrip()


# ---------------------------------------------------------------- footers


def test_in_the_filter_the_footer_offers_only_what_works_there(demo_db: Database) -> None:
    """`/` types a slash in the filter, so the footer does not offer it as Search there."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        keys = await footer(pilot)
        box = app.screen.query_one("#filter", Input)
        assert app.screen.focused is box
        assert keys == {"↓": "List", "esc": "Clear / leave"}, keys
        await pilot.press("slash")
        await settle(pilot)
        assert box.value == "/" and type(app.screen).__name__ == "PartnersScreen"
        await pilot.press("backspace", "down")
        keys = await footer(pilot)
        assert app.screen.focused is app.screen.query_one("#partners", DataTable)
        # on the list: the places, search and the list's own keys, shortened to fit 80
        for key in ("d", "p", "w", "e", "/", "f", "o", "]", "m", "?"):
            assert key in keys, (key, keys)
        assert keys["o"] == "Order" and keys["m"] == "Merge"

    drive_at(demo_db, SMALL, body)


def test_every_place_footer_fits_at_80(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        assert (await footer(pilot))["/"] == "Search"  # the dashboard fits in full words
        assert (await footer(pilot))["n"] == "New partner"
        await pilot.press("w")
        keys = await footer(pilot)
        assert keys["x"] == "Done" and keys["i"] == "Calendar" and "d" in keys
        await pilot.press("e")
        assert "?" in await footer(pilot)

    drive_at(demo_db, SMALL, body)


def _partner_footers(db: Database, size: tuple[int, int]) -> dict[str, dict[str, str]]:
    shown: dict[str, dict[str, str]] = {}

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        assert isinstance(app.screen, PartnerScreen)
        for number, tab in enumerate(
            ("overview", "contacts", "conversations", "commitments", "ambassadors", "events"), 1
        ):
            await pilot.press(str(number))
            shown[tab] = await footer(pilot)

    drive_at(db, size, body)
    return shown


def test_the_partner_footer_shows_the_keys_of_the_tab_in_view_at_80(demo_db: Database) -> None:
    """E (edit the highlighted record) is in the footer, with the tab's own actions."""
    shown = _partner_footers(demo_db, SMALL)
    conversations = shown["conversations"]
    for key, words in (("l", "Log"), ("t", "Touch"), ("s", "Step"), ("k", "Commit")):
        assert conversations[key] == words, conversations
    assert conversations["E"] == "Edit" and conversations["esc"] == "Back"
    assert shown["commitments"]["v"] == "Deliver" and shown["commitments"]["E"] == "Edit"
    assert shown["ambassadors"]["a"] == "Enrol" and shown["ambassadors"]["u"] == "Role status"
    assert shown["overview"]["b"] == "Brief" and "E" not in shown["overview"]
    assert all(tab["]"] == "Tab" and tab["?"] == "Help" for tab in shown.values())


def test_the_partner_footer_at_140_shows_edit_and_the_brief(demo_db: Database) -> None:
    shown = _partner_footers(demo_db, LARGE)
    assert shown["conversations"]["E"] == "Edit"
    assert shown["overview"]["b"] == "Brief"


def test_an_editor_may_export_a_brief() -> None:
    """Reading needs no role: the brief's key is not refused to an editor or an admin."""
    editor = Identity("Ruth Craven", roles=frozenset({"admin", "editor"}))
    viewer = Identity("Amara Jones", roles=frozenset({"viewer"}))
    assert actions.refusal(editor, "export_brief") is None
    assert actions.refusal(viewer, "export_brief") is None
    assert "Amara Jones is a viewer" in str(actions.refusal(viewer, "log_conversation"))


# ---------------------------------------------------------------- wide tables


def test_a_wide_table_shows_an_arrow_while_columns_lie_beyond_the_edge(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p", "down")
        await settle(pilot)
        table = app.screen.query_one("#partners", DataTable)
        assert table.max_scroll_x > 0
        assert header(table).endswith(MORE_RIGHT.strip()) and "Name" in header(table)
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause(0.05)
        assert header(table).startswith(MORE_LEFT.strip())
        assert not header(table).endswith(MORE_RIGHT.strip())

    drive_at(demo_db, SMALL, body)


def test_a_table_that_fits_shows_no_arrow(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p", "down")
        await settle(pilot)
        table = app.screen.query_one("#partners", DataTable)
        assert table.max_scroll_x == 0
        assert MORE_RIGHT.strip() not in header(table) and MORE_LEFT.strip() not in header(table)

    drive_at(demo_db, LARGE, body)


# ---------------------------------------------------------------- history and dashboard


def test_at_80x24_history_reads_whole(demo_db: Database) -> None:
    """The What column wraps in the width left by When and Who: no word is cut off."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving", tab="history")
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PartnerScreen) and screen.page is not None
        table = screen.query_one("#history-table", DataTable)
        await pilot.pause(0.05)
        assert table.row_count == len(screen.page.history)
        assert table.max_scroll_x == 0  # nothing to the right
        wrapped = 0
        for i, line in enumerate(screen.page.history):
            what = str(table.get_row_at(i)[2])
            assert what.replace("\n", " ") == line.what
            assert all(len(part) <= 80 - 2 for part in what.split("\n"))
            wrapped += "\n" in what
        assert wrapped, "a long change wraps onto a second line"

    drive_at(demo_db, SMALL, body)


def test_at_80x24_the_dashboard_titles_and_legend_fit(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await settle(pilot)
        await pilot.pause(0.1)
        panel = app.screen.query_one("#coverage-panel")
        assert panel.border_title == COVERAGE_TITLES[-1]
        assert panel.border_subtitle in COVERAGE_LEGENDS
        assert len(str(panel.border_subtitle)) + 6 <= panel.outer_size.width
        mine = app.screen.query_one("#my-steps-panel")
        title = str(mine.border_title)
        assert title.startswith("My steps: ") and "overdue" in title
        assert len(title) + 6 <= mine.outer_size.width

    drive_at(demo_db, SMALL, body)
