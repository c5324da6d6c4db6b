"""The app keeps one partner screen and shows each partner it opens in it (tui.app.open_partner).

What the screen showed for the partner before must never show for the next: each partner
opens as on a new screen (the same lines on every tab, at 80×24 and 140×45), a read for the
partner before that comes back late is dropped, keys typed as it opens are held for the new
partner, and a partner opened from another partner's page gets a screen of its own.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rich.markdown import Markdown
from textual.widgets import DataTable, Input, TabbedContent

from partnercrm import partner_page
from partnercrm.database import Database
from tests.test_tui import open_partner, org_id, settle
from tests.test_tui_day import burst, drive_at, form_ready
from tests.test_tui_words import screen_text
from tui.app import PartnerApp
from tui.screens.partner import TABS, PartnerScreen
from tui.widgets.rendered import RenderedOnce

FIRST, NEXT = "UCL", "Phoenix Court Works"


async def every_tab(app: PartnerApp, pilot: Any) -> list[str]:
    """The screen's lines on each tab in turn, chosen by its number key."""
    shown = []
    for number, _ in enumerate(TABS, 1):
        await pilot.press(str(number))
        shown.append(await screen_text(app, pilot))
    return shown


def as_on_a_new_screen(
    db: Database, size: tuple[int, int], started_at: tuple[int, int], before: Any
) -> list[str]:
    """Phoenix Court Works opened after `before` has run in an app started at `started_at`:
    every tab reads line for line as when it is the first partner opened at `size`. Returns
    the lines shown, tab by tab."""
    seen: dict[str, list[str]] = {}

    async def first(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, NEXT)
        seen["first"] = await every_tab(app, pilot)

    async def after(app: PartnerApp, pilot: Any) -> None:
        await before(app, pilot)
        kept = app._partner_screen
        await open_partner(app, pilot, NEXT)
        assert kept is not None and app.screen is kept  # shown in the screen kept
        assert kept.query_one("#partner-tabs", TabbedContent).active == "overview"
        seen["after"] = await every_tab(app, pilot)

    drive_at(db, size, first)
    drive_at(db, started_at, after)
    for tab, (new, kept) in zip(TABS, zip(seen["first"], seen["after"], strict=True), strict=True):
        assert kept == new, tab
    return seen["after"]


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
def test_a_partner_shown_after_another_looks_as_on_a_new_screen(
    demo_db: Database, size: tuple[int, int]
) -> None:
    """UCL's page left on its History tab, its Conversations list scrolled and a thread
    highlighted, its brief scrolled: Phoenix Court Works then opens on its Overview, and every
    tab reads line for line as when it is the first partner opened (no row, width, cursor,
    title or brief of UCL's is left)."""

    async def after(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, FIRST)
        kept = app.screen
        assert isinstance(kept, PartnerScreen)
        kept.query_one("#overview-scroll").scroll_end(animate=False)  # the brief read down
        await pilot.pause()
        await pilot.press("3", *["down"] * 12, "tab", "down")  # a conversation, its thread
        await pilot.press("7")
        await settle(pilot)
        assert "UCL" in await screen_text(app, pilot)
        await pilot.press("escape")
        assert app.screen is not kept

    shown = as_on_a_new_screen(demo_db, size, size, after)
    assert all("UCL" not in text for text in shown)


def test_a_partner_shown_after_the_terminal_shrank_fits_the_new_size(demo_db: Database) -> None:
    """UCL seen at 140×45, the terminal made 80×24, then Phoenix Court Works: every tab reads
    as when it is the first partner opened at 80×24 (the footer, the tabs and the tables fit
    the size the screen comes back at, not the one it was left at)."""

    async def after(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, FIRST)
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)

    as_on_a_new_screen(demo_db, (80, 24), (140, 45), after)


def test_a_late_read_for_the_partner_before_is_dropped(demo_db: Database, monkeypatch) -> None:
    """Left before its read came back, UCL's page is followed by Phoenix Court Works' in the
    same screen; UCL's read, coming back after, shows nothing of UCL's there."""
    from tui.screens import partner

    gate = threading.Event()
    read = partner.PartnerScreen.load
    ucl: list[int] = []

    def slow(self: PartnerScreen, session: Any) -> Any:
        if self.organisation_id in ucl:
            gate.wait(5)
        return read(self, session)

    monkeypatch.setattr(partner.PartnerScreen, "load", slow)

    async def body(app: PartnerApp, pilot: Any) -> None:
        ucl.append(org_id(app.db, FIRST))
        app.open_partner(ucl[0])
        await pilot.pause()
        kept = app.screen
        await pilot.press("escape")  # before its read came back
        await open_partner(app, pilot, NEXT)
        assert app.screen is kept and kept.page is not None and kept.page.name == NEXT
        gate.set()  # UCL's read now comes back
        await settle(pilot)
        await pilot.pause(0.2)
        assert kept.page.name == NEXT and kept.organisation_id == org_id(app.db, NEXT)
        assert kept.sub_title == NEXT
        text = await screen_text(app, pilot)
        assert NEXT in text and "UCL" not in text
        # UCL's read done just as it was replaced (too late to be cancelled) is dropped too
        with app.reading() as session:
            kept._loaded(partner_page.load(session, ucl[0], app.today))
        kept._brief_built(ucl[0], "# UCL", RenderedOnce(Markdown("# UCL")))  # and its brief
        assert kept.page.name == NEXT and kept.sub_title == NEXT and kept.brief != "# UCL"
        assert "UCL" not in await screen_text(app, pilot)

    drive_at(demo_db, (140, 45), body)


def test_keys_typed_as_a_kept_screen_opens_go_to_the_partner_opened(demo_db: Database) -> None:
    """A partner seen and left, then on Partners `↓ Enter l` and a subject in one burst: the
    Log conversation form opens on the partner chosen, the subject whole in it."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, FIRST)
        kept = app.screen
        await pilot.press("escape")
        await pilot.press("p")
        await settle(pilot)
        partners = app.screen
        table = partners.query_one("#partners", DataTable)
        await pilot.press("down")  # to the list; the burst's ↓ moves to the second row
        chosen = int(str(table.ordered_rows[1].key.value))
        subject = "Summit venue: the great hall?"
        burst(app, "down", "enter", "l", *subject)
        dialog = await form_ready(pilot)
        assert type(dialog).__name__ == "LogConversationDialog"
        assert dialog.query_one("#subject", Input).value == subject
        page = app.screen_stack[-2]
        assert page is kept and page.organisation_id == chosen

    drive_at(demo_db, (80, 24), body)


def test_a_partner_opened_from_a_partners_page_gets_a_screen_of_its_own(
    demo_db: Database,
) -> None:
    """From UCL's page a search opens Phoenix Court Works: a second partner screen on top;
    going back shows UCL's page as it was left."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, FIRST)
        ucl_page = app.screen
        await pilot.press("3")
        await open_partner(app, pilot, NEXT)
        assert app.screen is not ucl_page and app.screen.page.name == NEXT
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is ucl_page and ucl_page.page.name == FIRST
        assert ucl_page.query_one("#partner-tabs", TabbedContent).active == "conversations"
        await pilot.press("escape")
        await open_partner(app, pilot, NEXT)
        assert app.screen is ucl_page  # kept again once off the stack

    drive_at(demo_db, (140, 45), body)
