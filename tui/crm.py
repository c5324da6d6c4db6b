"""What screens and dialogs may ask of the app, and of the screen beneath them, as protocols.

Screens and dialogs name these instead of `tui.app.PartnerApp` or `PartnerScreen`, so the
layers stay one way round (app > screens > dialogs > widgets, checked by import-linter).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack, runtime_checkable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from partnercrm.database import Database


class Spot(TypedDict, total=False):
    """Where a partner's page opens: on `tab`, with the cursor on the record `row` (a contact's
    id …) and, in a conversation's thread, on `detail` ('touch:12', 'step:3')."""

    tab: str | None
    row: int | None
    detail: str | None


class CRM(Protocol):
    """The running app as its screens see it: the database, today, and where to go next."""

    db: Database
    blink: bool

    @property
    def today(self) -> date: ...

    def reading(self) -> AbstractContextManager[Session]: ...

    def transaction(self) -> AbstractContextManager[Session]: ...

    def open_partner(self, organisation_id: int, **spot: Unpack[Spot]) -> None:
        """The partner's page, opened at `spot` (a tab, a record, a line of a thread)."""
        ...

    def open_event(self, event_id: int) -> None: ...

    def open_action(self, key: str, organisation_id: int | None = None, **context: Any) -> None: ...


@runtime_checkable
class OnPartner(Protocol):
    """A screen about one partner: an action run from it acts on that partner."""

    organisation_id: int

    def context(self) -> dict[str, int | None]:
        """What the cursor points at (conversation, commitment, step …) for a form to open on."""
        ...


@runtime_checkable
class Unsaved(Protocol):
    """A screen that may hold typing not yet saved (quitting asks first)."""

    def has_unsaved(self) -> bool: ...
