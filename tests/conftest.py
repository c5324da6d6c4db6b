"""Fixtures: every database test runs on SQLite, and on PostgreSQL when PARTNERCRM_TEST_PG_URL is set.

A PostgreSQL test gets a schema of its own (dropped afterwards), reached through a URL whose
search_path names it, so the library, the CLI and subprocesses all see the same schema.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import DBAPIError

from partnercrm.database import Database, open_database
from partnercrm.demo import load_demo

PG_URL = os.environ.get("PARTNERCRM_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return f"PostgreSQL tests: on ({PG_URL})"
    return "PostgreSQL tests: skipped (set PARTNERCRM_TEST_PG_URL to run them)"


# the demo database's day and its partnership lead (the TUI tests act as her)
DEMO_DAY = date(2025, 11, 12)
DEMO_USER = "Ruth Craven"


def _made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The file `name`, made by `make(path)` once for the whole run and then only read.

    Under pytest-xdist every worker has its own base temp folder under one folder of the run;
    the first worker to get there makes the file (an exclusive lock on a file beside it queues
    the others) and the rest copy from it. Run without xdist, the file is the session's own.
    """
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, shared by its workers
    path = base / "templates" / name
    path.parent.mkdir(exist_ok=True)
    with open(base / "templates" / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not path.exists():
            partial = path.with_name(f"{name}.partial")
            for stale in path.parent.glob(f"{name}.partial*"):
                stale.unlink()
            make(partial)
            assert not Path(f"{partial}-wal").exists()
            partial.rename(path)
    return path


def _migrated(path: Path) -> None:
    db = open_database(str(path), actor="tests")
    db.dispose()  # the last connection to close checkpoints the WAL into the file


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database made once; each test copies it (migrating costs ~0.3 s)."""
    return _made_once(tmp_path_factory, "template.db", _migrated)


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data on a fixed day, made once a run (it takes seconds); tests copy the file."""

    def make(path: Path) -> None:
        shutil.copy(sqlite_template, path)
        db = open_database(str(path), actor="tests")
        with db.transaction() as s:
            load_demo(s, today=DEMO_DAY)
        db.dispose()

    return _made_once(tmp_path_factory, "demo.db", make)


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database (SQLite), opened as its partnership lead."""
    path = tmp_path / "crm.db"
    shutil.copy(demo_template, path)
    db = open_database(str(path), actor=DEMO_USER)
    yield db
    db.dispose()


# pg_advisory_lock key for the one-off set-up below: any number; this one is "ext" + 1
_EXTENSIONS_LOCK = 0x65787401
_extensions_ready = False


def _pg_extensions(conn: Connection) -> None:
    """Create `unaccent` in `public` once for the whole test database, before any test migrates.

    An extension exists once per database, in one schema. Left to the search migration, the
    first test to migrate creates it in its own schema and drops it with that schema while
    the tests running beside it (xdist workers, another checkout's run) use it. Made here, in
    `public` and never dropped, the migration finds it there and only ever reads it. The
    advisory lock queues the workers that start at the same time; IF NOT EXISTS makes it a
    no-op for all but the first. Where it cannot be created, the migration's fallback folds.
    """
    global _extensions_ready
    if _extensions_ready:
        return
    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _EXTENSIONS_LOCK})
    try:  # `conn` is in autocommit: a refusal leaves it usable
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
    except DBAPIError:
        pass  # not installed on this server, or no privilege: the migration folds without it
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _EXTENSIONS_LOCK})
    _extensions_ready = True
    found = conn.scalar(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    )
    if found not in (None, "public"):
        warnings.warn(
            f"unaccent is in schema {found!r} of the test database, made by something else's "
            "migration: tests fail while it is there and once it is dropped; use a database "
            "of your own for PARTNERCRM_TEST_PG_URL",
            stacklevel=2,
        )


def new_pg_schema(conn: Connection) -> str:
    """A new, uniquely named schema for one test (or one module's shared build); `conn` is an
    autocommit connection to PARTNERCRM_TEST_PG_URL."""
    _pg_extensions(conn)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return schema


def _pg_schema_url(schema: str) -> str:
    assert PG_URL
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_database_url(backend: str, folder: Path, sqlite_template: Path) -> Iterator[str]:
    """A URL to a fresh, migrated database with the default missions and roles: a copy of the
    template in `folder`, or a PostgreSQL schema of its own, dropped (with its group roles)
    when the block ends."""
    if backend == "sqlite":
        path = folder / "crm.db"
        shutil.copy(sqlite_template, path)
        yield str(path)
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: PARTNERCRM_TEST_PG_URL is not set")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        schema = new_pg_schema(conn)
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            drop_group_roles(conn, schema)
        admin.dispose()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A URL to a fresh, migrated database with the default missions and roles."""
    with fresh_database_url(getattr(request, "param", "sqlite"), tmp_path, sqlite_template) as url:
        yield url


def drop_group_roles(conn, schema: str) -> None:
    """Drop the group roles `init` or `db setup-roles` made for a test's schema."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    for (role,) in conn.execute(
        text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
        {"p": f"pcrm_{database}_{schema}_%"},
    ).all():
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.fixture(autouse=True)
def _no_acting_user_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    # `make` exports PARTNERCRM_USER for `make run`; a test says who acts itself
    monkeypatch.delenv("PARTNERCRM_USER", raising=False)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # any test that uses the database, directly or through `db`/`cli`, runs on both backends
    if "db_url" in metafunc.fixturenames:
        metafunc.parametrize("db_url", BACKENDS, indirect=True)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url, actor="tester")
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator:
    """A session in an open transaction, committed at the end of the test."""
    with db.transaction() as s:
        yield s


class CLI:
    """Runs `partnercrm --db URL ...` in-process, as a user would type it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, actor: str | None = None, input: str | None = None) -> Result:
        """Without `actor`, as the operating-system user (the SQLite file's owner, or on
        PostgreSQL the database's owner); with it, `--as actor`, which must name a colleague."""
        from cli.main import cli

        acting = ["--as", actor] if actor else []
        return self.runner.invoke(
            cli, ["--db", self.url, *acting, *args], input=input, catch_exceptions=False
        )

    def ok(self, *args: str, **kw: str) -> Result:
        result = self(*args, **kw)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}{result.stderr}"
        return result

    def json(self, *args: str, **kw: str) -> object:
        import json

        return json.loads(self.ok(*args, "--json", **kw).stdout)


@pytest.fixture
def cli(db_url: str) -> CLI:
    return CLI(db_url)
