"""Nothing is lost: consistent backups while others work, checked restores, integrity checks.

SQLite copies use the online backup API through the raw DBAPI connection: one step reads a
single snapshot, so colleagues keep writing (WAL) and the copy is still consistent.
PostgreSQL has its own tools for this (`pg_dump`, `pg_restore`), and we say so.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, and_, func, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from partnercrm import access, chain, foreign, migrations, outputs
from partnercrm import models as m
from partnercrm.access import Identity
from partnercrm.concurrency import IMPORT_LOCK
from partnercrm.database import Database, make_engine, resolve_url
from partnercrm.errors import Invalid

SQLITE_HEADER = b"SQLite format 3\x00"
# the tables every partnercrm database has, whatever its schema revision
REQUIRED_TABLES = {"alembic_version", "organisation", "contact", "conversation", "touchpoint"}

PG_BACKUP = (
    "this database is PostgreSQL: back it up with pg_dump "
    "(e.g. `pg_dump --format=custom --file=partnercrm.dump DBNAME`), which copies it consistently "
    "while colleagues keep working"
)
PG_RESTORE = (
    "this database is PostgreSQL: restore a pg_dump backup with pg_restore "
    "(e.g. `pg_restore --clean --dbname=DBNAME partnercrm.dump`)"
)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another backend (or an in-memory database)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser()


# --- backup -------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.size, "seconds": round(self.seconds, 3)}


def backup(db: Database, target: str | Path, *, force: bool = False) -> BackupResult:
    """Write a consistent copy of the database to `target` (SQLite), checked before it is kept.

    The copy is made beside `target` and renamed into place once checked: a full disk or a
    failed check leaves nothing behind, and an existing file is replaced only with `force`.
    """
    source = sqlite_path(db.url)
    if source is None:
        raise Invalid(PG_BACKUP if db.engine.dialect.name == "postgresql" else _no_file(db.url))
    target = Path(target).expanduser()
    started = time.perf_counter()
    with outputs.staged(target, force=force, database=db.url, field="file") as partial:
        raw = db.engine.raw_connection()
        try:
            live = raw.driver_connection
            assert isinstance(live, sqlite3.Connection)
            copy_into(live, partial)
        except sqlite3.Error as exc:
            raise Invalid(
                f"cannot write the backup {target}: {_sqlite_reason(exc)}; nothing was written",
                field="file",
            ) from exc
        finally:
            raw.close()
        problems = file_problems(partial)
        if problems:
            raise Invalid(
                f"the copy failed its integrity check ({problems[0]}); nothing was written"
            )
    return BackupResult(target, target.stat().st_size, time.perf_counter() - started)


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    return "the disk is full" if "full" in text else text


def copy_into(source: sqlite3.Connection, target: Path) -> None:
    """Copy a live SQLite database into a new self-contained file (no WAL beside it)."""
    if not target.exists():  # personal data: readable by its owner only, from the first byte
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)  # pages=-1: the whole database from one read snapshot
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def _no_file(url: str) -> str:
    return f"the database {make_url(url).render_as_string(hide_password=True)} is not a file"


# --- restore ------------------------------------------------------------------------------


def file_problems(path: Path) -> list[str]:
    """Why `path` is not a sound partnercrm backup; an empty list means it is one."""
    if not path.is_file():
        return [f"{path} does not exist"]
    with open(path, "rb") as f:
        if f.read(16) != SQLITE_HEADER:
            return [f"{path} is not a SQLite database"]
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [f"{path} cannot be opened: {exc}"]
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            return [f"{path} is damaged: " + "; ".join(rows[:5])]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if missing:
            return [f"{path} is not a partnercrm database (no {', '.join(sorted(missing))} table)"]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] not in _known_revisions():
            return [f"{path} was written by a newer partnercrm (schema {revision}); upgrade first"]
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            table, rowid, parent, _ = orphans[0]
            return [
                f"{path} has {len(orphans)} row(s) pointing at missing records "
                f"({table} row {rowid} points at a missing {parent})"
            ]
        intruders = foreign.sqlite_foreign(conn, revision[0])
        if intruders:
            return [f"{path} carries schema objects partnercrm did not create: {intruders[0]}"]
    except sqlite3.DatabaseError as exc:
        return [f"{path} is damaged: {exc}"]
    finally:
        conn.close()
    return []


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(migrations.config()).walk_revisions()}


@dataclass
class RestoreResult:
    path: Path
    previous_copy: Path | None
    erasures_reapplied: int = 0
    erasures_unknown: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "restored_from": str(self.path),
            "previous_copy": str(self.previous_copy) if self.previous_copy else None,
            "erasures_reapplied": self.erasures_reapplied,
            "erasures_unknown": self.erasures_unknown,
        }


UNTOUCHED = "the database was not changed"


@dataclass
class _Live:
    """What restoring must carry over from the database being replaced."""

    identity: Identity
    erased_contacts: dict[int, datetime]
    erased_digests: dict[str, datetime]


def restore(
    url: str | None, source: str | Path, *, actor: str | None = None, verify: bool = False
) -> RestoreResult:
    """Replace the database with a checked backup, keeping a copy of what it replaces.

    The backup is checked completely first (a SQLite file, integrity, foreign keys, a
    partnercrm schema this version knows, no triggers or views partnercrm did not create)
    and refused otherwise, with the live database untouched. It is then prepared beside the
    database: migrated forward, every erasure recorded in the database it replaces applied
    again (so nobody erased comes back, and the block list stays whole), and the restore
    recorded in its history. Only then is the database copied aside ("...before-restore-
    <time>.db") and overwritten through the backup API, which others see as one write.
    """
    resolved = resolve_url(url)
    target = sqlite_path(resolved)
    if target is None:
        backend = make_url(resolved).get_backend_name()
        raise Invalid(PG_RESTORE if backend == "postgresql" else _no_file(resolved))
    source = Path(source).expanduser()
    if source.exists() and target.exists() and source.resolve() == target.resolve():
        raise Invalid(f"{source} is the database itself; give the backup file to restore from")
    problems = file_problems(source)
    if problems:
        raise Invalid(f"refusing to restore: {problems[0]}; {UNTOUCHED}")
    live = _read_live(resolved, target, actor, verify)
    staging = target.with_name(f".{target.name}.restoring")
    staging.unlink(missing_ok=True)
    try:
        reapplied = _prepare(source, staging, live)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    previous = _keep_previous(target) if target.exists() else None
    src = sqlite3.connect(f"file:{staging}?mode=ro", uri=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dest)
        except sqlite3.DatabaseError:
            # the file being replaced is too damaged to write into: replace it whole
            dest.close()
            for sidecar in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                sidecar.unlink(missing_ok=True)
            dest = sqlite3.connect(target)
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
        staging.unlink(missing_ok=True)
    return RestoreResult(source, previous, reapplied, erasures_unknown=live is None)


def _read_live(resolved: str, target: Path, actor: str | None, verify: bool) -> _Live | None:
    """Who is restoring (an admin) and the erasures recorded; None when it cannot be read."""
    if not target.is_file() or not file_problems(target) == []:
        return None
    engine = make_engine(resolved)
    try:
        with Session(engine) as s, s.begin():
            identity = access.identify(s, actor, verify=verify)
            access.check_role(identity, "admin", "restore a backup")
            c = m.Contact
            erased = {
                row.id: row.erased_at
                for row in s.execute(select(c.id, c.erased_at).where(c.erased_at.is_not(None)))
            }
            digests = {
                row.digest: row.erased_at
                for row in s.execute(select(m.ErasedEmail.digest, m.ErasedEmail.erased_at))
            }
    except DBAPIError:
        return None
    finally:
        engine.dispose()
    return _Live(identity, erased, digests)


def _prepare(source: Path, staging: Path, live: _Live | None) -> int:
    """The backup copied to `staging`, migrated, erasures re-applied, the restore recorded."""
    from partnercrm import history, privacy

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy_into(src, staging)
    finally:
        src.close()
    engine = make_engine(f"sqlite:///{staging}")
    try:
        migrations.ensure_current(engine)
        identity = live.identity if live else Identity("restore")
        db = Database(
            url=str(engine.url),
            engine=engine,
            actor=identity.name,
            identity=Identity(identity.name, identity.login),  # restoring is the admin's
        )
        with db.transaction() as s:
            reapplied = privacy.reapply_erasures(
                s, live.erased_contacts if live else {}, live.erased_digests if live else {}
            )
            history.record(
                s,
                "restore_backup",
                "database",
                0,
                summary=f"restored from the backup {source.name}",
                changes={
                    "erasures_reapplied": reapplied,
                    "erasures_known": live is not None,
                },
            )
        problems = sqlite_problems(engine)
    finally:
        engine.dispose()
    if problems:
        raise Invalid(f"the restored copy failed its check: {problems[0]}; {UNTOUCHED}")
    return reapplied


def _keep_previous(target: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    keep = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix or '.db'}")
    try:
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=30)
        try:
            copy_into(conn, keep)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        # too damaged for the backup API: keep its bytes as they are
        shutil.copy2(target, keep)
    return keep


# --- check --------------------------------------------------------------------------------


@dataclass
class Problem:
    check: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "message": self.message}


@dataclass
class CheckReport:
    backend: str
    checks: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # the chain's length and last digest: noted elsewhere, they show a history cut short
    history_entries: int = 0
    history_head: str | None = None
    # what check put right as it went (import runs a killed import left "running")
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "ok": self.ok,
            "checks": self.checks,
            "problems": [p.as_dict() for p in self.problems],
            "history": {"entries": self.history_entries, "head": self.history_head},
            "repaired": self.repaired,
        }


def check_url(url: str | None, *, actor: str | None = None) -> CheckReport:
    """`check` on the database at `url`, opened without migrating it (it may be damaged)."""
    resolved = resolve_url(url)
    path = sqlite_path(resolved)
    if path is not None and not path.is_file():
        raise Invalid(f"there is no database at {path}")
    engine = make_engine(resolved)
    try:
        return check(Database(url=resolved, engine=engine, actor=actor or "check"))
    except DBAPIError as exc:
        report = CheckReport(backend=engine.dialect.name, checks=["integrity"])
        report.problems.append(Problem("integrity", f"the database cannot be read: {exc.orig}"))
        return report
    finally:
        engine.dispose()


def check(db: Database) -> CheckReport:
    """Integrity (SQLite), references that point nowhere, and records that contradict themselves."""
    report = CheckReport(backend=db.engine.dialect.name)
    if db.is_sqlite:
        report.checks += ["integrity", "foreign keys"]
        for message in sqlite_problems(db.engine, integrity=True, foreign_keys=False):
            report.problems.append(Problem("integrity", message))
        for message in _sqlite_foreign_keys(db.engine):
            report.problems.append(Problem("foreign keys", message))
    else:
        report.checks.append("orphans")
        for message in _orphans(db.engine):
            report.problems.append(Problem("orphans", message))
    report.checks.append("import runs")
    try:
        report.repaired.extend(close_abandoned_imports(db))
    except DBAPIError:
        pass  # a damaged or read-only database: the other checks say what is wrong
    report.checks += ["erased contacts", "last touch", "history chain"]
    for name, message in _consistency(db.engine):
        report.problems.append(Problem(name, message))
    report.checks.append("foreign objects")
    for message in _foreign_objects(db):
        report.problems.append(Problem("foreign objects", message))
    with db.engine.connect() as conn:
        trail = chain.verify(conn)
    report.history_entries, report.history_head = trail.entries, trail.head_digest
    if trail.first_break is not None:
        report.problems.append(Problem("history chain", trail.first_break.message))
    return report


def close_abandoned_imports(db: Database) -> list[str]:
    """Mark as failed the import runs still "running" though no import is: a killed import
    never finished its run, and a running one blocks merges. An import holds the write lock
    (SQLite) or the import lock (PostgreSQL) for as long as it runs, so whatever is "running"
    once check holds that lock was left behind. Returns one sentence per run closed."""
    run = m.ImportRun
    if run.__tablename__ not in inspect(db.engine).get_table_names():
        return []  # an old schema, checked before it is upgraded
    with db.transaction() as s:
        if not db.is_sqlite and not s.scalar(
            text(f"SELECT pg_try_advisory_xact_lock({IMPORT_LOCK})")
        ):
            return []  # an import is running now: its run is rightly "running"
        left = s.execute(
            select(run.id, run.source, run.started_at).where(run.status == "running")
        ).all()
        if not left:
            return []
        s.execute(
            update(run)
            .where(run.id.in_([r.id for r in left]))
            .values(
                status="failed",
                finished_at=m.utcnow(),
                summary={"error": "the import stopped before it finished; closed by check"},
            )
        )
    return [
        f"import run {r.id} ({Path(r.source).name}, started {r.started_at:%d %b %Y %H:%M} UTC) "
        "was left running by an import that stopped; it is now marked failed"
        for r in left
    ]


def _foreign_objects(db: Database) -> list[str]:
    """Triggers, views and functions partnercrm did not create (one could rewrite the history)."""
    with db.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision not in _known_revisions():
            return []
        if not db.is_sqlite:
            try:
                return foreign.pg_foreign(conn, revision)
            except DBAPIError as exc:
                # comparing needs a scratch schema, which only the database's owner may make
                reason = str(exc.orig).splitlines()[0]
                return [
                    f"the check for foreign objects could not run ({reason}); run check as the database's owner"
                ]
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        return foreign.sqlite_foreign(raw, revision)


def sqlite_problems(
    engine: Engine, *, integrity: bool = True, foreign_keys: bool = True
) -> list[str]:
    """SQLite's own integrity and foreign-key checks, in sentences: empty means all is well."""
    problems: list[str] = []
    with engine.connect() as conn:
        if integrity:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            if rows != ["ok"]:
                problems.extend(rows)
    if foreign_keys:
        problems.extend(_sqlite_foreign_keys(engine))
    return problems


def _sqlite_foreign_keys(engine: Engine) -> list[str]:
    out = []
    with engine.connect() as conn:
        for table, rowid, parent, fkid in conn.execute(text("PRAGMA foreign_key_check")):
            fk = [
                r for r in conn.execute(text(f'PRAGMA foreign_key_list("{table}")')) if r[0] == fkid
            ]
            column = fk[0][3] if fk else None
            value = (
                conn.execute(
                    text(f'SELECT "{column}" FROM "{table}" WHERE rowid = :r'), {"r": rowid}
                ).scalar()
                if column
                else None
            )
            out.append(_orphan_message(table, rowid, parent, column, value))
    return out


def _orphan_message(table: str, row: Any, parent: str, column: str | None, value: Any) -> str:
    what = f"{parent} {value}" if value is not None else f"{parent}"
    via = f" ({column})" if column else ""
    return f"{table} row {row} points at {what}, which does not exist{via}"


def _orphans(engine: Engine, limit: int = 20) -> list[str]:
    """Rows whose foreign keys point nowhere, table by table (PostgreSQL enforces these, but a
    restore with triggers disabled or a hand edit can still leave some)."""
    out: list[str] = []
    with engine.connect() as conn:
        for table in m.Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                child, parent_col = fk.parent, fk.column
                parent = parent_col.table.alias("p")
                key = list(table.primary_key.columns)
                q = (
                    select(*key, child)
                    .select_from(table.outerjoin(parent, parent.c[parent_col.name] == child))
                    .where(and_(child.is_not(None), parent.c[parent_col.name].is_(None)))
                    .limit(limit)
                )
                for row in conn.execute(q):
                    ident = "/".join(str(v) for v in row[:-1])
                    out.append(
                        _orphan_message(
                            table.name, ident, parent_col.table.name, child.name, row[-1]
                        )
                    )
    return out


def _consistency(engine: Engine) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    c = m.Contact
    conv, t = m.Conversation, m.Touchpoint
    with engine.connect() as conn:
        leftover = conn.execute(
            select(c.id).where(
                c.erased_at.is_not(None),
                (c.email.is_not(None)) | (c.phone.is_not(None)) | (c.job_title.is_not(None)),
            )
        ).scalars()
        for cid in leftover:
            out.append(
                ("erased contacts", f"contact {cid} was erased but still holds personal data")
            )
        latest = (
            select(t.conversation_id, func.max(t.happened_on).label("latest"))
            .where(t.archived.is_(False))
            .group_by(t.conversation_id)
            .subquery()
        )
        behind = conn.execute(
            select(conv.id, conv.last_touch_on, latest.c.latest)
            .join(latest, latest.c.conversation_id == conv.id)
            .where(conv.last_touch_on < latest.c.latest)
            .limit(20)
        )
        for cid, last, newest in behind:
            out.append(
                (
                    "last touch",
                    f"conversation {cid} says its last touch was {last} but has a touchpoint on {newest}",
                )
            )
    return out
