"""Writing many rows fast inside one transaction: the attendee import's bulk path.

An import of 100,000 attendees must beat copying the file into one table, so rows go in as
executemany batches with their ids taken up front (no INSERT ... RETURNING round trip per
row); on SQLite they skip SQLAlchemy's per-row parameter processing, and full-text search
triggers are run once over the new rows instead of once per row. PostgreSQL goes through
SQLAlchemy Core executemany (insertmanyvalues batches, statement-level search triggers).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Table, func, insert, select, text
from sqlalchemy.orm import Session

from partnercrm import chain, history, stored_text
from partnercrm import models as m
from partnercrm.errors import Invalid

CHUNK = 5000
_ROW_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(\w+)\s+AFTER\s+INSERT\s+ON\s+(\w+)\s+BEGIN\s+"
    r"(INSERT\s+INTO\s+\w+\s*\([^)]*\))\s*VALUES\s*\((.*)\)\s*;\s*END\s*\Z",
    re.IGNORECASE | re.DOTALL,
)


class BulkWriter:
    """Inserts for one session's transaction, in chunks, calling `advance(n)` after each."""

    def __init__(self, session: Session, actor: str) -> None:
        self.s = session
        self.actor = actor

    def insert(
        self,
        table: Table,
        count: int,
        rows: Iterable[dict[str, Any]],
        advance: Callable[[int], None] | None,
    ) -> list[int]:
        """Insert rows in chunks and return their new ids, in order.

        The ids are taken up front (SQLite: after the largest, which is safe because the
        transaction holds the write lock; PostgreSQL: from the table's sequence), so the
        rows go in as plain executemany batches instead of one INSERT ... RETURNING each.
        """
        ids = self._new_ids(table, count)
        numbered = ({**row, "id": ident} for row, ident in zip(rows, ids, strict=True))
        for chunk in chunks(numbered, CHUNK):
            self.execute_many(table, chunk)
            if advance is not None:
                advance(len(chunk))
        return ids

    def execute_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """INSERT many rows (all with the same keys).

        On SQLite the rows go straight to the driver's executemany, each value converted as
        SQLAlchemy's SQLite types store it: at 100,000 rows the per-row parameter processing
        of a compiled statement costs more than SQLite's own work.
        """
        if not rows:
            return
        stored_text.clean_rows(table, rows)
        if self.s.get_bind().dialect.name != "sqlite":
            self.s.execute(insert(table), rows)
            return
        columns = list(rows[0])
        values: list[Iterable[Any]] = []
        for name in columns:
            cells = [row[name] for row in rows]
            convert = _sqlite_converter(table.c[name].type)
            values.append(
                cells if convert is None else [None if v is None else convert(v) for v in cells]
            )
        sql = (
            f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        self.s.connection().exec_driver_sql(sql, list(zip(*values, strict=True)))

    def history(self, entries: Iterable[dict[str, Any]]) -> None:
        """`history.write`, with the same rows, in chunks (SQLite: the bulk path above)."""
        sqlite = self.s.get_bind().dialect.name == "sqlite"
        for chunk in chunks(entries, CHUNK):
            rows = history.grouped(self.s, chain.seal(self.s, history.rows_for(self.s, chunk)))
            if not sqlite:
                self.s.connection().execute(insert(m.Base.metadata.tables["history"]), rows)
                continue
            self.execute_many(m.Base.metadata.tables["history"], rows)

    def insert_indexed(
        self,
        table: Table,
        count: int,
        rows: Iterable[dict[str, Any]],
        advance: Callable[[int], None] | None,
    ) -> list[int]:
        """`insert` for a table that SQLite search triggers index row by row.

        FTS5 indexes rows about five times faster in one INSERT ... SELECT than one trigger
        call at a time, so a trigger of the form `AFTER INSERT ON t BEGIN INSERT INTO x(...)
        VALUES (new...); END` is dropped for the bulk insert, run once over the new rows (with
        the table aliased `new`, so its own expressions apply unchanged), and created again.
        All of it is inside the import's transaction: if the import dies, so does the change.
        Triggers of any other form are left alone and fire as usual.
        """
        if self.s.get_bind().dialect.name != "sqlite":
            return self.insert(table, count, rows, advance)
        conn = self.s.connection()
        triggers = [
            (name, sql, found)
            for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                (table.name,),
            )
            if (found := _ROW_TRIGGER.match(sql or "")) and found.group(2) == table.name
        ]
        for name, _sql, _found in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        ids = self.insert(table, count, rows, advance)
        for _name, sql, found in triggers:
            if ids:
                conn.exec_driver_sql(
                    f"{found.group(3)} SELECT {found.group(4)} FROM {table.name} AS new "
                    "WHERE new.id BETWEEN ? AND ?",
                    (ids[0], ids[-1]),
                )
            conn.exec_driver_sql(sql)
        return ids

    def _new_ids(self, table: Table, count: int) -> list[int]:
        if count == 0:
            return []
        dialect = self.s.get_bind().dialect.name
        if dialect == "postgresql":
            sequence = self.s.scalar(
                text("select pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
            )
            if sequence:
                return sorted(
                    self.s.scalars(
                        text("select nextval(:s) from generate_series(1, :n)"),
                        {"s": sequence, "n": count},
                    )
                )
        if dialect != "sqlite":
            raise Invalid(f"bulk import does not support the {dialect} database", field="db")
        start = (self.s.scalar(select(func.max(table.c.id))) or 0) + 1
        return list(range(start, start + count))


@functools.lru_cache(maxsize=65_536)
def sqlite_datetime(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format (it drops any zone; ours are UTC already);
    # cached, as a chunk's rows share their timestamps and orders their registration times
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_converter(kind: Any) -> Callable[[Any], Any] | None:
    if isinstance(kind, JSON):
        return json.dumps
    if isinstance(kind, DateTime):
        return sqlite_datetime
    if isinstance(kind, Date):
        return date.isoformat
    if isinstance(kind, Boolean):
        return int
    return None


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
