"""Optimistic concurrency: a save made from a stale copy fails instead of overwriting."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from partnercrm.errors import Conflict


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse to change `record` if someone saved it since the caller read version `expected_version`."""
    if expected_version is None or record.version == expected_version:
        return
    raise Conflict(changed_since_message(record))


def changed_since_message(record: Any) -> str:
    who = getattr(record, "updated_by", None) or "someone"
    when = getattr(record, "updated_at", None)
    at = f" at {when:%d %b %Y %H:%M} UTC" if when else ""
    label = getattr(record, "name", None) or f"{record.__tablename__} {record.id}"
    return f"{label} was changed by {who}{at} since you opened it; reload to see their change"


def stale_data_conflict(exc: StaleDataError) -> Conflict:
    return Conflict(
        f"the record was changed by someone else since you opened it; reload it ({exc})"
    )
