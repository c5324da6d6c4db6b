"""Fixtures: every database test runs on SQLite, and on PostgreSQL when PARTNERCRM_TEST_PG_URL is set.

A PostgreSQL test gets a schema of its own (dropped afterwards), reached through a URL whose
search_path names it, so the library, the CLI and subprocesses all see the same schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from partnercrm.database import Database, open_database

PG_URL = os.environ.get("PARTNERCRM_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return f"PostgreSQL tests: on ({PG_URL})"
    return "PostgreSQL tests: skipped (set PARTNERCRM_TEST_PG_URL to run them)"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database made once; each test copies it (migrating costs ~0.3 s)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = open_database(str(path), actor="tests")
    db.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not Path(f"{path}-wal").exists()
    return path


def _pg_schema_url(schema: str) -> str:
    assert PG_URL
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A URL to a fresh, migrated database with the default missions and roles."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        path = tmp_path / "crm.db"
        shutil.copy(sqlite_template, path)
        yield str(path)
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: PARTNERCRM_TEST_PG_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            drop_group_roles(conn, schema)
        admin.dispose()


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
