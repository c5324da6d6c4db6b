"""The queries a brief runs: a fixed number, however long the partner's history.

Every list in a brief is either an aggregate or a LIMITed query, so a partner with 500
conversations costs the same number of statements as one with five. Each statement is built
once with bound parameters (org_id, today, stale_before, since, horizon): building SQLAlchemy
statements costs more than running these ones. Columns are labelled: rows are read by name.

The statements differ a little by database. Each statement sent to PostgreSQL is a round trip
to the server, so there the records' collections are joined into their statement and who was
engaged lately is read once for all the key people; SQLite answers in-process, and its planner
does those joins and that shared reading far worse than separate reads (seconds, not
milliseconds, at council scale), so there they stay separate.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    func,
    inspect,
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

from .asks import Peers

LIVE_CONVERSATIONS = 8  # one page: the most recently touched live conversations
COMMITMENTS_PER_STATUS = 5
KEY_PEOPLE = 3  # senior people, then as many again recently engaged
RECENT_ENGAGEMENTS = 20  # the latest touchpoints, conversations and events looked at for people
PEOPLE_PER_EVENT = 6
EVENTS_SHOWN = 6
WATCH_EXAMPLES = 3

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


ORG_ID = bindparam("org_id", type_=Integer)
TODAY = bindparam("today", type_=Date)
SINCE = bindparam("since", type_=Date)


@dataclass(frozen=True)
class Statements:
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
    people: Any


@cache
def statements(dialect: str) -> Statements:
    """Every query a brief runs, built once for each database dialect."""
    server = dialect == "postgresql"  # see the module's docstring
    return Statements(
        **_conversations(joined=server),
        **_commitments(joined=server),
        **_events(),
        **_people(shared_lately=server),
    )


def _collection(joined: bool) -> Any:
    """How a record's collection loads: in its statement, or by a statement of its own."""
    return joinedload if joined else selectinload


def _live() -> Any:
    """The partner's conversations that are not archived."""
    C = m.Conversation
    return and_(C.organisation_id == ORG_ID, C.archived.is_(False))


def _conversations(joined: bool) -> dict[str, Any]:
    C, S, T, Co = m.Conversation, m.Step, m.Touchpoint, m.Colleague
    live, is_open = _live(), C.stage.in_(m.OPEN_STAGES)
    # grouped by lead: who talks to them, and (summed) the conversation totals
    leads = (
        select(
            Co.id.label("colleague_id"),
            Co.name.label("name"),
            Co.team.label("team"),
            func.count().label("conversations"),
            func.count().filter(is_open).label("open"),
            func.max(C.last_touch_on).label("last_touch"),
            func.min(C.started_on).label("first_started"),
        )
        .join(Co, Co.id == C.lead_id)
        .where(live)
        .group_by(Co.id, Co.name, Co.team)
    )
    touches = (
        select(
            Co.id.label("colleague_id"),
            Co.name.label("name"),
            Co.team.label("team"),
            func.count().label("touchpoints"),
            func.max(T.happened_on).label("last_touch"),
        )
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
            _collection(joined)(C.missions),
            _collection(joined)(C.steps).joinedload(S.owner),
        )
        .order_by(C.last_touch_on.desc(), C.id.desc())
        .limit(LIVE_CONVERSATIONS)
    )
    return {
        "leads": leads,
        "touches": touches,
        "live": live_conversations,
        **_watched(),
    }


def _watched() -> dict[str, Any]:
    """Open steps due, conversations gone quiet, and asks already in play."""
    C, S, Co = m.Conversation, m.Step, m.Colleague
    live, is_open = _live(), C.stage.in_(m.OPEN_STAGES)
    due_steps = (
        select(
            S.description.label("description"),
            S.due_on.label("due_on"),
            Co.name.label("owner"),
            C.id.label("conversation_id"),
            C.subject.label("subject"),
            func.count().over().label("total"),
            func.sum(case((S.due_on < TODAY, 1), else_=0)).over().label("overdue"),
        )
        .join(C, C.id == S.conversation_id)
        .join(Co, Co.id == S.owner_id)
        .where(live, S.done_on.is_(None), S.due_on < bindparam("horizon", type_=Date))
        .order_by(S.due_on, S.id)
        .limit(WATCH_EXAMPLES)
    )
    stale = (
        select(
            C.id.label("conversation_id"),
            C.subject.label("subject"),
            C.last_touch_on.label("last_touch"),
            Co.name.label("lead"),
            func.count().over().label("total"),
        )
        .join(Co, Co.id == C.lead_id)
        .where(live, is_open, C.last_touch_on <= bindparam("stale_before", type_=Date))
        .order_by(C.last_touch_on, C.id)
        .limit(WATCH_EXAMPLES)
    )
    # asks already on the table in open conversations, by role or kind
    in_play = (
        select(
            C.ask_role_id.label("role_id"),
            C.ask_kind.label("kind"),
            func.count().label("conversations"),
            func.max(Co.name).label("lead"),
        )
        .join(Co, Co.id == C.lead_id)
        .where(live, is_open)
        .group_by(C.ask_role_id, C.ask_kind)
    )
    return {"due_steps": due_steps, "stale": stale, "in_play": in_play}


def _commitments(joined: bool) -> dict[str, Any]:
    """Counts by kind and status, delivered totals, then a few of each status loaded."""
    Cm, D = m.Commitment, m.Delivery
    is_overdue = and_(Cm.due_on.is_not(None), Cm.due_on < TODAY)
    kinds = (
        select(
            Cm.kind.label("kind"),
            Cm.status.label("status"),
            func.count().label("count"),
            func.sum(case((is_overdue, 1), else_=0)).label("overdue"),
        )
        .where(Cm.organisation_id == ORG_ID)
        .group_by(Cm.kind, Cm.status)
    )
    delivered = (
        select(
            func.sum(D.gbp).label("gbp"),
            func.sum(D.hours).label("hours"),
            func.sum(D.opportunities).label("opportunities"),
            func.sum(D.people).label("people"),
        )
        .join(Cm, Cm.id == D.commitment_id)
        .where(Cm.organisation_id == ORG_ID)
    )
    committed_missions = (
        select(m.commitment_mission.c.mission_id)
        .join(Cm, Cm.id == m.commitment_mission.c.commitment_id)
        .where(Cm.organisation_id == ORG_ID, Cm.status != m.CommitmentStatus.LAPSED)
        .distinct()
    )

    def few(condition: Any, *order: Any) -> Any:
        inner = (
            select(Cm.id)
            .where(Cm.organisation_id == ORG_ID, condition)
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
        .options(_collection(joined)(Cm.missions), _collection(joined)(Cm.deliveries))
    )
    held = (
        select(m.Ambassadorship)
        .where(m.Ambassadorship.organisation_id == ORG_ID)
        .options(joinedload(m.Ambassadorship.role), joinedload(m.Ambassadorship.mission))
        .order_by(m.Ambassadorship.since, m.Ambassadorship.id)
    )
    return {
        "kinds": kinds,
        "delivered": delivered,
        "committed_missions": committed_missions,
        "shown": shown,
        "held": held,
    }


def _events() -> dict[str, Any]:
    """Who came to each event: hosts and speakers first, a few names each, and a head count."""
    E, A, Ct = m.Event, m.Attendance, m.Contact
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
        .where(A.organisation_id == ORG_ID, E.held_on >= SINCE, Ct.erased_at.is_(None))
        .subquery()
    )
    # how many events they came to or hosted in the period, however many are listed
    came_or_hosted = union(
        select(A.event_id)
        .join(E, E.id == A.event_id)
        .where(A.organisation_id == ORG_ID, E.held_on >= SINCE),
        select(E.id).where(E.host_id == ORG_ID, E.held_on >= SINCE),
    ).subquery()
    events_total = (
        select(func.count()).select_from(came_or_hosted).scalar_subquery().label("events_total")
    )
    r = ranked.c
    attended = (
        select(
            r.event_id, r.event_name, r.kind, r.held_on, r.person, r.role, r.people, events_total
        )
        .where(r.n <= PEOPLE_PER_EVENT, r.latest <= EVENTS_SHOWN)
        .order_by(r.held_on.desc(), r.event_id, r.n)
    )
    hosted = (
        select(
            E.id.label("event_id"),
            E.name.label("event_name"),
            E.kind.label("kind"),
            E.held_on.label("held_on"),
            events_total,
        )
        .where(E.host_id == ORG_ID, E.held_on >= SINCE)
        .order_by(E.held_on.desc(), E.id)
        .limit(EVENTS_SHOWN)
    )
    return {"attended": attended, "hosted": hosted, "interest": _interest()}


def _interest() -> Any:
    """Missions and roles the partner's people said they were interested in at events."""
    E, A, Ct = m.Event, m.Attendance, m.Contact
    am, ar = m.attendance_mission, m.attendance_role
    return union_all(
        select(
            literal("mission").label("what"),
            am.c.mission_id.label("ident"),
            E.name.label("event_name"),
            E.held_on.label("held_on"),
            Ct.name.label("person"),
        )
        .select_from(A)
        .join(am, am.c.attendance_id == A.id)
        .join(E, E.id == A.event_id)
        .join(Ct, Ct.id == A.contact_id)
        .where(A.organisation_id == ORG_ID),
        select(literal("role"), ar.c.role_id, E.name, E.held_on, Ct.name)
        .select_from(A)
        .join(ar, ar.c.attendance_id == A.id)
        .join(E, E.id == A.event_id)
        .join(Ct, Ct.id == A.contact_id)
        .where(A.organisation_id == ORG_ID),
    )


def _last_touch_of(contact_id: Any) -> Any:
    """A person's last touch: a touchpoint, a conversation they are part of, or an event;
    looked up through the contact indexes, and only for the few people the brief names."""
    C, T, E, A = m.Conversation, m.Touchpoint, m.Event, m.Attendance
    cc = m.conversation_contact
    never = literal(date(1, 1, 1), Date)
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
        .where(A.contact_id == contact_id, E.held_on <= TODAY)
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


def _lately(shared: bool) -> Any:
    """Who was engaged lately: the latest touchpoints, conversations and events, a few of each.

    `shared`: a common table expression, read once for both the senior and the engaged people
    (half the work on PostgreSQL; SQLite does it three times slower than a subquery each)."""
    C, T, E, A = m.Conversation, m.Touchpoint, m.Event, m.Attendance
    cc, live = m.conversation_contact, _live()
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
        .where(A.organisation_id == ORG_ID, E.held_on <= TODAY)
        .order_by(E.held_on.desc())
        .limit(RECENT_ENGAGEMENTS)
        .subquery(),
    ]
    engagements = union_all(*[select(x.c.contact_id, x.c.on) for x in latest]).subquery()
    lately = select(engagements.c.contact_id, func.max(engagements.c.on).label("on")).group_by(
        engagements.c.contact_id
    )
    return lately.cte("lately") if shared else lately.subquery()


def _people(shared_lately: bool) -> dict[str, Any]:
    """The key people in one statement, each row labelled by its list (`row.list`): the senior
    ones ("senior"), the recently engaged ones ("engaged"), and a few on record ("roster",
    with how many there are in all)."""
    Ct, lately = m.Contact, _lately(shared_lately)
    on_record = and_(Ct.organisation_id == ORG_ID, Ct.archived.is_(False), Ct.erased_at.is_(None))
    # senior: flagged, or a title with a senior word in it ("Chief Executive", "Head of ...")
    title = literal(" ") + func.replace(func.lower(func.coalesce(Ct.job_title, "")), ",", " ")
    senior_title = or_(*[(title + literal(" ")).like(f"% {w} %") for w in SENIOR_TITLE_WORDS])

    def listed(name: str, chosen: Any, last_touch: Any, total: Any) -> Any:
        return select(
            literal(name).label("list"),
            chosen.c.id.label("contact_id"),
            chosen.c.name.label("name"),
            chosen.c.job_title.label("job_title"),
            last_touch.label("last_touch"),
            total.label("total"),
        )

    senior = (
        select(Ct.id, Ct.name, Ct.job_title)
        .outerjoin(lately, lately.c.contact_id == Ct.id)
        .where(on_record, or_(Ct.senior.is_(True), senior_title))
        .order_by(lately.c.on.is_(None), lately.c.on.desc(), Ct.name)
        .limit(KEY_PEOPLE)
        .subquery()
    )
    engaged = (
        select(Ct.id, Ct.name, Ct.job_title)
        .join(lately, lately.c.contact_id == Ct.id)
        .where(on_record)
        .order_by(lately.c.on.desc(), Ct.name)
        .limit(2 * KEY_PEOPLE)
        .subquery()
    )
    # everyone on record: how many, and a few names when nobody stands out
    roster = (
        select(Ct.id, Ct.name, Ct.job_title, func.count().over().label("total"))
        .where(on_record)
        .order_by(Ct.name, Ct.id)
        .limit(KEY_PEOPLE)
        .subquery()
    )
    no_total, no_touch = literal(None, Integer), literal(None, Date)
    people = union_all(
        listed("senior", senior, _last_touch_of(senior.c.id), no_total),
        listed("engaged", engaged, _last_touch_of(engaged.c.id), no_total),
        listed("roster", roster, no_touch, roster.c.total),
    ).subquery()
    return {"people": select(people).order_by(people.c.list, people.c.name, people.c.contact_id)}


# What a sector has committed to changes slowly, and counting it reads a share of every
# commitment (it grows with the database), so each database keeps it for a few minutes. Each
# kind keeps which organisations stand behind it, so a partner is left out of its own peers
# exactly, whatever it has recorded since; other partners' news shows within minutes.
SECTOR_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class Made:
    """The organisations behind one kind of commitment: their names in order, and where each
    organisation (by id) is in that order, so leaving one out costs nothing however many."""

    names: list[str]
    place: dict[int, int]


class _Kept(NamedTuple):
    at: float  # time.monotonic() when read
    made: dict[str, Made]


_sectors: weakref.WeakKeyDictionary[Any, dict[str, _Kept]] = weakref.WeakKeyDictionary()


def sector_commitments(session: Session, sector: str) -> dict[str, Made]:
    """Per commitment kind: every current organisation in the sector that made one (live
    commitments only), by name."""
    # keyed by the connection pool: reading sessions bind to per-call option engines, but
    # they share their database's pool, which goes when the database is closed
    kept = _sectors.setdefault(session.get_bind().engine.pool, {})
    now = time.monotonic()
    if sector in kept and now - kept[sector].at < SECTOR_TTL_SECONDS:
        return kept[sector].made
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
    found: dict[str, Made] = {}
    for row in rows:  # one row per kind and organisation
        made = found.setdefault(row.kind, Made([], {}))
        made.place[row.id] = len(made.names)
        made.names.append(row.name)
    kept[sector] = _Kept(now, found)
    return found


def peers(session: Session, organisation: m.Organisation) -> dict[str, Peers]:
    """Other organisations in the sector by kind of commitment: how many, and the first and
    last of their names."""
    peers = {}
    for kind, made in sector_commitments(session, organisation.sector).items():
        # the others are the names without the organisation's own (there once at most)
        mine, names = made.place.get(organisation.id), made.names
        count = len(names) - (mine is not None)
        if count:
            first = names[1] if mine == 0 else names[0]
            last = names[-2] if mine == len(names) - 1 else names[-1]
            peers[kind] = Peers(count, list(dict.fromkeys((first, last))))
    return peers


def load_header(session: Session, organisation: m.Organisation) -> None:
    """The organisation's aliases and lead, for the brief's header: one statement, where reading
    them as they are used costs two (each a round trip to PostgreSQL)."""
    if {"aliases", "lead"} <= inspect(organisation).unloaded:
        Org = m.Organisation
        session.execute(
            select(Org)
            .where(Org.id == organisation.id)
            .options(joinedload(Org.aliases), joinedload(Org.lead))
        ).unique().all()


def reference(session: Session) -> tuple[list[m.AmbassadorRole], dict[int, m.Mission]]:
    """The roles and missions, read once per session (briefs for a whole event share them)."""
    cached = session.info.get("partnercrm.briefs.reference")
    if cached is None:
        roles = list(session.scalars(select(m.AmbassadorRole).order_by(m.AmbassadorRole.id)))
        missions = {mi.id: mi for mi in session.scalars(select(m.Mission).order_by(m.Mission.id))}
        cached = session.info["partnercrm.briefs.reference"] = (roles, missions)
    return cached
