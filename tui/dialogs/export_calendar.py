"""Export my open steps, commitments due and upcoming events as an .ics file to subscribe to."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import outputs
from partnercrm.calendar_out import calendar_entries, calendar_ics
from partnercrm.errors import Invalid
from partnercrm.matching import name_key
from tui import options, to_act
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class ExportCalendarDialog(FormDialog[str]):
    """Returns the path written."""

    form_title = "Export my calendar"
    save_label = "Export"

    def __init__(self, colleague_id: int, folder: Path | None = None) -> None:
        super().__init__()
        self.colleague_id = colleague_id
        self.folder = folder or Path.cwd()

    def load(self, s: Session) -> None:
        me = options.colleague(s, self.colleague_id)
        self.colleague_name = me.name if me else "me"
        self.form_title = f"Export {self.colleague_name}'s calendar"

    def fields(self) -> Iterable[Field]:
        default = self.folder / f"partnercrm-{name_key(self.colleague_name).replace(' ', '-')}.ics"
        yield self.text_field("path", "File", str(default), required=True)
        yield self.flag_field(
            "overwrite", "Replace", "replace the file (a subscribed calendar updates)"
        )
        yield self.flag_field(
            "todos", "Steps", "as to-dos (Thunderbird) rather than all-day events"
        )

    def save(self, session: Session, values: dict[str, Any]) -> str:
        path = Path(values["path"]).expanduser()
        replace = bool(values["overwrite"])
        me = options.colleague(session, self.colleague_id)
        data = calendar_ics(
            calendar_entries(session, me, today=self.crm.today),
            name=f"partnercrm: {self.colleague_name}",
            steps_as="todo" if values["todos"] else "event",
            say=to_act.say,
        )
        try:
            outputs.write_bytes(path, data, force=replace, database=session, field="path")
        except outputs.OutputExists as exc:
            raise Invalid(f"{path} exists; tick 'replace' to overwrite it", field="path") from exc
        return str(path)

    def saved_message(self, result: str) -> str:
        return f"Calendar written to {result}."
