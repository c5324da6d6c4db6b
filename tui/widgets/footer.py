"""The footer every screen shows: its main keys, fitted to the terminal's width.

The keys are those that work where the focus is (Textual's active bindings). When they do not
fit in full words, they shorten deliberately, one step at a time: shorter words; then the
places (d p w e) as one group; then only the keys of what is in view (a screen may name them
in `footer_keys()`). Every key keeps working, and `?` help lists them all.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

WIDE = 110  # below this many columns the footer is compact and leaves the palette to `?` help
PALETTE = 14  # the width of the palette's key on the right of a wide footer

# the footer's short word for a key, by its action, when the full words do not fit
SHORT = {
    "app.new_partner": "New",
    "sort": "Order",
    "page(1)": "Page",
    "app.switch_mode('duplicates')": "Merge",
    "done": "Done",
    "calendar": "Calendar",
    "edit": "Edit",
    "tab(1)": "Tab",
    "act('ambassador_status')": "Role status",
    "act('export_brief')": "Brief",
    "merge(False)": "Keep left",
    "merge(True)": "Keep right",
    "different": "Not the same",
    "switch_entity": "Orgs/people",
    "app.switch_mode('partners')": "Partners",
}
# the keys to the four places, grouped as "d p w e go to" when the words do not fit
PLACE_ACTIONS = {f"app.switch_mode('{p}')" for p in ("dashboard", "partners", "my_work", "events")}


@runtime_checkable
class FooterKeys(Protocol):
    """A screen that names the keys of what is in view, for a footer too narrow for all."""

    def footer_keys(self) -> Collection[str]:
        """The actions to keep in a narrow footer (the others still work, and are in help)."""
        ...


@dataclass(frozen=True)
class Key:
    binding: Binding
    enabled: bool
    tooltip: str
    description: str


class KeysFooter(Footer):
    """A Footer whose keys always fit: compact on narrow terminals, then shortened."""

    DEFAULT_CSS = """
    KeysFooter KeyGroup.places {
        padding: 0;
        margin: 0;
        FooterKey.-grouped { margin: 0 1 0 0; }
    }
    KeysFooter.-compact FooterLabel.places { margin: 0 1 0 0; }
    """

    def on_mount(self) -> None:
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        if self._fit(self.app.size.width):
            self.call_after_refresh(self.recompose)

    def _fit(self, width: int) -> bool:
        """Compact below WIDE; True when that changed (the keys are then laid out again)."""
        narrow = width < WIDE
        changed = narrow != self.compact or getattr(self, "laid_out_for", width) != width
        self.laid_out_for = width
        self.compact = narrow
        self.show_command_palette = not narrow
        return changed

    # --- choosing the keys ---

    def keys(self) -> list[Key]:
        """The keys shown, one per action, in full words."""
        seen: dict[str, Key] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = Key(binding, enabled, tooltip, binding.description)
        return list(seen.values())

    def room(self) -> int:
        return self.app.size.width - (0 if self.compact else PALETTE)

    def width_of(self, keys: list[Key], grouped: bool = False) -> int:
        """Cells the keys take (compact: `k Words `; otherwise ` k Words `)."""
        each = 2 if self.compact else 3
        shown = [k for k in keys if not (grouped and _place(k.binding))]
        width = sum(
            len(self.app.get_key_display(k.binding)) + len(k.description) + each for k in shown
        )
        places = len(keys) - len(shown)
        return width + (2 * places + len("go to ") if places else 0)

    def fitted(self) -> tuple[list[Key], bool]:
        """The keys to show and whether the places are grouped, shortened step by step."""
        keys = self.keys()
        room = self.room()
        if self.width_of(keys) <= room:
            return keys, False
        keys = [_short(k) for k in keys]
        if self.width_of(keys) <= room:
            return keys, False
        if self.width_of(keys, grouped=True) <= room:
            return keys, True
        if isinstance(self.screen, FooterKeys):
            wanted = set(self.screen.footer_keys())
            keys = [k for k in keys if k.binding.action in wanted or _always(k.binding)]
        return keys, self.width_of(keys) > room

    # Textual lays the footer's keys out afresh at every change of focus or bindings: four
    # times while a partner's page opens, each key styled twice. They are laid out again only
    # when what they show has changed, and each key is made in its final style.

    def shows(self) -> Hashable:
        """Everything the keys are made from (None before the bindings are ready)."""
        if not self._bindings_ready:
            return None
        keys, grouped = self.fitted()
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return (
            self.compact,
            self.show_command_palette,
            tuple(keys),
            grouped,
            palette[1:] if palette else None,
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shows = self.shows()
        if shows is not None and shows == getattr(self, "_shown", None):
            return
        self._shown = shows
        await super().recompose()

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        keys, grouped = self.fitted()
        self.styles.grid_size_columns = len(keys)
        places = [k for k in keys if grouped and _place(k.binding)]
        if places:
            with KeyGroup(classes="places"):
                for k in places:
                    yield self._key(k, "", classes="-grouped")
            yield FooterLabel("go to", classes="places")
        for k in keys:
            if k not in places:
                yield self._key(k, k.description)
        yield from self._palette()

    def _key(self, k: Key, description: str, classes: str = "") -> Widget:
        key = FooterKey(
            k.binding.key,
            self.app.get_key_display(k.binding),
            description,
            k.binding.action,
            disabled=not k.enabled,
            tooltip=k.tooltip or k.binding.description,
            classes=classes,
        )
        # compact from the start (Textual's default is compact, restyled once bound)
        key.set_reactive(FooterKey.compact, self.compact)
        key.set_class(self.compact, "-compact", update=False)
        return key.data_bind(compact=Footer.compact)

    def _palette(self) -> Iterator[Widget]:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is not None:
            _, binding, enabled, _ = found
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )


def _short(k: Key) -> Key:
    return Key(k.binding, k.enabled, k.tooltip, SHORT.get(k.binding.action, k.description))


def _place(binding: Binding) -> bool:
    return len(binding.key) == 1 and binding.action in PLACE_ACTIONS


def _always(binding: Binding) -> bool:
    """Back, help and search stay in the footer whatever is in view."""
    return binding.key in ("escape", "question_mark", "slash")
