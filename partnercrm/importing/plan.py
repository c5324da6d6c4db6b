"""What an attendee import will write, decided before it writes anything.

Matching fills a `Plan` with the organisations and contacts to create, the changes to stored
contacts, the attendances and the interest they carry; `plan_interest` then decides which
warm conversations that interest opens or touches and which follow-up steps it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.bulk import chunks
from partnercrm.errors import Invalid
from partnercrm.importing.report import ImportReport

LOOKUP_CHUNK = 900


@dataclass
class EventInfo:
    """The event attendees are recorded at (id None until the import adds it: `create_event`)."""

    id: int | None
    name: str
    held_on: date
    owner_id: int | None


@dataclass(slots=True)
class PlannedContact:
    """A contact as the import sees it: stored (id > 0) or to be created (ref < 0)."""

    ref: int
    name: str
    key: str
    email: str | None
    organisation_id: int | None
    job_title: str | None
    phone: str | None
    consent_date: date | None = None
    changes: dict[str, list[Any]] | None = None


@dataclass(slots=True)
class PlannedAttendance:
    """An attendance to record: who, for which organisation, and any interest (missions, roles)."""

    contact: PlannedContact
    organisation_ref: int | None
    role: str
    registered_at: datetime | None
    interest: tuple[set[int], set[int]] | None = None
    note: str | None = None


@dataclass
class Interest:
    """Interest one organisation expressed in one ask (a role, or None for missions only)."""

    organisation_ref: int
    role_id: int | None
    contacts: list[int] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    missions: set[int] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """Everything the import will write, decided before it writes anything."""

    new_orgs: dict[int, tuple[str, str]] = field(default_factory=dict)
    org_names: dict[int, str] = field(default_factory=dict)
    real_org: dict[int, int] = field(default_factory=dict)
    new_contacts: list[PlannedContact] = field(default_factory=list)
    updates: list[PlannedContact] = field(default_factory=list)
    attendances: list[PlannedAttendance] = field(default_factory=list)
    old_interest: list[tuple[int, list[int], list[int]]] = field(default_factory=list)
    interest_rows: int = 0
    interest: dict[tuple[int, int | None], Interest] = field(default_factory=dict)
    lead_id: int | None = None
    when: date | None = None
    due: date | None = None
    to_open: list[Interest] = field(default_factory=list)
    to_touch: list[tuple[int, Interest]] = field(default_factory=list)
    step_for_touched: list[int] = field(default_factory=list)

    def org_name(self, ref: int | None) -> str | None:
        if ref is None:
            return None
        if ref in self.new_orgs:
            return self.new_orgs[ref][0]
        return self.org_names.get(ref, str(ref))

    def real(self, ref: int) -> int:
        return self.real_org[ref] if ref < 0 else ref


def plan_interest(
    session: Session,
    plan: Plan,
    report: ImportReport,
    event: EventInfo,
    lead: Callable[[], int | None],
    today: date,
    follow_up_days: int,
) -> None:
    """Decide the warm conversations interest opens or touches, and their follow-up steps."""
    report.interest_added = plan.interest_rows
    if not plan.interest:
        return
    plan.lead_id = lead()
    if plan.lead_id is None:
        lines = sorted({line for g in plan.interest.values() for line in g.lines})
        shown = ", ".join(str(x) for x in lines[:5]) + (" …" if len(lines) > 5 else "")
        raise Invalid(
            f"rows on lines {shown} express interest, and a warm conversation needs a lead: "
            "name the colleague who leads them, or give the event an owner",
            field="lead",
        )
    plan.when = min(event.held_on, today)
    plan.due = event.held_on + timedelta(days=follow_up_days)
    existing = _open_conversations(session, {ref for ref, _ in plan.interest if ref > 0})
    for key, group in plan.interest.items():
        conversation = existing.get(key)
        if conversation is None:
            plan.to_open.append(group)
        else:
            plan.to_touch.append((conversation, group))
    report.conversations_opened = len(plan.to_open)
    report.conversations_touched = len(plan.to_touch)
    report.touchpoints_added = len(plan.to_open) + len(plan.to_touch)
    open_steps = _conversations_with_open_steps(session, [c for c, _ in plan.to_touch])
    plan.step_for_touched = [c for c, _ in plan.to_touch if c not in open_steps]
    report.steps_created = len(plan.to_open) + len(plan.step_for_touched)


def _open_conversations(session: Session, org_ids: set[int]) -> dict[tuple[int, int | None], int]:
    c = m.Conversation
    found: dict[tuple[int, int | None], int] = {}
    for chunk in chunks(sorted(org_ids), LOOKUP_CHUNK):
        for ident, org_id, role_id, kind in session.execute(
            select(c.id, c.organisation_id, c.ask_role_id, c.ask_kind)
            .where(
                c.organisation_id.in_(chunk),
                c.stage.in_(list(m.OPEN_STAGES)),
                c.archived.is_(False),
            )
            .order_by(c.last_touch_on.desc(), c.id.desc())
        ):
            if role_id is None and kind is not None:
                continue  # an ask of a kind of commitment is a different ask
            found.setdefault((org_id, role_id), ident)
    return found


def _conversations_with_open_steps(session: Session, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(set(ids)), LOOKUP_CHUNK):
        found.update(
            session.scalars(
                select(m.Step.conversation_id).where(
                    m.Step.conversation_id.in_(chunk), m.Step.done_on.is_(None)
                )
            )
        )
    return found
