"""Turning what went wrong into one sentence a person can act on."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from partnercrm import database_errors


def explain(exc: BaseException) -> str:
    """One clear sentence for a failed read or save; never a traceback, SQL or parameters."""
    if isinstance(exc, StaleDataError):
        return (
            "someone else changed this record while you were saving; reload it to see their change"
        )
    explained = database_errors.explain(exc)
    if explained is not None:
        return str(explained)
    return f"{exc.__class__.__name__}: {exc}"
