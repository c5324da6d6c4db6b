"""Keys typed ahead (a paste, a fast typist over SSH) land where they were typed: a Space in a
form's tick list or tick box ticks that one, not the field Tab moved to behind it; `]`, `[` and
the tab digits typed together on a partner's page each move one tab, through Conversations too.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Checkbox, DataTable, SelectionList, TabbedContent

from partnercrm.database import Database
from tests.test_tui import (
    demo_db as demo_db,
)
from tests.test_tui import (
    demo_template as demo_template,
)
from tests.test_tui import open_partner, settle
from tests.test_tui_day import SMALL, burst, drive_at, form_ready
from tui.app import PartnerApp
from tui.screens.partner import FOCUS_ON

# ---------------------------------------------------------------- a Space in a tick list


def _highlighted(tick_list: SelectionList[Any]) -> Any:
    assert tick_list.highlighted is not None
    return tick_list.get_option_at_index(tick_list.highlighted).value


def test_space_then_tab_ticks_the_list_the_space_was_typed_in(demo_db: Database) -> None:
    """On Missions, `Space Tab` in one burst ticks the highlighted mission and leaves With
    alone (the Space used to tick the first person in With, where Tab had moved)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Google")
        burst(app, "l")
        dialog = await form_ready(pilot)
        burst(app, *"Test", "\t", "\t")
        await settle(pilot)
        missions = dialog.query_one("#missions", SelectionList)
        people = dialog.query_one("#contacts", SelectionList)
        assert app.focused is missions
        mission = _highlighted(missions)
        burst(app, " ", "\t")
        await settle(pilot)
        assert app.focused is people
        assert missions.selected == [mission]
        assert people.selected == []

    drive_at(demo_db, SMALL, body)


def test_a_space_in_each_list_in_one_burst_ticks_one_in_each(demo_db: Database) -> None:
    """`Test Tab Tab Space Tab Space` in one burst: one mission and one person ticked (the two
    Spaces used to land on With together, ticking and unticking its first person)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Google")
        burst(app, "l")
        dialog = await form_ready(pilot)
        missions = dialog.query_one("#missions", SelectionList)
        people = dialog.query_one("#contacts", SelectionList)
        burst(app, *"Test", "\t", "\t", " ", "\t", " ")
        await settle(pilot)
        assert app.focused is people
        assert dialog.query_one("#subject").value == "Test"  # type: ignore[attr-defined]
        assert missions.selected == [_highlighted(missions)]
        assert people.selected == [_highlighted(people)]

    drive_at(demo_db, SMALL, body)


def test_down_space_tab_ticks_the_next_mission(demo_db: Database) -> None:
    """↓ and Space typed together with the Tab behind them act on Missions, in order."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Google")
        burst(app, "l")
        dialog = await form_ready(pilot)
        missions = dialog.query_one("#missions", SelectionList)
        people = dialog.query_one("#contacts", SelectionList)
        burst(app, *"Test", "\t", "\t")
        await settle(pilot)
        assert app.focused is missions and missions.highlighted == 0
        burst(app, "down", " ", "\t")
        await settle(pilot)
        assert missions.highlighted == 1
        assert missions.selected == [missions.get_option_at_index(1).value]
        assert people.selected == []

    drive_at(demo_db, SMALL, body)


def test_space_then_tab_on_the_replace_box_ticks_it(demo_db: Database) -> None:
    """Export brief: on Replace, `Space Tab` in one burst ticks Replace (it used to stay
    unticked, the Space read where Tab had moved)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Google")
        burst(app, "b")
        dialog = await form_ready(pilot)
        burst(app, "\t", "\t")
        await settle(pilot)
        replace = dialog.query_one("#overwrite", Checkbox)
        assert app.focused is replace
        burst(app, " ", "\t")
        await settle(pilot)
        assert app.focused is not replace
        assert replace.value is True

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- tabs through Conversations


@pytest.mark.parametrize(
    ("start", "keys", "lands"),
    [
        ("overview", "]]]]", "ambassadors"),  # overview +4: the Roles tab
        ("contacts", "]]]]", "events"),
        ("overview", "34", "commitments"),
        ("conversations", "]]]", "events"),
        ("history", "[[[[[", "contacts"),
        ("overview", "]]]]][[", "commitments"),
    ],
)
def test_tab_keys_in_one_burst_each_move_one_tab(
    demo_db: Database, start: str, keys: str, lands: str
) -> None:
    """Each `]`, `[` or digit of a burst moves the page one tab on, and the focus ends in the
    tab's table (the page used to stop on Conversations with nothing focused)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Google", tab=start)
        await settle(pilot)
        burst(app, *keys)
        await settle(pilot)
        for _ in range(5):  # late focus messages would pull the tab back about now
            await pilot.pause(0.02)
        assert str(app.screen.query_one("#partner-tabs", TabbedContent).active) == lands
        assert app.focused is app.screen.query_one(f"#{FOCUS_ON[lands]}", DataTable)

    drive_at(demo_db, SMALL, body)
