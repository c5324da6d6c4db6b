"""Assembling a brief: a fixed number of grouped queries, however long the partner's history.

Every list in a brief is either an aggregate or a LIMITed query, so a partner with 500
conversations costs the same number of statements as one with five.
"""

from __future__ import annotations

import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from partnercrm import models as m
from partnercrm.dates import as_date
from partnercrm.errors import Archived
from partnercrm.organisations import relationship_stages

from .model import (
    KIND_NAMES,
    KIND_WORDS,
    SECTOR_NAMES,
    AmbassadorRoleHeld,
    Ask,
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
    WatchOut,
)

LIVE_CONVERSATIONS = 8  # one page: the most recently touched live conversations
COMMITMENTS_PER_STATUS = 5
KEY_PEOPLE = 3  # senior people, then as many again recently engaged
RECENT_ENGAGEMENTS = 20  # the latest touchpoints, conversations and events looked at for people
PEOPLE_PER_EVENT = 6
EVENTS_SHOWN = 6
COLLEAGUES = 8
STALE_DAYS = 60
EVENT_YEARS = 3
WATCH_EXAMPLES = 3
ASKS = 3

SENIOR_TITLE_WORDS = (
    "chief",
    "director",
    "head",
    "president",
    "provost",
    "vice-chancellor",
    "principal",
    "chair",
    "founder",
    "partner",
    "ceo",
    "cfo",
    "coo",
    "dean",
)

# which roles suit a partner at each relationship stage: a first ask is light, later ones deeper
STAGE_FIT = {
    m.RelationshipStage.PROSPECT: ("recognition", "advocate"),
    m.RelationshipStage.INITIATE: ("recognition", "advocate"),
    m.RelationshipStage.CONVERT: ("advocate", "sponsorship"),
    m.RelationshipStage.GROW: ("sponsorship", "research"),
    m.RelationshipStage.SUSTAIN: ("sponsorship", "research"),
}

STAGE_WORDS = {
    m.RelationshipStage.PROSPECT: "A light first ask of a partner we have not yet worked with",
    m.RelationshipStage.INITIATE: "A light first ask while conversations are warm but nothing is agreed",
    m.RelationshipStage.CONVERT: "The usual next step once a first commitment is agreed",
    m.RelationshipStage.GROW: "Suits a partner that already delivers with us",
    m.RelationshipStage.SUSTAIN: "Suits a long-standing partner with a record of delivery",
}

# "2 other businesses made research commitments"
SECTOR_PEERS = {
    "business": ("business", "businesses"),
    "public_sector": ("public body", "public bodies"),
    "higher_education": ("university or college", "universities and colleges"),
    "vcs": ("voluntary or community organisation", "voluntary and community organisations"),
    "social_action": ("social action organisation", "social action organisations"),
    "culture": ("cultural organisation", "cultural organisations"),
}


def _day(value: Any) -> date:
    """A date that cannot be missing (a NOT NULL column), as a date on every backend."""
    found = as_date(value)
    assert found is not None
    return found


def _num(value: Any) -> float | int:
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _totals(
    gbp: Any = None, hours: Any = None, opportunities: Any = None, people: Any = None
) -> Totals:
    return Totals(
        gbp=_num(gbp),
        hours=_num(hours),
        opportunities=int(opportunities or 0),
        people=int(people or 0),
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class _Interest:
    """What the partner's people said they were interested in at events."""

    missions: dict[int, list[tuple[str, date, str]]] = field(default_factory=dict)
    roles: dict[int, list[tuple[str, date, str]]] = field(default_factory=dict)


class _Greatest(FunctionElement[Any]):
    """The largest of its arguments: greatest() in PostgreSQL, max() with several in SQLite."""

    name = "greatest"
    inherit_cache = True
    type = Date()


@compiles(_Greatest)
def _greatest(element: Any, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(_Greatest, "sqlite")
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class _Statements:
    leads: Any
    touches: Any
    live: Any
    due_steps: Any
    stale: Any
    in_play: Any
    kinds: Any
    delivered: Any
    committed_missions: Any
    shown: Any
    held: Any
    attended: Any
    hosted: Any
    interest: Any
    senior_people: Any
    engaged_people: Any
    roster: Any


@cache
def _statements() -> _Statements:
    """Every query a brief runs, built once with bound parameters (org_id, today, stale_before,
    since, horizon): building SQLAlchemy statements costs more than running these ones."""
    C, S, T, Cm, Co = m.Conversation, m.Step, m.Touchpoint, m.Commitment, m.Colleague
    E, A, Ct, D = m.Event, m.Attendance, m.Contact, m.Delivery
    org_id = bindparam("org_id", type_=Integer)
    today = bindparam("today", type_=Date)
    live = and_(C.organisation_id == org_id, C.archived.is_(False))
    is_open = C.stage.in_(m.OPEN_STAGES)

    # grouped by lead: who talks to them, and (summed) the conversation totals
    leads = (
        select(
            Co.id,
            Co.name,
            Co.team,
            func.count(),
            func.count().filter(is_open),
            func.max(C.last_touch_on),
            func.min(C.started_on),
        )
        .join(Co, Co.id == C.lead_id)
        .where(live)
        .group_by(Co.id, Co.name, Co.team)
    )
    touches = (
        select(Co.id, Co.name, Co.team, func.count(), func.max(T.happened_on))
        .join(C, C.id == T.conversation_id)
        .join(Co, Co.id == T.colleague_id)
        .where(live, T.archived.is_(False))
        .group_by(Co.id, Co.name, Co.team)
    )
    # the most recently touched live conversations, loaded whole
    live_conversations = (
        select(C)
        .where(live, is_open)
        .options(
            joinedload(C.lead),
            joinedload(C.ask_role),
            selectinload(C.missions),
            selectinload(C.steps).joinedload(S.owner),
        )
        .order_by(C.last_touch_on.desc(), C.id.desc())
        .limit(LIVE_CONVERSATIONS)
    )
    due_steps = (
        select(
            S.description,
            S.due_on,
            Co.name,
            C.id,
            C.subject,
            func.count().over(),
            func.sum(case((S.due_on < today, 1), else_=0)).over(),
        )
        .join(C, C.id == S.conversation_id)
        .join(Co, Co.id == S.owner_id)
        .where(live, S.done_on.is_(None), S.due_on < bindparam("horizon", type_=Date))
        .order_by(S.due_on, S.id)
        .limit(WATCH_EXAMPLES)
    )
    stale = (
        select(C.id, C.subject, C.last_touch_on, Co.name, func.count().over())
        .join(Co, Co.id == C.lead_id)
        .where(live, is_open, C.last_touch_on <= bindparam("stale_before", type_=Date))
        .order_by(C.last_touch_on, C.id)
        .limit(WATCH_EXAMPLES)
    )
    # asks already on the table in open conversations, by role or kind
    in_play = (
        select(C.ask_role_id, C.ask_kind, func.count(), func.max(Co.name))
        .join(Co, Co.id == C.lead_id)
        .where(live, is_open)
        .group_by(C.ask_role_id, C.ask_kind)
    )

    # commitments: counts by kind and status, delivered totals, then a few of each loaded
    is_overdue = and_(Cm.due_on.is_not(None), Cm.due_on < today)
    kinds = (
        select(Cm.kind, Cm.status, func.count(), func.sum(case((is_overdue, 1), else_=0)))
        .where(Cm.organisation_id == org_id)
        .group_by(Cm.kind, Cm.status)
    )
    delivered = (
        select(func.sum(D.gbp), func.sum(D.hours), func.sum(D.opportunities), func.sum(D.people))
        .join(Cm, Cm.id == D.commitment_id)
        .where(Cm.organisation_id == org_id)
    )
    committed_missions = (
        select(m.commitment_mission.c.mission_id)
        .join(Cm, Cm.id == m.commitment_mission.c.commitment_id)
        .where(Cm.organisation_id == org_id, Cm.status != m.CommitmentStatus.LAPSED)
        .distinct()
    )

    def few(condition: Any, *order: Any) -> Any:
        inner = (
            select(Cm.id)
            .where(Cm.organisation_id == org_id, condition)
            .order_by(*order)
            .limit(COMMITMENTS_PER_STATUS)
            .subquery()
        )
        return select(inner.c.id)

    wanted = union_all(
        few(Cm.status.in_(m.OPEN_COMMITMENT_STATUSES), Cm.due_on.is_(None), Cm.due_on, Cm.id),
        few(Cm.status == m.CommitmentStatus.DELIVERED, Cm.closed_on.desc(), Cm.id.desc()),
        few(Cm.status == m.CommitmentStatus.LAPSED, Cm.closed_on.desc(), Cm.id.desc()),
    ).subquery()
    shown = (
        select(Cm)
        .where(Cm.id.in_(select(wanted.c.id)))
        .options(selectinload(Cm.missions), selectinload(Cm.deliveries))
    )

    held = (
        select(m.Ambassadorship)
        .where(m.Ambassadorship.organisation_id == org_id)
        .options(joinedload(m.Ambassadorship.role), joinedload(m.Ambassadorship.mission))
        .order_by(m.Ambassadorship.since, m.Ambassadorship.id)
    )

    # who came to each event: hosts and speakers first, a few names each, and a head count
    since = bindparam("since", type_=Date)
    ranked = (
        select(
            E.id.label("event_id"),
            E.name.label("event_name"),
            E.kind.label("kind"),
            E.held_on.label("held_on"),
            Ct.name.label("person"),
            A.role.label("role"),
            func.row_number()
            .over(
                partition_by=E.id,
                order_by=(case((A.role == m.AttendanceRole.ATTENDEE, 1), else_=0), Ct.name),
            )
            .label("n"),
            func.count().over(partition_by=E.id).label("people"),
            func.dense_rank().over(order_by=(E.held_on.desc(), E.id)).label("latest"),
        )
        .join(A, A.event_id == E.id)
        .join(Ct, Ct.id == A.contact_id)
        .where(A.organisation_id == org_id, E.held_on >= since, Ct.erased_at.is_(None))
        .subquery()
    )
    # how many events they came to or hosted in the period, however many are listed
    came_or_hosted = union(
        select(A.event_id)
        .join(E, E.id == A.event_id)
        .where(A.organisation_id == org_id, E.held_on >= since),
        select(E.id).where(E.host_id == org_id, E.held_on >= since),
    ).subquery()
    events_total = select(func.count()).select_from(came_or_hosted).scalar_subquery()
    attended = (
        select(
            ranked.c.event_id,
            ranked.c.event_name,
            ranked.c.kind,
            ranked.c.held_on,
            ranked.c.person,
            ranked.c.role,
            ranked.c.people,
            events_total,
        )
        .where(ranked.c.n <= PEOPLE_PER_EVENT, ranked.c.latest <= EVENTS_SHOWN)
        .order_by(ranked.c.held_on.desc(), ranked.c.event_id, ranked.c.n)
    )
    hosted = (
        select(E.id, E.name, E.kind, E.held_on, events_total)
        .where(E.host_id == org_id, E.held_on >= since)
        .order_by(E.held_on.desc(), E.id)
        .limit(EVENTS_SHOWN)
    )

    am, ar = m.attendance_mission, m.attendance_role
    interest = union_all(
        select(literal("mission"), am.c.mission_id, E.name, E.held_on, Ct.name)
        .select_from(A)
        .join(am, am.c.attendance_id == A.id)
        .join(E, E.id == A.event_id)
        .join(Ct, Ct.id == A.contact_id)
        .where(A.organisation_id == org_id),
        select(literal("role"), ar.c.role_id, E.name, E.held_on, Ct.name)
        .select_from(A)
        .join(ar, ar.c.attendance_id == A.id)
        .join(E, E.id == A.event_id)
        .join(Ct, Ct.id == A.contact_id)
        .where(A.organisation_id == org_id),
    )

    # each person's last touch: a touchpoint, a conversation they are part of, or an event;
    # looked up through the contact indexes, and only for the few people the brief names
    cc = m.conversation_contact
    never = literal(date(1, 1, 1), Date)

    def last_touch_of(contact_id: Any) -> Any:
        touched = (
            select(func.max(T.happened_on))
            .join(C, C.id == T.conversation_id)
            .where(T.contact_id == contact_id, C.archived.is_(False), T.archived.is_(False))
            .scalar_subquery()
        )
        in_conversation = (
            select(func.max(C.last_touch_on))
            .join(cc, cc.c.conversation_id == C.id)
            .where(cc.c.contact_id == contact_id, C.archived.is_(False))
            .scalar_subquery()
        )
        at_event = (
            select(func.max(E.held_on))
            .join(A, A.event_id == E.id)
            .where(A.contact_id == contact_id, E.held_on <= today)
            .scalar_subquery()
        )
        return func.nullif(
            _Greatest(
                func.coalesce(touched, never),
                func.coalesce(in_conversation, never),
                func.coalesce(at_event, never),
            ),
            never,
            type_=Date,
        )

    # who was engaged lately: the latest touchpoints, conversations and events, a few of each
    latest = [
        select(T.contact_id.label("contact_id"), T.happened_on.label("on"))
        .join(C, C.id == T.conversation_id)
        .where(live, T.contact_id.is_not(None), T.archived.is_(False))
        .order_by(T.happened_on.desc())
        .limit(RECENT_ENGAGEMENTS)
        .subquery(),
        select(cc.c.contact_id.label("contact_id"), C.last_touch_on.label("on"))
        .join(C, C.id == cc.c.conversation_id)
        .where(live)
        .order_by(C.last_touch_on.desc())
        .limit(RECENT_ENGAGEMENTS)
        .subquery(),
        select(A.contact_id.label("contact_id"), E.held_on.label("on"))
        .join(E, E.id == A.event_id)
        .where(A.organisation_id == org_id, E.held_on <= today)
        .order_by(E.held_on.desc())
        .limit(RECENT_ENGAGEMENTS)
        .subquery(),
    ]
    engagements = union_all(*[select(x.c.contact_id, x.c.on) for x in latest]).subquery()
    lately = (
        select(engagements.c.contact_id, func.max(engagements.c.on).label("on"))
        .group_by(engagements.c.contact_id)
        .subquery()
    )
    on_record = and_(Ct.organisation_id == org_id, Ct.archived.is_(False), Ct.erased_at.is_(None))
    # senior: flagged, or a title with a senior word in it ("Chief Executive", "Head of ...")
    title = literal(" ") + func.replace(func.lower(func.coalesce(Ct.job_title, "")), ",", " ")
    senior_title = or_(*[(title + literal(" ")).like(f"% {w} %") for w in SENIOR_TITLE_WORDS])

    def with_last_touch(chosen: Any) -> Any:
        return select(chosen.c.id, chosen.c.name, chosen.c.job_title, last_touch_of(chosen.c.id))

    senior_people = with_last_touch(
        select(Ct.id, Ct.name, Ct.job_title)
        .outerjoin(lately, lately.c.contact_id == Ct.id)
        .where(on_record, or_(Ct.senior.is_(True), senior_title))
        .order_by(lately.c.on.is_(None), lately.c.on.desc(), Ct.name)
        .limit(KEY_PEOPLE)
        .subquery()
    )
    engaged_people = with_last_touch(
        select(Ct.id, Ct.name, Ct.job_title)
        .join(lately, lately.c.contact_id == Ct.id)
        .where(on_record)
        .order_by(lately.c.on.desc(), Ct.name)
        .limit(2 * KEY_PEOPLE)
        .subquery()
    )
    # everyone on record: how many, and a few names when nobody stands out
    roster = (
        select(Ct.id, Ct.name, Ct.job_title, func.count().over())
        .where(on_record)
        .order_by(Ct.name, Ct.id)
        .limit(KEY_PEOPLE)
    )
    return _Statements(
        leads=leads,
        touches=touches,
        live=live_conversations,
        due_steps=due_steps,
        stale=stale,
        in_play=in_play,
        kinds=kinds,
        delivered=delivered,
        committed_missions=committed_missions,
        shown=shown,
        held=held,
        attended=attended,
        hosted=hosted,
        interest=interest,
        senior_people=senior_people,
        engaged_people=engaged_people,
        roster=roster,
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
    org_id = organisation.id

    header = Header(
        id=org_id,
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

    q = _statements()
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

    lead_rows = rows("leads")
    touch_rows = rows("touches")
    live_convs = session.scalars(q.live, params).unique().all()
    due_rows = rows("due_steps")
    stale_rows = rows("stale")
    in_play_rows = rows("in_play")
    kind_rows = rows("kinds")
    delivered_sum = session.execute(q.delivered, params).one()
    committed_missions = set(session.scalars(q.committed_missions, params))
    shown = session.scalars(q.shown, params).all()
    held = session.scalars(q.held, params).unique().all()
    attended = rows("attended")
    hosted = rows("hosted")
    interest_rows = rows("interest")
    senior_rows = rows("senior_people")
    engaged_rows = rows("engaged_people")
    roster_rows = rows("roster")

    roles, missions = _reference(session)

    # ---------------------------------------------------------------- shape it
    total = sum(row[3] for row in lead_rows)
    open_count = sum(row[4] for row in lead_rows)
    last_touch = max((_day(row[5]) for row in lead_rows), default=None)
    first_started = min((_day(row[6]) for row in lead_rows), default=None)
    counts: dict[str, int] = defaultdict(int)
    overdue_commitments = 0
    made_kinds: set[str] = set()
    for kind, status, n, late in kind_rows:
        counts[status] += n
        if status in m.OPEN_COMMITMENT_STATUSES:
            overdue_commitments += int(late or 0)
        if status != m.CommitmentStatus.LAPSED:
            made_kinds.add(kind)
    commitments_open = counts[m.CommitmentStatus.AGREED] + counts[m.CommitmentStatus.IN_PROGRESS]
    # what other partners in the same sector have committed to (for the asks)
    peers = _peers(session, organisation)

    glance = Glance(
        first_contact=first_started,
        last_contact=last_touch,
        days_since_contact=(today - last_touch).days if last_touch else None,
        conversations=total,
        open_conversations=open_count,
        commitments_open=commitments_open,
        commitments_delivered=counts[m.CommitmentStatus.DELIVERED],
        commitments_lapsed=counts[m.CommitmentStatus.LAPSED],
        delivered=_totals(*delivered_sum),
        contacts=roster_rows[0][3] if roster_rows else 0,
        events=(attended or hosted)[0][-1] if (attended or hosted) else 0,
    )

    contacts = _key_people(senior_rows, engaged_rows, roster_rows)

    ambassadorships = [
        AmbassadorRoleHeld(
            role=a.role.key,
            role_name=a.role.name,
            mission=a.mission.key if a.mission else None,
            mission_name=a.mission.name if a.mission else None,
            status=a.status,
            since=a.since,
        )
        for a in held
        if a.status != m.AmbassadorStatus.ENDED
    ]

    conversations = [_live(c, today) for c in live_convs]

    lines = [_commitment(c, today, missions) for c in shown]
    open_lines = sorted(
        (c for c in lines if c.status in m.OPEN_COMMITMENT_STATUSES),
        key=lambda c: (c.due is None, c.due or today, c.id),
    )
    delivered_lines = sorted(
        (c for c in lines if c.status == m.CommitmentStatus.DELIVERED),
        key=lambda c: (c.closed_on or c.agreed_on, c.id),
        reverse=True,
    )
    lapsed_lines = sorted(
        (c for c in lines if c.status == m.CommitmentStatus.LAPSED),
        key=lambda c: (c.closed_on or c.agreed_on, c.id),
        reverse=True,
    )

    events = _events(attended, hosted)

    interest = _Interest()
    for what, ident, event_name, held_on, person in interest_rows:
        target = interest.missions if what == "mission" else interest.roles
        target.setdefault(ident, []).append((event_name, _day(held_on), person))
    for found in (*interest.missions.values(), *interest.roles.values()):
        found.sort(key=lambda x: x[1], reverse=True)

    colleagues = _colleagues(lead_rows, touch_rows, organisation.lead_id)

    asks = _suggest_asks(
        roles=roles,
        missions=missions,
        stage=stage,
        sector=organisation.sector,
        held={a.role_id for a in held if a.status != m.AmbassadorStatus.ENDED},
        made_kinds=made_kinds,
        delivered=counts[m.CommitmentStatus.DELIVERED],
        committed_missions=committed_missions | {a.mission_id for a in held if a.mission_id},
        interest=interest,
        peers=peers,
        in_play=in_play_rows,
    )

    watch_outs = _watch_outs(
        today=today,
        meeting=meeting,
        for_colleague=for_colleague,
        due_rows=due_rows,
        stale_rows=stale_rows,
        open_commitments=open_lines,
        overdue_commitments=overdue_commitments,
        lapsed=lapsed_lines,
        lapsed_count=counts[m.CommitmentStatus.LAPSED],
        lead_rows=lead_rows,
    )

    return Brief(
        organisation=header,
        glance=glance,
        contacts=contacts,
        ambassadorships=ambassadorships,
        conversations=conversations,
        commitments=open_lines + delivered_lines,
        events=events,
        asks=asks,
        watch_outs=watch_outs,
        colleagues=colleagues,
        prepared=Prepared(
            on=today,
            for_colleague=for_colleague.name if for_colleague else None,
            meeting=meeting,
        ),
    )


# What a sector has committed to changes slowly, and counting it reads a share of every
# commitment (it grows with the database), so each database keeps it for a few minutes. Each
# kind keeps which organisations stand behind it, so a partner is left out of its own peers
# exactly, whatever it has recorded since; other partners' news shows within minutes.
SECTOR_TTL_SECONDS = 300.0
_sectors: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, dict[str, list[tuple[str, int]]]]]]
_sectors = weakref.WeakKeyDictionary()


def _sector_commitments(session: Session, sector: str) -> dict[str, list[tuple[str, int]]]:
    """Per commitment kind: the (name, id) of every current organisation in the sector that
    made one (live commitments only), by name."""
    # keyed by the connection pool: reading sessions bind to per-call option engines, but
    # they share their database's pool, which goes when the database is closed
    kept = _sectors.setdefault(session.get_bind().engine.pool, {})
    now = time.monotonic()
    if sector in kept and now - kept[sector][0] < SECTOR_TTL_SECONDS:
        return kept[sector][1]
    Cm, Org = m.Commitment, m.Organisation
    rows = session.execute(
        select(Cm.kind, Org.name, Org.id)
        .join(Org, Org.id == Cm.organisation_id)
        .where(
            Org.sector == sector,
            Org.archived.is_(False),
            Cm.status != m.CommitmentStatus.LAPSED,
        )
        .group_by(Cm.kind, Org.name, Org.id)
        .order_by(Cm.kind, Org.name)
    ).all()
    found: dict[str, list[tuple[str, int]]] = {}
    for kind, name, org_id in rows:
        found.setdefault(kind, []).append((name, org_id))
    kept[sector] = (now, found)
    return found


def _peers(session: Session, organisation: m.Organisation) -> dict[str, tuple[int, list[str]]]:
    """Other organisations in the sector by kind of commitment:
    kind -> (how many, the first and last of their names)."""
    peers = {}
    for kind, made in _sector_commitments(session, organisation.sector).items():
        others = [name for name, org_id in made if org_id != organisation.id]
        if others:
            peers[kind] = (len(others), list(dict.fromkeys((others[0], others[-1]))))
    return peers


def _reference(session: Session) -> tuple[list[m.AmbassadorRole], dict[int, m.Mission]]:
    """The roles and missions, read once per session (briefs for a whole event share them)."""
    cached = session.info.get("partnercrm.briefs.reference")
    if cached is None:
        roles = list(session.scalars(select(m.AmbassadorRole).order_by(m.AmbassadorRole.id)))
        missions = {mi.id: mi for mi in session.scalars(select(m.Mission).order_by(m.Mission.id))}
        cached = session.info["partnercrm.briefs.reference"] = (roles, missions)
    return cached


def _key_people(senior: Any, engaged: Any, roster: Any) -> list[KeyPerson]:
    """The most senior people (most recently engaged first), then the most recently engaged others."""

    def recency(row: Any) -> tuple[bool, int, str]:
        last = as_date(row[3])
        return (last is None, -last.toordinal() if last else 0, row[1].lower())

    out = [
        KeyPerson(name=name, job_title=title, senior=True, last_touch=as_date(last), why="senior")
        for _id, name, title, last in sorted(senior, key=recency)
    ]
    chosen = {row[0] for row in senior}
    out += [
        KeyPerson(
            name=name,
            job_title=title,
            senior=False,
            last_touch=as_date(last),
            why="recently engaged",
        )
        for ident, name, title, last in sorted(engaged, key=recency)
        if ident not in chosen
    ][:KEY_PEOPLE]
    if not out:
        # nobody senior and nobody engaged yet: still name who we know there
        out = [
            KeyPerson(name=name, job_title=title, senior=False, last_touch=None, why="on record")
            for _id, name, title, _count in roster
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
    for ident, name, kind, held_on, _total in hosted:
        out[ident] = EventAttended(
            name=name,
            kind=kind,
            date=as_date(held_on),  # type: ignore[arg-type]
            hosted=True,
            people=[],
        )
    for ident, name, kind, held_on, person, role, people, _total in attended:
        entry = out.setdefault(
            ident,
            EventAttended(
                name=name,
                kind=kind,
                date=as_date(held_on),  # type: ignore[arg-type]
                hosted=False,
                people=[],
            ),
        )
        entry.people.append(person if role == m.AttendanceRole.ATTENDEE else f"{person} ({role})")
        entry.others = people - len(entry.people)
    return sorted(out.values(), key=lambda e: e.date, reverse=True)[:EVENTS_SHOWN]


def _colleagues(lead_rows: Any, touch_rows: Any, lead_id: int | None) -> list[ColleagueInContact]:
    found: dict[int, ColleagueInContact] = {}
    for ident, name, team, n, n_open, _last, _first in lead_rows:
        found[ident] = ColleagueInContact(
            name=name,
            team=team,
            last_contact=None,
            conversations=n,
            open_conversations=n_open,
            touchpoints=0,
            is_lead=ident == lead_id,
        )
    for ident, name, team, n, last in touch_rows:
        entry = found.setdefault(
            ident,
            ColleagueInContact(
                name=name,
                team=team,
                last_contact=None,
                conversations=0,
                open_conversations=0,
                touchpoints=0,
                is_lead=ident == lead_id,
            ),
        )
        entry.touchpoints = n
        entry.last_contact = as_date(last)
    return sorted(
        found.values(),
        key=lambda c: (
            c.last_contact is None,
            -(c.last_contact.toordinal()) if c.last_contact else 0,
            c.name,
        ),
    )[:COLLEAGUES]


def _suggest_asks(
    *,
    roles: Any,
    missions: dict[int, m.Mission],
    stage: m.RelationshipStage,
    sector: str,
    held: set[int],
    made_kinds: set[str],
    delivered: int,
    committed_missions: set[int],
    interest: _Interest,
    peers: dict[str, tuple[int, list[str]]],
    in_play: Any,
) -> list[Ask]:
    """Rank the roles the partner could take next, each with the reasons for asking."""
    role_in_play: dict[int, tuple[int, str]] = {}
    kind_in_play: dict[str, tuple[int, str]] = {}
    for role_id, kind, n, lead in in_play:
        if role_id is not None:
            role_in_play[role_id] = (n, lead)
        elif kind:
            kind_in_play[kind] = (n, lead)

    # missions they showed interest in but have not committed to, most recent first
    open_interest = sorted(
        (
            (mid, seen[0])
            for mid, seen in interest.missions.items()
            if mid not in committed_missions
        ),
        key=lambda x: x[1][1],
        reverse=True,
    )

    candidates: list[Ask] = []
    for role in roles:
        kinds = role.commitment_kinds.split()
        already = role.id in held
        score = 0.0 if already else 1.0
        why: list[str] = []
        said = interest.roles.get(role.id)
        if said:
            event_name, when, person = said[0]
            score += 4
            why.append(
                f"{person} expressed interest in this role at {event_name} ({when:%-d %b %Y})"
            )
        # the kind most often committed by others in the sector, among the kinds this role covers
        peer_kind = max(
            (k for k in kinds if k in peers and (not already or k not in made_kinds)),
            key=lambda k: (peers[k][0], -kinds.index(k)),
            default=None,
        )
        if peer_kind:
            n, names = peers[peer_kind]
            score += min(3, n) * 0.75
            one, many = SECTOR_PEERS.get(sector, ("organisation", "organisations"))
            text = f"{n} other {one if n == 1 else many} made {KIND_NAMES[peer_kind]} commitments"
            if names:
                text += f" (for example {_and(names)})"
            why.append(text)
        own = [k for k in kinds if k in made_kinds]
        if own and not already:
            score += 2
            why.append(
                f"They already make {_and(KIND_NAMES[k] for k in own)} commitments: "
                f"the role would recognise and build on that"
            )
        if role.key == "recognition" and delivered and not already:
            score += 1.5
            why.append(
                f"They have delivered {delivered} commitment{'s' if delivered != 1 else ''}: "
                "a story we can tell"
            )
        if role.key in STAGE_FIT.get(stage, ()) and not already:
            score += 1
            why.append(f"{STAGE_WORDS[stage]} ({stage.value} stage)")
        if already:
            if not peer_kind:
                continue
            why.insert(0, f"They already hold the {role.name} role; this deepens it")
        playing = role_in_play.get(role.id) or next(
            (kind_in_play[k] for k in kinds if k in kind_in_play), None
        )
        if playing:
            n, lead = playing
            score -= 1.5
            why.append(
                f"Already being discussed in {'an open conversation' if n == 1 else f'{n} open conversations'}"
                f" led by {lead}: build on it rather than ask afresh"
            )
        if not why:
            why.append(f"They do not yet hold the {role.name} role")
        suggested = peer_kind or (kinds[0] if kinds else None)
        headline = (
            f"Deepen their {role.name} role"
            if already
            else f"Invite them to take the {role.name} role"
        )
        candidates.append(
            Ask(
                rank=0,
                role=role.key,
                role_name=role.name,
                headline=headline,
                why=why,
                ask_of_partner=role.ask_of_partner,
                value_for_partner=role.value_for_partner,
                value_for_council=role.value_for_council,
                kind=suggested,
                kind_words=KIND_WORDS.get(suggested or ""),
                score=round(score, 2),
            )
        )
    order = {r.key: i for i, r in enumerate(roles)}
    candidates.sort(key=lambda a: (-a.score, order[a.role]))
    asks = candidates[:ASKS]
    # missions they showed interest in without committing go with the strongest asks, one each
    for ask, (mission_id, (event_name, when, person)) in zip(asks, open_interest, strict=False):
        mission = missions[mission_id]
        ask.mission, ask.mission_name = mission.key, mission.name
        ask.headline += f" for the {mission.name} mission"
        ask.why.insert(
            1 if ask.why and "interest in this role" in ask.why[0] else 0,
            f"{person} showed interest in the {mission.name} mission at {event_name} "
            f"({when:%-d %b %Y}), with no commitment to it yet",
        )
    for rank, ask in enumerate(asks, 1):
        ask.rank = rank
    return asks


def _and(items: Any) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ago(today: date, day: date) -> str:
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 0:
        return f"in {-days} days"
    return f"{days} days ago"


def _conversation_label(ident: int, subject: str | None) -> str:
    return f"“{subject}” (#{ident})" if subject else f"conversation #{ident}"


def _watch_outs(
    *,
    today: date,
    meeting: date | None,
    for_colleague: m.Colleague | None,
    due_rows: Any,
    stale_rows: Any,
    open_commitments: list[CommitmentLine],
    overdue_commitments: int,
    lapsed: list[CommitmentLine],
    lapsed_count: int,
    lead_rows: Any,
) -> list[WatchOut]:
    out: list[WatchOut] = []
    total_due, overdue = (due_rows[0][5], due_rows[0][6]) if due_rows else (0, 0)
    for description, due_on, owner, conv_id, subject, _total, _overdue in due_rows:
        due_on = _day(due_on)
        late = due_on < today
        prefix = "Overdue step" if late else "Step due before the meeting"
        out.append(
            WatchOut(
                kind="overdue_step" if late else "due_before_meeting",
                text=f"{prefix} on {_conversation_label(conv_id, subject)}: {description} "
                f"({owner}, due {due_on:%-d %b %Y}, {_ago(today, due_on)})",
                on=due_on,
            )
        )
    if total_due and total_due > len(due_rows):
        rest = total_due - len(due_rows)
        out.append(
            WatchOut(
                kind="overdue_step",
                text=f"…and {rest} more open step{'s' if rest != 1 else ''} "
                f"{'overdue' if overdue == total_due else 'overdue or due before the meeting'}",
            )
        )
    for c in [c for c in open_commitments if c.overdue][:WATCH_EXAMPLES]:
        assert c.due is not None
        out.append(
            WatchOut(
                kind="overdue_commitment",
                text=f"A {c.kind_name} commitment"
                + (f" to {c.beneficiary}" if c.beneficiary else "")
                + f" was due {c.due:%-d %b %Y} and is still {c.status.replace('_', ' ')}",
                on=c.due,
            )
        )
    shown_overdue = min(WATCH_EXAMPLES, sum(1 for c in open_commitments if c.overdue))
    if overdue_commitments > shown_overdue:
        rest = overdue_commitments - shown_overdue
        out.append(
            WatchOut(
                kind="overdue_commitment",
                text=f"…and {rest} more overdue commitment{'s' if rest != 1 else ''}",
            )
        )
    for c in lapsed[:WATCH_EXAMPLES]:
        out.append(
            WatchOut(
                kind="lapsed_commitment",
                text=f"A {c.kind_name} commitment"
                + (f" to {c.beneficiary}" if c.beneficiary else "")
                + (f" lapsed on {c.closed_on:%-d %b %Y}" if c.closed_on else " lapsed")
                + ": be ready for it to come up",
                on=c.closed_on,
            )
        )
    if lapsed_count > min(len(lapsed), WATCH_EXAMPLES):
        rest = lapsed_count - min(len(lapsed), WATCH_EXAMPLES)
        out.append(
            WatchOut(
                kind="lapsed_commitment",
                text=f"…and {rest} more lapsed commitment{'s' if rest != 1 else ''}",
            )
        )
    if stale_rows:
        stale_total = stale_rows[0][4]
        examples = "; ".join(
            f"{_conversation_label(ident, subject)} led by {lead}, last touched {as_date(last):%-d %b %Y}"
            for ident, subject, last, lead, _ in stale_rows
        )
        noun = "open conversation has" if stale_total == 1 else "open conversations have"
        more = (
            f" (and {stale_total - len(stale_rows)} more)" if stale_total > len(stale_rows) else ""
        )
        out.append(
            WatchOut(
                kind="stale",
                text=f"{stale_total} {noun} had no touch for {STALE_DAYS} days or more: {examples}{more}",
            )
        )
    others = [
        (name, n_open)
        for ident, name, _team, _n, n_open, _last, _first in lead_rows
        if n_open and (for_colleague is None or ident != for_colleague.id)
    ]
    others.sort(key=lambda x: (-x[1], x[0]))
    listing = ", ".join(f"{name} ({n})" for name, n in others)
    if for_colleague is not None and others:
        out.append(
            WatchOut(
                kind="other_colleagues",
                text=f"Other colleagues have open conversations with them: {listing}. "
                "Agree one ask with them before the meeting.",
            )
        )
    elif for_colleague is None and len(others) > 1:
        out.append(
            WatchOut(
                kind="other_colleagues",
                text=f"{len(others)} colleagues have open conversations with them: {listing}. "
                "Agree one ask between you before the meeting.",
            )
        )
    return out
