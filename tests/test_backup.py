"""Nothing is lost: consistent backups while others write, checked restores, checks, killed writes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from partnercrm import backup, colleagues, contacts, conversations, organisations
from partnercrm import models as m
from partnercrm.database import open_database
from tests.conftest import CLI


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """A SQLite file of its own, for what only a file can show (copies, damage, the WAL)."""
    path = tmp_path / "crm.db"
    shutil.copy(sqlite_template, path)
    return str(path)


@pytest.fixture
def sqlite_db(sqlite_url):
    database = open_database(sqlite_url, actor="tester")
    yield database
    database.dispose()


@pytest.fixture
def sqlite_cli(sqlite_url) -> CLI:
    return CLI(sqlite_url)


def _add_partners(db) -> dict[str, int]:
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@roundhouse.org.uk", org)
        conv = conversations.log_conversation(
            s, org, ruth, contacts=[ada], note="First call", subject="a first talk"
        )
        conversations.add_touchpoint(s, conv, note="Second call")
        return {"org": org.id, "contact": ada.id, "conversation": conv.id}


@pytest.fixture
def partners(db) -> dict[str, int]:
    return _add_partners(db)


@pytest.fixture
def sqlite_partners(sqlite_db) -> dict[str, int]:
    return _add_partners(sqlite_db)


def _names(url: str) -> list[str]:
    db = open_database(url)
    try:
        with db.reader() as s:
            return sorted(s.scalars(select(m.Organisation.name)))
    finally:
        db.dispose()


# --- backup -------------------------------------------------------------------------------


WRITER = textwrap.dedent(
    """
    import sys, time
    from partnercrm.database import open_database
    from partnercrm import organisations
    db = open_database(sys.argv[1], actor="writer")
    for i in range(int(sys.argv[2])):
        with db.transaction() as s:
            organisations.add_organisation(s, f"Busy partner {i}", "business")
        if i == 20:
            print("writing", flush=True)
        time.sleep(0.002)
    """
)


def test_a_backup_taken_while_a_colleague_writes_is_consistent(
    sqlite_url, sqlite_db, sqlite_partners, tmp_path
):
    db_url, db = sqlite_url, sqlite_db
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url, "400"], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "writing"
    copies = []
    for n in range(3):
        result = backup.backup(db, tmp_path / f"copy{n}.db")
        copies.append(result.path)
        time.sleep(0.05)
    assert writer.wait(timeout=120) == 0
    seen = []
    for copy in copies:
        assert backup.file_problems(copy) == []
        conn = sqlite3.connect(copy)
        orgs = conn.execute("SELECT count(*) FROM organisation WHERE name LIKE 'Busy%'").fetchone()[
            0
        ]
        logged = conn.execute(
            "SELECT count(*) FROM history WHERE actor = 'writer' AND entity = 'organisation'"
        ).fetchone()[0]
        conn.close()
        assert orgs == logged  # each partner with its history entry: no half transaction
        seen.append(orgs)
    assert 0 < seen[0] < 400, "the backups were not taken while the writer was busy"
    with db.reader() as s:
        assert s.scalar(select(func.count()).where(m.Organisation.name.like("Busy%"))) == 400


def test_cli_backup_writes_a_checked_copy_and_refuses_to_overwrite(
    sqlite_url, sqlite_cli, sqlite_partners, tmp_path
):
    cli, path = sqlite_cli, Path(sqlite_url)
    target = tmp_path / "partnercrm-2024-11-12.db"
    result = cli.ok("backup", str(target))
    assert result.stdout.startswith(f"Backed up to {target} (")
    assert "its integrity check passed" in result.stdout
    assert _names(str(target)) == ["Roundhouse"]
    assert not Path(f"{target}-wal").exists()  # one self-contained file

    again = cli("backup", str(target))
    assert (again.exit_code, again.stderr.strip()) == (
        1,
        f"Error: {target} already exists; choose another name or pass --force to replace it "
        "(nothing was written)",
    )
    assert cli.json("backup", str(target), "--force")["path"] == str(target)
    itself = cli("backup", str(path))
    assert (
        itself.exit_code == 1 and "is the open database and is never overwritten" in itself.stderr
    )
    nowhere = cli("backup", str(tmp_path / "missing" / "x.db"))
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.stderr


@pytest.mark.pg
def test_postgresql_says_to_use_its_own_tools(db_url, cli, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    made = cli("backup", str(tmp_path / "x.db"))
    assert made.exit_code == 1
    assert made.stderr.count("\n") == 1 and "pg_dump" in made.stderr
    assert not (tmp_path / "x.db").exists()
    (tmp_path / "x.dump").write_bytes(b"whatever")
    put_back = cli("restore", str(tmp_path / "x.dump"), "--yes")
    assert put_back.exit_code == 1 and "pg_restore" in put_back.stderr


# --- restore ------------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_what_it_replaced(
    sqlite_url, sqlite_cli, sqlite_partners, tmp_path
):
    db_url, cli, path = sqlite_url, sqlite_cli, Path(sqlite_url)
    saved = tmp_path / "saved.db"
    cli.ok("backup", str(saved))
    cli.ok("partner", "add", "Camden Giving", "--sector", "vcs")

    result = cli.ok("restore", str(saved), "--yes")
    assert _names(db_url) == ["Roundhouse"]
    kept = list(path.parent.glob("crm.before-restore-*.db"))
    assert len(kept) == 1 and f"kept as {kept[0]}" in result.stdout
    assert _names(str(kept[0])) == ["Camden Giving", "Roundhouse"]
    assert cli.ok("check").stdout.startswith("All is well")


def test_restore_asks_first(sqlite_url, sqlite_cli, sqlite_partners, tmp_path):
    db_url, cli = sqlite_url, sqlite_cli
    saved = tmp_path / "saved.db"
    cli.ok("backup", str(saved))
    cli.ok("partner", "add", "Camden Giving", "--sector", "vcs")
    declined = cli("restore", str(saved), input="n\n")
    assert declined.exit_code == 1 and "nothing was restored" in declined.stderr
    assert _names(db_url) == ["Camden Giving", "Roundhouse"]


def _damage(path: Path, table: str) -> None:
    """Scribble over the first page of `table`, as a failing disk or a bad copy would."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xde\xad\xbe\xef" * 200)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda p: p.write_text("Name,Email\nAda,ada@example.org\n"), "is not a SQLite database"),
        (lambda p: (p.unlink(), _foreign(p)), "is not a partnercrm database"),
        (lambda p: _damage(p, "organisation"), "is damaged"),
        (lambda p: p.unlink(), "does not exist"),
    ],
    ids=["csv", "another-app", "damaged", "missing"],
)
def test_restore_refuses_a_file_that_is_not_a_sound_backup(
    sqlite_url, sqlite_cli, sqlite_partners, tmp_path, spoil, reason
):
    db_url, cli, path = sqlite_url, sqlite_cli, Path(sqlite_url)
    bad = tmp_path / "backup.db"
    cli.ok("backup", str(bad))
    cli.ok("partner", "add", "Camden Giving", "--sector", "vcs")
    spoil(bad)
    result = cli("restore", str(bad), "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refusing to restore: ")
    assert reason in result.stderr and "Traceback" not in result.output
    assert _names(db_url) == ["Camden Giving", "Roundhouse"]  # untouched
    assert not list(path.parent.glob("*.before-restore-*"))


def test_an_older_backup_is_migrated_when_restored(sqlite_url, sqlite_cli, tmp_path):
    """A backup made before the latest schema change is brought up to date on restore."""
    db_url, cli = sqlite_url, sqlite_cli
    from partnercrm import migrations
    from partnercrm.database import make_engine

    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (name, name_key, sector, anchor, archived, version, "
                "created_at, updated_at) VALUES ('Old Partner', 'old partner', 'vcs', 0, 0, 1, "
                "'2020-01-01', '2020-01-01')"
            )
        )
    engine.dispose()
    cli.ok("restore", str(old), "--yes")
    assert _names(db_url) == ["Old Partner"]
    db = open_database(db_url)
    try:
        assert migrations.current(db.engine) == migrations.head()
    finally:
        db.dispose()


# --- check --------------------------------------------------------------------------------


def test_check_says_all_is_well_on_a_healthy_database(cli, partners):
    result = cli.ok("check")
    assert result.stdout.startswith("All is well")
    report = cli.json("check")
    assert report["ok"] is True and report["problems"] == []
    assert "erased contacts" in report["checks"]


def test_check_finds_orphans_and_leftover_personal_data_in_sqlite(
    sqlite_url, sqlite_cli, sqlite_partners
):
    path, cli, partners = Path(sqlite_url), sqlite_cli, sqlite_partners
    conn = sqlite3.connect(path)  # foreign keys are off in a bare connection, as in a hand edit
    conn.execute("DELETE FROM conversation WHERE id = ?", (partners["conversation"],))
    conn.execute(
        "UPDATE contact SET erased_at = '2024-01-01', name = 'Erased person' WHERE id = ?",
        (partners["contact"],),
    )
    conn.commit()
    conn.close()
    result = cli("check")
    assert result.exit_code == 1
    report = json.loads(cli("check", "--json").stdout)
    messages = [p["message"] for p in report["problems"]]
    orphaned = [msg for msg in messages if msg.startswith("touchpoint row")]
    assert len(orphaned) == 2
    assert f"points at conversation {partners['conversation']}, which does not exist" in orphaned[0]
    assert f"contact {partners['contact']} was erased but still holds personal data" in messages
    assert "2 problem" not in result.stdout and "problem(s) found" in result.stdout


@pytest.mark.pg
def test_check_finds_orphans_in_postgresql(db_url, db, cli, partners):
    if db.is_sqlite:
        pytest.skip("PostgreSQL only")
    with db.engine.begin() as conn:  # what a restore with triggers disabled can leave behind
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text("DELETE FROM conversation WHERE id = :i"), {"i": partners["conversation"]}
        )
    report = json.loads(cli("check", "--json").stdout)
    assert report["backend"] == "postgresql" and report["checks"][0] == "orphans"
    assert any(
        p["message"].startswith("touchpoint row")
        and f"points at conversation {partners['conversation']}" in p["message"]
        for p in report["problems"]
    )


def test_check_reports_a_damaged_file(sqlite_url, sqlite_db, sqlite_cli, sqlite_partners):
    path, cli = Path(sqlite_url), sqlite_cli
    sqlite_db.dispose()
    _damage(path, "organisation")
    result = cli("check")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "problem(s) found" in result.stdout
    # any other command says the file is damaged and what to do, in one sentence
    listed = cli("partner", "list")
    assert listed.exit_code == 1 and listed.stderr.count("\n") == 1
    assert "the database file is damaged" in listed.stderr
    assert "`partnercrm restore BACKUP`" in listed.stderr


# --- killed writes ------------------------------------------------------------------------


BIG_WRITE = textwrap.dedent(
    """
    import sys
    from partnercrm.database import open_database
    from partnercrm import organisations
    db = open_database(sys.argv[1], actor="importer")
    with db.transaction() as s:
        for i in range(1_000_000):
            organisations.add_organisation(s, f"Imported partner {i}", "business", notes="x" * 500)
            if i == 300:
                print("part way", flush=True)
    """
)

# an erase or a merge that has done all its work but the last step when it is killed
STOPPED_BEFORE_THE_END = textwrap.dedent(
    """
    import sys, time
    from partnercrm.database import open_database
    from partnercrm import contacts, history, merging, privacy
    from partnercrm import models as m

    def stuck(*args, **kwargs):
        print("part way", flush=True)
        time.sleep(120)

    history.record = stuck  # both end by recording themselves; stop there
    db = open_database(sys.argv[1], actor="dpo")
    with db.transaction() as s:
        ada = s.get(m.Contact, int(sys.argv[3]))
        if sys.argv[2] == "erase":
            privacy.erase(s, ada)
        else:
            twin = contacts.add_contact(s, "A. Lovelace", "a.lovelace@gmail.com", ada.organisation, new=True)
            merging.merge_contacts(s, ada, twin)
    """
)


# the real attendee importer, stopped once it has written part of its rows
IMPORT_PART_WAY = textwrap.dedent(
    """
    import sys, time
    from partnercrm.database import open_database
    from partnercrm.importing.run import NewEvent, import_attendees

    def progress(phase, done, total):
        if phase == "writing" and 0 < done < total:
            print("part way", flush=True)
            time.sleep(120)

    db = open_database(sys.argv[1], actor="importer")
    with db.session() as s, s.begin():
        import_attendees(s, sys.argv[2], event="Summit 2025",
                         create_event=NewEvent("summit", "12/11/2025"), progress=progress)
    """
)


def test_an_import_killed_part_way_leaves_only_its_run_marked_running(db_url, db, tmp_path):
    lines = ["First Name,Last Name,Email,Company"]
    lines += [
        f"Person,Number {i},person{i}@firm{i % 30}.example,Firm {i % 30} Ltd" for i in range(300)
    ]
    (tmp_path / "summit.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _snapshot(db_url)
    db.dispose()
    _kill_part_way([IMPORT_PART_WAY, db_url, str(tmp_path / "summit.csv")])
    # the importer logs its start in a transaction of its own, so a killed run is visible
    assert "'running'" in next(
        line for line in _snapshot(db_url).splitlines() if line.startswith("import_run:")
    )
    report = backup.check_url(db_url)
    assert report.ok
    after = _snapshot(db_url)
    unchanged = [line for line in after.splitlines() if not line.startswith("import_run:")]
    assert unchanged == [line for line in before.splitlines() if not line.startswith("import_run:")]
    # and check closes it, saying so
    assert [r.split(" (")[0] for r in report.repaired] == ["import run 1"]
    assert "'failed'" in next(line for line in after.splitlines() if line.startswith("import_run:"))


def _kill_part_way(args: list[str]) -> None:
    proc = subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "part way"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _snapshot(url: str) -> str:
    db = open_database(url)
    try:
        with db.reader() as s:
            return "\n".join(
                f"{t.name}: {sorted(map(tuple, s.execute(select(t)).all()), key=str)}"
                for t in m.Base.metadata.sorted_tables
            )
    finally:
        db.dispose()


@pytest.mark.parametrize("job", ["big import", "erase", "merge"])
def test_a_write_killed_part_way_leaves_the_database_as_it_was(db_url, db, partners, job):
    before = _snapshot(db_url)
    db.dispose()
    if job == "big import":
        _kill_part_way([BIG_WRITE, db_url])
    else:
        _kill_part_way([STOPPED_BEFORE_THE_END, db_url, job, str(partners["contact"])])
    report = backup.check_url(db_url)
    assert report.ok, report.problems
    if report.backend == "sqlite":
        assert report.checks[0] == "integrity"
    assert _snapshot(db_url) == before
