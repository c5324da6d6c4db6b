"""CSV that is safe to open in a spreadsheet: every CSV the project writes goes through here.

A cell a spreadsheet would read as a formula (one starting with =, +, -, @, a tab, a carriage
return or a line feed) is neutralised by prefixing a single quote, as OWASP's "CSV Injection"
page recommends, so `=HYPERLINK("http://x","y")` arrives as text, not as a live link.
Numbers are written as numbers: -5 is a value, not a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> str:
    """The text to write in a CSV cell for `value`, never a formula a spreadsheet would run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        text = "; ".join("" if v is None else str(v) for v in value)
    else:
        text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_csv(
    out: IO[str],
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Mapping[str, Any]],
) -> int:
    """Write a header of column titles and one line per row; returns the number of rows.

    `columns` are (key, header) pairs; each row is a mapping read by key. Headers are
    neutralised too: they may come from data (a mission's or role's name).
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(header) for _, header in columns])
    count = 0
    for row in rows:
        writer.writerow([neutralise(row.get(key)) for key, _ in columns])
        count += 1
    return count


def csv_text(columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> str:
    """The CSV document as a string."""
    buffer = io.StringIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue()
