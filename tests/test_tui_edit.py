"""Correcting records in the TUI: `E` opens the form on the highlighted record; saving changes
the database (and the history), as the CLI's edit commands do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Select

from partnercrm import commitments, conversations, events, history, organisations, steps
from partnercrm import models as m
from partnercrm.database import Database
from tests.test_tui import (
    TODAY,
    drive,
    error_of,
    fill,
    open_partner,
    save,
    settle,
)
from tui.app import PartnerApp
from tui.screens.partner import PartnerScreen

PARTNER = "Camden Giving"


@pytest.fixture
def crm(request: pytest.FixtureRequest) -> Database:
    """The demo database of the TUI tests (a copy per test)."""
    db: Database = request.getfixturevalue("demo_db")
    return db


def partner(db: Database) -> m.Organisation:
    with db.reader() as s:
        return organisations.find_organisation(s, PARTNER)


async def press_edit(app: PartnerApp, pilot: Any) -> Any:
    await pilot.press("E")
    await settle(pilot)
    return app.screen


def changed(db: Database, entity: str, ident: int) -> dict[str, Any]:
    with db.reader() as s:
        found: dict[str, Any] = {}
        for e in history.entries(s, organisation_id=partner(db).id, limit=None):
            if e.entity == entity and e.entity_id == ident and e.action == "update":
                found = {**(e.changes or {}), **found}
        return found


def test_edit_the_highlighted_conversation(crm: Database) -> None:
    from tui.dialogs.edit_conversation import EditConversationDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        table = app.screen.query_one("#conversations-table", DataTable)
        table.move_cursor(row=1)
        conv_id = app.screen.selected("conversations-table")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditConversationDialog)
        assert dialog.record_id == conv_id and f"#{conv_id}" in dialog.form_title
        with crm.reader() as s:
            before = conversations.get_conversation(s, conv_id)
            assert dialog.field("subject").control.value == (before.subject or "")
            assert dialog.field("lead").control.value == before.lead_id
        fill(dialog, subject="A corrected subject", ask="advocate", missions=[])
        await save(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with crm.reader() as s:
            after = conversations.get_conversation(s, conv_id)
            assert after.subject == "A corrected subject" and after.ask == "advocate"
            assert after.missions == [] and after.lead_id == before.lead_id
        assert changed(crm, "conversation", conv_id)["subject"][1] == "A corrected subject"
        assert "A corrected subject" in str(
            app.screen.query_one("#conversations-table", DataTable).get_row_at(1)
        )

    drive(crm, body)


async def highlight_in_thread(app: PartnerApp, pilot: Any, prefix: str) -> int:
    """Put the cursor on the thread's first step or touchpoint; returns its id."""
    table = app.screen.query_one("#thread-table", DataTable)
    table.focus()
    for row in range(table.row_count):
        key = str(table.coordinate_to_cell_key((row, 0)).row_key.value)
        if key.startswith(prefix):
            table.move_cursor(row=row)
            await settle(pilot)
            return int(key.split(":")[1])
    raise AssertionError(f"no {prefix} row in the thread")


def test_edit_and_reopen_the_highlighted_step(crm: Database) -> None:
    from tui.dialogs.edit_step import EditStepDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        step_id = await highlight_in_thread(app, pilot, "step:")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditStepDialog) and dialog.record_id == step_id
        due = date.today() + timedelta(days=30)  # ahead of the real clock: no question asked
        fill(dialog, description="Call them back about the visit", due=f"{due:%d/%m/%Y}")
        await save(pilot)
        with crm.reader() as s:
            step = steps.get_step(s, step_id)
            assert step.description == "Call them back about the visit"
            assert step.due_on == due
        assert changed(crm, "step", step_id)["due_on"][1] == due.isoformat()

        with crm.transaction() as s:
            steps.complete_step(s, steps.get_step(s, step_id), TODAY)
        app.open_action("edit_step", partner(crm).id, step_id=step_id)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditStepDialog)
        fill(dialog, reopen=True)
        await save(pilot)
        with crm.reader() as s:
            assert steps.get_step(s, step_id).done_on is None

    drive(crm, body)


def test_a_step_due_on_a_day_gone_this_year_is_due_next_year(crm: Database) -> None:
    from tui.dialogs.edit_step import EditStepDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        step_id = await highlight_in_thread(app, pilot, "step:")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditStepDialog)
        fill(dialog, due="31 Jan")  # TODAY, the demo's day, is later in its year
        await save(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with crm.reader() as s:
            assert steps.get_step(s, step_id).due_on == date(TODAY.year + 1, 1, 31)

    drive(crm, body)


def test_edit_then_archive_the_highlighted_touchpoint(crm: Database) -> None:
    from tui.dialogs.edit_touchpoint import EditTouchpointDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        touch_id = await highlight_in_thread(app, pilot, "touch:")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditTouchpointDialog) and dialog.record_id == touch_id
        fill(dialog, channel="email", note="What was really said")
        await save(pilot)
        with crm.reader() as s:
            touch = conversations.get_touchpoint(s, touch_id)
            assert touch.channel == "email" and touch.note == "What was really said"
        assert changed(crm, "touchpoint", touch_id)["channel"][1] == "email"

        app.screen.query_one("#thread-table", DataTable).focus()
        await highlight_in_thread(app, pilot, "touch:")
        dialog = await press_edit(app, pilot)
        fill(dialog, archive=True)
        await save(pilot)
        with crm.reader() as s:
            touch = conversations.get_touchpoint(s, touch_id)
            assert touch.archived
            assert touch_id not in [t.id for t in conversations.touchpoints(s, touch.conversation)]

    drive(crm, body)


def test_edit_the_highlighted_commitment_and_its_delivery(crm: Database) -> None:
    from tui.dialogs.edit_commitment import EditCommitmentDialog
    from tui.dialogs.edit_delivery import EditDeliveryDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="commitments")
        com_id = app.screen.selected("commitments-table")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditCommitmentDialog) and dialog.record_id == com_id
        fill(dialog, due="1/1/2020")  # before it was agreed: refused beside the field
        await save(pilot)
        assert app.screen is dialog and "before the commitment was agreed" in error_of(
            dialog, "due"
        )
        fill(dialog, beneficiary="Kentish Town School", gbp="", hours="12", due="")
        await save(pilot)
        with crm.reader() as s:
            com = commitments.get_commitment(s, com_id)
            assert com.beneficiary == "Kentish Town School"
            assert com.promised_gbp is None and com.promised_hours == 12
            delivered = com.status == m.CommitmentStatus.DELIVERED
        assert changed(crm, "commitment", com_id)["beneficiary"][1] == "Kentish Town School"

        assert delivered  # Camden Giving's commitments were both delivered
        app.open_action("edit_delivery", partner(crm).id, commitment_id=com_id)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDeliveryDialog)
        fill(dialog, story="Forty young people took part", people="40")
        await save(pilot)
        with crm.reader() as s:
            latest = commitments.get_delivery(s, commitments.get_commitment(s, com_id))
            assert latest.story == "Forty young people took part" and latest.people == 40

        app.open_action("edit_delivery", partner(crm).id, commitment_id=com_id)
        await settle(pilot)
        fill(app.screen, undeliver=True)
        await save(pilot)
        with crm.reader() as s:
            com = commitments.get_commitment(s, com_id)
            assert com.status == m.CommitmentStatus.IN_PROGRESS and com.closed_on is None
            assert latest.id not in [d.id for d in com.deliveries]

    drive(crm, body)


def test_edit_the_highlighted_ambassador_role(crm: Database) -> None:
    from partnercrm import ambassadors
    from tui.dialogs.edit_ambassadorship import EditAmbassadorshipDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="ambassadors")
        amb_id = app.screen.selected("ambassadors-table")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditAmbassadorshipDialog)
        with crm.reader() as s:
            research = next(r.id for r in ambassadors_roles(s) if r.key == "research")
        fill(dialog, role=research, mission=Select.NULL, since="1/6/2023")
        await save(pilot)
        with crm.reader() as s:
            amb = ambassadors.get_ambassadorship(s, amb_id)
            assert amb.role.key == "research" and amb.mission is None
            assert amb.since == date(2023, 6, 1)
        assert "role_id" in changed(crm, "ambassadorship", amb_id)

    drive(crm, body)


def ambassadors_roles(s: Any) -> list[m.AmbassadorRole]:
    from partnercrm import missions

    return missions.list_roles(s)


def test_edit_the_highlighted_event_and_an_attendance(crm: Database) -> None:
    from tui.dialogs.edit_attendance import EditAttendanceDialog
    from tui.dialogs.edit_event import EditEventDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="events")
        event_id = app.screen.selected("events-table")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditEventDialog) and dialog.record_id == event_id
        fill(dialog, name="The Camden Summit (renamed)", host="")
        await save(pilot)
        with crm.reader() as s:
            event = s.get(m.Event, event_id)
            assert event.name == "The Camden Summit (renamed)" and event.host is None
            came = events.attendances_of(s, event, organisation_id=partner(crm).id)
        app.open_action("edit_attendance", partner(crm).id, event_id=event_id)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditAttendanceDialog)
        fill(dialog, attendance=came[0].id, role="speaker")
        await save(pilot)
        with crm.reader() as s:
            assert s.get(m.Attendance, came[0].id).role == "speaker"
        app.open_action("edit_attendance", partner(crm).id, event_id=event_id)
        await settle(pilot)
        fill(app.screen, attendance=came[0].id, role="speaker", remove=True)
        await save(pilot)
        with crm.reader() as s:
            assert s.get(m.Attendance, came[0].id) is None

    drive(crm, body)


def test_every_edit_is_in_the_palette_and_asks_for_the_partner(crm: Database) -> None:
    from tui import actions
    from tui.dialogs.edit_commitment import EditCommitmentDialog
    from tui.dialogs.pick_partner import PickPartnerDialog

    titles = [a.title for a in actions.ACTIONS]
    for title in (
        "Edit a conversation",
        "Edit a touchpoint",
        "Edit a step",
        "Edit a commitment",
        "Edit a delivery",
        "Edit an ambassador role",
        "Edit an event",
        "Edit an attendance",
    ):
        assert title in titles

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("edit_commitment")  # what the palette's "Edit a commitment" hit calls
        await settle(pilot)
        assert isinstance(app.screen, PickPartnerDialog)
        await pilot.press(*"camden giv")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EditCommitmentDialog)
        assert PARTNER in app.screen.form_title

    drive(crm, body)


def test_a_tab_without_records_to_edit_says_where_edit_works(crm: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="history")
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        assert any("Edit works on" in n.message for n in app._notifications)

    drive(crm, body)


def test_edit_forms_ask_before_a_past_due_date_and_not_when_it_is_kept(crm: Database) -> None:
    from tui.dialogs.confirm import ConfirmDialog
    from tui.dialogs.edit_step import EditStepDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, PARTNER, tab="conversations")
        step_id = await highlight_in_thread(app, pilot, "step:")
        dialog = await press_edit(app, pilot)
        assert isinstance(dialog, EditStepDialog)
        fill(dialog, due="1/1/2025")  # already past on the TUI's day
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog) and "already past" in app.screen.detail
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with crm.reader() as s:
            assert steps.get_step(s, step_id).due_on == date(2025, 1, 1)
        # the same past date kept while the words change: nothing to ask
        app.screen.query_one("#thread-table", DataTable).focus()
        await highlight_in_thread(app, pilot, "step:")
        dialog = await press_edit(app, pilot)
        fill(dialog, description="Chase the signed agreement")
        await save(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with crm.reader() as s:
            assert steps.get_step(s, step_id).description == "Chase the signed agreement"

    drive(crm, body)
