"""A working day in the TUI, at the keyboard: focus after every Escape, typing in bursts, the
discard prompt, one search to a person and to a note, history in words, and 80x24 layouts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import DataTable, Input, TextArea

from partnercrm import contacts, conversations, organisations
from partnercrm import models as m
from partnercrm.database import Database
from tests.test_tui import (
    demo_db as demo_db,
)
from tests.test_tui import (
    demo_template as demo_template,
)
from tests.test_tui import (
    make_app,
    open_partner,
    settle,
    table_text,
)
from tui.app import PartnerApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.screens.partner import PartnerScreen

SMALL = (80, 24)


def drive_at(db: Database, size: tuple[int, int], body: Any) -> None:
    async def main() -> None:
        app = make_app(db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


async def form_ready(pilot: Any) -> FormDialog[Any]:
    await settle(pilot)
    for _ in range(100):
        if isinstance(pilot.app.screen, FormDialog) and pilot.app.screen.ready:
            return pilot.app.screen
        await pilot.pause(0.02)
    raise AssertionError(f"no form opened; on {pilot.app.screen!r}")


def visible(widget: Any) -> bool:
    """Whether the widget is drawn inside the screen (not scrolled or cut off)."""
    region = widget.region
    screen = widget.screen.region
    return bool(region.area) and screen.contains_region(region)


# ---------------------------------------------------------------- focus


def test_escape_in_the_partners_filter_clears_it_and_typing_stays_text(demo_db: Database) -> None:
    """`ucl`, Escape, `queen`: the filter says `queen`; q did not quit, w did not open My work."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        box = app.screen.query_one("#filter", Input)
        await pilot.press(*"ucl")
        await pilot.press("escape")
        assert box.value == "" and app.screen.focused is box
        await pilot.press(*"queen", *" well")
        await settle(pilot)
        assert app.is_running and box.value == "queen well" and app.screen.focused is box
        assert type(app.screen).__name__ == "PartnersScreen"
        # a second Escape clears, a third leaves the filter: the table's keys work again
        await pilot.press("escape", "escape")
        assert app.screen.focused is app.screen.query_one("#partners", DataTable)
        await pilot.press("w")
        await settle(pilot)
        assert type(app.screen).__name__ == "MyWorkScreen"

    drive_at(demo_db, SMALL, body)


def test_back_from_a_partner_the_focus_is_where_it_was(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"roundhouse")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one("#partners", DataTable)
        assert app.screen.focused is table  # the footer's keys are live, not typed into the box
        assert app.screen.query_one("#filter", Input).value == "roundhouse"

    drive_at(demo_db, SMALL, body)


def test_escape_from_every_form_and_dialog_returns_the_focus(demo_db: Database) -> None:
    """Each action's form, opened and left with Escape, gives the partner page its focus back."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving", tab="conversations")
        page = app.screen
        table = page.query_one("#conversations-table", DataTable)
        table.focus()
        for key in "cltsgkvab":
            await pilot.press(key)
            await settle(pilot)
            if isinstance(app.screen, FormDialog):
                await pilot.press("escape")
                await settle(pilot)
            assert app.screen is page, f"{key}: still on {app.screen!r}"
            assert page.focused is table, f"{key}: the focus went to {page.focused!r}"
        for key in ("question_mark", "slash"):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is page and page.focused is table, key

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- bursts


def burst(app: PartnerApp, *keys: str) -> None:
    """Keys as a terminal delivers a paste or a fast typist over SSH: all at once, none waited
    for (Pilot's press waits for each key to be handled, which hides races)."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        for char in [key] if len(key) > 1 else list(key):
            name = "tab" if char == "\t" else char if len(char) > 1 else _character_to_key(char)
            event = events.Key(name, None if len(char) > 1 or name == "tab" else char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]


def test_keys_sent_in_a_burst_lose_no_characters(demo_db: Database) -> None:
    """A form opened and typed into at once keeps every key, even those that arrive before it
    is drawn or while it reads its choices; tab in a burst moves on before the next key."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        subject = "Quarterly catch-up with the youth team (q&a, wellbeing)"
        burst(app, "l", *subject)
        dialog = await form_ready(pilot)
        await settle(pilot)
        assert dialog.query_one("#subject", Input).value == subject
        dialog.query_one("#note", TextArea).focus()
        await pilot.pause()
        burst(app, *"Nell is keen.", "\t", *"Send the pack")
        await settle(pilot)
        assert dialog.query_one("#note", TextArea).text == "Nell is keen."
        assert dialog.query_one("#step", Input).value == "Send the pack"
        assert app.is_running

    drive_at(demo_db, SMALL, body)


def test_a_burst_typed_on_the_partners_list_becomes_the_filter(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#partners", DataTable).focus()
        await pilot.pause()
        burst(app, *"roundhouse")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "roundhouse"
        assert type(app.screen).__name__ == "PartnersScreen"

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- discarding


def test_escape_on_a_changed_form_asks_before_throwing_it_away(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        page = app.screen
        with demo_db.reader() as s:
            before = len(conversations.list_conversations(s, include_closed=True))
        # untouched, Escape simply closes
        await pilot.press("l")
        await form_ready(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page
        # typed into, Escape asks; keeping it returns to the field with the words intact
        await pilot.press("l")
        dialog = await form_ready(pilot)
        await pilot.press(*"Studio visit")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # Escape on the question keeps the form
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.focused is dialog.query_one("#subject", Input)
        assert dialog.query_one("#subject", Input).value == "Studio visit"
        await pilot.press(*" day")  # typing carries on; what was typed is not replaced
        assert dialog.query_one("#subject", Input).value == "Studio visit day"
        # the Cancel button asks too; y discards
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is page
        with demo_db.reader() as s:
            assert len(conversations.list_conversations(s, include_closed=True)) == before

    drive_at(demo_db, SMALL, body)


def test_quit_asks_when_a_form_holds_typing(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        await pilot.press("t")
        dialog = await form_ready(pilot)
        dialog.query_one("#note", TextArea).focus()
        await pilot.press(*"They want a quote")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#note", TextArea).text == "They want a quote"
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not app.is_running

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- search


async def search_for(pilot: Any, text: str) -> Any:
    await pilot.press("slash")
    await settle(pilot)
    screen = pilot.app.screen
    assert type(screen).__name__ == "SearchScreen"
    await pilot.press(*text)
    await settle(pilot)
    return screen


def test_search_finds_a_person_and_opens_them_on_their_partners_page(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        with demo_db.reader() as s:
            nadia = contacts.find_contact(s, "Nadia Karim")
            nadia_id, org_id = nadia.id, nadia.organisation_id
        await search_for(pilot, "nadia")
        assert "person | Nadia Karim" in table_text(app, "search-results")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PartnerScreen) and screen.organisation_id == org_id
        assert str(screen.query_one("#partner-tabs").active) == "contacts"
        people = screen.query_one("#contacts-table", DataTable)
        assert people.coordinate_to_cell_key(people.cursor_coordinate).row_key.value == str(
            nadia_id
        )
        # Escape goes back to the results, then clears the search, then leaves
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"

    drive_at(demo_db, (140, 45), body)


def test_search_finds_a_note_and_opens_its_conversation_on_it(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        with demo_db.reader() as s:
            touch = s.query(m.Touchpoint).filter(m.Touchpoint.note.like("%citizens' panels%")).one()
            touch_id, conv_id = touch.id, touch.conversation_id
        await search_for(pilot, "citizens panels")
        results = app.screen.query_one("#search-results", DataTable)
        keys = [
            str(results.coordinate_to_cell_key((i, 0)).row_key.value)
            for i in range(results.row_count)
        ]
        results.focus()
        results.move_cursor(row=keys.index(f"touchpoint:{touch_id}"))
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PartnerScreen)
        assert str(screen.query_one("#partner-tabs").active) == "conversations"
        assert screen.selected("conversations-table") == conv_id
        thread = screen.query_one("#thread-table", DataTable)
        row = thread.coordinate_to_cell_key(thread.cursor_coordinate).row_key.value
        assert row == f"touch:{touch_id}" and screen.focused is thread

    drive_at(demo_db, (140, 45), body)


# ---------------------------------------------------------------- words


def test_history_tab_says_who_in_full_and_what_in_words(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse", tab="history")
        rows = app.screen.query_one("#history-table", DataTable)
        lines = [[str(c) for c in rows.get_row_at(i)] for i in range(rows.row_count)]
        assert lines
        whos = {who for _, who, _ in lines}
        assert "Ruth" not in whos and "Craven" not in str([w for _, _, w in lines])
        whats = [what for _, _, what in lines]
        assert any(w.startswith("logged conversation #") for w in whats)
        assert not [w for w in whats if "_" in w or "stage change" in w]

    drive_at(demo_db, (140, 45), body)


def test_codes_and_dates_are_shown_in_words(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        shown = table_text(app, "partners")
        assert " vcs " not in f" {shown} " and "voluntary" in shown
        await open_partner(app, pilot, "Camden Giving", tab="commitments")
        commitments_shown = table_text(app, "commitments-table")
        assert "_" not in commitments_shown
        with demo_db.reader() as s:
            org = organisations.find_organisation(s, "Camden Giving")
            assert org.sector == "vcs"
        header = str(app.screen.query_one("#partner-header").render())
        assert "voluntary and community sector" in header

    drive_at(demo_db, (140, 45), body)


# ---------------------------------------------------------------- 80x24


def test_at_80x24_the_conversation_form_scrolls_to_the_focused_field(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        await pilot.press("l")
        dialog = await form_ready(pilot)
        for name in ("note", "step", "due"):
            dialog.query_one(f"#{name}").focus()
            await pilot.pause(0.1)
            assert visible(dialog.query_one(f"#{name}")), name
        assert visible(dialog.query_one("#save")) and visible(dialog.query_one("#cancel"))
        await pilot.press(*"Pack sent")
        assert dialog.query_one("#due", Input).value.endswith("Pack sent")

    drive_at(demo_db, SMALL, body)


def test_at_80x24_the_partner_tabs_and_footer_fit(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        tabs = app.screen.query("Tab")
        assert tabs and all(visible(t) for t in tabs), [t.label for t in tabs if not visible(t)]
        keys = app.screen.query("FooterKey")
        assert keys and all(visible(k) for k in keys)
        # the actions left out of the footer are in ? help, which says so
        assert any("help" in str(k.description).lower() for k in keys)

    drive_at(demo_db, SMALL, body)


def test_number_keys_change_tab_wherever_the_focus_was(demo_db: Database) -> None:
    """After a form closes the focus is back in a table; 4 still shows Commitments (a table
    left focused in a hidden tab used to pull its tab back)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving", tab="conversations")
        app.screen.query_one("#thread-table", DataTable).focus()
        await pilot.pause()
        for key, tab in (("4", "commitments"), ("7", "history"), ("3", "conversations")):
            await pilot.press(key)
            await settle(pilot)
            assert str(app.screen.query_one("#partner-tabs").active) == tab
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert str(app.screen.query_one("#partner-tabs").active) == "commitments"

    drive_at(demo_db, SMALL, body)
