"""Choose a partner by typing part of its name (the palette's partner actions start here)."""

from __future__ import annotations

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


class PickPartnerDialog(ModalScreen[int | None], HeldKeys[int | None]):
    """Returns the chosen organisation's id, or None. Escape clears the filter; a second leaves."""

    BINDINGS = [Binding("escape", "cancel", "Clear / cancel")]

    def __init__(self, prompt: str = "Which partner?") -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Label(self.prompt, id="dialog-title")
            yield TextInput(placeholder="type part of a name", id="pick-filter")
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
            self.app.call_from_thread(
                self.app.notify, explain(exc), title="Could not read", severity="error"
            )
            return
        found = [(r.id, r.name) for r in rows]
        if not worker.is_cancelled:
            self.from_worker(self._show, found)

    def _show(self, found: list[tuple[int, str]]) -> None:
        options = self.query_one("#pick-list", OptionList)
        options.clear_options()
        options.add_options([Option(name, id=str(i)) for i, name in found])
        if found:
            options.highlighted = 0

    @on(Input.Submitted, "#pick-filter")
    def _submitted(self) -> None:
        options = self.query_one("#pick-list", OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            self.dismiss(int(option.id or 0))

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def on_key(self, event: events.Key) -> None:
        key = event.key
        options = self.query_one("#pick-list", OptionList)
        if key in ("down", "up") and self.focused is self.query_one("#pick-filter"):
            if key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()
            event.stop()

    def action_cancel(self) -> None:
        box = self.query_one("#pick-filter", Input)
        if box.value:
            box.value = ""  # the first Escape clears what was typed, the second leaves
            box.focus()
            return
        self.dismiss(None)
