"""A labelled form field that checks what was typed and shows what is wrong right beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets._toggle_button import ToggleButton

from partnercrm.errors import Invalid

Parse = Callable[[Any], Any]


class Tick(Checkbox):
    """A checkbox marked only when ticked: over SSH a colour alone may not tell on from off.
    Space and Enter tick it as it reads them (keys_in_order), even when a Tab typed behind
    them has already moved the focus on."""

    async def _on_key(self, event: events.Key) -> None:
        await keys_in_order(self, event)

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual reads the class attribute's name
        return "X" if self.value else " "


class TickList(SelectionList[Any]):
    """A SelectionList whose boxes are marked only when ticked, as Tick: readable without colour.
    Its keys (Space ticks, ↑ ↓ move) act as it reads them (keys_in_order), on this list, even
    when a Tab typed behind them has already moved the focus to the next list."""

    async def _on_key(self, event: events.Key) -> None:
        await keys_in_order(self, event)

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        index = self.scroll_offset.y + y
        if not 0 <= index < self.option_count:
            return line
        if self.get_option_at_index(index).value in self.selected:
            return line
        segments = list(line)
        # the box is drawn as [left, "X", right, " ", prompt…] on the option's line
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER:
            segments[1] = Segment(" ", segments[1].style)
        return Strip(segments, line.cell_length)


async def keys_in_order(widget: Widget, event: events.Key) -> None:
    """Run the widget's own key bindings (a box's backspace, ctrl+u, ←, Esc …; a tick's Space)
    as the widget reads the key, in turn with the keys around it, and on this widget.

    Textual inserts a letter as soon as the box reads it but runs a binding only once its key
    has bubbled up to the app, so in a burst (a fast typist over SSH, a paste) the letters
    typed after backspace or ctrl+u would land first and then be deleted or moved past. And
    the app runs that binding for the widget focused by then, not the one that read the key:
    a form's Tab acts as it arrives (a priority binding), so in `Space Tab` the Space ticked
    the next list (or nothing), not the list it was typed in.
    """
    keyed = widget._bindings.key_to_bindings.get(event.key)  # noqa: SLF001 - the merged bindings
    if keyed:
        event.stop()
        event.prevent_default()
        await widget.run_action(keyed[0].action)


class TextInput(Input):
    """An Input whose cursor blink follows the app (off for snapshots); its keys act in order."""

    async def _on_key(self, event: events.Key) -> None:
        await keys_in_order(self, event)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)

    def set_text(self, text: str) -> None:
        """Replace the text as if typed afresh, the cursor after it (setting `value` alone
        leaves the cursor where the old text had it, and ctrl+u then keeps its tail)."""
        self.value = text
        self.cursor_position = len(text)


class NoteArea(TextArea):
    """A TextArea for notes and stories; its cursor blink follows the app too, its keys act
    in the order typed."""

    async def _on_key(self, event: events.Key) -> None:
        await keys_in_order(self, event)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)


class Field(Vertical):
    """Label, control and an error line; `value()` returns the parsed value or raises Invalid."""

    def __init__(
        self,
        name: str,
        label: str,
        control: Widget,
        *,
        parse: Parse | None = None,
        required: bool = False,
        hint: str | None = None,
        initial: Any = None,
    ) -> None:
        super().__init__(classes="field", id=f"field-{name}")
        self.field_name = name
        self.label = label
        self.control = control
        self.parse = parse
        self.required = required
        self.hint = hint
        self.initial = initial  # what the form opened with: a change asks before it is lost
        # what the control held when the field was marked wrong: a mark the form cannot check
        # again by itself (a name already taken, found by the save) stands until this changes
        self.wrong_with: Any = None
        # once marked, checked again each time it is left (emptied on the way to the right
        # value, it loses its mark; what is typed next still needs its check)
        self.watched = False
        # whether the mark is the form's check across fields: another field's change can
        # put it right (a next step emptied takes away the need for its due date)
        self.across = False

    def compose(self) -> ComposeResult:
        yield Label(self.label + (" *" if self.required else ""), classes="field-label")
        yield self.control
        yield Static("", classes="field-error")
        if self.hint:
            yield Static(self.hint, classes="field-hint")

    def raw(self) -> Any:
        c = self.control
        if isinstance(c, Input):
            return c.value.strip()
        if isinstance(c, TextArea):
            return c.text.strip()
        if isinstance(c, Select):
            return None if c.value is Select.NULL else c.value
        if isinstance(c, Checkbox):
            return c.value
        if isinstance(c, SelectionList):
            return list(c.selected)
        raise TypeError(f"no value for {type(c).__name__}")

    def changed(self) -> bool:
        """Whether the control holds something other than what the form opened with."""
        raw, initial = self.raw(), self.initial
        if isinstance(raw, list):
            return sorted(raw, key=str) != list(initial or [])
        if raw in ("", None) and initial in ("", None):
            return False
        return bool(raw != initial)

    def value(self) -> Any:
        raw = self.raw()
        empty = raw is None or raw == "" or raw == []
        if empty:
            if self.required:
                raise Invalid(f"{self.label} is needed", field=self.field_name)
            return [] if isinstance(self.control, SelectionList) else None
        if self.parse is None:
            return raw
        try:
            return self.parse(raw)
        except Invalid as exc:
            raise Invalid(str(exc), field=self.field_name) from exc

    @property
    def wrong(self) -> bool:
        """Whether the field is marked wrong (its message shown under it)."""
        return self.has_class("-invalid")

    def show_error(self, message: str, *, across: bool = False) -> None:
        self.query_one(".field-error", Static).update(message)
        self.add_class("-invalid")
        self.wrong_with = self.raw()
        self.watched = True
        self.across = across

    def clear_error(self) -> None:
        self.query_one(".field-error", Static).update("")
        self.remove_class("-invalid")
        self.wrong_with = None
        self.across = False


def choices(pairs: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """(label, value) pairs for a Select."""
    return [(label, value) for label, value in pairs]
