"""The shape every action form shares: fields checked in place, saved as one unit of work.

Nothing is saved until every field is valid. The save runs in a worker thread so a busy
database never freezes the screen; if it fails (someone else changed the record, the
database is locked) the form stays open with what was typed and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from partnercrm.dates import parse_date
from partnercrm.errors import Invalid, NeedsConfirmation, StaleEdit
from tui.errors import explain
from tui.options import R, Stored
from tui.widgets.field import Field, NoteArea, TextInput, Tick, TickList
from tui.widgets.held import HeldKeys

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tui.crm import CRM

T = TypeVar("T")

PUT_RIGHT = "Not saved: put right the marked field"
# the keys that open a Select's list (Select.BINDINGS in Textual 8.2.8): the focus moves to
# the list once the Select has read the key
OPENS_A_SELECT = frozenset({"enter", "down", "space", "up"})


def _figure(value: Any) -> str:
    """A stored figure as a form shows it: 5000, 12.5 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def preselect(preferred: Any, values: Sequence[Any]) -> Any:
    """The choice a form opens on: the one the user came from, else the only one, else none."""
    if preferred is not None and preferred in values:
        return preferred
    return values[0] if len(values) == 1 else None


class FormDialog(ModalScreen[T], HeldKeys[T], Generic[T]):
    """Subclasses give `form_title`, `fields()` and `save(session, values)`; the rest is shared.

    Keys typed before the fields exist (while the form reads its choices) are held and handed
    on, in order, once the first field has the focus (tui.widgets.held): a burst of `c` and a
    contact's Name, tab, Email, tab … fills each field in turn."""

    form_title = "Form"
    save_label = "Save"
    AUTO_FOCUS = None  # the form chooses its field once its choices are read (_ready)
    READY_ON_MOUNT = False
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
        # priority: the focus moves as the key arrives, so what is typed next lands in the
        # next field even when keys come in a burst
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saving = False
        self.ready = False
        self.first: Widget | None = None  # where typing starts
        # set by load() when there is nothing to act on (no open conversation, say)
        self.unavailable: str | None = None
        # True once the person said yes to the library's question (a due date already past,
        # a partner that looks like one stored): save() passes it on as `confirm` or `new`
        self.confirmed = False

    @property
    def crm(self) -> CRM:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label(self.form_title, id="dialog-title")
            fields = VerticalScroll(id="form-fields")
            fields.can_focus = False  # typing goes to a field, never to the scrolling box
            with fields:
                yield Static("Reading…", id="form-loading")
            yield Static("", id="form-status")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.save_label, variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._fit(self.app.size.height)
        self._read()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        # the fields scroll inside what the terminal leaves after the title, status and buttons,
        # so at 80x24 the focused field and the buttons stay on screen
        for fields in self.query("#form-fields"):  # none while the app closes it half-drawn
            fields.styles.max_height = max(4, height - 10)

    @work(thread=True, exclusive=True, group="read")
    def _read(self) -> None:
        # the choices a form offers are read in a worker, never in compose()
        try:
            with self.crm.reading() as session:
                self.load(session)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.from_worker(self._unreadable, exc)
        else:
            self.from_worker(self._build)

    def _unreadable(self, exc: BaseException) -> None:
        self.notify(explain(exc), title=f"{self.form_title}: could not read", severity="error")
        self.dismiss(None)

    def _build(self) -> None:
        if self.unavailable:
            self.notify(self.unavailable, title=self.form_title)
            self.dismiss(None)
            return
        fields = list(self.fields())
        self.query_one("#dialog-title", Label).update(self.form_title)
        self.query_one("#form-loading").remove()
        self.query_one("#form-fields").mount_all(fields)
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        # start typing straight away: the first field, not the scrolling container, has focus;
        # the keys typed meanwhile follow it
        if not self.here:
            return
        self.first = self._first_to_fill().control
        self.first.focus()
        self.ready = True
        self.ready_for_keys()

    def arriving(self, event: events.Key) -> bool:
        """A Select's list opens, and closes on a choice, only once the Select or its list has
        read the key: the focus moves then, after the keys typed behind it (Tab, the next
        field's text) have arrived. Those wait for the focus, so they act where it lands."""
        focused = self.focused
        if event.key == "enter" and (
            isinstance(focused, Input) or (isinstance(focused, Button) and focused.id == "save")
        ):
            # Enter saves once the box or the button has read it; the keys typed behind it
            # wait until the save has started, or the form said what is wrong (action_save)
            self.hold_keys()
        elif isinstance(focused, Select):
            if not focused.expanded and event.key in OPENS_A_SELECT:
                # its list: an OptionList inside it (the list's own class is private to Textual)
                self.hold_keys_until_focused(focused.query_one(OptionList))
        elif isinstance(focused, OptionList) and isinstance(focused.parent, Select):
            if event.key == "escape" or (event.key == "enter" and focused.highlighted is not None):
                self.hold_keys_until_focused(focused.parent)
        return False

    def _first_to_fill(self) -> Field:
        """Where typing starts: the first required field still empty, else the first empty
        text box (a conversation chosen for you is skipped), else the first field."""
        fields = list(self.query(Field))
        # what each field opened with (a Select shows its value only once it is mounted)
        empty = [f for f in fields if f.initial in ("", None, [])]
        for f in empty:
            if f.required:
                return f
        for f in empty:
            if isinstance(f.control, Input | TextArea):
                return f
        return fields[0]

    def load(self, session: Session) -> None:
        """Read the form's choices (runs in a worker thread; keep plain data on self)."""

    def fields(self) -> Iterable[Widget]:
        """The form's Fields (and any text that explains them), built from what load() read;
        not asked for when load() found nothing to act on (`unavailable`)."""
        raise NotImplementedError

    # --- leaving: a changed form asks before it is thrown away ---

    ready = False

    def has_unsaved(self) -> bool:
        """Whether anything was typed or chosen since the form opened."""
        return self.ready and not self.saving and any(f.changed() for f in self.query(Field))

    def check(self, values: dict[str, Any]) -> None:
        """Checks across fields; raise Invalid(field=...) to mark one. Runs on the UI thread
        (again each time a marked field is left, and as any field changes while one of its
        marks is shown), so it reads the values only, never the database. It names the first
        field wrong; another field's mark goes when it names that one no longer."""

    def save(self, session: Session, values: dict[str, Any]) -> T:
        """Make the change through partnercrm's services (one transaction; never commit here)."""
        raise NotImplementedError

    def saved_message(self, result: T) -> str:
        return "Saved."

    # --- field builders: each returns a Field whose value() is already parsed ---

    def text_field(
        self,
        name: str,
        label: str,
        value: str = "",
        *,
        required: bool = False,
        placeholder: str = "",
        hint: str | None = None,
        parse: Callable[[str], Any] | None = None,
    ) -> Field:
        # free text is never selected on focus: back from a question, typing must not replace it
        control = TextInput(
            value=value, placeholder=placeholder, id=name, compact=True, select_on_focus=False
        )
        return Field(
            name, label, control, required=required, hint=hint, parse=parse, initial=value.strip()
        )

    def note_field(self, name: str, label: str, value: str = "") -> Field:
        control = NoteArea(value, id=name, soft_wrap=True, show_line_numbers=False, compact=True)
        return Field(name, label, control, initial=value.strip())

    def date_field(
        self,
        name: str,
        label: str,
        value: date | None = None,
        *,
        required: bool = True,
        future: bool = False,
    ) -> Field:
        """A date typed as people type them; `future` for a due date (see parse_date)."""
        today = self.crm.today

        def parse(raw: str) -> date:
            return parse_date(raw, label.lower(), field=name, today=today, future=future)

        shown = f"{value:%d/%m/%Y}" if value else ""
        control = TextInput(
            value=shown, placeholder="dd/mm/yyyy, 12 Dec, today, +7", id=name, compact=True
        )
        return Field(name, label, control, parse=parse, required=required, initial=shown)

    def amount_field(
        self, name: str, label: str, value: Any = None, *, whole: bool = False
    ) -> Field:
        def parse(raw: str) -> Decimal | int:
            try:
                value = Decimal(raw.replace(",", "").replace("£", "").strip())
            except InvalidOperation:
                raise Invalid(f"{raw!r} is not a number", field=name) from None
            if value < 0:
                raise Invalid("cannot be negative", field=name)
            if whole:
                if value != value.to_integral_value():
                    raise Invalid("must be a whole number", field=name)
                return int(value)
            return value

        control = TextInput(
            value=_figure(value), placeholder="0", id=name, restrict=r"[0-9.,£]*", compact=True
        )
        return Field(name, label, control, parse=parse, initial=_figure(value))

    def select_field(
        self,
        name: str,
        label: str,
        options: Sequence[tuple[str, Any]],
        value: Any = None,
        *,
        required: bool = False,
    ) -> Field:
        control: Select[Any] = Select(
            options,
            value=value if value is not None else Select.NULL,
            allow_blank=not required or value is None,
            id=name,
            prompt="choose…",
            compact=True,
        )
        return Field(name, label, control, required=required, initial=value)

    def many_field(
        self, name: str, label: str, options: Sequence[tuple[str, Any]], chosen: Iterable[Any] = ()
    ) -> Field:
        picked = set(chosen)
        control: SelectionList[Any] = TickList(
            *[(text, value, value in picked) for text, value in options], id=name, compact=True
        )
        return Field(name, label, control, initial=sorted(picked, key=str))

    def flag_field(self, name: str, label: str, text: str, value: bool = False) -> Field:
        return Field(name, label, Tick(text, value, id=name, compact=True), initial=value)

    def field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.has_unsaved():
            self.dismiss(None)
            return
        from tui.dialogs.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                f"{self.form_title}: throw away what you typed?",
                yes="Discard",
                no="Keep editing",
            ),
            answered,
        )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = self.collect() if self.ready and not self.saving else None
        if values is None:
            if self.ready and not self.saving:
                self.ready_for_keys()  # not saved: the keys typed behind Enter go to the form
            return
        self.saving = True
        # the keys typed behind Enter wait for the save: once saved they go to the screen
        # beneath (its next action), or back to the form if it was not saved
        self.hold_keys()
        self.query_one("#save", Button).disabled = True
        self.query_one("#form-status", Static).update("Saving…")
        self._save(values)

    def collect(self) -> dict[str, Any] | None:
        """Every field's value, or None after marking each field that is wrong."""
        values: dict[str, Any] = {}
        bad: list[Field] = []
        for f in self.query(Field):
            try:
                values[f.field_name] = f.value()
                f.clear_error()
            except Invalid as exc:
                f.show_error(str(exc))
                bad.append(f)
        if not bad:
            try:
                self.check(values)
            except Invalid as exc:
                target = self._field_for(exc)
                if target is None:
                    raise
                target.show_error(str(exc), across=True)
                bad.append(target)
        status = self.query_one("#form-status", Static)
        if bad:
            status.update(PUT_RIGHT + ("s" if len(bad) > 1 else ""))
            self._point_at(bad[0])
            return None
        status.update("")
        return values

    # --- a marked field is checked again as it is put right, not only at the next save ---
    # Each field's own check (required, a date, an email, a figure) and the form's check()
    # read no database, so they run here on the UI thread. A mark goes as soon as an edit
    # puts the value right; a value still wrong gets its (new) message when the field is
    # left, not while it is half typed, and so does any field marked once before. Every kind
    # of field behaves the same: a choice, a tick or a text box. A mark of the form's check
    # across fields also goes when another field is changed or left and puts it right.

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    def _edited(self, event: Message) -> None:
        field = self._field_holding(getattr(event, "control", None))
        if field is None:
            return
        if field.wrong:
            self._check_again(field, leaving=False)
        self._settle_across(field)

    @on(events.DescendantBlur)
    def _left(self, event: events.DescendantBlur) -> None:
        field = self._field_holding(event.widget)
        if field is None or not field.is_attached:
            return
        if self.focused is not None and field in self.focused.ancestors_with_self:
            return  # still inside it: a choice's list of options opened
        if field.watched:
            self._check_again(field, leaving=True)
        self._settle_across(field)

    @staticmethod
    def _field_holding(widget: Widget | None) -> Field | None:
        if widget is None:
            return None
        return next((w for w in widget.ancestors_with_self if isinstance(w, Field)), None)

    def _check_again(self, field: Field, *, leaving: bool) -> None:
        try:
            value = field.value()
        except Invalid as exc:
            if leaving:
                field.show_error(str(exc))
                self._tally()
            return
        try:
            self._check_across(field, value)
        except Invalid as exc:
            if leaving:
                field.show_error(str(exc), across=True)
                self._tally()
            return
        if field.raw() == field.wrong_with:
            return  # the save's own finding (a name taken …): it stands until the value changes
        field.clear_error()
        self._tally()

    def _settle_across(self, changed: Field) -> None:
        """Marks the form's check() put on other fields go once it no longer names them:
        emptying the next step settles its due date's "when is it due?"."""
        marked = [f for f in self.query(Field) if f is not changed and f.wrong and f.across]
        values = self._readable_values() if marked else None
        if values is None:
            return  # nothing to settle, or a field that cannot be read: the check waits for it
        try:
            self.check(values)
            named = None
        except Invalid as exc:
            named = exc.field
        for f in marked:
            if f.field_name != named:
                f.clear_error()
        self._tally()

    def _tally(self) -> None:
        """The save's 'put right the marked fields' counts the marks still shown."""
        status = self.query_one("#form-status", Static)
        if str(status.render()).startswith(PUT_RIGHT):
            marked = sum(f.wrong for f in self.query(Field))
            status.update((PUT_RIGHT + ("s" if marked > 1 else "")) if marked else "")

    def _check_across(self, field: Field, value: Any) -> None:
        """The form's check() as far as it concerns this field; skipped while another field
        cannot be read (the save will mark that one)."""
        values = self._readable_values(field, value)
        if values is None:
            return
        try:
            self.check(values)
        except Invalid as exc:
            if exc.field == field.field_name:
                raise

    def _readable_values(
        self, field: Field | None = None, value: Any = None
    ) -> dict[str, Any] | None:
        """Every field's value (`field`'s as `value`), or None while one cannot be read."""
        values: dict[str, Any] = {}
        for f in self.query(Field):
            if f is field:
                values[f.field_name] = value
                continue
            try:
                values[f.field_name] = f.value()
            except Invalid:
                return None
        return values

    def _check_names(self, field: Field) -> bool:
        """Whether the form's check() marks `field` with the values as they stand."""
        try:
            value = field.value()
        except Invalid:
            return False  # its own value is wrong: the check across fields is not its mark
        try:
            self._check_across(field, value)
        except Invalid:
            return True
        return False

    def _point_at(self, field: Field) -> None:
        """Focus a wrong field and scroll it into view with its whole message (at 80x24 the
        message under a low field was left below the box, where no key could scroll)."""
        field.control.focus(scroll_visible=False)
        self.call_after_refresh(field.scroll_visible, animate=False, top=False)

    def _field_for(self, exc: Invalid) -> Field | None:
        """The form field an Invalid names: forms call each field what the service calls it."""
        found = self.query(f"#field-{exc.field}") if exc.field else None
        return found.first(Field) if found else None

    @work(thread=True, exclusive=True, group="save")
    def _save(self, values: dict[str, Any]) -> None:
        try:
            with self.crm.transaction() as session:
                result = self.save(session, values)
        except Exception as exc:  # noqa: BLE001 - every failure is told to the user
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._saved, result)

    def _failed(self, exc: BaseException) -> None:
        if not self.here:  # the form was left while saving: say so all the same
            self.app.notify(explain(exc), title="Not saved", severity="error", timeout=10)
            return
        self.saving = False
        self.call_after_refresh(self.hand_on_keys)  # to the form, or the question it asks
        self.query_one("#save", Button).disabled = False
        status = self.query_one("#form-status", Static)
        if isinstance(exc, NeedsConfirmation) and not self.confirmed:
            self._ask(exc)
            return
        target = self._field_for(exc) if isinstance(exc, Invalid) else None
        if target is not None:
            # a finding the form's check() now repeats (it learnt it from the save) goes, as
            # the check's own marks do, when another field puts it right
            target.show_error(str(exc), across=self._check_names(target))
            self._point_at(target)
            status.update(PUT_RIGHT)
            return
        message = explain(exc)
        advice = "what you typed is still in the form"
        versions = getattr(self, "versions", None)
        if isinstance(exc, StaleEdit) and versions:
            # someone saved first: say who; a second save is a deliberate choice to save over it
            versions.clear()
            advice += "; press ctrl+s again to save yours over theirs, or escape to leave theirs"
        status.update(f"Not saved: {message}")
        self.notify(
            f"{message}. Nothing was saved; {advice}.",
            title="Not saved",
            severity="error",
            timeout=10,
        )

    def _ask(self, exc: NeedsConfirmation) -> None:
        from tui.dialogs.confirm import ConfirmDialog

        status = self.query_one("#form-status", Static)
        status.update(f"Not saved yet: {exc.reason}")

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirmed = True
                self.action_save()
            else:
                status.update(f"Not saved: {exc.reason}; change it, or save again to be asked")

        question = exc.question[:1].upper() + exc.question[1:]
        reason = exc.reason[:1].upper() + exc.reason[1:] + "."
        self.app.push_screen(
            ConfirmDialog(question, yes="Yes, save it", no="No, go back", detail=reason), answered
        )

    def _saved(self, result: T) -> None:
        self.app.notify(self.saved_message(result), title="Saved")
        if self.here:
            self.dismiss(result)
            self.hand_on_keys()


class PartnerForm(FormDialog[int]):
    """A form about one partner, opened on the record the cursor was on (`record_id`, if any:
    a conversation, a commitment, an event …). Returns the id of what it saved."""

    def __init__(self, organisation_id: int, record_id: int | None = None) -> None:
        super().__init__()
        self.organisation_id = organisation_id
        self.record_id = record_id
        # each record's version as read: a save over someone else's change is refused
        self.versions: dict[int, int] = {}

    def record_field(self, name: str, label: str, choices: Sequence[tuple[str, int]]) -> Field:
        """The choice of what to act on, opened on the highlighted record, else the only one."""
        chosen = preselect(self.record_id, [v for _, v in choices])
        return self.select_field(name, label, choices, value=chosen, required=True)

    def highlighted(self, found: Sequence[R]) -> R | None:
        """The record to edit: the highlighted one; from the palette, the first (the top row
        of its tab)."""
        record = next((r for r in found if r.id == self.record_id), found[0] if found else None)
        if record is not None:
            self.editing(record)
        return record

    def editing(self, record: Stored) -> None:
        """Keep the edited record's id, and its version for the save."""
        self.record_id = record.id
        self.versions = {record.id: record.version}
