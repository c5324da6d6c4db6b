"""Opening a database: where it is, how it is tuned, and bringing it to the latest schema."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from partnercrm import access, history, stored_text
from partnercrm.access import Identity
from partnercrm.concurrency import CheckedSession
from partnercrm.errors import Invalid

SQLITE_BUSY_TIMEOUT_MS = 30_000
_PASSWORD = re.compile(r"(?<=//)([^:/@]*):[^@/]*@")
NETWORK_FILESYSTEMS = {"cifs", "smbfs", "smb3", "nfs", "nfs4", "afs", "9p", "fuse.sshfs", "davfs"}


def default_path() -> Path:
    """The embedded default: a SQLite file in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("partnercrm", appauthor=False)) / "partnercrm.db"


def resolve_url(value: str | None) -> str:
    """Turn `--db` / PARTNERCRM_DB (a file path or any SQLAlchemy URL) into a URL."""
    value = value or os.environ.get("PARTNERCRM_DB") or str(default_path())
    if "://" in value:
        try:
            make_url(value).get_dialect()  # NoSuchModuleError (an ArgumentError) when unknown
        except ArgumentError as exc:
            shown = _PASSWORD.sub(r"\1:***@", value)
            raise Invalid(
                f"{shown!r} is not a database URL "
                f"({exc}); use a file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB",
                field="db",
            ) from exc
        return value
    path = Path(value).expanduser()
    return f"sqlite:///{path}"


def network_share_warning(url: str) -> str | None:
    """Say so when a SQLite file sits on a network share, where its locking is not safe."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    raw = u.database
    if raw.startswith("\\\\") or raw.startswith("//"):
        fstype = "a UNC path"
    else:
        fstype = _mount_type(Path(raw).expanduser().resolve())
        if fstype not in NETWORK_FILESYSTEMS:
            return None
    return (
        f"warning: the database {raw} is on a network share ({fstype}); SQLite's locking is "
        "not safe there, so several colleagues can corrupt it. Use PostgreSQL for a team "
        "(a postgresql+psycopg:// database URL)."
    )


def _mount_type(path: Path) -> str:
    best, fstype = "", ""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                    best, fstype = parts[1], parts[2]
    except OSError:
        return ""
    return fstype


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # let SQLAlchemy, not pysqlite, decide when transactions begin (SQLAlchemy's pysqlite recipe)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # writers take the lock at BEGIN, so two writers queue on the busy timeout instead of
        # failing with "database is locked" when one upgrades a read lock mid-transaction
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite tuned (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            path = Path(u.database).expanduser()
            if path == default_path():
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.parent.is_dir():
                # a mistyped --db must not quietly create folders and an empty database
                raise Invalid(
                    f"the folder {path.parent} does not exist, so the database {path} cannot "
                    "be created there",
                    field="db",
                )
            if not path.exists():
                # owner-only from the first byte (SQLite gives its -wal and -shm the same mode)
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        engine = create_engine(u, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _tune_sqlite(engine)
        return engine
    return create_engine(u, pool_pre_ping=True, **kwargs)


def acting_user(given: str | None = None) -> str:
    """Who is acting: `--as`, else PARTNERCRM_USER, else the operating-system user."""
    if given:
        return given
    env = os.environ.get("PARTNERCRM_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Database:
    """An open database: its engine and a session factory that records who is acting."""

    url: str
    engine: Engine
    actor: str
    identity: Identity | None = None

    def _acting(self, s: Session) -> Session:
        identity = self.identity or Identity(self.actor)
        s.info.update(actor=identity.name, login=identity.login, identity=identity)
        return s

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        """A new session; `with db.session() as s, s.begin():` is one unit of work."""
        return self._acting(_Sessions(bind=self.engine))

    def reader(self) -> Session:
        """A session for reading only: on SQLite it does not take the write lock."""
        bind = (
            self.engine.execution_options(sqlite_begin="DEFERRED")
            if self.is_sqlite
            else self.engine
        )
        return self._acting(_Sessions(bind=bind))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back if it raises."""
        with self.session() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


_Sessions = sessionmaker(class_=CheckedSession, expire_on_commit=False)
history.install(_Sessions)
access.install(_Sessions)
stored_text.install(_Sessions)


def open_database(
    url: str | None = None,
    *,
    actor: str | None = None,
    upgrade: bool = True,
    verify: bool = False,
    setting_up: bool = False,
) -> Database:
    """Open (creating if needed) the database at `url` and bring it to the latest schema.

    `actor` is who acts. With `verify` (the CLI and the TUI) it is only a claim, checked by
    the rules of `partnercrm.access`; without, the caller is trusted as the system under that
    name, unless a PostgreSQL login says otherwise. `setting_up` (`demo`, `init`) lets a claim
    that no colleague can answer yet stand aside on a database that has no colleagues.
    """
    resolved = resolve_url(url)
    engine = make_engine(resolved)
    claimed = actor if verify else acting_user(actor)
    db = Database(url=resolved, engine=engine, actor=access.clean(claimed or "") or "unknown")
    try:
        from partnercrm import migrations

        created = migrations.ensure_current(engine, allow_upgrade=upgrade)
        if created:
            from partnercrm.missions import install_defaults

            with db.transaction() as s:
                install_defaults(s)
        with db.reader() as s, s.begin():
            db.identity = access.identify(s, claimed, verify=verify, setting_up=setting_up)
        db.actor = db.identity.name
    except OperationalError as exc:
        engine.dispose()
        raise Invalid(
            f"cannot open the database {_safe(resolved)}: {_first_line(exc.orig)}", field="db"
        ) from exc
    except Exception:
        engine.dispose()
        raise
    return db


def _first_line(orig: object) -> str:
    # a driver's message can run to several lines of context; the first says what happened
    return str(orig).strip().splitlines()[0] if str(orig).strip() else "no reason given"


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
