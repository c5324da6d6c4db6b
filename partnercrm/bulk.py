"""Writing many rows fast inside one transaction: the attendee import and the scale generator.

An import of 100,000 attendees must beat copying the file into one table, and a council-scale
build writes millions of rows, so both go through this one writer:

- ids are taken up front (`insert`) or given by the caller (`write`), so no row needs an
  INSERT ... RETURNING round trip;
- on SQLite the rows go straight to the driver's executemany, each value converted by its
  column type's own bind processor (stored exactly as the ORM stores it, without the
  per-row parameter processing of a compiled statement);
- the SQLite search triggers (FTS5) are the cost of a bulk write: FTS5 indexes rows about
  five times faster in one INSERT ... SELECT than one trigger call at a time. So a trigger
  that copies the new row into a search table is dropped for the write, run once over the
  new rows (with the table aliased `new`, so its own expressions apply unchanged), and
  created again, all inside the caller's transaction;
- on PostgreSQL the rows go in by COPY (the search triggers there are statement-level).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Table, func, select, text
from sqlalchemy.orm import Session

from partnercrm import chain, history, stored_text
from partnercrm import models as m
from partnercrm.errors import Invalid

CHUNK = 5000
Progress = Callable[[str, int, int], None]

# AFTER INSERT triggers that copy the new row into one table, as INSERT ... VALUES (...) or
# INSERT ... SELECT ... [WHERE ...]: both can run once over many rows
_ROW_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(\w+)\s+AFTER\s+INSERT\s+ON\s+(\w+)\s+BEGIN\s+"
    r"(INSERT\s+INTO\s+\w+\s*\([^)]*\))\s*"
    r"(?:VALUES\s*\((?P<values>.*)\)|SELECT\s+(?P<select>.*?)(?:\s+WHERE\s+(?P<where>.*?))?)"
    r"\s*;\s*END\s*\Z",
    re.IGNORECASE | re.DOTALL,
)


class BulkWriter:
    """Inserts for one session's transaction, in chunks, with progress."""

    def __init__(
        self, session: Session, actor: str | None = None, progress: Progress | None = None
    ) -> None:
        self.s = session
        self.actor = actor if actor is not None else history.actor_of(session)
        self.progress = progress
        self.now = m.utcnow()
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def stamp(self) -> dict[str, Any]:
        """The columns every new versioned row starts with (m.Versioned), for this write."""
        return {
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
            "updated_by": self.actor,
        }

    def changed(self, table: Table) -> dict[str, Any]:
        """What every row this write updates also sets (m.changed), for this write."""
        return m.changed(table, self.now, self.actor)

    def insert(
        self,
        table: Table,
        count: int,
        rows: Iterable[dict[str, Any]],
        advance: Callable[[int], None] | None,
    ) -> list[int]:
        """Insert `count` rows in chunks and return their new ids, in order.

        The ids are taken up front (SQLite: after the largest, which is safe because the
        transaction holds the write lock; PostgreSQL: from the table's sequence).
        """
        ids = self.new_ids(table, count)
        numbered = ({**row, "id": ident} for row, ident in zip(rows, ids, strict=True))
        with self._search_deferred(table) as written:
            written.extend(ids[:1] + ids[-1:])
            for chunk in chunks(numbered, CHUNK):
                self.execute_many(table, chunk)
                if advance is not None:
                    advance(len(chunk))
        return ids

    def write(self, table: Table, rows: Iterable[dict[str, Any]], total: int, label: str) -> int:
        """Insert rows that carry their own ids (if the table has them); report progress as
        `label`, out of `total`. Returns how many were written."""
        done = 0
        with self._search_deferred(table) as written:
            for chunk in chunks(rows, CHUNK):
                if "id" in chunk[0]:
                    written.extend((chunk[0]["id"], chunk[-1]["id"]))
                self.execute_many(table, chunk)
                done += len(chunk)
                self._report(label, done, max(total, done))
        self._report(label, done, max(total, done))
        return done

    def execute_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """INSERT many rows (all with the same keys); search triggers fire as usual."""
        if not rows:
            return
        stored_text.clean_rows(table, rows)
        columns = list(rows[0])
        if not self.sqlite:
            self._copy(table, columns, rows)
            return
        dialect = self.s.get_bind().dialect
        values = [
            _converted([row[c] for row in rows], _processor(table.c[c].type, dialect))
            for c in columns
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.s.connection().exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
            list(zip(*values, strict=True)),
        )

    def history(self, entries: Iterable[dict[str, Any]]) -> None:
        """`history.write`, with the same rows (sealed into the chain), in chunks."""
        table = m.Base.metadata.tables["history"]
        for chunk in chunks(entries, CHUNK):
            rows = chain.seal(self.s, history.rows_for(self.s, chunk))
            self.execute_many(table, history.grouped(self.s, rows))

    def new_ids(self, table: Table, count: int) -> list[int]:
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
            raise Invalid(f"bulk writing does not support the {dialect} database", field="db")
        start = (self.s.scalar(select(func.max(table.c.id))) or 0) + 1
        return list(range(start, start + count))

    @contextmanager
    def _search_deferred(self, table: Table) -> Iterator[list[int]]:
        """SQLite: the table's copy-the-row search triggers run once over the new rows.

        The caller adds the ids it writes to the list it is given. Triggers of any other form
        are left alone and fire as usual. On PostgreSQL (and for tables with no such
        trigger) nothing changes.
        """
        written: list[int] = []
        if not self.sqlite or "id" not in table.c:
            yield written
            return
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
        yield written
        for _name, sql, found in triggers:
            if written:
                span = (min(written), max(written))
                conn.exec_driver_sql(_once_over(found, table.name), span)
            conn.exec_driver_sql(sql)

    def _copy(self, table: Table, columns: list[str], rows: list[dict[str, Any]]) -> None:
        raw = self.s.connection().connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        as_json = [isinstance(table.c[c].type, JSON) for c in columns]
        with raw.cursor() as cur:  # type: ignore[union-attr]
            with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row[c]) if j and row[c] is not None else row[c]
                            for c, j in zip(columns, as_json, strict=True)
                        ]
                    )

    def _report(self, label: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(label, done, total)


def _once_over(trigger: re.Match[str], table: str) -> str:
    """The trigger's INSERT, run once over the rows with ids between two parameters."""
    into = trigger.group(3)
    scope = "new.id BETWEEN ? AND ?"
    if trigger.group("values") is not None:
        return f"{into} SELECT {trigger.group('values')} FROM {table} AS new WHERE {scope}"
    where = f" AND ({trigger.group('where')})" if trigger.group("where") else ""
    return f"{into} SELECT {trigger.group('select')} FROM {table} AS new WHERE {scope}{where}"


@functools.lru_cache(maxsize=65_536)
def sqlite_datetime(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format (it drops any zone; ours are UTC already);
    # cached, as a chunk's rows share their timestamps and orders their registration times
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _processor(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    if isinstance(kind, DateTime):
        return sqlite_datetime
    return kind._cached_bind_processor(dialect)  # type: ignore[no-any-return]


def _converted(cells: list[Any], process: Callable[[Any], Any] | None) -> list[Any]:
    """Each value as its column type stores it; repeated values (dates) converted once."""
    if process is None:
        return cells
    seen: dict[Any, Any] = {None: None}
    out = []
    for value in cells:
        try:
            out.append(seen[value])
        except KeyError:
            out.append(seen.setdefault(value, process(value)))
        except TypeError:  # unhashable (JSON): convert each
            out.append(process(value))
    return out


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
