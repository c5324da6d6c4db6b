"""Words on the TUI's screens (and the CLI's lists) a person reads: labels for every code, one
date style, help that does not wrap, a form's error in view (issue 13, review F1-F27)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from partnercrm.database import Database
from tests.test_tui import demo_db as demo_db
from tests.test_tui import demo_template as demo_template
from tests.test_tui import settle
from tests.test_tui_small import LARGE, SMALL, drive_at
from tui.app import PartnerApp
from tui.dialogs.help import HelpDialog

SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x45"])


@SIZES
def test_no_help_line_wraps(demo_db: Database, size: tuple[int, int]) -> None:
    """`?` at 80x24 and 140x45: every entry is one line, whole (no ellipsis), in its column."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        for key in ("question_mark", "escape", "p", "escape", "question_mark"):
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.1)
        dialog = app.screen
        assert isinstance(dialog, HelpDialog)
        text = dialog.query_one("#help-text", Static)
        sections: list[Any] = list(dialog.laid_out.renderables)
        entries = sum(s.renderables[1].row_count for s in sections)
        # a title, its entries and a blank line per section: one line each, nothing wrapped
        assert text.size.height == entries + 2 * len(sections)
        lines = [text.render_line(y).text for y in range(text.size.height)]
        assert not any("…" in line for line in lines), lines
        assert text.size.width <= dialog.query_one(VerticalScroll).content_region.width

    drive_at(demo_db, size, body)

