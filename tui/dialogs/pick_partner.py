"""Choose a partner by typing part of its name (the palette's partner actions start here)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from partnercrm import organisations
from tui.errors import explain
from tui.widgets.field import TextInput
from tui.widgets.held import HeldKeys

SHOWN = 15


class FilterBox(TextInput):
    """The picker's box: ↓ and ↑ go on to the dialog, which moves the list's cursor (the box
    would take them as its own scrolling, which a one-line box does not need)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("down", "up"):
            event.prevent_default()  # not TextInput's bindings; the key bubbles to on_key


class PickPartnerDialog(ModalScreen[int | None], HeldKeys[int | None]):
    """Returns the chosen organisation's id, or None. Escape clears the filter; a second leaves.

    Keys typed in a burst (`ucl`, Enter, then the subject of the form it opens) act as if
    typed one at a time. The list is read in a worker after each letter, so Enter, ↓ or ↑ can
    reach the box before the list shows what the box holds: each acts once it does, and the
    keys typed after it wait meanwhile. The keys after the Enter that chooses a partner are
    kept for the form the app opens for it (tui.app hands them there)."""

    BINDINGS = [Binding("escape", "cancel", "Clear / cancel")]
    _read_for: str | None = None  # the box's text the list was read for (None: not read yet)
    # a key that acts on the list, and the box's text it waits for the list to be read for
    _waiting: tuple[str, Callable[[], None]] | None = None

    def __init__(self, prompt: str = "Which partner?") -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Label(self.prompt, id="dialog-title")
            yield FilterBox(placeholder="type part of a name", id="pick-filter")
            yield OptionList(id="pick-list")

    def on_mount(self) -> None:
        self._search("")

    @on(Input.Changed, "#pick-filter")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True)
    def _search(self, text: str) -> None:
        worker = get_current_worker()
        try:
            with self.app.reading() as s:  # type: ignore[attr-defined]
                rows = organisations.list_organisations(s, query=text.strip() or None, limit=SHOWN)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.from_worker(self._unread, explain(exc), text)
            return
        found = [(r.id, r.name) for r in rows]
        if not worker.is_cancelled:
            self.from_worker(self._show, found, text)

    def _unread(self, message: str, text: str) -> None:
        self.app.notify(message, title="Could not read", severity="error")
        # an empty list, not the one read for an earlier text: an Enter waiting for this read
        # chooses nothing, and the keys typed after it are handed on, not held for ever
        self._show([], text)

    def _show(self, found: list[tuple[int, str]], text: str) -> None:
        if text != self.query_one("#pick-filter", Input).value:
            return  # read for an earlier text: the read for what the box holds now follows
        options = self.query_one("#pick-list", OptionList)
        options.clear_options()
        options.add_options([Option(name, id=str(i)) for i, name in found])
        if found:
            options.highlighted = 0
        self._read_for = text
        if self._waiting is not None and self._waiting[0] == text:
            act, self._waiting = self._waiting[1], None
            act()

    def arriving(self, event: events.Key) -> bool:
        """Enter, ↓ or ↑ from the box: the keys typed after it are held until it has acted on
        the list (it reaches the box after the letters before it, whose reads may still be
        under way). Enter on the list's row chooses: the keys after it are held for the form."""
        options = self.query_one("#pick-list", OptionList)
        from_box = self.focused is self.query_one("#pick-filter")
        chooses = self.focused is options and options.highlighted is not None
        if (from_box and event.key in ("enter", "down", "up")) or (
            chooses and event.key == "enter"
        ):
            self.hold_keys()
        return False

    def _once_read(self, act: Callable[[], None]) -> None:
        """Do `act` on the list read for what the box holds: now, or when that read arrives."""
        text = self.query_one("#pick-filter", Input).value
        if self._read_for == text:
            act()
        else:
            self._waiting = (text, act)

    @on(Input.Submitted, "#pick-filter")
    def _submitted(self) -> None:
        self._once_read(self._choose)

    def _choose(self) -> None:
        options = self.query_one("#pick-list", OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            # the keys typed after Enter stay held: the app gives them to the form it opens
            self.dismiss(int(option.id or 0))
        else:
            self.ready_for_keys()  # nothing to choose: the keys after Enter go to the box

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def on_key(self, event: events.Key) -> None:
        key = event.key
        if key in ("down", "up") and self.focused is self.query_one("#pick-filter"):
            self._once_read(self._down if key == "down" else self._up)
            event.stop()

    def _down(self) -> None:
        self.query_one("#pick-list", OptionList).action_cursor_down()
        self.ready_for_keys()

    def _up(self) -> None:
        self.query_one("#pick-list", OptionList).action_cursor_up()
        self.ready_for_keys()

    def action_cancel(self) -> None:
        box = self.query_one("#pick-filter", Input)
        if box.value:
            box.value = ""  # the first Escape clears what was typed, the second leaves
            box.focus()
            return
        self.dismiss(None)
