"""PostgreSQL group roles that match the access roles, with the table privileges each needs.

Each database (and schema, when it is not `public`) gets its own four group roles, named
`pcrm_<database>[_<schema>]_<role>`, so two CRMs on one server do not collide. The library
checks roles before every write and says so in a sentence; these privileges make the same
rules hold for anyone who connects with `psql`: a viewer's login cannot write a row, and the
history is insert-only for everyone but the tables' owner (a privacy officer may rewrite the
summary and changes of an entry, which erasure needs and the history chain verifies).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.access import ADMIN_TABLES, ROLES
from partnercrm.errors import Invalid

NOT_WRITABLE = {"alembic_version", "history"}
MAX_NAME = 63


def _is_pg(conn: Connection | Session) -> bool:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name == "postgresql"


def prefix(conn: Connection) -> str:
    """`pcrm_<database>[_<schema>]`, lower case, safe as an identifier."""
    database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
    raw = f"pcrm_{database}" + ("" if schema == "public" else f"_{schema}")
    name = re.sub(r"[^a-z0-9_]", "_", raw.lower())
    if len(name) > MAX_NAME - len("_privacy"):
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        name = name[: MAX_NAME - len("_privacy") - 9] + "_" + digest
    return name


def group_names(conn: Connection) -> dict[str, str]:
    base = prefix(conn)
    return {role: f"{base}_{role}" for role in ROLES}


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _exists(conn: Connection, role: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    )


def setup(conn: Connection) -> dict[str, str]:
    """Create the four group roles (if needed) and grant each its table privileges."""
    groups = group_names(conn)
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    tables = [
        r[0]
        for r in conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        )
    ]
    sequences = [
        r[0]
        for r in conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        )
    ]

    def q(name: str) -> str:
        return _q(conn, name)

    for role, group in groups.items():
        if not _exists(conn, group):
            conn.execute(text(f"CREATE ROLE {q(group)} NOLOGIN"))
        g = q(group)
        conn.execute(text(f"GRANT USAGE ON SCHEMA {q(schema)} TO {g}"))
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {g}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q(schema)} TO {g}"))
        if sequences:
            names = ", ".join(q(s) for s in sequences)
            conn.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {names} TO {g}"))
        # every reader leaves an access entry: the history takes inserts from everyone
        conn.execute(text(f"GRANT INSERT ON history TO {g}"))
        writable = [t for t in tables if t not in NOT_WRITABLE and _writes(role, t)]
        if writable:
            names = ", ".join(q(t) for t in writable)
            conn.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {names} TO {g}"))
        if role == "privacy":
            conn.execute(text(f"GRANT UPDATE (summary, changes, redacted) ON history TO {g}"))
    # an admin's login grants the others: admin option on each group, held through the admin group
    admin = q(groups["admin"])
    for role, group in groups.items():
        if role != "admin":
            conn.execute(text(f"GRANT {q(group)} TO {admin} WITH ADMIN OPTION"))
    return groups


def _writes(role: str, table: str) -> bool:
    if role == "viewer":
        return False
    if role == "editor":
        return table not in ADMIN_TABLES and table != "erased_email"
    if role == "privacy":
        return table not in ADMIN_TABLES
    return True  # admin


def drop(conn: Connection) -> None:
    """Drop this database's group roles (tests; a database being removed)."""
    for group in group_names(conn).values():
        if _exists(conn, group):
            conn.execute(text(f"DROP OWNED BY {_q(conn, group)}"))
            conn.execute(text(f"DROP ROLE {_q(conn, group)}"))


def sync_member(session: Session, colleague: m.Colleague, roles: set[str] | None = None) -> None:
    """Make the colleague's login a member of exactly their roles' groups (PostgreSQL).

    `roles` overrides the roles they hold (an empty set takes every group from the login).
    """
    if not _is_pg(session) or not colleague.login:
        return
    conn = session.connection()
    groups = group_names(conn)
    if not all(_exists(conn, g) for g in groups.values()):
        return  # roles are recorded; `db setup-roles` makes them real
    login = colleague.login
    if not _exists(conn, login):
        raise Invalid(
            f"there is no PostgreSQL login {login!r}: a database administrator creates it first "
            f"(CREATE ROLE {login} LOGIN)",
            field="login",
        )
    if roles is not None:
        held = roles
    else:
        held = {r.role for r in colleague.roles} if not colleague.archived else set()
    member_of = set(
        conn.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
                "JOIN pg_roles u ON u.oid = a.member WHERE u.rolname = :login"
            ),
            {"login": login},
        ).scalars()
    )
    try:
        with conn.begin_nested():
            # only what changes: an admin may grant the other groups, not the admin group
            for role, group in groups.items():
                if (role in held) == (group in member_of):
                    continue
                verb = "GRANT {g} TO {l}" if role in held else "REVOKE {g} FROM {l}"
                conn.execute(text(verb.format(g=_q(conn, group), l=_q(conn, login))))
    except DBAPIError as exc:
        raise Invalid(
            f"PostgreSQL refused to change the roles of the login {login} "
            f"({_first_line(exc)}); a database administrator must grant them",
            field="login",
        ) from exc


def set_up(session: Session) -> tuple[dict[str, str], int]:
    """The group roles of this database, made and granted; (their names, logins synced)."""
    from partnercrm import access

    access.require(session, "admin", "set up the database's roles")
    if not _is_pg(session):
        raise Invalid(
            "group roles are PostgreSQL's: on SQLite the roles are recorded in the database "
            "and the file is protected by the operating system",
            field="db",
        )
    conn = session.connection()
    try:
        with conn.begin_nested():
            groups = setup(conn)
    except DBAPIError as exc:
        raise Invalid(
            f"PostgreSQL refused to set up the group roles ({_first_line(exc)}); it needs the "
            "database's owner with the right to create roles (CREATEROLE)",
            field="db",
        ) from exc
    return groups, sync_all(session)


def sync_all(session: Session) -> int:
    """`sync_member` for every colleague with a login; how many there were."""
    from sqlalchemy import select

    count = 0
    for colleague in session.scalars(select(m.Colleague).where(m.Colleague.login.is_not(None))):
        sync_member(session, colleague)
        count += 1
    return count


def _first_line(exc: Any) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0]
