"""Team mode on the real PostgreSQL: every colleague connects with their own login.

Each test makes uniquely named logins and this schema's group roles, and drops them all
afterwards, also when the test fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from partnercrm import models as m
from partnercrm.database import open_database
from tests.conftest import PG_URL, drop_group_roles, new_pg_schema

pytestmark = [
    pytest.mark.pg,
    pytest.mark.skipif(not PG_URL, reason="PostgreSQL: PARTNERCRM_TEST_PG_URL is not set"),
]


@dataclass
class Team:
    schema: str
    owner_url: str
    logins: dict[str, str]  # colleague's first name -> their login

    def url(self, who: str) -> str:
        assert PG_URL
        base = make_url(PG_URL).set(username=self.logins[who])
        rendered = base.render_as_string(hide_password=False)
        return f"{rendered}?options={quote(f'-csearch_path={self.schema}')}"

    def run(self, who: str | None, *args: str, input: str | None = None) -> Result:
        from cli.main import cli

        url = self.owner_url if who is None else self.url(who)
        return CliRunner().invoke(cli, ["--db", url, *args], input=input, catch_exceptions=False)

    def ok(self, who: str | None, *args: str) -> Result:
        result = self.run(who, *args)
        assert result.exit_code == 0, result.output + result.stderr
        return result

    def sql(self, who: str, statement: str) -> None:
        engine = create_engine(self.url(who))
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()


@pytest.fixture
def team() -> Iterator[Team]:
    """Ruth (editor), Helen (viewer) and Dana (privacy), each with their own login."""
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        schema = new_pg_schema(conn)
        logins = {who: f"pcrm_{schema}_{who}" for who in ("ruth", "helen", "dana")}
        for login in logins.values():
            conn.execute(text(f'CREATE ROLE "{login}" LOGIN'))
    owner_url = f"{PG_URL}?options={quote(f'-csearch_path={schema}')}"
    team = Team(schema, owner_url, logins)
    try:
        team.ok(None, "init")
        for name, email, who, roles in (
            ("Ruth Craven", "ruth@camden.gov.uk", "ruth", ["editor"]),
            ("Helen Armitage", "helen@camden.gov.uk", "helen", ["viewer"]),
            ("Dana Scully", "dana@camden.gov.uk", "dana", ["privacy", "viewer"]),
        ):
            team.ok(None, "colleague", "add", name, "--email", email, "--login", logins[who])
            team.ok(None, "access", "grant", name, *roles)
        yield team
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            drop_group_roles(conn, schema)
            for login in logins.values():
                conn.execute(text(f'DROP OWNED BY "{login}"'))
                conn.execute(text(f'DROP ROLE "{login}"'))
        admin.dispose()


def test_the_group_roles_are_named_for_this_database_and_schema(team):
    listed = team.ok(None, "db", "setup-roles", "--json").stdout
    assert f"pcrm_{make_url(PG_URL).database}_{team.schema}_viewer" in listed
    members = team.ok(None, "access", "list", "--json").stdout
    assert team.logins["helen"] in members


def test_a_viewer_cannot_write_through_partnercrm_and_is_told_why(team):
    result = team.run("helen", "partner", "add", "Wellcome Collection", "--sector", "culture")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: Helen Armitage is a viewer: they can read and pull briefs, not change partners"
    )
    team.ok("ruth", "partner", "add", "Wellcome Collection", "--sector", "culture")
    logged = team.run(
        "helen", "conversation", "log", "Wellcome", "--lead", "Ruth", "--ask", "hosting"
    )
    assert logged.exit_code == 1
    assert "Helen Armitage is a viewer: they can read and pull briefs, not log conversations" in (
        logged.stderr
    )
    assert "Wellcome Collection" in team.ok("helen", "partner", "list").stdout  # reading is fine


def test_a_viewer_cannot_write_even_with_plain_sql(team):
    with pytest.raises(ProgrammingError, match="permission denied"):
        team.sql(
            "helen",
            "INSERT INTO organisation (name, name_key, sector, anchor, archived, version, "
            "created_at, updated_at) VALUES ('X', 'x', 'culture', false, false, 1, now(), now())",
        )
    with pytest.raises(ProgrammingError, match="permission denied"):
        team.sql("helen", "DELETE FROM colleague")


def test_nobody_but_the_owner_can_change_or_remove_history(team):
    team.ok("ruth", "partner", "add", "Wellcome Collection", "--sector", "culture")
    for who in ("ruth", "helen", "dana"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            team.sql(who, "UPDATE history SET actor = 'Mallory'")
        with pytest.raises(ProgrammingError, match="permission denied"):
            team.sql(who, "DELETE FROM history")


def test_an_editor_cannot_erase_and_a_privacy_officer_can(team):
    team.ok("ruth", "partner", "add", "Roundhouse", "--sector", "culture")
    team.ok(
        "ruth",
        "contact",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@roundhouse.org.uk",
        "--org",
        "Roundhouse",
    )
    refused = team.run("ruth", "privacy", "erase", "Ada Lovelace", "--yes")
    assert refused.exit_code == 1
    assert (
        "Ruth Craven is an editor" in refused.stderr and "not erase personal data" in refused.stderr
    )
    team.ok("dana", "privacy", "erase", "Ada Lovelace", "--yes")
    assert team.ok(None, "check").stdout.startswith("All is well")


def test_a_forged_as_is_refused(team):
    result = team.run("ruth", "--as", "Helen Armitage", "partner", "add", "X", "--sector", "vcs")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: you are connected to PostgreSQL as {team.logins['ruth']}, which is Ruth "
        "Craven's login: you act as Ruth Craven and cannot act as 'Helen Armitage'"
    )
    # naming yourself is fine
    team.ok("ruth", "--as", "Ruth Craven", "partner", "add", "Y", "--sector", "vcs")


def test_the_actor_of_every_change_is_the_logins_colleague(team):
    db = open_database(team.owner_url, actor="dba")
    with db.reader() as s, s.begin():
        already = s.scalar(select(m.HistoryEntry.seq).order_by(m.HistoryEntry.seq.desc()).limit(1))
    db.dispose()
    team.ok("ruth", "partner", "add", "Roundhouse", "--sector", "culture")
    team.ok(
        "ruth",
        "conversation",
        "log",
        "Roundhouse",
        "--lead",
        "Ruth",
        "--note",
        "Venue",
        "--subject",
        "Venue",
    )
    team.ok("dana", "partner", "list", "--json")
    db = open_database(team.owner_url, actor="dba")
    with db.reader() as s, s.begin():
        rows = s.execute(
            select(m.HistoryEntry.actor, m.HistoryEntry.login, m.HistoryEntry.action).where(
                m.HistoryEntry.seq > already
            )
        ).all()
    db.dispose()
    changes = [r for r in rows if r.action != "access"]
    assert changes and {(r.actor, r.login) for r in changes} == {
        ("Ruth Craven", team.logins["ruth"])
    }
