"""Team mode on every backend: who is acting, what their roles allow, and reads recorded.

The PostgreSQL-only parts (logins, group roles, privileges) are in test_team_pg.py.
"""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from partnercrm import access, colleagues, organisations
from partnercrm import models as m
from partnercrm.database import open_database
from partnercrm.errors import Forbidden


@pytest.fixture
def team(cli):
    """Ruth (admin, editor), Helen (viewer), Dana (privacy), Sam (no role yet).

    On PostgreSQL the tests connect as the database's owner, who may name a colleague with
    --as; logins of their own are tested in test_team_pg.py.
    """
    for name, email, roles in (
        ("Ruth Craven", "ruth@camden.gov.uk", ["admin", "editor"]),
        ("Helen Armitage", "helen@camden.gov.uk", ["viewer"]),
        ("Dana Scully", "dana@camden.gov.uk", ["privacy"]),
        ("Sam Taylor", "sam@camden.gov.uk", []),
    ):
        cli.ok("colleague", "add", name, "--email", email)
        if roles:
            cli.ok("access", "grant", name, *roles)
    cli.ok("partner", "add", "Roundhouse", "--sector", "culture", actor="Ruth Craven")
    cli.ok(
        "contact",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@roundhouse.org.uk",
        "--org",
        "Roundhouse",
        actor="Ruth Craven",
    )
    return cli


def test_a_viewer_is_refused_a_write_in_one_sentence(team):
    result = team(
        "conversation",
        "log",
        "Roundhouse",
        "--lead",
        "Ruth",
        "--ask",
        "hosting",
        actor="Helen Armitage",
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: Helen Armitage is a viewer: they can read and pull briefs, not log conversations"
    )
    assert "Roundhouse" in team.ok("partner", "list", actor="Helen Armitage").stdout


def test_roles_belong_to_operations_as_well_as_tables(team):
    refused = team("privacy", "erase", "Ada Lovelace", "--yes", actor="Ruth Craven")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: Ruth Craven is an editor and admin: they can do the daily work with partners, "
        "contacts and conversations and manage colleagues, roles, missions, merges and restores, "
        "not erase personal data"
    )
    nobody = team("partner", "add", "Crick", "--sector", "culture", actor="Sam Taylor")
    assert nobody.stderr.strip() == (
        "Error: Sam Taylor has no role in this database, so cannot change partners; "
        "an admin can grant one"
    )
    grant = team("access", "grant", "Sam", "editor", actor="Dana Scully")
    assert "Dana Scully is a privacy officer" in grant.stderr and "not grant roles" in grant.stderr
    team.ok("privacy", "erase", "Ada Lovelace", "--yes", actor="Dana Scully")
    assert team.ok("check").stdout.startswith("All is well")


def test_as_must_name_an_existing_active_colleague(team, db):
    for forged in ("Nobody Atall", " ", "Ruth\x1b]52;c;cGF3bmVk\x07 Craven"):
        result = team("partner", "add", "Crick", "--sector", "culture", actor=forged)
        assert result.exit_code == 1 and "is not a colleague in this database" in result.stderr
        assert "\x1b" not in result.stderr
    with db.reader() as s, s.begin():
        actors = set(s.scalars(select(m.HistoryEntry.actor)))
        assert s.scalar(select(m.Organisation).where(m.Organisation.name == "Crick")) is None
    assert not any("\x1b" in a or a.strip() != a for a in actors)


def test_the_os_login_decides_when_it_is_a_colleagues(team, monkeypatch):
    if not team.url.endswith(".db"):
        pytest.skip("on PostgreSQL the connection's login decides (test_team_pg.py)")
    team.ok("colleague", "edit", "Helen Armitage", "--login", "harmitage", actor="Ruth Craven")
    monkeypatch.setattr(access, "os_login", lambda: "harmitage")
    forged = team("partner", "add", "Crick", "--sector", "culture", actor="Ruth Craven")
    assert forged.exit_code == 1
    assert forged.stderr.strip() == (
        "Error: you are signed in to this computer as harmitage, which is Helen Armitage's "
        "login: you act as Helen Armitage and cannot act as 'Ruth Craven'"
    )
    data = team.json("history", "--access", "--limit", "1")  # reading works, as Helen
    assert isinstance(data, list)
    acted = team("partner", "add", "Crick", "--sector", "culture")
    assert "Helen Armitage is a viewer" in acted.stderr


def test_the_history_records_the_os_login_too(team, db, monkeypatch):
    if not team.url.endswith(".db"):
        pytest.skip("on PostgreSQL the login recorded is the connection's (test_team_pg.py)")
    monkeypatch.setattr(access, "os_login", lambda: "rcraven")
    team.ok("partner", "edit", "Roundhouse", "--ward", "Chalk Farm", actor="Ruth Craven")
    with db.reader() as s, s.begin():
        last = s.scalars(select(m.HistoryEntry).order_by(m.HistoryEntry.seq.desc())).first()
    assert (last.actor, last.login) == ("Ruth Craven", "rcraven")


def test_until_a_role_is_granted_nobody_is_limited(cli):
    cli.ok("colleague", "add", "Sam Taylor", "--email", "sam@camden.gov.uk")
    cli.ok("partner", "add", "Crick", "--sector", "culture", actor="Sam Taylor")
    cli.ok("access", "grant", "Sam", "viewer")
    refused = cli("partner", "add", "Wellcome", "--sector", "culture", actor="Sam Taylor")
    assert "Sam Taylor is a viewer" in refused.stderr
    # the file's owner (no --as, no colleague's login) still may: the file is theirs
    cli.ok("partner", "add", "Wellcome", "--sector", "culture")


def test_the_last_admin_keeps_admin(team):
    result = team("access", "revoke", "Ruth", "admin", actor="Ruth Craven")
    assert result.exit_code == 1 and "Ruth Craven is the last admin" in result.stderr
    assert team.json("access", "list")[2]["roles"] == ["admin", "editor"]


def test_access_list_shows_logins_and_roles(team):
    listed = {r["name"]: r for r in team.json("access", "list")}
    assert listed["Helen Armitage"]["roles"] == ["viewer"]
    assert listed["Sam Taylor"]["roles"] == []
    bad = team("access", "grant", "Sam", "superuser", actor="Ruth Craven")
    assert bad.exit_code == 1
    assert "'superuser' is not a role; the roles are viewer, editor, privacy, admin" in bad.stderr


def test_bulk_reads_of_personal_data_leave_an_access_entry(team, tmp_path):
    team.ok("brief", "Roundhouse", "--format", "md", actor="Helen Armitage")
    team.ok("contact", "list", "--json", actor="Helen Armitage")
    team.ok("report", "pack", "--out", str(tmp_path / "pack"), actor="Helen Armitage")
    team.ok("privacy", "export", "Ada", "--out", str(tmp_path / "ada.json"), actor="Dana Scully")
    seen = team.json("history", "--access")
    assert [(e["actor"], e["action"]) for e in seen][:4] == [
        ("Dana Scully", "export"),
        ("Helen Armitage", "access"),
        ("Helen Armitage", "access"),
        ("Helen Armitage", "access"),
    ]
    assert {e["summary"].split(" ")[0] for e in seen[1:4]} == {"brief", "contact", "report"}
    text = team.ok("history", "--access").stdout
    assert "Helen Armitage read the contact list as JSON (1 rows)" in text
    # the changes stay apart from the readings
    assert all(e["action"] != "access" for e in team.json("history"))


def test_the_library_caller_is_trusted_as_the_system(team, db):
    trusted = open_database(db.url, actor="nightly job")
    with trusted.transaction() as s:
        organisations.add_organisation(s, "Crick", "culture")
    trusted.dispose()
    assert trusted.identity is not None and trusted.identity.roles is None


def test_the_check_is_made_in_the_library_for_any_caller(team, db):
    helen = open_database(db.url, actor="Helen Armitage", verify=True)
    with pytest.raises(Forbidden, match="Helen Armitage is a viewer"):
        with helen.transaction() as s:
            colleagues.add_colleague(s, "Zed", "zed@camden.gov.uk")
    helen.dispose()


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "new.db"
    open_database(str(path), actor="tests").dispose()
    for name in (path, *[p for p in tmp_path.glob("new.db-*")]):
        assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name


def test_a_colleague_who_has_left_cannot_act(team, db):
    with db.transaction() as s:
        sam = colleagues.find_colleague(s, "Sam Taylor")
        sam.archived = True
    result = team("partner", "list", actor="Sam Taylor")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Sam Taylor has left and can no longer act"
