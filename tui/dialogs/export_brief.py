"""Export the partner's brief to a Markdown or HTML file (for a leader going into a meeting)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from textual import on
from textual.widgets import Select

from partnercrm import outputs
from partnercrm.errors import Invalid
from partnercrm.matching import name_key
from tui import options
from tui.brief_text import partner_html, partner_markdown
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field, TextInput

FORMATS = [("Markdown (.md)", "md"), ("HTML page (.html)", "html")]


class ExportBriefDialog(FormDialog[str]):
    """Returns the path written."""

    form_title = "Export the brief"
    save_label = "Export"

    def __init__(self, organisation_id: int, folder: Path | None = None) -> None:
        super().__init__()
        self.organisation_id = organisation_id
        self.folder = folder or Path.cwd()
        # the file a save found already there: check() asks for 'replace' while it is named
        self.found: str | None = None

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Export the brief on {org.name}"
        self.org_name = org.name

    def fields(self) -> Iterable[Field]:
        org_name = self.org_name
        self.stem = self.folder / f"{name_key(org_name).replace(' ', '-')}-brief"
        yield self.select_field("format", "Format", FORMATS, value="md", required=True)
        yield self.text_field("path", "File", f"{self.stem}.md", required=True)
        yield self.flag_field("overwrite", "Replace", "replace the file if it exists")

    def check(self, values: dict[str, Any]) -> None:
        if values["path"] == self.found and not values["overwrite"]:
            raise Invalid(_exists(values["path"]), field="path")
        # a Markdown brief in a .html file (or the other way round) opens as nonsense
        suffix = Path(values["path"]).suffix.lower()
        wanted = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}.get(suffix)
        if wanted is not None and wanted != values["format"]:
            chosen = dict((v, k) for k, v in FORMATS)[values["format"]]
            raise Invalid(
                f"the file ends in {suffix} but the format is {chosen}: "
                f"choose the format or name a .{values['format']} file",
                field="path",
            )

    def save(self, session: Session, values: dict[str, Any]) -> str:
        path = Path(values["path"]).expanduser()
        replace = bool(values["overwrite"])
        write = partner_html if values["format"] == "html" else partner_markdown
        try:
            outputs.check_target(path, force=replace, database=session, field="path")
            text = write(session, self.organisation_id, self.crm.today)
            outputs.write_text(path, text, force=replace, database=session, field="path")
        except outputs.OutputExists as exc:
            self.found = values["path"]
            raise Invalid(_exists(path), field="path") from exc
        return str(path)

    @on(Select.Changed, "#format")
    def _format_chosen(self, event: Select.Changed) -> None:
        # the file name follows the format while it is still the one suggested
        box = self.query_one("#path", TextInput)
        for suffix in (".md", ".html"):
            if box.value == f"{self.stem}{suffix}":
                box.set_text(f"{self.stem}.{event.value}")

    def saved_message(self, result: str) -> str:
        return f"Brief written to {result}."


def _exists(path: Path | str) -> str:
    return f"{Path(path).expanduser()} exists; tick 'replace' to overwrite it"
