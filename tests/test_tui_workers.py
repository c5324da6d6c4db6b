"""Database reads happen in workers, never on the thread that draws the screen (issue 13).

Every screen and every action's form is opened with the database watched: a statement run on
the app's own thread (in compose(), __init__, on_mount or a handler) would freeze typing while
the database is busy, and fails the test with the statement it ran.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import event, select
from textual.widgets import DataTable

from partnercrm import colleagues
from partnercrm.database import Database
from tests.test_tui import (  # noqa: F401  (the fixtures, shared with the TUI tests)
    demo_db,
    demo_template,
    drive,
    org_id,
    settle,
)
from tui import actions
from tui.app import PartnerApp
from tui.dialogs.form import FormDialog
from tui.screens.partner import PartnerScreen

# between them, these two partners have something for every action's form to open on: an open
# conversation with a step (Camden Giving), an open commitment, a delivery, an ambassador role
# and people at an event (UCL)
PARTNERS = ("Camden Giving", "UCL")


class Watch:
    """The statements run on the app's thread, and how many ran in workers."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.on_screen: list[str] = []
        self.in_workers = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            self.on_screen.append(statement.split("\n")[0][:100])
        else:
            self.in_workers += 1

    def __enter__(self) -> Watch:
        event.listen(self.db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self)


async def _open_forms(
    app: PartnerApp, pilot: Any, watch: Watch, partners: dict[str, int], opened: dict[str, str]
) -> None:
    """Every action's form, on each partner's page; which forms got as far as their fields."""
    for name, organisation_id in partners.items():
        app.open_partner(organisation_id, tab="conversations")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, PartnerScreen) and page.page is not None
        for tab in ("commitments", "ambassadors", "events", "conversations"):
            page.action_show_tab(tab)  # a tab's table is filled when first shown
            await settle(pilot)
        for action in actions.ACTIONS:
            before = len(watch.on_screen)
            app.open_action(action.key, page.organisation_id, **page.context())
            await settle(pilot)
            assert len(watch.on_screen) == before, f"{action.key} read on the app's thread"
            dialog = app.screen
            if isinstance(dialog, FormDialog) and dialog.ready:
                opened[action.key] = name
                dialog.dismiss(None)
                await settle(pilot)
            assert app.screen is page, f"{action.key} did not close"
        app.pop_screen()
        await settle(pilot)


@pytest.fixture
def crm(request: pytest.FixtureRequest) -> Database:
    """The demo database of the TUI tests (a copy per test)."""
    db: Database = request.getfixturevalue("demo_db")
    return db


def test_every_screen_and_form_reads_the_database_in_a_worker(crm: Database) -> None:
    with crm.reader() as s:
        me = colleagues.colleague_for_actor(s)
        assert me is not None
        me_id = me.id
    partners = {name: org_id(crm, name) for name in PARTNERS}
    opened: dict[str, str] = {}

    async def body(app: PartnerApp, pilot: Any) -> None:
        from tui.dialogs.export_calendar import ExportCalendarDialog

        with Watch(crm) as watch:
            for mode in app.MODES:
                app.switch_mode(mode)
                await settle(pilot)
            app.switch_mode("dashboard")
            app.action_help()
            await settle(pilot)
            app.pop_screen()
            app.action_search("nadia")
            await settle(pilot)
            app.pop_screen()
            app.open_action("new_contact")  # no partner yet: it asks which
            await settle(pilot)
            app.pop_screen()
            app.push_screen(ExportCalendarDialog(me_id))
            await settle(pilot)
            app.pop_screen()
            app.open_event(1)
            await settle(pilot)
            app.pop_screen()
            await _open_forms(app, pilot, watch, partners, opened)
        assert watch.on_screen == []
        assert watch.in_workers > 0  # the watch saw the reads, where they belong

    drive(crm, body)
    # every action's form opened, its choices read and its fields built, on one partner or other
    assert set(opened) == {a.key for a in actions.ACTIONS}


def test_merging_and_holding_apart_on_duplicates_write_in_a_worker(crm: Database) -> None:
    """The Duplicates screen's writes (a merge's preview and the merge, a pair held apart) run
    in workers too; the list then moves on to the pair after the one acted on, and a merge
    that cannot be done says why in a notification."""
    from partnercrm import dedupe, merging, organisations
    from partnercrm import models as m
    from tests.test_tui import notifications
    from tui.screens.duplicates import ConfirmMerge, DuplicatesScreen

    with crm.transaction() as s:
        for name, sector in [
            ("Phoenix Court Works Ltd", "vcs"),
            ("Camden Giving Ltd", "vcs"),
            ("Welcome Collection", "culture"),
            ("Round House", "culture"),
        ]:
            organisations.add_organisation(s, name, sector, new=True)

    def pair_on(screen: DuplicatesScreen) -> tuple[str, str]:
        table = screen.query_one("#pairs", DataTable)
        row = table.get_row_at(table.cursor_row)
        return row[1], row[2]

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.switch_mode("duplicates")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        table = screen.query_one("#pairs", DataTable)
        assert table.row_count == 4
        table.move_cursor(row=1)
        await settle(pilot)
        assert pair_on(screen) == ("Camden Giving", "Camden Giving Ltd")

        with Watch(crm) as watch:
            await pilot.press("less_than_sign")  # keep left: its dry run, then the question
            await settle(pilot)
            assert isinstance(app.screen, ConfirmMerge)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen and table.row_count == 3
            assert "Merged Camden Giving Ltd into Camden Giving." in notifications(app)
            assert pair_on(screen) == ("Wellcome Collection", "Welcome Collection")  # the next

            await pilot.press("h")  # hold apart: different, never suggested again
            await settle(pilot)
            assert table.row_count == 2
            assert "Wellcome Collection and Welcome Collection are different" in notifications(app)
            assert pair_on(screen) == ("Roundhouse", "Round House")
        assert watch.on_screen == []
        assert watch.in_workers > 0

        with crm.reader() as s:
            names = {o.name for o in s.scalars(select(m.Organisation))}
            assert "Camden Giving Ltd" not in names and "Camden Giving" in names
            suggested = {(p.a["name"], p.b["name"]) for p in dedupe.pairs(s, "organisation")}
            assert ("Wellcome Collection", "Welcome Collection") not in suggested
        # someone else merges the highlighted pair first: the merge here says why, in words
        with crm.transaction() as s:
            merging.merge(s, "organisation", org_id(crm, "Roundhouse"), org_id(crm, "Round House"))
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert app.screen is screen
        assert "Cannot merge" in [n.title for n in app._notifications]
        assert table.row_count == 1  # read again: the pair merged elsewhere is gone
        assert pair_on(screen) == ("Phoenix Court Works", "Phoenix Court Works Ltd")

    drive(crm, body)
