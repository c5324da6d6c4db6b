"""Schema objects partnercrm did not create: triggers, views and functions slipped into a database.

A trigger can rewrite the history as it is written, so a backup carrying one must not be
restored and `check` must say so. What partnercrm creates is known exactly: the objects of
a fresh database migrated to the same revision (made once per process and revision). An
object that is not there, or whose definition differs, is foreign.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import uuid
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, create_engine, text

_SPACE = re.compile(r"\s+")

PG_OBJECTS = {
    "trigger": (
        "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
    ),
    "view": "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()",
    "function": (
        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
        "AND p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.objid = p.oid AND d.deptype = 'e')"
    ),
}


def _normal(sql: str | None, schemas: tuple[str, ...] = ()) -> str:
    """A definition with spacing, case and the qualifiers of the given schemas left out."""
    text_ = _SPACE.sub(" ", sql or "").strip().lower()
    for schema in schemas:
        text_ = text_.replace(f'"{schema.lower()}".', "").replace(f"{schema.lower()}.", "")
    return text_


def sqlite_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view')"
    )
    return {(kind, name): _normal(sql) for kind, name, sql in rows}


@cache
def _sqlite_reference(revision: str) -> dict[tuple[str, str], str]:
    from partnercrm import migrations

    with tempfile.TemporaryDirectory(prefix="partnercrm-reference-") as folder:
        path = Path(folder) / "reference.db"
        engine = create_engine(f"sqlite:///{path}")
        try:
            migrations.upgrade(engine, revision)
        finally:
            engine.dispose()
        conn = sqlite3.connect(path)
        try:
            return sqlite_objects(conn)
        finally:
            conn.close()


def sqlite_foreign(conn: sqlite3.Connection, revision: str) -> list[str]:
    """The foreign triggers and views of the SQLite database behind `conn`, in words."""
    return _differences(sqlite_objects(conn), _sqlite_reference(revision))


def pg_objects(conn: Connection) -> dict[tuple[str, str], str]:
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    # where the extensions live (unaccent) differs between databases, not what is defined
    extensions = conn.execute(
        text(
            "SELECT DISTINCT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace"
        )
    ).scalars()
    schemas = (schema, *extensions)
    found: dict[tuple[str, str], str] = {}
    for kind, query in PG_OBJECTS.items():
        for name, definition in conn.execute(text(query)):
            found[(kind, name)] = _normal(definition, schemas)
    return found


_pg_references: dict[tuple[str, str], dict[tuple[str, str], str]] = {}


def _pg_reference(conn: Connection, revision: str) -> dict[tuple[str, str], str]:
    """The objects of a scratch schema migrated to `revision` on the same server (then dropped)."""
    from partnercrm import migrations

    server = conn.engine.url.render_as_string(hide_password=False)
    key = (server.split("?")[0], revision)
    if key in _pg_references:
        return _pg_references[key]
    schema = f"partnercrm_reference_{uuid.uuid4().hex[:10]}"
    base = conn.engine.url.set(
        query={k: v for k, v in conn.engine.url.query.items() if k != "options"}
    )
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    scratch = create_engine(base, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with admin.connect() as a:
            a.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            migrations.upgrade(scratch, revision)
            with scratch.connect() as s:
                _pg_references[key] = pg_objects(s)
        finally:
            with admin.connect() as a:
                a.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        scratch.dispose()
        admin.dispose()
    return _pg_references[key]


def pg_foreign(conn: Connection, revision: str) -> list[str]:
    """The foreign triggers, views and functions of the PostgreSQL schema in use, in words."""
    return _differences(pg_objects(conn), _pg_reference(conn, revision))


def _differences(
    found: dict[tuple[str, str], str], expected: dict[tuple[str, str], str]
) -> list[str]:
    out = []
    for (kind, name), definition in sorted(found.items()):
        if (kind, name) not in expected:
            out.append(f"the {kind} {name} was not created by partnercrm")
        elif expected[(kind, name)] != definition:
            out.append(f"the {kind} {name} differs from the one partnercrm created")
    return out
