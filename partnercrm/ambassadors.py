"""Ambassadorships: organisations onboarded as Missions Ambassadors in a Figure 2 role."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from partnercrm import models as m
from partnercrm.concurrency import check_version
from partnercrm.dates import happened, today_of
from partnercrm.errors import Conflict, Invalid
from partnercrm.matching import get_by_id
from partnercrm.missions import check_offered

# proposed → onboarding → active → paused → ended; paused can resume; ended is final
NEXT_STATUSES: dict[str, set[str]] = {
    m.AmbassadorStatus.PROPOSED: {
        m.AmbassadorStatus.ONBOARDING,
        m.AmbassadorStatus.ACTIVE,
        m.AmbassadorStatus.ENDED,
    },
    m.AmbassadorStatus.ONBOARDING: {
        m.AmbassadorStatus.ACTIVE,
        m.AmbassadorStatus.PAUSED,
        m.AmbassadorStatus.ENDED,
    },
    m.AmbassadorStatus.ACTIVE: {m.AmbassadorStatus.PAUSED, m.AmbassadorStatus.ENDED},
    m.AmbassadorStatus.PAUSED: {m.AmbassadorStatus.ACTIVE, m.AmbassadorStatus.ENDED},
    m.AmbassadorStatus.ENDED: set(),
}


def enrol(
    session: Session,
    organisation: m.Organisation,
    role: m.AmbassadorRole,
    *,
    mission: m.Mission | None = None,
    since: date | str | None = None,
    status: str = m.AmbassadorStatus.PROPOSED,
) -> m.Ambassadorship:
    """Propose (or record) an organisation in an ambassador role, optionally for one mission."""
    value = _check_status(status)
    check_offered([role], field="role")
    check_offered([mission] if mission else [], field="mission")
    _check_not_held(session, organisation, role, mission)
    when = happened(since, "since", field="since", today=today_of(session))
    amb = m.Ambassadorship(
        organisation=organisation,
        role=role,
        mission=mission,
        status=value,
        since=when,
        status_changed_on=when,
    )
    session.add(amb)
    session.flush()
    return amb


def _check_not_held(
    session: Session,
    organisation: m.Organisation,
    role: m.AmbassadorRole,
    mission: m.Mission | None,
    *,
    other_than: int | None = None,
) -> None:
    """An organisation holds a role for a mission once at a time."""
    a = m.Ambassadorship
    same_mission = a.mission_id == mission.id if mission is not None else a.mission_id.is_(None)
    existing = session.scalar(
        select(a).where(
            a.organisation_id == organisation.id,
            a.role_id == role.id,
            same_mission,
            a.status != m.AmbassadorStatus.ENDED,
            a.id != (other_than or 0),
        )
    )
    if existing is not None:
        where = f" for {mission.name}" if mission else ""
        raise Conflict(
            f"{organisation.name} already holds the {role.name} role{where} "
            f"(ambassadorship {existing.id}, {existing.status})"
        )


def edit_ambassadorship(
    session: Session,
    ambassadorship: m.Ambassadorship,
    *,
    expected_version: int | None = None,
    role: m.AmbassadorRole | None = None,
    mission: m.Mission | None = None,
    clear_mission: bool = False,
    since: date | str | None = None,
) -> m.Ambassadorship:
    """Change the role, the mission (or clear it: any mission) or since when; None leaves it."""
    check_version(ambassadorship, expected_version)
    new_role = role if role is not None else ambassadorship.role
    new_mission = None if clear_mission else (mission or ambassadorship.mission)
    if (new_role, new_mission) != (ambassadorship.role, ambassadorship.mission):
        check_offered([new_role], already=[ambassadorship.role], field="role")
        check_offered(
            [new_mission] if new_mission else [], already=[ambassadorship.mission], field="mission"
        )
        if ambassadorship.status != m.AmbassadorStatus.ENDED:
            _check_not_held(
                session,
                ambassadorship.organisation,
                new_role,
                new_mission,
                other_than=ambassadorship.id,
            )
        ambassadorship.role, ambassadorship.mission = new_role, new_mission
    if since is not None:
        when = happened(since, "since", field="since", today=today_of(session))
        if ambassadorship.status_changed_on == ambassadorship.since:
            ambassadorship.status_changed_on = when  # its status never moved: it moves with it
        elif when > ambassadorship.status_changed_on:
            raise Invalid(
                f"ambassadorship {ambassadorship.id} became {ambassadorship.status} on "
                f"{ambassadorship.status_changed_on:%d %b %Y}; it cannot start after that "
                f"({when:%d %b %Y})",
                field="since",
            )
        ambassadorship.since = when
    session.flush()
    return ambassadorship


def _check_status(status: str) -> str:
    value = (status or "").strip().lower()
    if value not in {s.value for s in m.AmbassadorStatus}:
        raise Invalid(
            f"status {status!r} is not one of {', '.join(s.value for s in m.AmbassadorStatus)}",
            field="status",
        )
    return value


def set_status(
    session: Session,
    ambassadorship: m.Ambassadorship,
    status: str,
    *,
    on: date | str | None = None,
    expected_version: int | None = None,
) -> m.Ambassadorship:
    check_version(ambassadorship, expected_version)
    value = _check_status(status)
    if value == ambassadorship.status:
        raise Invalid(
            f"ambassadorship {ambassadorship.id} is already {value}; nothing changed",
            field="status",
        )
    if value not in NEXT_STATUSES[ambassadorship.status]:
        allowed = (
            ", ".join(sorted(NEXT_STATUSES[ambassadorship.status])) or "nothing (it has ended)"
        )
        raise Invalid(
            f"ambassadorship {ambassadorship.id} is {ambassadorship.status}; it can move to {allowed}",
            field="status",
        )
    when = happened(on, "date", field="on", today=today_of(session))
    latest = ambassadorship.status_changed_on
    if when < latest:
        raise Invalid(
            f"ambassadorship {ambassadorship.id} became {ambassadorship.status} on "
            f"{latest:%d %b %Y}; a move to {value} cannot be dated before that ({when:%d %b %Y})",
            field="on",
        )
    ambassadorship.status = value
    ambassadorship.status_changed_on = when
    if value == m.AmbassadorStatus.ENDED:
        ambassadorship.ended_on = when
    session.flush()
    return ambassadorship


def get_ambassadorship(session: Session, ident: int | str) -> m.Ambassadorship:
    return get_by_id(session, m.Ambassadorship, "ambassadorship", ident)


def list_ambassadorships(
    session: Session,
    *,
    organisation: m.Organisation | None = None,
    role: m.AmbassadorRole | None = None,
    mission: m.Mission | None = None,
    status: str | None = None,
) -> list[m.Ambassadorship]:
    a = m.Ambassadorship
    q = (
        select(a)
        .join(m.Organisation)
        .options(selectinload(a.organisation), selectinload(a.role), selectinload(a.mission))
        .order_by(a.role_id, m.Organisation.name_key, a.id)
    )
    if organisation is not None:
        q = q.where(a.organisation_id == organisation.id)
    else:
        q = q.where(m.Organisation.archived.is_(False))
    if role is not None:
        q = q.where(a.role_id == role.id)
    if mission is not None:
        q = q.where(a.mission_id == mission.id)
    if status:
        q = q.where(a.status == _check_status(status))
    return list(session.scalars(q))


def ambassadorship_dict(a: m.Ambassadorship) -> dict[str, Any]:
    return {
        "id": a.id,
        "organisation": a.organisation.name,
        "role": a.role.key,
        "role_name": a.role.name,
        "mission": a.mission.key if a.mission else None,
        "mission_name": a.mission.name if a.mission else None,
        "status": a.status,
        "since": a.since.isoformat(),
        "status_changed_on": a.status_changed_on.isoformat(),
        "ended_on": a.ended_on.isoformat() if a.ended_on else None,
        "version": a.version,
    }
