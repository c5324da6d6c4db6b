"""What a colleague's digest holds, section by section, read through the reports' own rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from partnercrm import events
from partnercrm import models as m
from partnercrm.colleagues import list_colleagues
from partnercrm.labels import day
from partnercrm.reports import STALE_DAYS, Filters, commitments_due, month_of, stale, steps_for

COLD_DAYS = STALE_DAYS  # cold: what the dashboard and the stale report call stale
EVENTS_AHEAD_DAYS = 14
INTEREST_DAYS = 14  # attendees of events held this recently are "new"

SECTIONS = [
    ("overdue", "Overdue steps"),
    ("this_week", "Steps due this week"),
    ("cold", "Conversations gone cold"),
    ("commitments", "Commitments due this month"),
    ("events", "Events coming up"),
    ("interest", "New attendees who expressed interest"),
]


# what acts on an item, by what it does
ACTIONS = (
    "step_done",  # mark the step done
    "touch_conversation",  # add a touchpoint to the conversation
    "deliver_commitment",  # record a delivery on the commitment
    "brief_event",  # the briefs for everyone at the event
    "show_partner",
    "show_event",
)


@dataclass(frozen=True)
class Action:
    """What acts on an item, named by what it does: the CLI says it as a command, the TUI
    as its keys (the library names neither)."""

    kind: str  # one of ACTIONS
    ident: int  # the step's, conversation's, commitment's, event's or organisation's id
    name: str | None = None  # the event's name, for its briefs

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.ident, "name": self.name}


@dataclass
class DigestItem:
    text: str  # what it is, in words
    on: date | None  # the date that matters (due, last touch, event day)
    action: Action  # what acts on it

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "date": self.on.isoformat() if self.on else None,
            "action": self.action.as_dict(),
        }


@dataclass
class DigestSection:
    key: str
    title: str
    items: list[DigestItem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "items": [i.as_dict() for i in self.items]}


@dataclass
class Digest:
    colleague_id: int
    colleague: str
    email: str
    today: date
    sections: list[DigestSection]

    @property
    def empty(self) -> bool:
        """Nothing to do: no digest is printed or sent."""
        return not any(s.items for s in self.sections)

    def section(self, key: str) -> DigestSection:
        return next(s for s in self.sections if s.key == key)

    @property
    def subject(self) -> str:
        counts = [f"{len(s.items)} {s.title.lower()}" for s in self.sections if s.items]
        return f"partnercrm digest for {day(self.today, self.today, weekday=True)}: " + ", ".join(
            counts[:3]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "colleague_id": self.colleague_id,
            "colleague": self.colleague,
            "email": self.email,
            "today": self.today.isoformat(),
            "sections": [s.as_dict() for s in self.sections],
        }


def digests_for(
    session: Session, colleagues: Sequence[m.Colleague] | None = None, *, today: date | None = None
) -> list[Digest]:
    """One digest per colleague (every active colleague when none are given), empty ones too."""
    chosen = list(colleagues) if colleagues is not None else list_colleagues(session)
    return [digest_for(session, c, today=today) for c in chosen]


def digest_for(session: Session, colleague: m.Colleague, *, today: date | None = None) -> Digest:
    """A colleague's digest, today."""
    today = today or date.today()
    sections = {key: DigestSection(key, title) for key, title in SECTIONS}
    mine = steps_for(session, colleague.id, today=today)
    for key, lines in (("overdue", mine.overdue), ("this_week", mine.this_week)):
        for line in lines:
            late = f", {line.days_overdue} days overdue" if line.days_overdue else ""
            sections[key].items.append(
                DigestItem(
                    f"{line.description} — {line.organisation} (step {line.step_id}, "
                    f"due {day(line.due, today, weekday=True)}{late})",
                    line.due,
                    Action("step_done", line.step_id),
                )
            )
    led = Filters(lead_id=colleague.id, lead=colleague.name)
    for row in stale(session, led, days=COLD_DAYS, today=today).rows:
        about = f": {row.subject}" if row.subject else ""
        sections["cold"].items.append(
            DigestItem(
                f"{row.organisation}{about} (conversation {row.conversation_id}, "
                f"no touch for {row.days_since} days)",
                row.last_touch,
                Action("touch_conversation", row.conversation_id),
            )
        )
    for c in commitments_due(session, *month_of(today), led):
        for_whom = f" for {c.beneficiary}" if c.beneficiary else ""
        sections["commitments"].items.append(
            DigestItem(
                f"{c.kind.replace('_', ' ')} from {c.organisation}{for_whom} (commitment "
                f"{c.commitment_id}, {c.status.replace('_', ' ')}, due {day(c.due, today, weekday=True)})",
                c.due,
                Action("deliver_commitment", c.commitment_id),
            )
        )
    for event in _events_for(session, colleague, today):
        host = f", hosted by {event.host.name}" if event.host else ""
        sections["events"].items.append(
            DigestItem(
                f"{event.name} ({event.kind}{host}) on {day(event.held_on, today, weekday=True)}",
                event.held_on,
                Action("brief_event", event.id, event.name),
            )
        )
    for attendance in _new_interest(session, colleague, today):
        interest = [mi.name for mi in attendance.interest_missions] + [
            r.name for r in attendance.interest_roles
        ]
        if attendance.note:
            interest.append(f"“{attendance.note[:120]}”")
        org = attendance.organisation
        org_name = org.name if org else "no organisation"
        sections["interest"].items.append(
            DigestItem(
                f"{attendance.contact.name} ({org_name}) at {attendance.event.name}: "
                f"interested in {', '.join(interest)}",
                attendance.event.held_on,
                Action("show_partner", org.id)
                if org
                else Action("show_event", attendance.event.id),
            )
        )
    return Digest(
        colleague_id=colleague.id,
        colleague=colleague.name,
        email=colleague.email,
        today=today,
        sections=list(sections.values()),
    )


def _events_for(session: Session, colleague: m.Colleague, today: date) -> list[m.Event]:
    """Events in the next fortnight that the colleague owns, or that nobody owns."""
    return [
        e
        for e in events.upcoming(session, today=today, days=EVENTS_AHEAD_DAYS)
        if e.owner_id in (None, colleague.id)
    ]


def _new_interest(session: Session, colleague: m.Colleague, today: date) -> list[m.Attendance]:
    """People who expressed interest at an event held in the last fortnight, at a partner the
    colleague is relationship lead for (or, for a partner without a lead, at the colleague's
    own event)."""
    a, e, o = m.Attendance, m.Event, m.Organisation
    interested = or_(
        exists().where(m.attendance_mission.c.attendance_id == a.id),
        exists().where(m.attendance_role.c.attendance_id == a.id),
        a.note.is_not(None),  # an answer naming no mission or role ("yes", free text)
    )
    q = (
        select(a)
        .join(e, e.id == a.event_id)
        .outerjoin(o, o.id == a.organisation_id)
        .options(
            selectinload(a.contact),
            selectinload(a.organisation),
            selectinload(a.event),
            selectinload(a.interest_missions),
            selectinload(a.interest_roles),
        )
        .where(
            e.held_on <= today,
            e.held_on > today - timedelta(days=INTEREST_DAYS),
            interested,
            or_(o.lead_id == colleague.id, (o.lead_id.is_(None)) & (e.owner_id == colleague.id)),
            or_(o.archived.is_(False), o.id.is_(None)),
        )
        .order_by(e.held_on.desc(), a.id)
    )
    return [att for att in session.scalars(q) if att.contact.erased_at is None]
