"""The TUI driven as a person would, with Textual's Pilot: every action end to end.

Each test asserts on what is stored (read back through partnercrm) and on what the screen
shows. They run on SQLite: they are about the screen; the services underneath have their
own tests on both backends.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    Select,
    SelectionList,
    Static,
    TabbedContent,
    TextArea,
)

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    organisations,
    reports,
    steps,
)
from partnercrm import models as m
from partnercrm.database import Database, open_database
from tests.conftest import DEMO_DAY, DEMO_USER
from tests.conftest import demo_db as demo_db  # the fixtures are conftest's; these names stay
from tests.conftest import demo_template as demo_template  # for modules that import them here
from tui.app import PartnerApp
from tui.dialogs.form import FormDialog
from tui.screens.partner import PartnerScreen

TODAY = DEMO_DAY  # the day the demo database (the `demo_db` fixture) was made on
ME = DEMO_USER
SIZE = (120, 40)


@pytest.fixture
def empty_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "empty.db"
    shutil.copy(sqlite_template, path)
    db = open_database(str(path), actor=ME)
    yield db
    db.dispose()


def make_app(db: Database) -> PartnerApp:
    app = PartnerApp(db, today=TODAY, blink=False)
    # a toast lives 5 s; on a busy machine (tests in parallel) more than that can pass between
    # the save that raised it and the assertion that reads it
    app.NOTIFICATION_TIMEOUT = 600
    return app


def drive(db: Database, body: Callable[[PartnerApp, Any], Awaitable[None]]) -> None:
    """Run `body(app, pilot)` against a running app at a fixed size."""

    async def main() -> None:
        app = make_app(db)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await body(app, pilot)

    asyncio.run(main())


async def settle(pilot: Any) -> None:
    """Let workers (database reads and saves) finish and the screen catch up."""
    from textual.worker import WorkerCancelled, WorkerState

    await pilot.pause()
    for _ in range(20):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # a newer read replaced it (keys typed in a burst): wait for that one next
        await pilot.pause()
        busy = [
            w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        if not busy:
            return


def org_id(db: Database, name: str) -> int:
    with db.reader() as s:
        return organisations.find_organisation(s, name).id


async def open_partner(app: PartnerApp, pilot: Any, name: str, tab: str | None = None) -> None:
    app.open_partner(org_id(app.db, name), tab=tab)
    await settle(pilot)
    assert isinstance(app.screen, PartnerScreen)
    for _ in range(100):  # the page's first read has shown
        if app.screen.page is not None:
            return
        await pilot.pause(0.02)
    raise AssertionError("the partner page did not load")


def fill(dialog: FormDialog[Any], **values: Any) -> None:
    """Put values into a form's controls as a person would leave them."""
    for name, value in values.items():
        control = dialog.field(name).control
        if isinstance(control, Input):
            control.value = value
        elif isinstance(control, TextArea):
            control.text = value
        elif isinstance(control, Select):
            control.value = value
        elif isinstance(control, Checkbox):
            control.value = value
        elif isinstance(control, SelectionList):
            control.deselect_all()
            for v in value:
                control.select(v)
        else:
            raise TypeError(type(control))


async def save(pilot: Any) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def error_of(dialog: FormDialog[Any], name: str) -> str:
    field = dialog.field(name)
    return (
        str(field.query_one(".field-error", Static).render()) if field.has_class("-invalid") else ""
    )


def table_text(app: PartnerApp, table_id: str) -> str:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return "\n".join(
        " | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)
    )


def notifications(app: PartnerApp) -> str:
    return "\n".join(n.message for n in app._notifications)


# ---------------------------------------------------------------- screens


def test_dashboard_shows_the_reports_figures_and_my_steps(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        from partnercrm import reports

        with demo_db.reader() as s:
            stages = reports.stage_counts(s)
            stale = reports.stale(s, days=30, today=TODAY)
        bars = str(app.screen.query_one("#pipeline", Static).render())
        for stage, count in stages.items():
            assert f"{stage:<10}" in bars and f" {count}" in bars
        title = app.screen.query_one("#stale-panel").border_title
        assert f"({stale.total})" in str(title)
        assert "My steps (Ruth Craven)" in str(app.screen.query_one("#my-steps-panel").border_title)
        with demo_db.reader() as s:
            ruth = colleagues.find_colleague(s, ME)
            mine = reports.steps_for(s, ruth.id, today=TODAY)
            due = reports.commitments_due(s, TODAY.replace(day=1), TODAY.replace(day=30))
        steps_table = app.screen.query_one("#my-steps", DataTable)
        # overdue first, then this week, as the report orders them
        expected = [line.step_id for line in mine.overdue + mine.this_week]
        shown = [
            int(str(steps_table.coordinate_to_cell_key((i, 0)).row_key.value).split(":")[2])
            for i in range(steps_table.row_count)
        ]
        assert shown == expected and mine.overdue
        assert app.screen.query_one("#due", DataTable).row_count == len(due)
        # Enter on a step opens the partner it belongs to, on the conversations tab
        steps_table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        assert str(app.screen.query_one("#partner-tabs").active) == "conversations"
        with demo_db.reader() as s:
            owner = conversations.get_conversation(s, mine.overdue[0].conversation_id)
            assert app.screen.organisation_id == owner.organisation_id

    drive(demo_db, body)


def test_enter_on_the_dashboard_opens_the_partner_reading_in_a_worker(demo_db: Database) -> None:
    """Enter on a stale conversation or a commitment due opens its partner on that tab; which
    partner is read in a worker thread, never on the screen's (the keys would wait on it)."""
    import threading

    on_screen_thread: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            on_screen_thread.append(statement)

    async def enter_on(app: PartnerApp, pilot: Any, table_id: str) -> PartnerScreen:
        table = app.screen.query_one(f"#{table_id}", DataTable)
        assert table.row_count, f"the demo has rows in {table_id}"
        table.focus()
        await pilot.pause()
        event.listen(demo_db.engine, "before_cursor_execute", seen)
        try:
            await pilot.press("enter")
            await settle(pilot)
        finally:
            event.remove(demo_db.engine, "before_cursor_execute", seen)
        assert isinstance(app.screen, PartnerScreen)
        return app.screen

    async def body(app: PartnerApp, pilot: Any) -> None:
        with demo_db.reader() as s:
            stale = reports.stale(s, days=reports.STALE_DAYS, today=TODAY, limit=1).rows[0]
            due = reports.commitments_due(s, TODAY.replace(day=1), TODAY.replace(day=30))[0]
        screen = await enter_on(app, pilot, "stale")
        assert screen.organisation_id == org_id(demo_db, stale.organisation)
        assert str(screen.query_one("#partner-tabs", TabbedContent).active) == "conversations"
        assert screen.selected("conversations-table") is not None
        await pilot.press("escape")
        await settle(pilot)
        screen = await enter_on(app, pilot, "due")
        with demo_db.reader() as s:
            assert (
                screen.organisation_id
                == commitments.get_commitment(s, due.commitment_id).organisation_id
            )
        assert str(screen.query_one("#partner-tabs", TabbedContent).active) == "commitments"
        assert not on_screen_thread, on_screen_thread

    drive(demo_db, body)


def test_empty_database_greets_and_loads_the_demo(empty_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        assert not app.screen.query_one("#welcome").has_class("hidden")
        assert app.screen.query_one("#dashboard").has_class("hidden")
        await pilot.press("D")
        await settle(pilot)
        assert app.screen.query_one("#welcome").has_class("hidden")
        with empty_db.reader() as s:
            assert len(organisations.list_organisations(s)) >= 10

    drive(empty_db, body)


def test_partners_filter_sort_and_open(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        table = app.screen.query_one("#partners", DataTable)
        everyone = table.row_count
        assert everyone >= 10
        await pilot.press("slash", *"camden")
        await settle(pilot)
        names = table_text(app, "partners")
        assert 0 < table.row_count < everyone
        assert all("camden" in line.lower() for line in names.splitlines())
        # sort by sector, then open the first row with Enter
        await pilot.press("enter")  # from the filter to the table
        await pilot.press("o")
        await settle(pilot)
        assert "sorted by sector" in str(app.screen.query_one("#partners-status", Static).render())
        first = str(table.get_row_at(0)[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        assert first.split(" ⚓")[0] in str(
            app.screen.query_one("#partner-header", Static).render()
        )

    drive(demo_db, body)


def test_typing_on_the_partners_table_filters(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"brit")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "brit"
        names = table_text(app, "partners")
        assert "British Land" in names and "British Museum" in names
        assert "Arsenal" not in names

    drive(demo_db, body)


def test_back_from_a_partner_typing_starts_a_new_filter(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"wellc", "enter", "enter")  # w would be My work on the table
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press(*"goo")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "goo"
        assert table_text(app, "partners").splitlines()[0].startswith("Google")

    drive(demo_db, body)


def test_partners_filter_by_mission(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#filter", Input).value = "mission:nosuchthing"
        await settle(pilot)
        assert "no mission matches" in str(
            app.screen.query_one("#partners-status", Static).render()
        )
        app.screen.query_one("#filter", Input).value = "mission:food"
        await settle(pilot)
        assert app.screen.query_one("#partners", DataTable).row_count > 0
        # m goes to the duplicates screen (tui/screens/duplicates.py, tested in test_dedupe)
        app.screen.query_one("#partners", DataTable).focus()
        await pilot.press("m")
        await settle(pilot)
        from tui.screens.duplicates import DuplicatesScreen

        assert isinstance(app.screen, DuplicatesScreen)

    drive(demo_db, body)


def test_partner_page_tabs_show_what_is_stored(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        with demo_db.reader() as s:
            detail = organisations.organisation_detail(
                s, organisations.find_organisation(s, "Camden Giving")
            )
        header = str(app.screen.query_one("#partner-header", Static).render())
        assert "Camden Giving" in header and f"stage: {detail['stage']}" in header
        # each tab's table is filled when the tab is first shown
        assert app.screen.query_one("#contacts-table", DataTable).row_count == 0
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.query_one("#contacts-table", DataTable).row_count == len(
            detail["contacts"]
        )
        await pilot.press("4")
        await settle(pilot)
        assert app.screen.query_one("#commitments-table", DataTable).row_count == len(
            detail["commitments"]
        )
        await pilot.press("3")
        await settle(pilot)
        assert app.screen.query_one("#conversations-table", DataTable).row_count == len(
            detail["conversations"]
        )
        await pilot.press("7")
        await settle(pilot)
        assert app.screen.query_one("#history-table", DataTable).row_count > 0
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PartnerScreen)

    drive(demo_db, body)


def test_events_screen_and_an_event(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("e")
        await settle(pilot)
        table = app.screen.query_one("#events", DataTable)
        assert table.row_count > 0
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#attendees", DataTable).row_count > 0
        assert "people from" in str(app.screen.query_one("#event-title", Static).render())

    drive(demo_db, body)


def test_help_and_palette_jump_to_a_partner(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("question_mark")
        await settle(pilot)
        from tui.dialogs.help import HelpDialog

        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"wellcome")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        assert "Wellcome" in str(app.screen.query_one("#partner-header", Static).render())

    drive(demo_db, body)


def test_palette_runs_an_action_on_a_chosen_partner(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        from tui.dialogs.new_contact import NewContactDialog
        from tui.dialogs.pick_partner import PickPartnerDialog

        app.open_action("new_contact")  # what the palette's "New contact" hit calls
        await settle(pilot)
        assert isinstance(app.screen, PickPartnerDialog)
        await pilot.press(*"roundh")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NewContactDialog)
        assert "Roundhouse" in app.screen.form_title

    drive(demo_db, body)


# ---------------------------------------------------------------- actions


def test_the_warm_conversation_workflow_end_to_end(demo_db: Database) -> None:
    """Log a conversation, touch it, add steps, move it on, convert it, record the delivery.

    Each step is its own function, so a failure names the step it happened in.
    """
    from sqlalchemy import select

    with demo_db.reader() as s:
        food_id = s.scalar(select(m.Mission.id).where(m.Mission.key == "food"))
    partner = "Old Diorama Arts Centre"

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, partner, tab="conversations")
        conv, _org = await _log_a_warm_conversation(app, pilot, demo_db, partner, food_id)
        await _touch_it(app, pilot, demo_db, conv)
        step = await _add_a_step(app, pilot, demo_db)
        made = await _move_it_on_and_convert_it(app, pilot, demo_db, conv)
        await _record_the_delivery(app, pilot, demo_db, made)
        await _see_the_brief(app, pilot, partner)
        await _do_the_step_from_my_work(app, pilot, demo_db, step)

    drive(demo_db, body)


async def _log_a_warm_conversation(
    app: PartnerApp, pilot: Any, db: Database, partner: str, food_id: int
) -> tuple[Any, Any]:
    """Log a warm conversation: a bad date, then a step without a due date, are refused."""
    await pilot.press("l")
    await settle(pilot)
    dialog = app.screen
    fill(
        dialog,
        subject="Hosting the spring roundtable",
        ask="hosting",
        missions=[food_id],
        on="31/02/2025",
        note="Met Sam at the venue.",
        step="Send the hosting brief",
    )
    await save(pilot)
    assert app.screen is dialog and "not a date" in error_of(dialog, "on")
    fill(dialog, on="3/11/2025")
    await save(pilot)
    assert app.screen is dialog and "due" in error_of(dialog, "due")
    with db.reader() as s:
        org = organisations.find_organisation(s, partner)
        assert conversations.list_conversations(s, organisation=org) == []
    fill(dialog, due="+7")
    await save(pilot)
    assert isinstance(app.screen, PartnerScreen)
    with db.reader() as s:
        conv = conversations.list_conversations(s, organisation=org)[0]
        assert conv.subject == "Hosting the spring roundtable"
        assert conv.ask_kind == "hosting" and [mi.key for mi in conv.missions] == ["food"]
        assert conv.started_on == date(2025, 11, 3)  # day first
        assert conv.lead.name == ME
        assert [(st.description, st.due_on) for st in conv.steps] == [
            ("Send the hosting brief", TODAY + timedelta(days=7))
        ]
    assert "Hosting the spring roundtable" in table_text(app, "conversations-table")
    return conv, org


async def _touch_it(app: PartnerApp, pilot: Any, db: Database, conv: Any) -> None:
    """A touchpoint on the conversation under the cursor."""
    await pilot.press("t")
    await settle(pilot)
    assert app.screen.field("conversation").control.value == conv.id
    fill(app.screen, on="today", channel="call", note="Agreed dates for the roundtable.")
    await save(pilot)
    with db.reader() as s:
        again = conversations.get_conversation(s, conv.id)
        touches = conversations.touchpoints(s, again)
        assert touches[0].note == "Agreed dates for the roundtable."
        assert touches[0].channel == "call" and again.last_touch_on == TODAY
    assert "Agreed dates for the roundtable." in table_text(app, "thread-table")


async def _add_a_step(app: PartnerApp, pilot: Any, db: Database) -> Any:
    """Another step, due on a day typed day first."""
    await pilot.press("s")
    await settle(pilot)
    fill(app.screen, description="Book the studio visit", due="1/12/2025")
    await save(pilot)
    with db.reader() as s:
        step = next(st for st in steps.list_steps(s) if st.description == "Book the studio visit")
        assert step.due_on == date(2025, 12, 1) and step.owner.name == ME
    return step


async def _move_it_on_and_convert_it(app: PartnerApp, pilot: Any, db: Database, conv: Any) -> Any:
    """Exploring, then converted into a commitment."""
    await pilot.press("g")
    await settle(pilot)
    fill(app.screen, stage="exploring")
    await save(pilot)
    with db.reader() as s:
        again = conversations.get_conversation(s, conv.id)
        assert again.stage == "exploring"
        assert conversations.stage_changes(s, again)[-1].changed_on == TODAY
    assert "exploring" in table_text(app, "conversations-table")
    await pilot.press("k")
    await settle(pilot)
    dialog = app.screen
    assert dialog.field("kind").control.value == "hosting"  # suggested by the ask
    fill(dialog, beneficiary="Year 10 pupils", opportunities="1.5")
    await save(pilot)
    assert app.screen is dialog and "whole number" in error_of(dialog, "opportunities")
    fill(dialog, opportunities="12", gbp="£2,500", due="31/3/2026")
    await save(pilot)
    assert isinstance(app.screen, PartnerScreen)
    with db.reader() as s:
        assert conversations.get_conversation(s, conv.id).stage == "committed"
        made = [c for c in commitments.list_commitments(s) if c.conversation_id == conv.id][0]
        assert made.kind == "hosting" and made.promised_opportunities == 12
        assert made.due_on == date(2026, 3, 31) and float(made.promised_gbp) == 2500
        assert [mi.key for mi in made.missions] == ["food"]
    await pilot.press("4")  # the Commitments tab
    await settle(pilot)
    assert "Year 10 pupils" in table_text(app, "commitments-table")
    return made


async def _record_the_delivery(app: PartnerApp, pilot: Any, db: Database, made: Any) -> None:
    """What it delivered, with the story."""
    await pilot.press("v")
    await settle(pilot)
    assert app.screen.field("commitment").control.value == made.id
    fill(
        app.screen,
        opportunities="12",
        people="30",
        story="Twelve pupils ran the roundtable's welcome; two now volunteer.",
    )
    await save(pilot)
    with db.reader() as s:
        done = commitments.get_commitment(s, made.id)
        assert done.status == "delivered" and done.deliveries[0].people == 30
        assert done.deliveries[0].story.startswith("Twelve pupils")
    await settle(pilot)
    assert "Twelve pupils ran the roundtable's welcome" in table_text(app, "commitments-table")


async def _see_the_brief(app: PartnerApp, pilot: Any, partner: str) -> None:
    """The brief is built when its tab is shown, and reflects what was just recorded."""
    assert app.screen.brief is None
    await pilot.press("1")
    await settle(pilot)
    assert app.screen.brief is not None and partner in app.screen.brief


async def _do_the_step_from_my_work(app: PartnerApp, pilot: Any, db: Database, step: Any) -> None:
    """The step is done from My work."""
    await pilot.press("escape")
    await pilot.press("w")
    await settle(pilot)
    assert "Book the studio visit" in table_text(app, "work-week") + table_text(app, "work-later")
    table = app.screen.query_one("#work-later", DataTable)
    table.focus()
    row = next(i for i in range(table.row_count) if "studio" in str(table.get_row_at(i)[1]))
    table.move_cursor(row=row)
    await pilot.press("x")
    await settle(pilot)
    fill(app.screen, on="yesterday")
    await save(pilot)
    with db.reader() as s:
        assert steps.get_step(s, step.id).done_on == TODAY - timedelta(days=1)
    assert "Book the studio visit" not in table_text(app, "work-later")


def test_new_partner_its_people_and_ambassador_role(demo_db: Database, tmp_path: Path) -> None:
    """A new partner, a contact, an ambassador role moved on, the brief exported.

    Each step is its own function, so a failure names the step it happened in.
    """

    async def body(app: PartnerApp, pilot: Any) -> None:
        await _a_taken_name_keeps_what_was_typed(app, pilot)
        taken, advocate = await _a_new_partner_typed_at_the_keyboard(app, pilot, demo_db)
        await _no_touchpoint_form_without_a_conversation(app, pilot)
        await _a_contact_with_the_email_checked_beside_the_field(app, pilot, demo_db, taken)
        await _enrolled_as_an_ambassador_then_moved_on(app, pilot, demo_db, advocate)
        await _the_brief_exported_and_a_second_export_asked_for(app, pilot, tmp_path)

    drive(demo_db, body)


async def _a_taken_name_keeps_what_was_typed(app: PartnerApp, pilot: Any) -> None:
    await pilot.press("n")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, FormDialog)
    await save(pilot)
    assert app.screen is dialog and "needed" in error_of(dialog, "name")
    fill(dialog, name="camden giving", sector="vcs", ward="Somewhere")
    await save(pilot)
    assert app.screen is dialog and "already used" in notifications(app)
    assert dialog.field("ward").control.value == "Somewhere"


async def _a_new_partner_typed_at_the_keyboard(
    app: PartnerApp, pilot: Any, db: Database
) -> tuple[str, Any]:
    """Returns a stored contact's email (taken) and the advocate role."""
    from partnercrm import missions

    dialog = app.screen
    assert isinstance(dialog, FormDialog)
    dialog.field("name").control.value = ""
    dialog.field("name").control.focus()
    await pilot.press(*"Kentish Town City Farm")
    fill(dialog, aliases="KTCF, the farm", ward="Kentish Town South")
    await save(pilot)
    assert isinstance(app.screen, PartnerScreen)
    assert "Kentish Town City Farm" in str(app.screen.query_one("#partner-header").render())
    with db.reader() as s:
        org = organisations.find_organisation(s, "ktcf")
        assert org.name == "Kentish Town City Farm"
        assert org.sector == "vcs" and org.lead is not None and org.lead.name == ME
        return contacts.list_contacts(s)[0].email, missions.find_role(s, "advocate")


async def _no_touchpoint_form_without_a_conversation(app: PartnerApp, pilot: Any) -> None:
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(app.screen, PartnerScreen)
    assert "no conversations yet" in notifications(app)


async def _a_contact_with_the_email_checked_beside_the_field(
    app: PartnerApp, pilot: Any, db: Database, taken: str
) -> None:
    await pilot.press("c")
    await settle(pilot)
    dialog = app.screen
    fill(dialog, name="Nadia Haddad", email="nadia at the farm", job_title="Farm Manager")
    await save(pilot)
    assert app.screen is dialog and "not valid" in error_of(dialog, "email")
    fill(dialog, email=taken.upper())
    await save(pilot)
    assert app.screen is dialog and "already belongs" in error_of(dialog, "email")
    fill(dialog, email="Nadia.Haddad@KTCityFarm.org.uk")
    await save(pilot)
    assert isinstance(app.screen, PartnerScreen)
    with db.reader() as s:
        found = contacts.find_contact(s, "nadia.haddad@ktcityfarm.org.uk")
        assert found.organisation.name == "Kentish Town City Farm"
        assert found.job_title == "Farm Manager"
    await pilot.press("2")  # the Contacts tab
    await settle(pilot)
    assert "Nadia Haddad" in table_text(app, "contacts-table")


async def _enrolled_as_an_ambassador_then_moved_on(
    app: PartnerApp, pilot: Any, db: Database, advocate: Any
) -> None:
    await pilot.press("a")
    await settle(pilot)
    fill(app.screen, role=advocate.id)
    await save(pilot)
    with db.reader() as s:
        held = ambassadors.list_ambassadorships(
            s, organisation=organisations.find_organisation(s, "ktcf")
        )
        assert [(a.role.key, a.status) for a in held] == [(advocate.key, "proposed")]
        amb_id = held[0].id
    await pilot.press("u")
    await settle(pilot)
    fill(app.screen, ambassadorship=amb_id, status="paused")
    await save(pilot)
    # proposed cannot go straight to paused: the service's reason shows beside the field
    assert "can move to" in error_of(app.screen, "status")
    fill(app.screen, status="active")
    await save(pilot)
    with db.reader() as s:
        assert ambassadors.get_ambassadorship(s, amb_id).status == "active"
    await pilot.press("5")  # the Roles tab
    await settle(pilot)
    assert "active" in table_text(app, "ambassadors-table")


async def _the_brief_exported_and_a_second_export_asked_for(
    app: PartnerApp, pilot: Any, tmp_path: Path
) -> None:
    await pilot.press("b")
    await settle(pilot)
    target = tmp_path / "farm.md"
    fill(app.screen, path=str(target))
    await save(pilot)
    assert isinstance(app.screen, PartnerScreen)
    text = target.read_text(encoding="utf-8")
    assert "Kentish Town City Farm" in text and text.startswith("#")
    await pilot.press("b")
    await settle(pilot)
    fill(app.screen, path=str(target))
    await save(pilot)
    assert "exists" in error_of(app.screen, "path")


def _open_conversation(db: Database, name: str) -> m.Conversation:
    with db.reader() as s:
        org = organisations.find_organisation(s, name)
        found = conversations.list_conversations(s, organisation=org)
        assert found, f"{name} has no open conversation in the demo"
        return found[0]


def test_a_conflicting_save_keeps_what_was_typed(demo_db: Database) -> None:
    """Someone else changes the conversation while the form is open: nothing is overwritten."""
    conv = _open_conversation(demo_db, "Arsenal")

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Arsenal", tab="conversations")
        await pilot.press("g")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, conversation=conv.id, stage="declined", on="10/11/2025")
        other = open_database(demo_db.url, actor="Daniel Okoro")
        with other.transaction() as s:
            conversations.set_stage(
                s,
                conversations.get_conversation(s, conv.id),
                "exploring",
                on=TODAY - timedelta(days=3),
            )
        other.dispose()
        await save(pilot)
        assert app.screen is dialog
        assert "changed by Daniel Okoro" in notifications(app)
        assert dialog.field("stage").control.value == "declined"
        assert dialog.field("on").control.value == "10/11/2025"
        with demo_db.reader() as s:
            assert conversations.get_conversation(s, conv.id).stage == "exploring"
        # knowing that, saving again is a deliberate choice and goes through
        assert "save yours over theirs" in notifications(app)
        await save(pilot)
        assert isinstance(app.screen, PartnerScreen), notifications(app)
        with demo_db.reader() as s:
            assert conversations.get_conversation(s, conv.id).stage == "declined"

    drive(demo_db, body)


def test_a_locked_database_keeps_what_was_typed(demo_db: Database) -> None:
    """Another writer holds the lock: the save fails clearly and the form keeps its values."""

    @event.listens_for(demo_db.engine, "connect")
    def _short_wait(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout = 200")

    demo_db.engine.dispose()  # new connections pick up the short wait
    org = org_id(demo_db, "Meta")

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Meta", tab="contacts")
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, name="Priya Raman", email="priya.raman@meta.com")
        import sqlite3

        holder = sqlite3.connect(demo_db.engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            await save(pilot)
            assert app.screen is dialog
            assert "busy" in notifications(app)
            assert dialog.field("email").control.value == "priya.raman@meta.com"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await save(pilot)  # the same form, saved again once the lock is gone
        assert isinstance(app.screen, PartnerScreen)
        with demo_db.reader() as s:
            assert contacts.find_contact(s, "priya.raman@meta.com").organisation_id == org

    drive(demo_db, body)


def test_the_tui_command_opens_the_app_on_the_database_given(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`partnercrm --db URL --as NAME tui` runs the app on that database as that colleague."""
    from click.testing import CliRunner

    from cli.main import cli

    ran: list[tuple[str, str]] = []
    monkeypatch.setattr(PartnerApp, "run", lambda self: ran.append((self.db.url, self.db.actor)))
    result = CliRunner().invoke(cli, ["--db", demo_db.url, "--as", "Priya Shah", "tui"])
    assert result.exit_code == 0, result.output
    assert ran == [(demo_db.url, "Priya Shah")]
    help_text = CliRunner().invoke(cli, ["tui", "--help"])
    assert help_text.exit_code == 0 and "terminal interface" in help_text.output


def test_the_tui_command_starts_on_the_embedded_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    monkeypatch.delenv("PARTNERCRM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    ran: list[str] = []
    monkeypatch.setattr(PartnerApp, "run", lambda self: ran.append(self.db.url))
    result = CliRunner().invoke(cli, ["tui"])
    assert result.exit_code == 0, result.output
    assert ran and ran[0].endswith("partnercrm.db") and str(tmp_path) in ran[0]


def test_a_stage_change_dated_before_the_last_is_marked_on_the_date(demo_db: Database) -> None:
    conv = _open_conversation(demo_db, "Arsenal")

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Arsenal", tab="conversations")
        await pilot.press("g")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, conversation=conv.id, stage="parked", on="1/1/2020")
        await save(pilot)
        assert app.screen is dialog and "cannot be dated before" in error_of(dialog, "on")
        with demo_db.reader() as s:
            assert conversations.get_conversation(s, conv.id).stage == conv.stage

    drive(demo_db, body)


def test_a_tick_box_is_marked_only_when_ticked() -> None:
    from textual.app import App

    from tui.widgets.field import Tick

    class One(App[None]):
        def compose(self) -> Any:
            yield Tick("More to come", False, id="tick")

    async def main() -> None:
        app = One()
        async with app.run_test(size=(40, 5)) as pilot:
            tick = app.query_one("#tick", Tick)
            assert str(tick.render()).startswith("▐ ▌")
            await pilot.click("#tick")
            assert tick.value is True and str(tick.render()).startswith("▐X▌")

    asyncio.run(main())


def test_coming_back_reads_again_only_when_something_was_written(demo_db: Database) -> None:
    """Back on the dashboard from a partner, its figures are read again only if anything was
    written meanwhile (here, or by a colleague elsewhere): looking at a partner costs the
    dashboard nothing, a touchpoint logged from another session shows at once."""

    async def back_to_dashboard(app: PartnerApp, pilot: Any) -> Any:
        await open_partner(app, pilot, "UCL")
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        return app.screen.figures

    async def body(app: PartnerApp, pilot: Any) -> None:
        await settle(pilot)
        first = app.screen.figures
        assert first is not None
        assert await back_to_dashboard(app, pilot) is first  # nothing written: nothing read
        with demo_db.transaction() as s:
            conv = s.scalars(
                select(m.Conversation).where(
                    m.Conversation.organisation_id == org_id(demo_db, "UCL")
                )
            ).first()
            conversations.add_touchpoint(s, conv, on=TODAY, note="rang about the placement")
        after = await back_to_dashboard(app, pilot)
        assert after is not first
        with demo_db.reader() as s:
            stale = reports.stale(s, days=reports.STALE_DAYS, today=TODAY)
        assert f"({stale.total})" in str(app.screen.query_one("#stale-panel").border_title)

    drive(demo_db, body)


def test_a_partner_is_drawn_once_read_and_a_slow_read_never_freezes_the_screen(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page is drawn with what it read (not empty, then filled); a read slower than
    UNDRAWN_AT_MOST shows the page empty meanwhile, and leaving before the read ends leaves the
    screen beneath drawing. (`_batch_count` is Textual's count of held repaints.)"""
    import threading

    from tui.screens import partner

    gate = threading.Event()
    read = partner.PartnerScreen.load

    def slow(self: PartnerScreen, session: Any) -> Any:
        gate.wait(5)
        return read(self, session)

    monkeypatch.setattr(partner.PartnerScreen, "load", slow)
    # longer than a pause takes on a busy machine, so the test sees the held drawing
    monkeypatch.setattr(partner, "UNDRAWN_AT_MOST", 1.5)

    async def body(app: PartnerApp, pilot: Any) -> None:
        await settle(pilot)
        app.open_partner(org_id(demo_db, "UCL"))
        await pilot.pause()
        assert isinstance(app.screen, PartnerScreen) and app._batch_count == 1
        await pilot.pause(partner.UNDRAWN_AT_MOST + 0.2)
        assert app._batch_count == 0 and app.screen.page is None  # drawn empty, still reading
        assert "Reading the brief" in str(app.screen.query_one("#brief", Static).render())
        gate.set()
        await settle(pilot)
        assert app.screen.page is not None and app.screen.page.name == "UCL"
        gate.clear()
        app.screen.action_back()
        app.open_partner(org_id(demo_db, "UCL"))
        await pilot.pause()
        assert app._batch_count == 1
        await pilot.press("escape")  # left before its read came back
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen" and app._batch_count == 0
        gate.set()
        await settle(pilot)

    drive(demo_db, body)


def test_the_app_sets_the_cycle_collector_aside_while_it_runs_and_restores_it(
    demo_db: Database,
) -> None:
    """What exists once the app is up is frozen out of collections, and collections wait for
    more new objects (a partner's page no longer pays for a sweep of the whole heap); Python's
    own settings are back when the app exits."""
    import gc

    before = gc.get_threshold()

    async def body(app: PartnerApp, pilot: Any) -> None:
        assert gc.get_freeze_count() > 10_000  # Textual, SQLAlchemy and the app set aside
        assert gc.get_threshold()[0] > before[0]

    drive(demo_db, body)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
