"""Turning what went wrong into one sentence a person can act on."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from partnercrm.errors import PartnerCRMError


def explain(exc: BaseException) -> str:
    """One clear sentence for a failed read or save; never a traceback."""
    if isinstance(exc, PartnerCRMError):
        return str(exc)
    if isinstance(exc, StaleDataError):
        return (
            "someone else changed this record while you were saving; reload it to see their change"
        )
    if isinstance(exc, OperationalError):
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        if "locked" in reason or "busy" in reason:
            return "the database is busy (another colleague is saving); try again in a moment"
        return f"the database refused the change: {reason}"
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {exc.__class__.__name__}: {exc}"
    return f"{exc.__class__.__name__}: {exc}"
