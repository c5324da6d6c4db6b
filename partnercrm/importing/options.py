"""How an import runs: the keywords the attendee import and the team's own sheets both take."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from partnercrm import keywords
from partnercrm.importing.organisations import FUZZY_THRESHOLD
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.write import write_rejects

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from partnercrm.importing.columns import ColumnMap
    from partnercrm.importing.source import Table


class RunOptions(TypedDict, total=False):
    """What import_attendees and import_sheet take, beyond the file and what it holds."""

    dry_run: bool  # read, check and match everything; store nothing
    strict: bool  # one bad row and nothing is imported
    rejects: str | Path | None  # a file for the rows turned away, to put right and import again
    replace_rejects: bool  # that file may replace one already there
    fuzzy_threshold: float  # how alike two organisations' names must be to be one
    today: date | None


def run_options(function: str, given: RunOptions) -> RunOptions:
    """The options given (an unknown one is refused), with the defaults for the rest."""
    keywords.check(RunOptions, given, function)
    defaults: RunOptions = {
        "dry_run": False,
        "strict": False,
        "rejects": None,
        "replace_rejects": False,
        "fuzzy_threshold": FUZZY_THRESHOLD,
        "today": None,
    }
    return defaults | given


def begin_report(
    source: str | Path,
    table: Table,
    cmap: ColumnMap,
    options: RunOptions,
    *,
    event: str = "",
    kind: str = "attendees",
) -> ImportReport:
    """The report of an import, begun once the file is read: how it was read and mapped."""
    return ImportReport(
        source=str(source),
        event=event,
        kind=kind,
        dry_run=options["dry_run"],
        strict=options["strict"],
        encoding=table.encoding,
        delimiter=table.delimiter,
        columns=cmap.as_dict(),
        notes=list(table.notes),
    )


def keep_rejects(
    session: Session,
    options: RunOptions,
    table: Table,
    bad: Sequence[tuple[int, list[str], list[Rejection]]],
    report: ImportReport,
) -> None:
    """The rows turned away, written to the rejects file when one was asked for."""
    rejects = options["rejects"]
    if rejects is not None:
        write_rejects(Path(rejects), table, bad, session, options["replace_rejects"])
        report.rejects_file = str(rejects) if bad else None
