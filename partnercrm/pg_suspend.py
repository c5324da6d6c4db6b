"""PostgreSQL: set aside the foreign keys and plain indexes of tables about to be filled in bulk.

PostgreSQL's "Populating a Database" advice: a foreign key is checked by a trigger for every
row, and an index grows row by row; adding them back after the load checks all rows with one
join and builds each index once. Everything happens in the caller's transaction, so a failure
anywhere leaves the schema as it was, and other sessions wait for the load.

That wait is why only the scale build uses it: an attendee import is routine work on a live
database (and adds a little to tables that are already large), so it keeps every index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from partnercrm.bulk import Progress


@contextmanager
def suspended(
    s: Session, tables: Iterable[str], progress: Progress | None = None
) -> Iterator[None]:
    """Drop the foreign keys and plain indexes of `tables` (PostgreSQL only), and make them
    again when the block ends; elsewhere nothing happens."""
    if s.get_bind().dialect.name != "postgresql":
        yield
        return
    names = list(tables)
    keys = _suspend_foreign_keys(s, names)
    indexes = _suspend_indexes(s, names)
    yield
    _restore_indexes(s, indexes, progress)
    _restore_foreign_keys(s, keys, progress)


def _suspend_foreign_keys(s: Session, tables: list[str]) -> list[tuple[str, str, str]]:
    """PostgreSQL: drop the foreign keys of the tables about to be filled, inside this transaction.

    A foreign key is checked by a trigger for every row; adding it back after the load checks
    all rows with one join (PostgreSQL's "Populating a Database" advice). Everything happens
    in the build's transaction, so a failure anywhere leaves the schema as it was.
    """
    rows = s.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(:tables) ORDER BY 1, 2"
        ),
        {"tables": tables},
    ).all()
    suspended = [(str(t), str(n), str(d)) for t, n, d in rows]
    for table, name, _definition in suspended:
        s.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    return suspended


def _suspend_indexes(s: Session, tables: list[str]) -> list[tuple[str, str]]:
    """PostgreSQL: drop the plain (not unique) indexes of the tables about to be filled.

    That includes the search tables the triggers fill: building a GIN or B-tree index once
    over all the rows is much cheaper than growing it row by row. Unique indexes stay, so
    uniqueness is checked as rows go in. Same transaction as the build, like the foreign keys.
    """
    rows = s.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace "
            "AND (t.relname = ANY(:tables) OR t.relname LIKE 'search%') "
            "AND NOT i.indisprimary AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        ),
        {"tables": tables},
    ).all()
    found = [(str(n), str(d)) for n, d in rows]
    for name, _definition in found:
        s.execute(text(f"DROP INDEX {name}"))
    return found


def _restore_indexes(s: Session, indexes: list[tuple[str, str]], progress: Progress | None) -> None:
    for done, (_name, definition) in enumerate(indexes, 1):
        s.execute(text(definition))
        if progress is not None:
            progress("building indexes", done, len(indexes))


def _restore_foreign_keys(
    s: Session, suspended: list[tuple[str, str, str]], progress: Progress | None
) -> None:
    for done, (table, name, definition) in enumerate(suspended, 1):
        s.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        if progress is not None:
            progress("checking foreign keys", done, len(suspended))
