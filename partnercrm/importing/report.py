"""What an import did, as one object: the CLI prints it, scripts read it as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rejection:
    """One problem with one row: the file line it started on, the column, the value, and why."""

    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    """Counts and lists describing one attendee import (or what a dry run would have done)."""

    source: str
    event: str
    # what the file holds: an event's attendees, or the team's own partners, contacts or
    # conversation log
    kind: str = "attendees"
    dry_run: bool = False
    strict: bool = False
    imported: bool = True
    encoding: str = ""
    delimiter: str | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    rows_rejected: int = 0
    not_attending: int = 0
    anonymous: int = 0
    colleagues: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    contacts_matched: int = 0
    organisations_created: int = 0
    organisations_matched: int = 0
    organisations_updated: int = 0
    organisations_new: list[str] = field(default_factory=list)
    fuzzy: list[dict[str, Any]] = field(default_factory=list)
    attendances_created: int = 0
    attendances_existing: int = 0
    interest_added: int = 0
    conversations_opened: int = 0
    conversations_touched: int = 0
    touchpoints_added: int = 0
    steps_created: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    probable_duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)
    rejects_file: str | None = None
    import_run: int | None = None

    @property
    def changed(self) -> bool:
        """Whether the import changed anything (a re-import of the same file does not)."""
        return (
            bool(
                self.contacts_created
                or self.contacts_updated
                or self.organisations_created
                or self.organisations_updated
                or self.touchpoints_added
                or self.attendances_created
                or self.interest_added
                or self.conversations_opened
                or self.conversations_touched
                or self.steps_created
            )
            and self.imported
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "event": self.event,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "strict": self.strict,
            "imported": self.imported,
            "changed": self.changed,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "columns": self.columns,
            "notes": list(self.notes),
            "rows": self.rows,
            "rows_rejected": self.rows_rejected,
            "not_attending": self.not_attending,
            "anonymous": self.anonymous,
            "colleagues": self.colleagues,
            "contacts": {
                "created": self.contacts_created,
                "updated": self.contacts_updated,
                "matched": self.contacts_matched,
            },
            "organisations": {
                "created": self.organisations_created,
                "matched": self.organisations_matched,
                "updated": self.organisations_updated,
                "new": list(self.organisations_new),
                "fuzzy": list(self.fuzzy),
            },
            "attendances": {
                "created": self.attendances_created,
                "existing": self.attendances_existing,
                "interest_added": self.interest_added,
            },
            "conversations": {
                "opened": self.conversations_opened,
                "touched": self.conversations_touched,
                "touchpoints": self.touchpoints_added,
            },
            "steps": {"created": self.steps_created},
            "conflicts": list(self.conflicts),
            "probable_duplicates": list(self.probable_duplicates),
            "rejected": [r.as_dict() for r in self.rejected],
            "erased": [
                {"line": line, "reason": "this person's data was erased; not re-imported"}
                for line in self.erased
            ],
            "rejects_file": self.rejects_file,
            "import_run": self.import_run,
        }

    def summary(self) -> dict[str, Any]:
        """The counts without the long lists (kept on the ImportRun record)."""
        data = self.as_dict()
        data["organisations"] = {
            k: v for k, v in data["organisations"].items() if k not in ("new", "fuzzy")
        }
        data["organisations"]["fuzzy"] = len(self.fuzzy)
        for key in ("conflicts", "probable_duplicates", "rejected", "erased"):
            data[key] = len(data[key])
        return data
