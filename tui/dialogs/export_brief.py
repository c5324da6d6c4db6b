"""Export the partner's brief to a Markdown file (for a leader going into a meeting)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import outputs
from partnercrm.errors import Invalid
from partnercrm.matching import name_key
from tui import options
from tui.brief_text import partner_markdown
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class ExportBriefDialog(FormDialog[str]):
    """Returns the path written."""

    form_title = "Export the brief"
    save_label = "Export"

    def __init__(self, organisation_id: int, folder: Path | None = None) -> None:
        super().__init__()
        self.organisation_id = organisation_id
        self.folder = folder or Path.cwd()

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Export the brief on {org.name}"
        self.org_name = org.name

    def fields(self) -> Iterable[Field]:
        org_name = self.org_name
        default = self.folder / f"{name_key(org_name).replace(' ', '-')}-brief.md"
        yield self.text_field("path", "File", str(default), required=True)
        yield self.flag_field("overwrite", "Replace", "replace the file if it exists")

    def save(self, session: Session, values: dict[str, Any]) -> str:
        path = Path(values["path"]).expanduser()
        replace = bool(values["overwrite"])
        try:
            outputs.check_target(path, force=replace, database=session, field="path")
            text = partner_markdown(session, self.organisation_id, self.crm.today)
            outputs.write_text(path, text, force=replace, database=session, field="path")
        except outputs.OutputExists as exc:
            raise Invalid(f"{path} exists; tick 'replace' to overwrite it", field="path") from exc
        return str(path)

    def saved_message(self, result: str) -> str:
        return f"Brief written to {result}."
