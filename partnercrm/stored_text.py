"""What text may be stored, and how stored text is shown: the same rules on every database.

Every text value the library stores passes through `clean` and `check_length`, from one
place for each way rows are written: a `before_flush` hook for records saved through the ORM
(services, the CLI, the TUI) and `clean_rows` for the import's bulk inserts. So:

- control characters (C0 and C1: escape sequences, terminal bells, clipboard writes) and bidi
  overrides and isolates (U+202A-U+202E, U+2066-U+2069, which make text read backwards) are
  removed; a field that holds several lines (a note, a story) keeps its newlines and tabs,
  a one-line field (a name) has them made spaces;
- a value longer than its column (`String(N)` in the models) is refused with one sentence
  naming the field and the limit, on SQLite exactly as on PostgreSQL.

`shown` makes whatever older data still holds visible and inert on a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import String, Table, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from partnercrm.errors import Invalid

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_LINE_BREAKS = re.compile(r"\r\n?|[\t\n\v\f\x85\u2028\u2029]")
_NEWLINES = re.compile(r"\r\n?")

# how each control or bidi character is shown on a terminal: visible, and harmless
# (C0 as `\x1b`; DEL, C1 and bidi as `\u009b`, which is also how JSON writes them)
VISIBLE = {
    **{c: f"\\x{c:02x}" for c in range(0x00, 0x20) if chr(c) not in "\n\t"},
    0x7F: "\\u007f",
    **{
        c: f"\\u{c:04x}"
        for c in (*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
    },
}


def clean(value: str, *, multiline: bool = False) -> str:
    """`value` without control or bidi characters; newlines and tabs kept only if `multiline`."""
    if value.isprintable():  # the common case, at C speed: nothing to remove
        return value
    if multiline:
        return _MULTI_LINE.sub("", _NEWLINES.sub("\n", value))
    return _ONE_LINE.sub("", _LINE_BREAKS.sub(" ", value))


def shown(text: str) -> str:
    """`text` with any control or bidi character made visible (`\\x1b`, `\\u202e`), for a terminal."""
    return text if text.isprintable() else text.translate(VISIBLE)


@cache
def _text_columns(table: Table) -> tuple[tuple[str, int | None, bool], ...]:
    """(column, length limit, multiline) for each text column of `table`."""
    out = []
    for column in table.columns:
        if isinstance(column.type, String) and column.type.python_type is str:
            length = column.type.length
            out.append((column.key, length, length is None))
    return tuple(out)


def limit(column: Any) -> int:
    """The length limit of a model's text column, e.g. `limit(m.Organisation.name)`."""
    length = column.property.columns[0].type.length
    assert length is not None, f"{column} has no length limit"
    return int(length)


def too_long(table: Table, column: str, value: str, length: int) -> Invalid:
    what = f"{table.name} {column}".replace("_", " ")
    return Invalid(
        f"the {what} is {len(value)} characters long; the limit is {length}",
        field=column,
    )


def check_length(table: Table, column: str, value: str, length: int | None) -> None:
    if length is not None and len(value) > length:
        raise too_long(table, column, value, length)


def clean_rows(table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Clean and check, in place, the text values of rows about to be inserted into `table`."""
    columns = _text_columns(table)
    for row in rows:
        for name, length, multiline in columns:
            value = row.get(name)
            if type(value) is str:
                if not value.isprintable():
                    value = row[name] = clean(value, multiline=multiline)
                if length is not None and len(value) > length:
                    raise too_long(table, name, value, length)


def _clean_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        table = state.mapper.local_table
        if not isinstance(table, Table):
            continue
        for name, length, multiline in _text_columns(table):
            attr = state.mapper.get_property_by_column(table.c[name]).key
            if obj in session.dirty and not state.attrs[attr].history.has_changes():
                continue
            value = state.dict.get(attr)
            if type(value) is not str:
                continue
            cleaned = clean(value, multiline=multiline)
            if cleaned != value:
                setattr(obj, attr, cleaned)
            check_length(table, name, cleaned, length)


def install(factory: sessionmaker[Any]) -> None:
    """Clean and check every record's text before it is flushed (before the history sees it)."""
    event.listen(factory, "before_flush", _clean_before_flush, insert=True)
