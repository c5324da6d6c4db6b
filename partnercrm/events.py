"""Events (summits, anchor roundtables) and who attended them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from partnercrm import models as m
from partnercrm.concurrency import check_version
from partnercrm.dates import parse_date, today_of
from partnercrm.errors import Conflict, Invalid
from partnercrm.matching import find_one, name_key


def check_kind(kind: str) -> str:
    value = (kind or "").strip().lower()
    if value not in {k.value for k in m.EventKind}:
        raise Invalid(
            f"event kind {kind!r} is not one of {', '.join(k.value for k in m.EventKind)}",
            field="kind",
        )
    return value


def add_event(
    session: Session,
    name: str,
    kind: str,
    held_on: date | str,
    *,
    host: m.Organisation | None = None,
    owner: m.Colleague | None = None,
) -> m.Event:
    name = (name or "").strip()
    if not name:
        raise Invalid("an event needs a name", field="name")
    key = name_key(name)
    if existing := session.scalar(select(m.Event).where(m.Event.name_key == key)):
        raise Conflict(f"there is already an event called {existing.name} (id {existing.id})")
    event = m.Event(
        name=name,
        name_key=key,
        kind=check_kind(kind),
        held_on=parse_date(held_on, "event date", field="held_on"),
        host=host,
        owner=owner,
    )
    session.add(event)
    session.flush()
    return event


def edit_event(
    session: Session,
    event: m.Event,
    *,
    expected_version: int | None = None,
    name: str | None = None,
    kind: str | None = None,
    held_on: date | str | None = None,
    host: m.Organisation | None = None,
    clear_host: bool = False,
) -> m.Event:
    """Change the given fields; None leaves a field as it is."""
    check_version(event, expected_version)
    if name is not None:
        new_name = name.strip()
        if not new_name:
            raise Invalid("an event needs a name", field="name")
        key = name_key(new_name)
        clash = session.scalar(
            select(m.Event).where(m.Event.name_key == key, m.Event.id != event.id)
        )
        if clash is not None:
            raise Conflict(f"there is already an event called {clash.name} (id {clash.id})")
        event.name, event.name_key = new_name, key
    if kind is not None:
        event.kind = check_kind(kind)
    if held_on is not None:
        when = parse_date(held_on, "event date", field="held_on")
        if when > today_of(session) and session.scalar(
            select(func.count()).select_from(m.Attendance).where(m.Attendance.event_id == event.id)
        ):
            raise Invalid(
                f"{event.name} has people recorded as attending, so it cannot move to "
                f"{when:%d %b %Y}, in the future",
                field="held_on",
            )
        event.held_on = when
    if host is not None:
        event.host = host
    elif clear_host:
        event.host = None
    session.flush()
    return event


def find_event(session: Session, text: str) -> m.Event:
    given = text.strip()
    if given.isdigit() and (found := session.get(m.Event, int(given))):
        return found
    key = name_key(given)
    e = m.Event
    return find_one(
        session,
        "event",
        given,
        exact=select(e).where(e.name_key == key),
        prefix=select(e)
        .where(e.name_key.contains(key, autoescape=True))
        .order_by(e.held_on.desc()),
        names=select(e.name),
    )


def record_attendance(
    session: Session,
    event: m.Event,
    contact: m.Contact,
    *,
    role: str = m.AttendanceRole.ATTENDEE,
    missions: Sequence[m.Mission] = (),
    roles: Sequence[m.AmbassadorRole] = (),
    registered_at: datetime | None = None,
) -> tuple[m.Attendance, bool]:
    """Record that a contact attended; returns (attendance, created). Interest is added to."""
    value = check_attendance_role(role or "attendee")
    check_event_happened(session, event)
    existing = _attendance(session, event, contact)
    created = existing is None
    attendance = existing or m.Attendance(
        event=event,
        contact=contact,
        organisation_id=contact.organisation_id,
        role=value,
        registered_at=registered_at,
    )
    if created:
        session.add(attendance)
    for mission in missions:
        if mission not in attendance.interest_missions:
            attendance.interest_missions.append(mission)
    for r in roles:
        if r not in attendance.interest_roles:
            attendance.interest_roles.append(r)
    session.flush()
    return attendance, created


def check_event_happened(session: Session, event: m.Event) -> None:
    """Attendance is recorded once an event has happened (a registration list comes by import)."""
    if event.held_on > today_of(session):
        raise Invalid(
            f"{event.name} is on {event.held_on:%d %b %Y}, in the future; attendance is "
            "recorded once it has happened",
            field="event",
        )


def check_attendance_role(role: str) -> str:
    value = (role or "").strip().lower()
    if value not in {r.value for r in m.AttendanceRole}:
        raise Invalid(
            f"attendance role {role!r} is not one of {', '.join(r.value for r in m.AttendanceRole)}",
            field="role",
        )
    return value


def _attendance(session: Session, event: m.Event, contact: m.Contact) -> m.Attendance | None:
    return session.scalar(
        select(m.Attendance).where(
            m.Attendance.event_id == event.id, m.Attendance.contact_id == contact.id
        )
    )


def get_attendance(session: Session, event: m.Event, contact: m.Contact) -> m.Attendance:
    found = _attendance(session, event, contact)
    if found is None:
        raise Invalid(f"{contact.name} is not recorded at {event.name}", field="contact")
    return found


def attendances_of(
    session: Session, event: m.Event, *, organisation_id: int | None = None
) -> list[m.Attendance]:
    """Who was recorded at an event (only those who came for one organisation, if given)."""
    q = (
        select(m.Attendance)
        .options(selectinload(m.Attendance.contact))
        .where(m.Attendance.event_id == event.id)
        .order_by(m.Attendance.id)
    )
    if organisation_id is not None:
        q = q.where(m.Attendance.organisation_id == organisation_id)
    return list(session.scalars(q))


def set_attendance_role(
    session: Session,
    attendance: m.Attendance,
    role: str,
    *,
    expected_version: int | None = None,
) -> m.Attendance:
    """Correct the role someone had at an event (attendee, speaker, host)."""
    check_version(attendance, expected_version)
    attendance.role = check_attendance_role(role)
    session.flush()
    return attendance


def remove_attendance(
    session: Session, attendance: m.Attendance, *, expected_version: int | None = None
) -> None:
    """Someone recorded at an event who was not there; the history keeps the record."""
    check_version(attendance, expected_version)
    session.delete(attendance)
    session.flush()


def attendance_dict(attendance: m.Attendance) -> dict[str, Any]:
    return {
        "id": attendance.id,
        "event": attendance.event.name,
        "contact": attendance.contact.name,
        "organisation": attendance.organisation.name if attendance.organisation else None,
        "role": attendance.role,
        "version": attendance.version,
    }


def list_events(session: Session) -> list[dict[str, Any]]:
    """Events, newest first, with how many people and organisations attended."""
    a = m.Attendance
    counts = (
        select(
            a.event_id,
            func.count(a.id).label("people"),
            func.count(func.distinct(a.organisation_id)).label("organisations"),
        )
        .group_by(a.event_id)
        .subquery()
    )
    rows = session.execute(
        select(m.Event, counts.c.people, counts.c.organisations)
        .options(selectinload(m.Event.host), selectinload(m.Event.owner))
        .outerjoin(counts, counts.c.event_id == m.Event.id)
        .order_by(m.Event.held_on.desc())
    ).all()
    return [
        {**event_dict(e), "attendees": people or 0, "organisations": orgs or 0}
        for e, people, orgs in rows
    ]


def event_dict(event: m.Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "name": event.name,
        "kind": event.kind,
        "date": event.held_on.isoformat(),
        "host": event.host.name if event.host else None,
        "owner": event.owner.name if event.owner else None,
        "version": event.version,
    }


def event_detail(session: Session, event: m.Event) -> dict[str, Any]:
    """Who came, and which organisations expressed interest in which missions and roles."""
    attendances = session.scalars(
        select(m.Attendance)
        .options(
            selectinload(m.Attendance.contact),
            selectinload(m.Attendance.organisation),
            selectinload(m.Attendance.interest_missions),
            selectinload(m.Attendance.interest_roles),
        )
        .where(m.Attendance.event_id == event.id)
    ).all()
    people = []
    # keys for scripts, names (as the partner page and the forms show them) for people
    interest: dict[str, dict[str, dict[str, str]]] = {}
    for att in sorted(
        attendances, key=lambda a: ((a.organisation.name if a.organisation else ""), a.contact.name)
    ):
        org_name = att.organisation.name if att.organisation else None
        people.append(
            {
                "contact": att.contact.name,
                "organisation": org_name,
                "role": att.role,
                "interest_missions": [mi.key for mi in att.interest_missions],
                "interest_roles": [r.key for r in att.interest_roles],
                "interest_mission_names": [mi.name for mi in att.interest_missions],
                "interest_role_names": [r.name for r in att.interest_roles],
            }
        )
        if org_name and (att.interest_missions or att.interest_roles):
            entry = interest.setdefault(org_name, {"missions": {}, "roles": {}})
            entry["missions"].update((mi.key, mi.name) for mi in att.interest_missions)
            entry["roles"].update((r.key, r.name) for r in att.interest_roles)
    data = event_dict(event)
    data["attendees"] = people
    data["organisations"] = sorted({p["organisation"] for p in people if p["organisation"]})
    data["organisation_ids"] = {
        att.organisation.name: att.organisation.id for att in attendances if att.organisation
    }
    data["interest"] = [
        {
            "organisation": org,
            "missions": sorted(v["missions"]),
            "roles": sorted(v["roles"]),
            "mission_names": [v["missions"][k] for k in sorted(v["missions"])],
            "role_names": [v["roles"][k] for k in sorted(v["roles"])],
        }
        for org, v in sorted(interest.items())
    ]
    return data


def events_attended(session: Session, organisation: m.Organisation) -> list[dict[str, Any]]:
    """Events the organisation's people attended (or it hosted), newest first, with who came."""
    rows = session.execute(
        select(m.Event, m.Contact.name)
        .join(m.Attendance, m.Attendance.event_id == m.Event.id)
        .join(m.Contact, m.Contact.id == m.Attendance.contact_id)
        .where(m.Attendance.organisation_id == organisation.id)
        .order_by(m.Event.held_on.desc(), m.Contact.name)
    ).all()
    hosted = session.scalars(select(m.Event).where(m.Event.host_id == organisation.id)).all()
    out: dict[int, dict[str, Any]] = {}
    for event in hosted:
        out[event.id] = {**_brief(event), "hosted": True, "people": []}
    for event, person in rows:
        entry = out.setdefault(event.id, {**_brief(event), "hosted": False, "people": []})
        entry["people"].append(person)
    return sorted(out.values(), key=lambda e: e["date"], reverse=True)


def _brief(event: m.Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "name": event.name,
        "kind": event.kind,
        "date": event.held_on.isoformat(),
    }


def upcoming(
    session: Session, *, today: date | None = None, days: int | None = None
) -> list[m.Event]:
    """Events from today on (within `days` days when given), soonest first."""
    today = today or date.today()
    q = (
        select(m.Event)
        .options(selectinload(m.Event.host), selectinload(m.Event.owner))
        .where(m.Event.held_on >= today)
        .order_by(m.Event.held_on, m.Event.id)
    )
    if days is not None:
        q = q.where(m.Event.held_on < today + timedelta(days=days))
    return list(session.scalars(q))
