"""What the screens show in an 80x24 window over SSH (and at 140x45): footers that fit and
offer only keys that work where the focus is, wide tables that say there is more to the
right, and a history whose words read whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Select

from partnercrm.access import Identity
from partnercrm.database import Database
from tests.test_tui import error_of, open_partner, settle
from tests.test_tui_day import SMALL, drive_at
from tui import actions
from tui.app import PartnerApp
from tui.screens.dashboard import COVERAGE_LEGENDS, COVERAGE_TITLES
from tui.screens.partner import PartnerScreen
from tui.widgets.table import MORE_LEFT, MORE_RIGHT

LARGE = (140, 45)


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


# ---------------------------------------------------------------- editing keys in a burst


def keys_at_once(app: PartnerApp, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist over SSH: all queued at once, none waited for
    (a single character is typed; a longer name is a key such as backspace or ctrl+u)."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)  # type: ignore[union-attr]


def test_a_correction_typed_in_a_burst_edits_in_the_order_typed(demo_db: Database) -> None:
    """`abd`, backspace, `c`, ←, `x` reads `abxc`; tab, ctrl+u and a path replace the file name
    (the letters used to land first and then be deleted)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        await pilot.press("b")
        dialog = await _form(pilot)
        path = dialog.query_one("#path", Input)
        keys_at_once(app, "tab", "ctrl+u", *"/tmp/rh.md")
        await settle(pilot)
        assert app.screen.focused is path and path.value == "/tmp/rh.md"
        keys_at_once(app, "ctrl+u", *"abd", "backspace", "c", "left", "x")
        await settle(pilot)
        assert path.value == "abxc"

    drive_at(demo_db, SMALL, body)


def test_escape_in_a_burst_clears_only_what_came_before_it(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        box = app.screen.query_one("#filter", Input)
        keys_at_once(app, *"ucl", "escape", *"queen")
        await settle(pilot)
        assert box.value == "queen" and app.screen.focused is box
        await pilot.press("slash")  # types a slash in the filter
        await pilot.press("backspace")
        await pilot.press("escape", "escape", "slash")
        await settle(pilot)
        search = app.screen.query_one("#search-box", Input)
        keys_at_once(app, *"nadia", "escape", *"kwame")
        await settle(pilot)
        assert search.value == "kwame"

    drive_at(demo_db, SMALL, body)


async def _form(pilot: Any) -> Any:
    from tui.dialogs.form import FormDialog

    await settle(pilot)
    for _ in range(100):
        if isinstance(pilot.app.screen, FormDialog) and pilot.app.screen.ready:
            await pilot.pause(0.05)
            return pilot.app.screen
        await pilot.pause(0.02)
    raise AssertionError(f"no form opened; on {pilot.app.screen!r}")


# ---------------------------------------------------------------- exporting a brief


def test_a_brief_exported_as_html_and_as_markdown(demo_db: Database, tmp_path: Path) -> None:
    """Choosing HTML renames the suggested file with the cursor at its end, so ctrl+u and a
    new name replace it whole; a suffix that disagrees with the format is refused."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        await pilot.press("b")
        dialog = await _form(pilot)
        dialog.query_one("#format", Select).value = "html"
        await settle(pilot)
        path = dialog.query_one("#path", Input)
        assert path.value.endswith("roundhouse-brief.html")
        assert path.cursor_position == len(path.value)
        path.focus()
        await pilot.pause()
        page = tmp_path / "roundhouse.html"
        await pilot.press("ctrl+u", *str(page), "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

        await pilot.press("b")
        dialog = await _form(pilot)
        path = dialog.query_one("#path", Input)
        path.value = str(tmp_path / "roundhouse.html.md")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (tmp_path / "roundhouse.html.md").read_text(encoding="utf-8").startswith("# ")

        await pilot.press("b")
        dialog = await _form(pilot)
        dialog.query_one("#path", Input).value = str(tmp_path / "brief.html")  # Markdown chosen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and not (tmp_path / "brief.html").exists()
        assert "ends in .html but the format is Markdown" in error_of(dialog, "path")

    drive_at(demo_db, SMALL, body)


def test_a_colleague_chosen_in_the_edit_form_is_retyped_whole(demo_db: Database) -> None:
    """Choosing another colleague fills the boxes with the cursor at the end, so ctrl+u and
    the new team replace the old one whole."""
    from partnercrm import colleagues

    with demo_db.reader() as s:
        tom = colleagues.find_colleague(s, "Tom Ellery")
        tom_id, tom_team = tom.id, tom.team

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("edit_colleague")
        dialog = await _form(pilot)
        dialog.query_one("#colleague", Select).value = tom_id
        await settle(pilot)
        team = dialog.query_one("#team", Input)
        assert team.value == (tom_team or "") and team.cursor_position == len(team.value)
        team.focus()
        await pilot.press("ctrl+u", *"Inclusive Economy and Skills", "ctrl+s")
        await settle(pilot)
        with demo_db.reader() as s:
            assert colleagues.find_colleague(s, "Tom Ellery").team == "Inclusive Economy and Skills"

    drive_at(demo_db, SMALL, body)


def test_arriving_on_my_work_the_first_step_has_the_keys(demo_db: Database) -> None:
    """`w` then `x` marks the first step done (the scrolling box around the lists used to take
    the focus, so `x` asked to choose a step and Enter did nothing)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("w")
        await settle(pilot)
        await pilot.pause(0.05)
        first = app.screen.query_one("#work-overdue", DataTable)
        assert first.row_count and app.screen.focused is first
        await pilot.press("x")
        dialog = await _form(pilot)
        assert type(dialog).__name__ == "CompleteStepDialog"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)

    drive_at(demo_db, SMALL, body)
