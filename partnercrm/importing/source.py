"""Reading attendee files as people really export them: CSV in several encodings, or XLSX.

A file becomes a header and a list of rows, each row carrying the line of the file it
started on, so a rejected row can be found again in a text editor or a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from partnercrm.csv_export import FORMULA_TRIGGERS
from partnercrm.errors import Invalid

DELIMITERS = (",", ";", "\t", "|")
# how many leading rows are searched for the header: a report title, Teams' summary block,
# Zoom's meeting details and its host and panellist sections all sit above the table
HEADER_SEARCH_ROWS = 100
# a row with one cell of these ends the table: a report's footer, or the next section
_TABLE_END = re.compile(
    r"confidential|do not distribute|generated (by|on|at)|copyright|©|\(c\) \d{4}|"
    r"all rights reserved|^total\b|^page \d|^powered by|^exported (by|on|at)|^report "
    r"|^filtered by|^\d+\.\s+\S|details$|activities$|^summary$",
    re.IGNORECASE,
)
# the title above a header that marks the people who came, not the hosts or panellists
_ATTENDEE_TITLE = re.compile(r"attendee|participant", re.IGNORECASE)
XLSX_MAGIC = b"PK\x03\x04"
HeaderScore = Callable[[Sequence[str]], int]


@dataclass
class Table:
    """The rows of one file: its header, and each row with the line it started on."""

    name: str
    header: list[str]
    # CSV rows are read as they are used, so a large file is never held twice over
    rows: Iterator[tuple[int, list[str]]]
    encoding: str
    size_hint: int = 0
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was in: BOMs first, then UTF-8, then Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16"), "utf-16"
    # UTF-16 without a BOM: every other byte of ASCII text is NUL
    head = raw[:2000]
    if head and head.count(b"\x00") > len(head) // 4:
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return raw.decode(codec), codec
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        # the five bytes Windows-1252 leaves undefined: read them as Latin-1 rather than fail
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate found most often outside quotes."""
    for line in text.splitlines():
        if line.strip(" \t,;|\r\n"):
            return max(DELIMITERS, key=lambda d: (_count_outside_quotes(line, d), d == ","))
    return ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def read_table(
    source: str | Path, *, sheet: str | None = None, score: HeaderScore | None = None
) -> Table:
    """Read a CSV (any common encoding and delimiter) or XLSX file into a Table.

    `score` says how much a row looks like the header wanted (by default an attendee list's).
    """
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror or exc}", field="file") from exc
    if raw.startswith(XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, raw, sheet, score)
    if sheet:
        raise Invalid(
            f"a sheet can be chosen in an XLSX workbook only; {path.name} is a text file",
            field="sheet",
        )
    text, encoding = decode(raw)
    del raw
    delimiter = table_delimiter(text, score)
    lines = text.count("\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    del text
    table = _with_header(path.name, _numbered_csv_rows(reader), encoding, delimiter, score)
    table.size_hint = lines
    return table


def table_delimiter(text: str, score: HeaderScore | None = None) -> str:
    """The delimiter of the table the file holds: the one whose rows hold the best header
    (a Teams summary's first line has no tabs; a title line may have commas in it)."""
    sample = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    best: tuple[tuple[int, int, int], str] | None = None
    for delimiter in DELIMITERS:
        rows: list[list[str]] = []
        try:
            rows.extend(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            pass  # the sample may end inside a quoted cell
        found = _best_header(rows, score)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], delimiter)
    return best[1] if best is not None else sniff_delimiter(text)


def _best_header(
    rows: Sequence[list[str]], score: HeaderScore | None = None
) -> tuple[tuple[int, int, int], int] | None:
    """((score, titled as attendees, -position), position) of the row most like a header."""
    if score is None:
        from partnercrm.importing.columns import header_score

        score = header_score
    best: tuple[tuple[int, int, int], int] | None = None
    title = ""
    for position, cells in enumerate(rows):
        filled = [c for c in cells if c.strip()]
        if len(filled) == 1:
            title = filled[0]
        if len(filled) < 2:
            continue
        points = score(cells)
        if points:
            rank = (points, 1 if _ATTENDEE_TITLE.search(title) else 0, -position)
            if best is None or rank > best[0]:
                best = (rank, position)
        title = ""
    return best


def _numbered_csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    # csv's line_num counts physical lines read so far, so a row with a quoted newline
    # starts on the line after the previous row ended
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num  # type: ignore[attr-defined]
            yield start, [_as_typed(c) for c in cells]
    except csv.Error as exc:
        raise Invalid(
            f"the file cannot be read as CSV after line {previous_end}: {exc}", field="file"
        ) from exc


def _as_typed(cell: str) -> str:
    """Undo the spreadsheet-safe quote our own CSVs put before =, +, -, @ (a rejects file's
    "'+44 20 7974 4444" is the phone number +44 20 7974 4444 again)."""
    if cell[:1] == "'" and cell[1:2] and cell[1] in FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def _with_header(
    name: str,
    rows: Iterable[tuple[int, list[str]]],
    encoding: str,
    delimiter: str | None,
    score: HeaderScore | None = None,
) -> Table:
    iterator: Iterator[tuple[int, list[str]]] = iter(rows)
    head = list(itertools.islice(iterator, HEADER_SEARCH_ROWS))
    found = _best_header([cells for _, cells in head], score)
    notes = []
    if found is None:
        # no row names the columns we know: take the first non-blank row, so that the
        # report can list its columns as unmapped and a column map can name them
        filled = [i for i, (_, cells) in enumerate(head) if any(c.strip() for c in cells)]
        if not filled:
            raise Invalid(f"{name} has no rows", field="file")
        at = filled[0]
    else:
        at = found[1]
        skipped = sum(1 for _, cells in head[:at] if any(c.strip() for c in cells))
        if skipped:
            notes.append(f"skipped {skipped} line(s) above the header")
    header = [c.strip() for c in head[at][1]]
    while header and not header[-1]:
        header.pop()  # trailing empty columns
    table = Table(
        name=name, header=header, rows=iter(()), encoding=encoding, delimiter=delimiter, notes=notes
    )
    table.rows = _until_table_end(itertools.chain(head[at + 1 :], iterator), table)
    return table


def _until_table_end(
    rows: Iterator[tuple[int, list[str]]], table: Table
) -> Iterator[tuple[int, list[str]]]:
    """The rows of the table, up to a report footer or the title of the next section."""
    for line, cells in rows:
        if (len(cells) < 2 or not cells[1]) and cells:
            filled = [c for c in cells if c.strip()]
            if len(filled) == 1 and filled[0] is cells[0] and _TABLE_END.search(cells[0].strip()):
                table.notes.append(
                    f"the table ends at line {line} ({cells[0].strip()[:60]!r}); "
                    "what follows is not read"
                )
                return
        yield line, cells


# An XLSX is a zip of XML parts; what its parts expand to is read from the zip's directory
# before anything is parsed, so a workbook that expands to gigabytes is refused within bounded
# memory: the reader (calamine) holds the sheet's cells, which the limits bound. Ordinary
# workbooks compress their XML 5 to 30 times.
XLSX_PART_LIMIT = 32 * 2**20
XLSX_SHARED_STRINGS_LIMIT = 128 * 2**20
XLSX_SHEET_LIMIT = 512 * 2**20
XLSX_TOTAL_LIMIT = 1024 * 2**20
XLSX_RATIO_LIMIT = 100
XLSX_RATIO_FROM = 16 * 2**20


def check_xlsx_expansion(name: str, zipped: Any) -> None:
    """Refuse a workbook whose parts expand beyond what a real attendee list needs."""
    total = 0
    for info in zipped.infolist():
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        part = info.filename.lower()
        if part.startswith("xl/worksheets/"):
            limit = XLSX_SHEET_LIMIT
        elif part.endswith("sharedstrings.xml"):
            limit = XLSX_SHARED_STRINGS_LIMIT
        else:
            limit = XLSX_PART_LIMIT
        if (
            size > limit
            or total > XLSX_TOTAL_LIMIT
            or (size > XLSX_RATIO_FROM and size / packed > XLSX_RATIO_LIMIT)
        ):
            raise Invalid(
                f"{name} expands to more than a workbook of attendees can hold "
                f"({info.filename} unpacks to {size / 2**20:,.0f} MB from "
                f"{info.compress_size / 2**20:,.1f} MB); it was not read",
                field="file",
            )


def _read_xlsx(path: Path, raw: bytes, sheet: str | None, score: HeaderScore | None) -> Table:
    import zipfile

    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zipped:
            check_xlsx_expansion(path.name, zipped)
        # calamine (Rust) reads a 100,000-row sheet in about two seconds, in a fraction of
        # the memory openpyxl needs, and keeps no Python objects behind it
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except (zipfile.BadZipFile, CalamineError, ValueError, OSError) as exc:
        raise Invalid(f"{path.name} is not a readable XLSX workbook: {exc}", field="file") from exc
    if sheet and sheet not in workbook.sheet_names:
        names = ", ".join(repr(n) for n in workbook.sheet_names)
        raise Invalid(f"{path.name} has no sheet {sheet!r}; it has {names}", field="sheet")
    try:
        worksheet = workbook.get_sheet_by_name(sheet or workbook.sheet_names[0])
    except (CalamineError, IndexError, ValueError) as exc:
        raise Invalid(f"{path.name} is not a readable XLSX workbook: {exc}", field="file") from exc
    table = _with_header(
        f"{path.name} [{worksheet.name}]", _xlsx_rows(worksheet), "xlsx", None, score
    )
    table.size_hint = worksheet.total_height or 0
    return table


def _xlsx_rows(worksheet: Any) -> Iterator[tuple[int, list[str]]]:
    # calamine's rows run from the first row but only from the first column used: padded
    # here from column A, as a spreadsheet shows them (a test holds calamine to this)
    before = [""] * (worksheet.start or (0, 0))[1]
    for number, values in enumerate(worksheet.iter_rows(), 1):
        yield number, [*before, *(_cell_text(v) for v in values)]


def _cell_text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        # a phone number typed into Excel arrives as 7700900123.0
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
