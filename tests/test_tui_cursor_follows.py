"""After an edit the partner page reads itself again; a record that sorts elsewhere keeps the
cursor, so the next key (x marks a step done) acts on the record the person was looking at."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from textual.widgets import DataTable

from partnercrm import colleagues, conversations, steps
from partnercrm.database import Database
from tests.test_tui import ME, drive, fill, open_partner, save, settle
from tui.app import PartnerApp
from tui.screens.partner import PartnerScreen

PARTNER = "Camden Giving"


def test_a_step_whose_due_date_moves_it_keeps_the_cursor(demo_db: Database) -> None:
    from tui.dialogs.edit_step import EditStepDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        conv_id = app.screen.selected("conversations-table")
        soon = date.today() + timedelta(days=1)  # ahead of the real clock: no question asked
        with demo_db.transaction() as s:
            conv = conversations.get_conversation(s, conv_id)
            me = colleagues.find_colleague(s, ME)
            for n in range(3):  # steps enough that the first, moved last, leaves others above
                steps.add_step(s, conv, f"Step {n}", me, soon + timedelta(days=n))
        await open_partner(app, pilot, PARTNER, tab="conversations")
        screen = app.screen
        assert isinstance(screen, PartnerScreen)
        table = screen.query_one("#thread-table", DataTable)
        table.focus()
        first = next(
            i for i, row in enumerate(table.ordered_rows) if str(row.key.value).startswith("step:")
        )
        table.move_cursor(row=first)
        await settle(pilot)
        step_id = screen.selected("thread-table")
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditStepDialog) and dialog.record_id == step_id
        later = date.today() + timedelta(days=400)  # after every other step: it sorts last
        fill(dialog, due=f"{later:%d/%m/%Y}")
        await save(pilot)
        assert app.screen is screen
        assert table.get_row_index(f"step:{step_id}") != first  # it did move
        assert screen.selected("thread-table") == step_id

    drive(demo_db, body)


def test_a_conversation_touched_to_the_top_keeps_the_cursor(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        screen = app.screen
        assert isinstance(screen, PartnerScreen)
        table = screen.query_one("#conversations-table", DataTable)
        table.focus()
        last = table.row_count - 1  # the longest untouched: a touchpoint today moves it up
        table.move_cursor(row=last)
        await settle(pilot)
        conv_id = screen.selected("conversations-table")
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.field("conversation").control.value == conv_id
        fill(app.screen, on="today", channel="call", note="Back in touch.")
        await save(pilot)
        assert app.screen is screen
        assert table.get_row_index(f"{conv_id}") < last  # it did move
        assert screen.selected("conversations-table") == conv_id
        assert screen.thread_shown == conv_id  # and the thread below is still its own

    drive(demo_db, body)
