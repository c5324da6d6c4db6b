"""What a database refusal means, in one sentence: never SQL, parameters or a stack.

SQLAlchemy's own message carries the statement and every parameter (other rows' values
included), and PostgreSQL's adds `LINE 1: ...` context. The CLI and the TUI both turn any
database exception into the library's own error through `explain`, which names the field
and the limit, or the clash, from the driver's structured details.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import exc as sa

from partnercrm.concurrency import stale_data_conflict
from partnercrm.errors import Conflict, Invalid, PartnerCRMError

NOTHING_SAVED = "; nothing was saved"
_SQLITE_CONSTRAINT = re.compile(r"(UNIQUE|NOT NULL|CHECK) constraint failed: ([\w., ]+)")
_PG_KEY = re.compile(r"Key \(([^)]*)\)=")
_PG_LENGTH = re.compile(r"character varying\((\d+)\)")


class DatabaseUnavailable(PartnerCRMError):
    """The database cannot be reached, or is busy, or refused the connection."""


class DatabaseDamaged(PartnerCRMError):
    """The file is not a database, or a damaged one."""


def _words(name: str) -> str:
    return name.replace("_", " ")


def _first_line(orig: Any) -> str:
    return str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else ""


def _diag(orig: Any, name: str) -> str | None:
    diag = getattr(orig, "diag", None)
    return getattr(diag, name, None) if diag is not None else None


def _constraint_parts(constraint: str, table: str | None) -> tuple[str, str]:
    """(table, column) from a constraint named by the models' convention, e.g. uq_contact_email."""
    body = constraint.split("_", 1)[1] if "_" in constraint else constraint
    if table and body.startswith(table + "_"):
        return table, body[len(table) + 1 :]
    return table or "record", body


def _column_from(column: str) -> str:
    return column.removesuffix("_key").removesuffix("_id")


def _integrity(exc: sa.IntegrityError) -> PartnerCRMError:
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    table = _diag(orig, "table_name")
    constraint = _diag(orig, "constraint_name")
    column = _diag(orig, "column_name")
    found = _SQLITE_CONSTRAINT.search(str(orig))
    if found:  # SQLite: "UNIQUE constraint failed: organisation.name_key"
        kind, where = found.groups()
        pairs = [p.strip().partition(".") for p in where.split(",")]
        table = pairs[0][0] if pairs[0][1] else None
        column = ", ".join(p[2] or p[0] for p in pairs)
        state = {"UNIQUE": "23505", "NOT NULL": "23502", "CHECK": "23514"}[kind]
    elif "FOREIGN KEY" in str(orig):
        state = "23503"
    elif not column and (key := _PG_KEY.search(_diag(orig, "message_detail") or "")):
        column = key.group(1)  # "Key (a, b)=(values)": the names only, never the values
    if constraint and not column and not constraint.startswith("pk_"):
        table, column = _constraint_parts(constraint, table)
    things = _words(table or "record")
    columns = " and ".join(_words(_column_from(c.strip())) for c in (column or "").split(","))
    field = _column_from(column) if column and "," not in column else None
    if state == "23505":
        if not columns:
            return Conflict(f"that {things} is already stored{NOTHING_SAVED}")
        return Conflict(f"another {things} already has that {columns}{NOTHING_SAVED}")
    if state == "23502":
        return Invalid(f"the {things} {columns} is required{NOTHING_SAVED}", field=field)
    if state == "23503":
        return Conflict(
            "the change refers to a record that does not exist or was deleted by someone else"
            + NOTHING_SAVED
        )
    if state == "23514":
        rule = constraint or column
        return Invalid(f"the {things} breaks the rule {rule}{NOTHING_SAVED}", field=field)
    return Conflict(f"the change clashes with what is stored{NOTHING_SAVED}")


def _data(exc: sa.DBAPIError) -> PartnerCRMError:
    orig = exc.orig
    message = _first_line(orig)
    state = getattr(orig, "sqlstate", None)
    column = _diag(orig, "column_name")
    if state == "22001" or "too long" in message:
        length = _PG_LENGTH.search(message)
        limit = f"; the limit is {length.group(1)} characters" if length else ""
        where = f"the {_words(column)}" if column else "a value"
        return Invalid(
            f"{where} is longer than the database allows{limit}{NOTHING_SAVED}", field=column
        )
    if "NUL" in message or "0x00" in message:
        return Invalid(
            f"a value holds a NUL byte, which text cannot hold{NOTHING_SAVED}", field=column
        )
    if state == "22003":
        return Invalid(f"a number is too large for the database{NOTHING_SAVED}", field=column)
    return Invalid(
        f"the database cannot store a value as given ({message}){NOTHING_SAVED}", field=column
    )


def explain(exc: BaseException) -> PartnerCRMError | None:
    """The library's error for a database exception (None if `exc` is not one)."""
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(exc, PartnerCRMError):
        return exc
    if isinstance(exc, StaleDataError):
        return stale_data_conflict(exc)
    if isinstance(exc, sa.StatementError) and isinstance(exc.orig, PartnerCRMError):
        return exc.orig  # raised by the library while binding a value
    if isinstance(exc, sa.IntegrityError):
        return _integrity(exc)
    if isinstance(exc, sa.DataError) or (
        isinstance(exc, sa.DBAPIError) and isinstance(exc.orig, ValueError)
    ):
        return _data(exc)
    if isinstance(exc, sa.OperationalError):
        reason = _first_line(exc.orig)
        if "locked" in reason or "busy" in reason:
            return DatabaseUnavailable(
                "the database is busy (a colleague is saving); nothing was saved, try again in a moment"
            )
        if "not a database" in reason or "malformed" in reason or "corrupt" in reason:
            return DatabaseDamaged(f"the database file is damaged or not a database ({reason})")
        if "full" in reason:
            return DatabaseUnavailable(f"the disk holding the database is full{NOTHING_SAVED}")
        return DatabaseUnavailable(f"the database refused the change ({reason}){NOTHING_SAVED}")
    if isinstance(exc, sa.DatabaseError):
        reason = _first_line(exc.orig)
        if "not a database" in reason or "malformed" in reason or "corrupt" in reason:
            return DatabaseDamaged(f"the database file is damaged or not a database ({reason})")
        return DatabaseUnavailable(f"the database refused the command ({reason}){NOTHING_SAVED}")
    if isinstance(exc, sa.DBAPIError):
        return DatabaseUnavailable(
            f"the database refused the command ({_first_line(exc.orig)}){NOTHING_SAVED}"
        )
    if isinstance(exc, sa.SQLAlchemyError):
        # never str(exc): it carries the statement and its parameters
        return PartnerCRMError(
            f"the database could not do that ({type(exc).__name__}){NOTHING_SAVED}"
        )
    return None
