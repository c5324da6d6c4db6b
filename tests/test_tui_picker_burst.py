"""The "which partner?" picker with keys typed in a burst (a paste, a fast typist over SSH):
Enter chooses from the list read for what the box holds, not the list as it stood before the
last letters; the keys typed after Enter land in the form opened for the chosen partner.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input

from partnercrm import organisations
from partnercrm.database import Database
from tests.test_tui import (
    demo_db as demo_db,
)
from tests.test_tui import (
    demo_template as demo_template,
)
from tests.test_tui import org_id, settle
from tests.test_tui_day import SMALL, burst, drive_at, form_ready
from tui.app import PartnerApp
from tui.dialogs.pick_partner import SHOWN, PickPartnerDialog
from tui.screens.partner import PartnerScreen

SUBJECT = "Summit venue: the great hall?"


async def settled_on(pilot: Any, kind: type[Screen[Any]]) -> Screen[Any]:
    """Wait until the screen on top is a `kind` and has handed on the keys it held."""
    for _ in range(100):
        await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, kind) and getattr(screen, "_keys_ready", True):
            return screen
        await pilot.pause(0.02)
    raise AssertionError(f"not on {kind.__name__}: on {pilot.app.screen!r}")


async def logs_for_ucl(app: PartnerApp, pilot: Any) -> None:
    """The Log conversation form is open for UCL with the whole subject in its first field."""
    dialog = await form_ready(pilot)
    await settled_on(pilot, type(dialog))
    assert type(dialog).__name__ == "LogConversationDialog"
    page = app.screen_stack[-2]
    assert isinstance(page, PartnerScreen)
    assert page.organisation_id == org_id(app.db, "UCL")
    assert dialog.query_one("#subject", Input).value == SUBJECT
    assert not any(isinstance(s, PickPartnerDialog) for s in app.screen_stack)


def test_a_name_enter_and_a_subject_in_one_burst_as_the_picker_opens(
    demo_db: Database,
) -> None:
    """From the dashboard, Log a warm conversation (what the palette's hit calls; the dashboard
    has no `l`), then `ucl Enter` and a subject as one burst while the picker is still being
    drawn: Enter waits for the list read for "ucl" (not the first partner of the list before
    it), and the subject lands whole in the Log conversation form opened for UCL (not in the
    picker's box, nor on the partner's page)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("log_conversation")
        burst(app, *"ucl", "enter", *SUBJECT)
        await logs_for_ucl(app, pilot)

    drive_at(demo_db, SMALL, body)


def test_a_name_enter_and_a_subject_in_one_burst_in_an_open_picker(demo_db: Database) -> None:
    """The picker drawn and ready: `ucl Enter` and a subject in one burst."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("log_conversation")
        await settled_on(pilot, PickPartnerDialog)
        burst(app, *"ucl", "enter", *SUBJECT)
        await logs_for_ucl(app, pilot)

    drive_at(demo_db, SMALL, body)


def test_the_same_keys_pressed_one_at_a_time_log_for_that_partner(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("log_conversation")
        await settled_on(pilot, PickPartnerDialog)
        await pilot.press(*"ucl")
        await settle(pilot)
        await pilot.press("enter")
        await form_ready(pilot)
        await pilot.press(*SUBJECT)
        await logs_for_ucl(app, pilot)

    drive_at(demo_db, SMALL, body)


def second_found(db: Database, text: str) -> int:
    """The second partner the picker lists for `text`."""
    with db.reader() as s:
        rows = organisations.list_organisations(s, query=text, limit=SHOWN)
    assert len(rows) > 2, "the test needs a text that several partners match"
    return rows[1].id


@pytest.mark.parametrize("at_once", [True, False], ids=["burst", "one_at_a_time"])
def test_down_moves_in_the_list_read_for_the_box(demo_db: Database, at_once: bool) -> None:
    """`u ↓ ↓ ↑ Enter` and a subject: ↓ and ↑ move in the list read for "u" (not the list
    before it, nor the box's own scrolling), so Enter chooses its second partner."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("log_conversation")
        await settled_on(pilot, PickPartnerDialog)
        keys = ["u", "down", "down", "up", "enter", *SUBJECT]
        if at_once:
            burst(app, *keys)
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        dialog = await form_ready(pilot)
        await settled_on(pilot, type(dialog))
        page = app.screen_stack[-2]
        assert isinstance(page, PartnerScreen)
        assert page.organisation_id == second_found(app.db, "u")
        assert dialog.query_one("#subject", Input).value == SUBJECT

    drive_at(demo_db, SMALL, body)


def test_enter_in_a_burst_when_nothing_matches_chooses_nothing(demo_db: Database) -> None:
    """`zzzz Enter` and more letters in one burst: nothing matches, so nothing is chosen and
    the picker stays, taking the letters after Enter; Escape clears, a second leaves."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        home = app.screen
        app.open_action("log_conversation")
        await settled_on(pilot, PickPartnerDialog)
        burst(app, *"zzzz", "enter", *"yy")
        picker = await settled_on(pilot, PickPartnerDialog)
        assert app.screen is picker
        assert not any(isinstance(s, PartnerScreen) for s in app.screen_stack)
        box = picker.query_one("#pick-filter", Input)
        assert box.value == "zzzzyy"
        burst(app, "escape")
        await settled_on(pilot, PickPartnerDialog)
        assert app.screen is picker and box.value == ""
        burst(app, "escape")
        await settle(pilot)
        assert app.screen is home
        assert not any(isinstance(s, PartnerScreen) for s in app.screen_stack)

    drive_at(demo_db, SMALL, body)


def test_enter_waiting_for_a_read_that_fails_chooses_nothing(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ucl Enter x` in one burst while the read for "ucl" fails: the failure is told, Enter
    chooses nothing (not a partner of the list read before), and the keys held behind it are
    handed on to the box rather than kept for a list that never comes."""
    listed = organisations.list_organisations

    def failing(session: Any, *, query: str | None = None, **kwargs: Any) -> Any:
        if query == "ucl":
            raise RuntimeError("the database went away")
        return listed(session, query=query, **kwargs)

    monkeypatch.setattr(organisations, "list_organisations", failing)

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("log_conversation")
        picker = await settled_on(pilot, PickPartnerDialog)
        burst(app, *"ucl", "enter", "x")
        await settled_on(pilot, PickPartnerDialog)
        assert app.screen is picker
        assert not any(isinstance(s, PartnerScreen) for s in app.screen_stack)
        assert picker.query_one("#pick-filter", Input).value == "uclx"
        assert any(n.title == "Could not read" for n in app._notifications)

    drive_at(demo_db, SMALL, body)
