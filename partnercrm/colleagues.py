"""Colleagues: council officers and leaders who talk to partners."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.contacts import normalise_email
from partnercrm.errors import Ambiguous, Conflict, Invalid, NotFound
from partnercrm.matching import find_one, name_key


def add_colleague(
    session: Session, name: str, email: str, team: str | None = None, login: str | None = None
) -> m.Colleague:
    name = name.strip()
    if not name:
        raise Invalid("a colleague needs a name", field="name")
    address = normalise_email(email)
    if session.scalar(select(m.Colleague).where(m.Colleague.email == address)):
        raise Conflict(f"a colleague with the email {address} already exists")
    colleague = m.Colleague(name=name, name_key=name_key(name), email=address, team=team or None)
    session.add(colleague)
    session.flush()
    if login:
        set_login(session, colleague, login)
    return colleague


LOGIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@$-]{0,62}")


def set_login(session: Session, colleague: m.Colleague, login: str | None) -> None:
    """Who the colleague is to the database (PostgreSQL) or the computer (SQLite); None clears it."""
    from partnercrm import pg_roles

    given = (login or "").strip() or None
    if given is not None and not LOGIN.fullmatch(given):
        raise Invalid(
            f"{given!r} is not a login name (letters, digits and _ . @ $ -, at most 63)",
            field="login",
        )
    if given == colleague.login:
        return
    holder = (
        session.scalar(select(m.Colleague).where(m.Colleague.login == given)) if given else None
    )
    if holder is not None:
        raise Conflict(f"the login {given} is already {holder.name}'s")
    if colleague.login:  # the old login leaves the groups
        pg_roles.sync_member(session, colleague, roles=set())
    colleague.login = given
    session.flush()
    pg_roles.sync_member(session, colleague)


def check_active(colleague: m.Colleague, field: str) -> None:
    """A colleague who has left is no longer given work (their history stays theirs)."""
    if colleague.archived:
        raise Invalid(
            f"{colleague.name} has left; choose a colleague who is still here", field=field
        )


def edit_colleague(
    session: Session,
    colleague: m.Colleague,
    *,
    name: str | None = None,
    email: str | None = None,
    team: str | None = None,
) -> m.Colleague:
    """Change the given fields; None leaves a field as it is, '' clears the team."""
    if name is not None:
        text = name.strip()
        if not text:
            raise Invalid("a colleague needs a name", field="name")
        colleague.name, colleague.name_key = text, name_key(text)
    if email is not None:
        address = normalise_email(email)
        clash = session.scalar(select(m.Colleague).where(m.Colleague.email == address))
        if clash is not None and clash is not colleague:
            raise Conflict(f"the email {address} is already {clash.name}'s")
        colleague.email = address
    if team is not None:
        colleague.team = team.strip() or None
    session.flush()
    return colleague


@dataclass
class Handover:
    """What a leaver handed over, and to whom."""

    leaver: str
    to: str | None
    steps: list[int] = field(default_factory=list)
    conversations: list[int] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "leaver": self.leaver,
            "handed_to": self.to,
            "steps": self.steps,
            "conversations": self.conversations,
            "organisations": self.organisations,
        }


def leave(
    session: Session, colleague: m.Colleague, handover: m.Colleague | None = None
) -> Handover:
    """The colleague has left: their history stays theirs, they are offered as nobody's owner
    or lead any more, and `handover` (if given) takes their open steps, open conversations
    and the partners they lead, in one change."""
    from partnercrm import pg_roles

    if colleague.archived:
        raise Invalid(f"{colleague.name} has already left", field="name")
    done = Handover(colleague.name, handover.name if handover else None)
    if handover is not None:
        if handover is colleague:
            raise Invalid(f"{colleague.name} cannot hand over to themselves", field="handover")
        check_active(handover, "handover")
        for step in session.scalars(
            select(m.Step).where(m.Step.owner_id == colleague.id, m.Step.done_on.is_(None))
        ):
            step.owner = handover
            done.steps.append(step.id)
        for conv in session.scalars(
            select(m.Conversation).where(
                m.Conversation.lead_id == colleague.id,
                m.Conversation.stage.in_(m.OPEN_STAGES),
                m.Conversation.archived.is_(False),
            )
        ):
            conv.lead = handover
            done.conversations.append(conv.id)
        for org in session.scalars(
            select(m.Organisation).where(m.Organisation.lead_id == colleague.id)
        ):
            org.lead = handover
            done.organisations.append(org.id)
    colleague.archived = True
    session.flush()
    pg_roles.sync_member(session, colleague)  # their login leaves the groups
    return done


def find_colleague(session: Session, text: str) -> m.Colleague:
    """A colleague by name or email, case-insensitively; a unique first-name prefix works too."""
    given = text.strip()
    key = name_key(given)
    c = m.Colleague
    return find_one(
        session,
        "colleague",
        given,
        exact=select(c).where(or_(c.name_key == key, c.email == given.lower())),
        prefix=select(c).where(c.name_key.startswith(key, autoescape=True)),
        names=select(c.name),
    )


def list_colleagues(session: Session, include_archived: bool = False) -> list[m.Colleague]:
    q = select(m.Colleague).order_by(func.lower(m.Colleague.name))
    if not include_archived:
        q = q.where(m.Colleague.archived.is_(False))
    return list(session.scalars(q))


def colleague_for_actor(session: Session) -> m.Colleague | None:
    """The one colleague the acting user names (`--as ruth`, as any colleague option), if any.

    The actor may be a login name that is nobody's, or a name two colleagues share: None then.
    """
    identity = session.info.get("identity")
    if identity is not None and identity.colleague_id is not None:
        return session.get(m.Colleague, identity.colleague_id)
    actor = session.info.get("actor")
    if not actor or not name_key(actor):
        return None
    try:
        return find_colleague(session, actor)
    except (NotFound, Ambiguous):
        return None


def colleague_dict(colleague: m.Colleague) -> dict[str, Any]:
    return {
        "id": colleague.id,
        "name": colleague.name,
        "email": colleague.email,
        "team": colleague.team,
        "login": colleague.login,
        "roles": [r.role for r in colleague.roles],
        "left": colleague.archived,
    }
