"""A restore checks the backup completely before it replaces anything, keeps every erasure
made since the backup, and records itself in the restored history."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from partnercrm import backup, colleagues, contacts, organisations, privacy
from partnercrm import models as m
from partnercrm.contacts import email_digest
from partnercrm.database import open_database
from partnercrm.errors import Invalid


@pytest.fixture
def live(tmp_path: Path) -> dict:
    path = tmp_path / "crm.db"
    db = open_database(str(path), actor="Ruth Craven")
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        rh = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@roundhouse.org.uk", rh)
        ada_id = ada.id
    backup.backup(db, tmp_path / "before.db")
    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, ada_id))
    db.dispose()
    return {"path": path, "backup": tmp_path / "before.db", "ada": ada_id}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restoring_a_backup_from_before_an_erasure_does_not_bring_the_person_back(cli, live):
    result = cli.ok("--db", str(live["path"]), "restore", str(live["backup"]), "--yes")
    assert "Re-applied 1 erasure recorded since the backup: that person stays erased." in (
        result.stdout
    )
    assert "The restore is recorded in the history." in result.stdout
    db = open_database(str(live["path"]), actor="tests")
    with db.reader() as s, s.begin():
        ada = s.get(m.Contact, live["ada"])
        assert ada.erased_at is not None and ada.email is None
        assert s.scalar(
            select(m.ErasedEmail).where(
                m.ErasedEmail.digest == email_digest("ada@roundhouse.org.uk")
            )
        )
        last = s.scalars(select(m.HistoryEntry).order_by(m.HistoryEntry.seq.desc())).first()
        assert last.action == "restore_backup" and last.changes["erasures_reapplied"] == 1
        text = " ".join(f"{h.summary} {h.changes}" for h in s.scalars(select(m.HistoryEntry)))
        assert "Lovelace" not in text
    assert backup.check(db).ok
    db.dispose()


@pytest.mark.parametrize(
    "intrusion, said",
    [
        (
            "CREATE TRIGGER rewrite_actor AFTER INSERT ON history BEGIN "
            "UPDATE history SET actor = 'Nobody' WHERE id = new.id; END",
            "the trigger rewrite_actor was not created by partnercrm",
        ),
        ("CREATE VIEW everyone AS SELECT name, email FROM contact", "the view everyone"),
        (
            "DROP TRIGGER search_contact_ai; CREATE TRIGGER search_contact_ai AFTER INSERT ON "
            "contact BEGIN UPDATE contact SET email = NULL WHERE id = new.id; END",
            "the trigger search_contact_ai differs from the one partnercrm created",
        ),
        (
            "PRAGMA foreign_keys = OFF; INSERT INTO contact_email (contact_id, email) "
            "VALUES (999, 'ghost@example.org')",
            "pointing at missing records",
        ),
    ],
)
def test_a_backup_that_is_not_sound_is_refused_and_nothing_changes(cli, live, intrusion, said):
    conn = sqlite3.connect(live["backup"])
    conn.executescript(intrusion)
    conn.close()
    before = _digest(live["path"])
    result = cli("--db", str(live["path"]), "restore", str(live["backup"]), "--yes")
    assert result.exit_code == 1
    assert said in result.stderr and result.stderr.strip().endswith("the database was not changed")
    assert _digest(live["path"]) == before
    assert not list(live["path"].parent.glob("*before-restore*"))


def test_only_an_admin_restores_once_roles_are_granted(cli, live):
    url = str(live["path"])
    cli.ok("--db", url, "colleague", "add", "Helen Armitage", "--email", "helen@camden.gov.uk")
    cli.ok("--db", url, "access", "grant", "Ruth", "admin")
    cli.ok("--db", url, "access", "grant", "Helen", "viewer")
    refused = cli("--db", url, "--as", "Helen", "restore", str(live["backup"]), "--yes")
    assert refused.exit_code == 1
    assert (
        "Helen Armitage is a viewer" in refused.stderr and "not restore a backup" in refused.stderr
    )
    cli.ok("--db", url, "--as", "Ruth", "restore", str(live["backup"]), "--yes")


def test_check_finds_a_foreign_trigger_in_the_live_database(db):
    if db.is_sqlite:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TRIGGER rewrite_actor AFTER INSERT ON history BEGIN "
                "UPDATE history SET actor = 'Nobody' WHERE id = new.id; END"
            )
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE FUNCTION rewrite_actor() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN NEW.actor := 'Nobody'; RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER rewrite_actor BEFORE INSERT ON history "
                "FOR EACH ROW EXECUTE FUNCTION rewrite_actor()"
            )
    problems = [p.message for p in backup.check(db).problems if p.check == "foreign objects"]
    assert "the trigger rewrite_actor was not created by partnercrm" in problems


def test_restore_refuses_a_file_it_cannot_check(tmp_path, live):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database")
    with pytest.raises(Invalid, match="the database was not changed"):
        backup.restore(str(live["path"]), junk)
