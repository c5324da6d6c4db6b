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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from partnercrm import (
    ambassadors,
    commitments,
    events,
    history,
    labels,
    organisations,
)
from partnercrm import models as m
from partnercrm.reports.table import number

HISTORY_SHOWN = 300


@dataclass(slots=True)
class StepLine:
    id: int
    description: str
    owner: str
    due: date
    done: date | None


@dataclass(slots=True)
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


@dataclass(slots=True)
class PersonLine:
    id: int
    name: str
    job_title: str
    email: str
    phone: str
    senior: bool


@dataclass(slots=True)
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


@dataclass(slots=True)
class RoleLine:
    id: int
    role: str
    mission: str
    status: str
    since: date
    changed: date


@dataclass(slots=True)
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
    return PartnerPage(
        id=org.id,
        name=org.name,
        archived=org.archived,
        sector=labels.sector(org.sector),
        anchor=org.anchor,
        stage=labels.label(organisations.relationship_stage(session, org), "relationship_stage"),
        lead=org.lead.name if org.lead else None,
        aliases=[a.alias for a in org.aliases],
        people=_people(session, org.id),
        threads=_threads(session, org.id),
        commitments=_commitments(session, org.id),
        roles=[_role(a) for a in ambassadors.list_ambassadorships(session, organisation=org)],
        events=[_event(e) for e in events.events_attended(session, org)],
        history=history.readable(
            session,
            history.entries(session, organisation_id=org.id, limit=history_limit),
            today,
        ),
    )


def _people(session: Session, organisation_id: int) -> list[PersonLine]:
    p = m.Contact
    rows = session.execute(
        select(p.id, p.name, p.job_title, p.email, p.phone, p.senior)
        .where(p.organisation_id == organisation_id, p.erased_at.is_(None), p.archived.is_(False))
        .order_by(func.lower(p.name), p.id)
    )
    return [
        PersonLine(r.id, r.name, r.job_title or "", r.email or "", r.phone or "", r.senior)
        for r in rows
    ]


def _touches(session: Session, theirs: Any) -> dict[int, list[TouchLine]]:
    """The touchpoints of the conversations `theirs` selects, newest first, by conversation."""
    t = m.Touchpoint
    touches: dict[int, list[TouchLine]] = defaultdict(list)
    colleague, contact = aliased(m.Colleague), aliased(m.Contact)
    for row in session.execute(
        select(
            t.id,
            t.conversation_id,
            t.happened_on,
            t.channel,
            t.note,
            colleague.name.label("colleague"),
            contact.name.label("contact"),
        )
        .outerjoin(colleague, colleague.id == t.colleague_id)
        .outerjoin(contact, contact.id == t.contact_id)
        .where(t.conversation_id.in_(theirs))
        .order_by(t.happened_on.desc(), t.id.desc())
    ):
        who = ", ".join(name for name in (row.colleague, row.contact) if name)
        channel = labels.label(row.channel, "channel")
        touches[row.conversation_id].append(
            TouchLine(row.id, row.happened_on, channel, who, row.note or "")
        )
    return touches


def _threads(session: Session, organisation_id: int) -> list[Thread]:
    """Every conversation with its steps and touchpoints: four reads of labelled rows, however
    many conversations there are (the ORM's objects cost more here than the queries)."""
    c, st = m.Conversation, m.Step
    lead, owner, role = aliased(m.Colleague), aliased(m.Colleague), m.AmbassadorRole
    theirs = select(c.id).where(c.organisation_id == organisation_id, c.archived.is_(False))
    rows = session.execute(
        select(
            c.id,
            c.subject,
            c.stage,
            c.started_on,
            c.last_touch_on,
            c.ask_kind,
            lead.name.label("lead"),
            role.name.label("role"),
        )
        .join(lead, lead.id == c.lead_id)
        .outerjoin(role, role.id == c.ask_role_id)
        .where(c.organisation_id == organisation_id, c.archived.is_(False))
        .order_by(c.last_touch_on.desc(), c.id.desc())
    ).all()
    missions: dict[int, list[str]] = defaultdict(list)
    cm = m.conversation_mission
    for row in session.execute(
        select(cm.c.conversation_id, m.Mission.name)
        .join(m.Mission, m.Mission.id == cm.c.mission_id)
        .where(cm.c.conversation_id.in_(theirs))
        .order_by(m.Mission.id)
    ):
        missions[row.conversation_id].append(row.name)
    steps: dict[int, list[StepLine]] = defaultdict(list)
    for row in session.execute(
        select(st.id, st.conversation_id, st.description, owner.name, st.due_on, st.done_on)
        .join(owner, owner.id == st.owner_id)
        .where(st.conversation_id.in_(theirs))
        .order_by(st.due_on, st.id)
    ):
        steps[row.conversation_id].append(
            StepLine(row.id, row.description, row.name, row.due_on, row.done_on)
        )
    touches = _touches(session, theirs)
    threads = []
    for row in rows:
        own = steps[row.id]
        still_open = [s for s in own if s.done is None]
        threads.append(
            Thread(
                id=row.id,
                about=row.subject or row.role or labels.kind(row.ask_kind) or "—",
                stage=labels.label(row.stage, "stage"),
                lead=row.lead,
                missions=", ".join(missions[row.id]),
                started=row.started_on,
                last_touch=row.last_touch_on,
                next_step=still_open[0] if still_open else None,
                steps=own,
                touchpoints=touches[row.id],
            )
        )
    return threads


def _commitments(session: Session, organisation_id: int) -> list[CommitmentLine]:
    """The partner's commitments with their missions, delivered totals and latest story."""
    c, d, cm = m.Commitment, m.Delivery, m.commitment_mission
    theirs = select(c.id).where(c.organisation_id == organisation_id)
    rows = (
        session.execute(
            select(c)
            .where(c.organisation_id == organisation_id)
            .order_by(c.agreed_on.desc(), c.id.desc())
        )
        .scalars()
        .all()
    )
    missions: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(
        select(cm.c.commitment_id, m.Mission.name)
        .join(m.Mission, m.Mission.id == cm.c.mission_id)
        .where(cm.c.commitment_id.in_(theirs))
        .order_by(m.Mission.id)
    ):
        missions[row.commitment_id].append(row.name)
    delivered: dict[int, dict[str, Any]] = {}
    stories: dict[int, str] = {}
    for row in session.execute(
        select(d.commitment_id, d.opportunities, d.people, d.gbp, d.hours, d.story)
        .where(d.commitment_id.in_(theirs))
        .order_by(d.delivered_on, d.id)
    ):
        totals = delivered.setdefault(
            row.commitment_id, {"opportunities": 0, "people": 0, "gbp": 0, "hours": 0}
        )
        for key in totals:
            totals[key] += getattr(row, key) or 0
        if row.story:
            stories[row.commitment_id] = row.story
    return [
        CommitmentLine(
            id=x.id,
            kind=labels.kind(x.kind),
            status=labels.status(x.status),
            missions=", ".join(missions[x.id]),
            beneficiary=x.beneficiary or "",
            due=x.due_on,
            promised=commitments.figures_text(
                {
                    "gbp": number(x.promised_gbp),
                    "hours": number(x.promised_hours),
                    "opportunities": x.promised_opportunities,
                    "people": x.promised_people,
                }
            ),
            delivered=commitments.figures_text(
                {k: number(v) for k, v in delivered.get(x.id, {}).items()}
            ),
            latest_story=stories.get(x.id, ""),
        )
        for x in rows
    ]


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
