"""Who is acting, and what their roles let them do.

Identity. On PostgreSQL the acting colleague is the one whose `login` is the connection's
`session_user`: the database authenticated them, and a claimed name cannot change it. On
SQLite (one person's file) it is the colleague whose login is the operating-system user,
else the existing, active colleague the caller names. A login that is no colleague's acts
as itself: on SQLite that is the file's owner, on PostgreSQL the database's owner (or a
superuser) may do anything, any other login only read.

A library caller that gives `open_database(actor=...)` without asking for verification is
trusted as the system (scripts, tests): it acts under that name with every right, except on
PostgreSQL when its login is a colleague's, where the login decides.

Roles: `viewer` reads, `editor` does the daily work and imports, `privacy` answers subject
access, erasure and retention, `admin` manages colleagues, roles, missions, merges and
restores. Until the first role is granted a database is personal and nobody is limited.
The check is made in one place, before every flush and every bulk statement, plus
`require()` for operations that belong to a role rather than to a table.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, exists, select, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from partnercrm import models as m
from partnercrm.errors import Ambiguous, Forbidden, Invalid, NotFound

ROLES = tuple(r.value for r in m.AccessRole)
ADMIN_TABLES = {"colleague", "colleague_role", "mission", "ambassador_role"}
# bulk statements on these tables belong to erasure and retention, not to the daily work
PRIVACY_TABLES = {"erased_email"}

NOUN = {
    "viewer": "a viewer",
    "editor": "an editor",
    "privacy": "a privacy officer",
    "admin": "an admin",
}
CAN = {
    "viewer": "read and pull briefs",
    "editor": "do the daily work with partners, contacts and conversations",
    "privacy": "answer subject access, erasure and retention requests",
    "admin": "manage colleagues, roles, missions, merges and restores",
}
DOING = {
    "organisation": "change partners",
    "organisation_alias": "change partners",
    "contact": "change contacts",
    "contact_email": "change contacts",
    "conversation": "log conversations",
    "touchpoint": "log conversations",
    "stage_change": "log conversations",
    "step": "set next steps",
    "commitment": "record commitments",
    "delivery": "record deliveries",
    "event": "change events",
    "attendance": "record attendance",
    "ambassadorship": "change ambassadorships",
    "import_run": "import attendees",
    "not_duplicate": "review duplicates",
    "colleague": "change colleagues",
    "colleague_role": "grant roles",
    "mission": "change missions",
    "ambassador_role": "change ambassador roles",
    "erased_email": "erase personal data",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Identity:
    """The acting user: the name the history records, their login, their colleague and roles.

    `roles` None means unlimited: the database's owner, a trusted library caller, or anyone
    while no role has been granted.
    """

    name: str
    login: str | None = None
    colleague_id: int | None = None
    roles: frozenset[str] | None = None

    def may(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "login": self.login,
            "colleague_id": self.colleague_id,
            "roles": None if self.roles is None else sorted(self.roles),
        }


def clean(text: str) -> str:
    """`text` without control characters or bidi overrides (they must not reach the history)."""
    return _CONTROL.sub("", text).strip()


def os_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --- identity ---------------------------------------------------------------------------------


def identify(
    session: Session, claimed: str | None, *, verify: bool, setting_up: bool = False
) -> Identity:
    """Who is acting on this database (see the module's docstring for the rules)."""
    if verify and claimed and not clean(claimed):
        raise Invalid(
            f"{claimed!r} is not a colleague in this database: act as an existing colleague "
            "(their name or email)",
            field="as",
        )
    postgres = session.get_bind().dialect.name == "postgresql"
    login = str(session.scalar(text("SELECT session_user"))) if postgres else os_login()
    managed = any_roles(session)
    mine = session.scalar(select(m.Colleague).where(m.Colleague.login == login))
    if mine is not None:
        if claimed and not _names(session, mine, claimed):
            where = "connected to PostgreSQL" if postgres else "signed in to this computer"
            raise Invalid(
                f"you are {where} as {login}, which is {mine.name}'s login: you act as "
                f"{mine.name} and cannot act as {clean(claimed)!r}",
                field="as",
            )
        return _colleague_identity(mine, login, managed)
    if (
        verify
        and setting_up
        and not session.scalar(select(exists().where(m.Colleague.id.is_not(None))))
    ):
        # a database with no colleagues yet is being set up (`demo`, `init`): no claim can be
        # checked, so the login that sets it up is the one on the record
        return Identity(login, login)
    if postgres:
        owner = bool(session.scalar(text(_PG_OWNER)))
        named = clean(claimed or "")
        if not named or named == login:
            return Identity(login, login, None, None if owner or not managed else frozenset())
        if not owner:
            raise Invalid(
                f"you are connected to PostgreSQL as {login}, which is no colleague's login: "
                f"you act as {login} and cannot act as {named!r}",
                field="as",
            )
        if not verify:
            return Identity(named, login)
        # the owner (who could write any row anyway) acts for a named colleague, on the record:
        # the history keeps the owner's login beside the colleague's name
        return _colleague_identity(_claimed_colleague(session, named), login, managed)
    if not claimed:
        return Identity(login, login)  # the file's owner
    if not verify:
        return Identity(clean(claimed) or login, login)
    colleague = _claimed_colleague(session, claimed)
    return _colleague_identity(colleague, login, managed)


_PG_OWNER = (
    "SELECT rolsuper OR pg_has_role(session_user, "
    "(SELECT nspowner FROM pg_namespace WHERE nspname = current_schema()), 'MEMBER') "
    "FROM pg_roles WHERE rolname = session_user"
)


def _colleague_identity(colleague: m.Colleague, login: str, managed: bool) -> Identity:
    roles = frozenset(r.role for r in colleague.roles) if managed else None
    return Identity(colleague.name, login, colleague.id, roles)


def _names(session: Session, colleague: m.Colleague, claimed: str) -> bool:
    given = clean(claimed)
    if given.lower() in {colleague.name.lower(), colleague.email, (colleague.login or "").lower()}:
        return True
    from partnercrm.colleagues import find_colleague

    try:
        return find_colleague(session, given).id == colleague.id
    except (NotFound, Ambiguous, Invalid):
        return False


def _claimed_colleague(session: Session, claimed: str) -> m.Colleague:
    from partnercrm.colleagues import find_colleague

    given = clean(claimed)
    try:
        colleague = find_colleague(session, given) if given else None
    except Ambiguous as exc:
        raise Invalid(
            f"{given!r} names more than one colleague ({', '.join(exc.candidates)}); "
            "say which by their full name or email",
            field="as",
        ) from exc
    except NotFound:
        colleague = None
    if colleague is None:
        raise Invalid(
            f"{given!r} is not a colleague in this database: act as an existing colleague "
            "(their name or email)",
            field="as",
        )
    if colleague.archived:
        raise Invalid(f"{colleague.name} has left and can no longer act", field="as")
    return colleague


def any_roles(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(m.ColleagueRole.id.is_not(None)))))


# --- the check --------------------------------------------------------------------------------


def identity_of(session: Session) -> Identity:
    found = session.info.get("identity")
    return (
        found
        if isinstance(found, Identity)
        else Identity(str(session.info.get("actor") or "unknown"))
    )


def refusal(identity: Identity, doing: str) -> Forbidden:
    """One sentence: who they are, what their roles let them do, and what they tried."""
    held = [r for r in ROLES if r in (identity.roles or ())]
    if not held:
        return Forbidden(
            f"{identity.name} has no role in this database, so cannot {doing}; "
            "an admin can grant one"
        )
    nouns = " and ".join([NOUN[held[0]]] + [NOUN[r].split(" ", 1)[1] for r in held[1:]])
    return Forbidden(
        f"{identity.name} is {nouns}: they can {' and '.join(CAN[r] for r in held)}, not {doing}"
    )


def require(session: Session, role: str, doing: str) -> None:
    """Refuse unless the acting user holds `role`; once held, the whole unit of work may write."""
    identity = identity_of(session)
    if not identity.may(role):
        raise refusal(identity, doing)
    session.info.setdefault("permits", set()).add(role)


def check_role(identity: Identity, role: str, doing: str) -> None:
    """`require` for work done outside a session (a restore replaces the whole file)."""
    if not identity.may(role):
        raise refusal(identity, doing)


def _needed(table: str) -> tuple[str, ...]:
    if table in ADMIN_TABLES:
        return ("admin",)
    if table in PRIVACY_TABLES:
        return ("privacy",)
    return ("editor",)


def _check_tables(session: Session, tables: Iterable[str]) -> None:
    identity = identity_of(session)
    if identity.roles is None:
        return
    permitted = session.info.get("permits", set()) & identity.roles
    if permitted & {"admin", "privacy"}:
        return  # a merge, an erasure or a retention run writes wherever it must
    for table in sorted(set(tables)):
        if table == "history":
            continue  # everyone's reading and writing is recorded
        if not any(role in identity.roles for role in _needed(table)):
            raise refusal(identity, DOING.get(table, f"change {table.replace('_', ' ')}s"))


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    changed = [
        obj
        for obj in list(session.new)
        + list(session.deleted)
        + [o for o in session.dirty if session.is_modified(o, include_collections=True)]
        if isinstance(obj, m.Base)
    ]
    if not changed:
        return
    _check_tables(session, (obj.__tablename__ for obj in changed))
    from partnercrm import chain

    chain.lock(session)  # before this flush's rows are locked: writers queue in one order


def _before_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name:
        _check_tables(state.session, [name])
        from partnercrm import chain

        chain.lock(state.session)


def install(factory: sessionmaker[Any]) -> None:
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "do_orm_execute", _before_statement)


# --- granting ---------------------------------------------------------------------------------


def parse_roles(given: Sequence[str]) -> list[str]:
    roles = []
    for word in given:
        role = word.strip().lower()
        if role not in ROLES:
            raise Invalid(
                f"{clean(word)!r} is not a role; the roles are {', '.join(ROLES)}", field="roles"
            )
        roles.append(role)
    if not roles:
        raise Invalid(f"name at least one role ({', '.join(ROLES)})", field="roles")
    return list(dict.fromkeys(roles))


def grant(session: Session, colleague: m.Colleague, roles: Sequence[str]) -> list[str]:
    """Give `colleague` these roles (and on PostgreSQL their login the matching group roles)."""
    wanted = parse_roles(roles)
    require(session, "admin", "grant roles")
    if colleague.archived:
        raise Invalid(
            f"{colleague.name} has left; roles cannot be granted to them", field="colleague"
        )
    held = {r.role for r in colleague.roles}
    added = [r for r in wanted if r not in held]
    for role in added:
        colleague.roles.append(m.ColleagueRole(role=role))
    session.flush()
    from partnercrm import pg_roles

    pg_roles.sync_member(session, colleague)
    return added


def revoke(session: Session, colleague: m.Colleague, roles: Sequence[str]) -> list[str]:
    """Take these roles from `colleague`; the last admin cannot lose admin."""
    wanted = parse_roles(roles)
    require(session, "admin", "revoke roles")
    gone = [r for r in colleague.roles if r.role in wanted]
    if "admin" in {r.role for r in gone}:
        others = session.scalar(
            select(
                exists().where(
                    m.ColleagueRole.role == "admin", m.ColleagueRole.colleague_id != colleague.id
                )
            )
        )
        if not others:
            raise Invalid(
                f"{colleague.name} is the last admin: grant admin to someone else first",
                field="roles",
            )
    for role in gone:
        colleague.roles.remove(role)
    session.flush()
    from partnercrm import pg_roles

    pg_roles.sync_member(session, colleague)
    return [r.role for r in gone]


def access_list(session: Session) -> list[dict[str, Any]]:
    """Every colleague with their login and roles, for `access list`."""
    from sqlalchemy import func
    from sqlalchemy.orm import selectinload

    rows = session.scalars(
        select(m.Colleague)
        .options(selectinload(m.Colleague.roles))
        .order_by(func.lower(m.Colleague.name))
    )
    return [
        {
            "id": c.id,
            "name": c.name,
            "email": c.email,
            "login": c.login,
            "roles": [r.role for r in c.roles],
            "active": not c.archived,
        }
        for c in rows
    ]
