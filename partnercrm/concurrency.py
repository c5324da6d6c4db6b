"""Optimistic concurrency: a save made from a stale copy fails instead of overwriting."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from partnercrm.errors import StaleEdit
from partnercrm.models import Versioned


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse to change `record` if someone saved it since the caller read version `expected_version`."""
    if expected_version is None or record.version == expected_version:
        return
    raise StaleEdit(changed_since_message(record))


def changed_since_message(record: Any) -> str:
    who = getattr(record, "updated_by", None) or "someone"
    when = getattr(record, "updated_at", None)
    at = f" at {when:%d %b %Y %H:%M} UTC" if when else ""
    label = getattr(record, "name", None) or f"{record.__tablename__} {record.id}"
    return f"{label} was changed by {who}{at} since you opened it; reload to see their change"


def stale_data_conflict(exc: StaleDataError) -> StaleEdit:
    return StaleEdit(
        f"the record was changed by someone else since you opened it; reload it ({exc})"
    )


class CheckedSession(Session):
    """A session whose save from a stale copy fails with who changed the record, and when.

    SQLAlchemy's version check raises StaleDataError, which names only the table. The
    versions this flush expected are noted first, so the failure can say which record
    moved on, and who moved it.
    """

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        expected = [
            (
                type(obj),
                state.identity[0],
                state.committed_state.get("version", state.dict.get("version")),
            )
            for obj in list(self.dirty) + list(self.deleted)
            if isinstance(obj, Versioned) and (state := inspect(obj)).identity
        ]
        try:
            super().flush(objects)
        except StaleDataError as exc:
            raise _conflict_after(self, expected, exc) from exc


def _conflict_after(
    session: Session, expected: list[tuple[type, Any, int | None]], exc: StaleDataError
) -> StaleEdit:
    engine = session.get_bind().engine
    # DEFERRED: on SQLite the failed writer may still hold the write lock for a moment
    reader = engine.execution_options(sqlite_begin="DEFERRED")
    with reader.connect() as conn:
        for cls, ident, version in expected:
            table = cls.__table__  # type: ignore[attr-defined]
            row = conn.execute(select(table).where(table.c.id == ident)).mappings().first()
            if row is None:
                label = f"{table.name.replace('_', ' ')} {ident}"
                return StaleEdit(f"{label} was deleted by someone else since you opened it")
            if row["version"] != version:
                return StaleEdit(
                    changed_since_message(SimpleNamespace(__tablename__=table.name, **row))
                )
    return stale_data_conflict(exc)


# The pg_advisory_xact_lock key of the import lock, as SQL. Advisory locks belong to the whole
# database, so the key names the schema: two CRMs in two schemas of one database (as the
# history chain's lock does) never wait for each other's imports.
IMPORT_LOCK = "hashtextextended('partnercrm.import.' || current_schema(), 0)"


def one_import_at_a_time(session: Session) -> None:
    """Queue this import behind any other running: two at once would both add the same new
    organisation. SQLite's write lock (BEGIN IMMEDIATE) already queues them; PostgreSQL takes
    a transaction-level advisory lock, released when the import commits or rolls back."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))
