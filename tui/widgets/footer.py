"""The footer every screen shows: its main keys, fitted to the terminal's width."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

WIDE = 110  # below this many columns the footer is compact and leaves the palette to `?` help


class KeysFooter(Footer):
    """A Footer that is compact on narrow terminals (80x24 over SSH) so its keys fit."""

    def on_mount(self) -> None:
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(self.app.size.width)

    def _fit(self, width: int) -> None:
        narrow = width < WIDE
        self.compact = narrow
        self.show_command_palette = not narrow
