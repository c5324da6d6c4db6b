"""The footer every screen shows: its main keys, fitted to the terminal's width."""

from __future__ import annotations

from collections.abc import Hashable

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

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

    # Textual lays the footer's keys out afresh at every change of focus or bindings: five
    # times while a partner's page opens, each key styled twice. The keys are laid out
    # again only when what they show has changed, and each is made in its final style.

    def shows(self) -> Hashable:
        """Everything the footer's keys are made from (compose reads nothing else)."""
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        return (self._bindings_ready, self.compact, self.show_command_palette, keys)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shows = self.shows()
        if shows == getattr(self, "_shown", None) and self.children:
            return
        self._shown = shows
        await super().recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            # a key bound to the footer's compact has it from the start, not once bound (the
            # palette's key is not bound, and keeps Textual's compact)
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget
