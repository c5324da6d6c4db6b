"""Archive instead of delete: an archived record leaves lists, briefs and reports, keeps its history."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from partnercrm.errors import Invalid

R = TypeVar("R")


def set_archived(session: Session, record: R, archived: bool) -> R:
    """Archive a record (or restore it); saying so when it already is."""
    target: Any = record
    if target.archived == archived:
        label = getattr(target, "name", None) or f"{target.__tablename__} {target.id}"
        state = "archived" if archived else "not archived"
        raise Invalid(f"{label} is already {state}; nothing changed", field="archived")
    target.archived = archived
    session.flush()
    return record
