"""Assembling a brief: the queries' rows shaped into the plain data object a page is made of.

The queries are in `queries`, the ranking of asks in `asks`, the watch-outs in `watch_outs`;
this module reads the one and hands the rows to the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.dates import as_date
from partnercrm.errors import Archived
from partnercrm.organisations import relationship_stages
from partnercrm.reports.table import number

from .asks import Evidence, Interest, Said, suggest_asks
from .model import (
    KIND_NAMES,
    SECTOR_NAMES,
    AmbassadorRoleHeld,
    Brief,
    ColleagueInContact,
    CommitmentLine,
    EventAttended,
    Glance,
    Header,
    KeyPerson,
    LiveConversation,
    NextStep,
    Prepared,
    Totals,
)
from .queries import EVENTS_SHOWN, KEY_PEOPLE, load_header, peers, reference, statements
from .watch_outs import STALE_DAYS, Watched, watch_outs

COLLEAGUES = 8
EVENT_YEARS = 3


def _day(value: Any) -> date:
    """A date that cannot be missing (a NOT NULL column), as a date on every backend."""
    found = as_date(value)
    assert found is not None
    return found


def _totals(
    gbp: Any = None, hours: Any = None, opportunities: Any = None, people: Any = None
) -> Totals:
    return Totals(
        gbp=number(gbp),
        hours=number(hours),
        opportunities=int(opportunities or 0),
        people=int(people or 0),
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class _Rows:
    """What one brief read: every query's rows (labelled) or records."""

    leads: Sequence[Any]
    touches: Sequence[Any]
    live: Sequence[m.Conversation]
    due_steps: Sequence[Any]
    stale: Sequence[Any]
    in_play: Sequence[Any]
    kinds: Sequence[Any]
    delivered: Any
    committed_missions: set[int]
    shown: Sequence[m.Commitment]
    held: Sequence[m.Ambassadorship]
    attended: Sequence[Any]
    hosted: Sequence[Any]
    interest: Sequence[Any]
    people: Sequence[Any]  # each labelled by its list: senior, engaged or roster

    def people_in(self, name: str) -> list[Any]:
        return [row for row in self.people if row.list == name]


def _read(session: Session, org_id: int, today: date, meeting: date | None) -> _Rows:
    q = statements(session.get_bind().dialect.name)
    params = {
        "org_id": org_id,
        "today": today,
        "stale_before": today - timedelta(days=STALE_DAYS),
        "since": _years_before(today, EVENT_YEARS),
        # open steps already late, or falling due by the meeting
        "horizon": meeting + timedelta(days=1) if meeting and meeting >= today else today,
    }

    def rows(name: str) -> Any:
        return session.execute(getattr(q, name), params).all()

    return _Rows(
        leads=rows("leads"),
        touches=rows("touches"),
        live=session.scalars(q.live, params).unique().all(),
        due_steps=rows("due_steps"),
        stale=rows("stale"),
        in_play=rows("in_play"),
        kinds=rows("kinds"),
        delivered=session.execute(q.delivered, params).one(),
        committed_missions=set(session.scalars(q.committed_missions, params)),
        shown=session.scalars(q.shown, params).unique().all(),
        held=session.scalars(q.held, params).unique().all(),
        attended=rows("attended"),
        hosted=rows("hosted"),
        interest=rows("interest"),
        people=rows("people"),
    )


def build_brief(
    session: Session,
    organisation: m.Organisation,
    *,
    for_colleague: m.Colleague | None = None,
    meeting: date | None = None,
    today: date | None = None,
) -> Brief:
    """Assemble the brokerage brief for one organisation (a plain data object; render it apart)."""
    if organisation.archived:
        raise Archived(
            f"{organisation.name} is archived; restore it to brief on it", organisation.id
        )
    stage = relationship_stages(session, [organisation.id])[organisation.id]
    return assemble_brief(
        session, organisation, stage, for_colleague=for_colleague, meeting=meeting, today=today
    )


def assemble_brief(
    session: Session,
    organisation: m.Organisation,
    stage: m.RelationshipStage,
    *,
    for_colleague: m.Colleague | None = None,
    meeting: date | None = None,
    today: date | None = None,
) -> Brief:
    """`build_brief` with the relationship stage already known (briefs for a whole event derive
    every organisation's stage in one go)."""
    today = today or date.today()
    r = _read(session, organisation.id, today, meeting)
    load_header(session, organisation)
    roles, missions = reference(session)
    counts = _commitment_counts(r.kinds)
    lines = [_commitment(c, today, missions) for c in r.shown]
    open_lines = sorted(
        (c for c in lines if c.status in m.OPEN_COMMITMENT_STATUSES),
        key=lambda c: (c.due is None, c.due or today, c.id),
    )
    delivered_lines, lapsed_lines = (
        sorted(
            (c for c in lines if c.status == status),
            key=lambda c: (c.closed_on or c.agreed_on, c.id),
            reverse=True,
        )
        for status in (m.CommitmentStatus.DELIVERED, m.CommitmentStatus.LAPSED)
    )
    held = [a for a in r.held if a.status != m.AmbassadorStatus.ENDED]
    evidence = Evidence(
        sector=organisation.sector,
        stage=stage,
        held={a.role_id for a in held},
        made_kinds=counts.made_kinds,
        delivered=counts.by_status[m.CommitmentStatus.DELIVERED],
        committed_missions=r.committed_missions | {a.mission_id for a in r.held if a.mission_id},
        interest=_interest(r.interest),
        peers=peers(session, organisation),
        in_play=r.in_play,
        today=today,
    )
    watched = Watched(
        today=today,
        meeting=meeting,
        for_colleague=for_colleague,
        due_rows=r.due_steps,
        stale_rows=r.stale,
        open_commitments=open_lines,
        overdue_commitments=counts.overdue,
        lapsed=lapsed_lines,
        lapsed_count=counts.by_status[m.CommitmentStatus.LAPSED],
        lead_rows=r.leads,
    )
    return Brief(
        organisation=_header(organisation, stage),
        glance=_glance(r, counts, today),
        contacts=_key_people(r.people_in("senior"), r.people_in("engaged"), r.people_in("roster")),
        ambassadorships=[_held(a) for a in held],
        conversations=[_live(c, today) for c in r.live],
        commitments=open_lines + delivered_lines,
        events=_events(r.attended, r.hosted),
        asks=suggest_asks(roles, missions, evidence),
        watch_outs=watch_outs(watched),
        colleagues=_colleagues(r.leads, r.touches, organisation.lead_id),
        prepared=Prepared(
            on=today,
            for_colleague=for_colleague.name if for_colleague else None,
            meeting=meeting,
        ),
    )


def _header(organisation: m.Organisation, stage: m.RelationshipStage) -> Header:
    return Header(
        id=organisation.id,
        name=organisation.name,
        aliases=[a.alias for a in organisation.aliases],
        sector=organisation.sector,
        sector_name=SECTOR_NAMES.get(organisation.sector, organisation.sector),
        anchor=organisation.anchor,
        ward=organisation.ward,
        website=organisation.website,
        stage=stage.value,
        lead=organisation.lead.name if organisation.lead else None,
        notes=organisation.notes,
    )


@dataclass
class _CommitmentCounts:
    by_status: dict[str, int]
    overdue: int  # open commitments past their due date
    made_kinds: set[str]  # kinds committed to (lapsed aside)


def _commitment_counts(kind_rows: Sequence[Any]) -> _CommitmentCounts:
    counts = _CommitmentCounts(by_status=defaultdict(int), overdue=0, made_kinds=set())
    for row in kind_rows:
        counts.by_status[row.status] += row.count
        if row.status in m.OPEN_COMMITMENT_STATUSES:
            counts.overdue += int(row.overdue or 0)
        if row.status != m.CommitmentStatus.LAPSED:
            counts.made_kinds.add(row.kind)
    return counts


def _glance(r: _Rows, counts: _CommitmentCounts, today: date) -> Glance:
    last_touch = max((_day(row.last_touch) for row in r.leads), default=None)
    by_status = counts.by_status
    events = r.attended or r.hosted
    return Glance(
        first_contact=min((_day(row.first_started) for row in r.leads), default=None),
        last_contact=last_touch,
        days_since_contact=(today - last_touch).days if last_touch else None,
        conversations=sum(row.conversations for row in r.leads),
        open_conversations=sum(row.open for row in r.leads),
        commitments_open=by_status[m.CommitmentStatus.AGREED]
        + by_status[m.CommitmentStatus.IN_PROGRESS],
        commitments_delivered=by_status[m.CommitmentStatus.DELIVERED],
        commitments_lapsed=by_status[m.CommitmentStatus.LAPSED],
        delivered=_totals(
            r.delivered.gbp, r.delivered.hours, r.delivered.opportunities, r.delivered.people
        ),
        contacts=next((row.total for row in r.people_in("roster")), 0),
        events=events[0].events_total if events else 0,
    )


def _held(a: m.Ambassadorship) -> AmbassadorRoleHeld:
    return AmbassadorRoleHeld(
        role=a.role.key,
        role_name=a.role.name,
        mission=a.mission.key if a.mission else None,
        mission_name=a.mission.name if a.mission else None,
        status=a.status,
        since=a.since,
    )


def _interest(rows: Sequence[Any]) -> Interest:
    interest = Interest()
    for row in rows:
        target = interest.missions if row.what == "mission" else interest.roles
        target.setdefault(row.ident, []).append(Said(row.event_name, _day(row.held_on), row.person))
    for found in (*interest.missions.values(), *interest.roles.values()):
        found.sort(key=lambda said: said.on, reverse=True)
    return interest


def _key_people(senior: Any, engaged: Any, roster: Any) -> list[KeyPerson]:
    """The most senior people (most recently engaged first), then the most recently engaged others."""

    def recency(row: Any) -> tuple[bool, int, str]:
        last = as_date(row.last_touch)
        return (last is None, -last.toordinal() if last else 0, row.name.lower())

    def person(row: Any, senior: bool, why: str) -> KeyPerson:
        return KeyPerson(
            name=row.name,
            job_title=row.job_title,
            senior=senior,
            last_touch=as_date(row.last_touch),
            why=why,
        )

    out = [person(row, True, "senior") for row in sorted(senior, key=recency)]
    chosen = {row.contact_id for row in senior}
    out += [
        person(row, False, "recently engaged")
        for row in sorted(engaged, key=recency)
        if row.contact_id not in chosen
    ][:KEY_PEOPLE]
    if not out:
        # nobody senior and nobody engaged yet: still name who we know there
        out = [
            KeyPerson(
                name=row.name,
                job_title=row.job_title,
                senior=False,
                last_touch=None,
                why="on record",
            )
            for row in roster
        ]
    return out


def _live(conv: m.Conversation, today: date) -> LiveConversation:
    open_steps = sorted(
        (s for s in conv.steps if s.done_on is None), key=lambda s: (s.due_on, s.id)
    )
    step = open_steps[0] if open_steps else None
    role = conv.ask_role
    return LiveConversation(
        id=conv.id,
        stage=conv.stage,
        lead=conv.lead.name,
        ask=role.key if role else conv.ask_kind,
        ask_name=role.name if role else (KIND_NAMES.get(conv.ask_kind or "") or conv.ask_kind),
        subject=conv.subject,
        missions=[mi.name for mi in conv.missions],
        started_on=conv.started_on,
        last_touch=conv.last_touch_on,
        days_since_touch=(today - conv.last_touch_on).days,
        next_step=(
            NextStep(
                description=step.description,
                owner=step.owner.name,
                due=step.due_on,
                overdue=step.due_on < today,
            )
            if step
            else None
        ),
        overdue_steps=sum(1 for s in open_steps if s.due_on < today),
    )


def _commitment(c: m.Commitment, today: date, missions: dict[int, m.Mission]) -> CommitmentLine:
    stories = [d.story for d in c.deliveries if d.story]
    return CommitmentLine(
        id=c.id,
        kind=c.kind,
        kind_name=KIND_NAMES.get(c.kind, c.kind),
        status=c.status,
        missions=[mi.name for mi in c.missions],
        beneficiary=c.beneficiary,
        agreed_on=c.agreed_on,
        due=c.due_on,
        closed_on=c.closed_on,
        overdue=c.status in m.OPEN_COMMITMENT_STATUSES
        and c.due_on is not None
        and c.due_on < today,
        promised=_totals(
            c.promised_gbp, c.promised_hours, c.promised_opportunities, c.promised_people
        ),
        delivered=_totals(
            sum((d.gbp or 0) for d in c.deliveries),
            sum((d.hours or 0) for d in c.deliveries),
            sum((d.opportunities or 0) for d in c.deliveries),
            sum((d.people or 0) for d in c.deliveries),
        ),
        story=stories[-1] if stories else None,
    )


def _events(attended: Any, hosted: Any) -> list[EventAttended]:
    out: dict[int, EventAttended] = {}
    for row in hosted:
        out[row.event_id] = EventAttended(
            name=row.event_name, kind=row.kind, date=_day(row.held_on), hosted=True, people=[]
        )
    for row in attended:
        entry = out.setdefault(
            row.event_id,
            EventAttended(
                name=row.event_name, kind=row.kind, date=_day(row.held_on), hosted=False, people=[]
            ),
        )
        person, role = row.person, row.role
        entry.people.append(person if role == m.AttendanceRole.ATTENDEE else f"{person} ({role})")
        entry.others = row.people - len(entry.people)
    return sorted(out.values(), key=lambda e: e.date, reverse=True)[:EVENTS_SHOWN]


def _colleagues(lead_rows: Any, touch_rows: Any, lead_id: int | None) -> list[ColleagueInContact]:
    found: dict[int, ColleagueInContact] = {}
    for row in lead_rows:
        found[row.colleague_id] = ColleagueInContact(
            name=row.name,
            team=row.team,
            last_contact=None,
            conversations=row.conversations,
            open_conversations=row.open,
            touchpoints=0,
            is_lead=row.colleague_id == lead_id,
        )
    for row in touch_rows:
        entry = found.setdefault(
            row.colleague_id,
            ColleagueInContact(
                name=row.name,
                team=row.team,
                last_contact=None,
                conversations=0,
                open_conversations=0,
                touchpoints=0,
                is_lead=row.colleague_id == lead_id,
            ),
        )
        entry.touchpoints = row.touchpoints
        entry.last_contact = as_date(row.last_touch)
    return sorted(
        found.values(),
        key=lambda c: (
            c.last_contact is None,
            -(c.last_contact.toordinal()) if c.last_contact else 0,
            c.name,
        ),
    )[:COLLEAGUES]
