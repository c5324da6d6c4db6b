"""The private parts of Textual the TUI relies on are still there, as the TUI uses them.

Textual is held to the release it is tested on (pyproject.toml); a newer one may rename what
these use. Each is named here, so an upgrade fails here, in words, before any screen does:
- `App._begin_batch` / `_end_batch` / `_batch_count`: the partner page holds its repaints
  until its read lands (tui.screens.partner);
- `Screen._compositor_refresh`: where a frame is rendered, not rendered while they are held;
- `App._screen_stacks`: every mode's stack, to tell whether the kept partner screen is on one
  (tui.app.open_partner);
- `events.ScreenResume.refresh_styles`: a new screen is not styled twice (tui.widgets.held);
- `TabbedContent._on_tab_pane_focused`: the partner page's tabs follow the focus only while it
  is still in the pane that reported it (tui.screens.partner.Tabbed);
- `textual.keys._character_to_key`: the key a character typed alone makes (tui.app, taking a
  terminal's alt+key as Escape and the key).
"""

from __future__ import annotations

import inspect

from textual import events
from textual.app import App
from textual.screen import Screen


def test_the_private_parts_of_textual_the_tui_uses_are_there() -> None:
    app = App()
    assert app._batch_count == 0
    app._begin_batch()
    assert app._batch_count == 1
    app._end_batch()
    assert app._batch_count == 0
    assert isinstance(app._screen_stacks, dict)
    assert inspect.signature(Screen._compositor_refresh).parameters.keys() == {"self"}
    assert "_compositor_refresh" in inspect.getsource(Screen._refresh_layout)
    assert events.ScreenResume(refresh_styles=False).refresh_styles is False
    from textual.keys import _character_to_key
    from textual.widgets import TabbedContent

    assert callable(TabbedContent._on_tab_pane_focused)

    assert _character_to_key("/") == "slash"
