"""One partner's page, read in a fixed number of statements whatever its size.

The TUI's partner screen renders this read model; nothing on it is worked out again in
`tui/`. Codes are already words (partnercrm.labels), dates are `date`s for the screen to
show with `labels.day()`, and the history is `history.readable()`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from partnercrm import (
    ambassadors,
    commitments,
    contacts,
    conversations,
    events,
    history,
    labels,
    organisations,
)
from partnercrm import models as m

HISTORY_SHOWN = 300


@dataclass(frozen=True)
class StepLine:
    id: int
    description: str
    owner: str
    due: date
    done: date | None


@dataclass(frozen=True)
class TouchLine:
    id: int
    on: date
    channel: str
    who: str
    note: str


@dataclass
class Thread:
    """A conversation as its row and its thread of steps and touchpoints."""

    id: int
    about: str
    stage: str
    lead: str
    missions: str
    started: date
    last_touch: date
    next_step: StepLine | None
    steps: list[StepLine] = field(default_factory=list)
    touchpoints: list[TouchLine] = field(default_factory=list)


@dataclass(frozen=True)
class PersonLine:
    id: int
    name: str
    job_title: str
    email: str
    phone: str
    senior: bool


@dataclass(frozen=True)
class CommitmentLine:
    id: int
    kind: str
    status: str
    missions: str
    beneficiary: str
    due: date | None
    promised: str
    delivered: str
    latest_story: str


@dataclass(frozen=True)
class RoleLine:
    id: int
    role: str
    mission: str
    status: str
    since: date
    changed: date


@dataclass(frozen=True)
class EventLine:
    id: int
    on: date
    name: str
    kind: str
    hosted: bool
    people: str


@dataclass
class PartnerPage:
    id: int
    name: str
    archived: bool
    sector: str
    anchor: bool
    stage: str
    lead: str | None
    aliases: list[str]
    people: list[PersonLine]
    threads: list[Thread]
    commitments: list[CommitmentLine]
    roles: list[RoleLine]
    events: list[EventLine]
    history: list[history.HistoryLine]

    def thread(self, conversation_id: int | None) -> Thread | None:
        return next((t for t in self.threads if t.id == conversation_id), None)


def load(
    session: Session, organisation_id: int, today: date, *, history_limit: int = HISTORY_SHOWN
) -> PartnerPage:
    """The whole page for one organisation (contacts, conversations with their threads,
    commitments, ambassador roles, events and history)."""
    org = session.scalars(
        select(m.Organisation)
        .where(m.Organisation.id == organisation_id)
        .options(selectinload(m.Organisation.aliases), selectinload(m.Organisation.lead))
    ).one_or_none()
    if org is None:
        from partnercrm.errors import NotFound

        raise NotFound("organisation", str(organisation_id))
    found = conversations.list_conversations(session, organisation=org, include_closed=True)
    return PartnerPage(
        id=org.id,
        name=org.name,
        archived=org.archived,
        sector=labels.sector(org.sector),
        anchor=org.anchor,
        stage=labels.label(organisations.relationship_stage(session, org), "relationship_stage"),
        lead=org.lead.name if org.lead else None,
        aliases=[a.alias for a in org.aliases],
        people=[_person(c) for c in contacts.list_contacts(session, org)],
        threads=_threads(session, found),
        commitments=[
            _commitment(c) for c in commitments.list_commitments(session, organisation=org)
        ],
        roles=[_role(a) for a in ambassadors.list_ambassadorships(session, organisation=org)],
        events=[_event(e) for e in events.events_attended(session, org)],
        history=history.readable(
            session,
            history.entries(session, organisation_id=org.id, limit=history_limit),
            today,
        ),
    )


def _person(c: m.Contact) -> PersonLine:
    return PersonLine(c.id, c.name, c.job_title or "", c.email or "", c.phone or "", c.senior)


def _step(s: m.Step) -> StepLine:
    return StepLine(s.id, s.description, s.owner.name, s.due_on, s.done_on)


def _threads(session: Session, found: list[m.Conversation]) -> list[Thread]:
    """Every conversation with its steps (loaded with it) and touchpoints (one more read)."""
    by_conversation: dict[int, list[TouchLine]] = defaultdict(list)
    if found:
        t = m.Touchpoint
        rows = session.scalars(
            select(t)
            .where(t.conversation_id.in_([c.id for c in found]))
            .options(selectinload(t.colleague), selectinload(t.contact))
            .order_by(t.happened_on.desc(), t.id.desc())
        )
        for tp in rows:
            who = ", ".join(p.name for p in (tp.colleague, tp.contact) if p is not None)
            by_conversation[tp.conversation_id].append(
                TouchLine(
                    tp.id, tp.happened_on, labels.label(tp.channel, "channel"), who, tp.note or ""
                )
            )
    threads = []
    for c in found:
        step = conversations.next_step(c)
        ask = c.ask_role.name if c.ask_role else labels.kind(c.ask_kind)
        threads.append(
            Thread(
                id=c.id,
                about=c.subject or ask or "—",
                stage=labels.label(c.stage, "stage"),
                lead=c.lead.name,
                missions=", ".join(mi.name for mi in c.missions),
                started=c.started_on,
                last_touch=c.last_touch_on,
                next_step=_step(step) if step else None,
                steps=[_step(s) for s in sorted(c.steps, key=lambda s: (s.due_on, s.id))],
                touchpoints=by_conversation[c.id],
            )
        )
    return threads


def _commitment(c: m.Commitment) -> CommitmentLine:
    stories = [d.story for d in c.deliveries if d.story]
    return CommitmentLine(
        id=c.id,
        kind=labels.kind(c.kind),
        status=labels.status(c.status),
        missions=", ".join(mi.name for mi in c.missions),
        beneficiary=c.beneficiary or "",
        due=c.due_on,
        promised=commitments.figures_text(commitments.commitment_dict(c)["promised"]),
        delivered=commitments.figures_text(commitments.delivered_totals(c)),
        latest_story=stories[-1] if stories else "",
    )


def _role(a: m.Ambassadorship) -> RoleLine:
    return RoleLine(
        id=a.id,
        role=a.role.name,
        mission=a.mission.name if a.mission else "any",
        status=labels.label(a.status, "ambassador_status"),
        since=a.since,
        changed=a.status_changed_on,
    )


def _event(e: dict[str, Any]) -> EventLine:
    return EventLine(
        id=e["id"],
        on=date.fromisoformat(e["date"]),
        name=e["name"],
        kind=labels.label(e["kind"], "event_kind"),
        hosted=e["hosted"],
        people=", ".join(e["people"]),
    )
