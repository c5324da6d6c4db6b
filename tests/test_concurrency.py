"""Colleagues editing at once: a stale save fails clearly, and concurrent writers wait for each other."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select

from partnercrm import colleagues, contacts, conversations, organisations
from partnercrm import models as m
from partnercrm.database import network_share_warning
from partnercrm.errors import StaleEdit

CHANGED_BY_JO = r"was changed by jo at \d\d \w{3} \d{4} \d\d:\d\d UTC since you opened it"


@pytest.fixture
def roundhouse(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@roundhouse.org.uk", org)
        conv = conversations.log_conversation(s, org, ruth, contacts=[ada], subject="Summit venue")
        return {"org": org.id, "contact": ada.id, "conversation": conv.id}


def _as(db, actor):
    session = db.session()
    session.info["actor"] = actor
    return session


def test_a_save_from_an_old_version_fails_and_keeps_the_other_edit(db, roundhouse):
    """The TUI path: the form remembers the version it opened; the service checks it."""
    with db.transaction() as s:
        opened = s.get(m.Organisation, roundhouse["org"]).version
    with _as(db, "jo") as s, s.begin():
        organisations.edit_organisation(
            s, s.get(m.Organisation, roundhouse["org"]), ward="Chalk Farm"
        )
    with (
        _as(db, "ruth") as s,
        s.begin(),
        pytest.raises(StaleEdit, match="Roundhouse " + CHANGED_BY_JO),
    ):
        organisations.edit_organisation(
            s, s.get(m.Organisation, roundhouse["org"]), expected_version=opened, ward="Camden Town"
        )
    with db.reader() as s:
        org = s.get(m.Organisation, roundhouse["org"])
        assert (org.ward, org.updated_by, org.version) == ("Chalk Farm", "jo", opened + 1)


@pytest.mark.parametrize(
    ("model", "key", "theirs", "mine"),
    [
        (m.Organisation, "org", ("ward", "Chalk Farm"), ("ward", "Camden Town")),
        (m.Contact, "contact", ("phone", "020 7946 0000"), ("job_title", "Director")),
        (m.Conversation, "conversation", ("subject", "Summit date"), ("subject", "Summit food")),
    ],
)
def test_two_open_sessions_the_second_save_fails_with_who_and_when(
    db, roundhouse, model, key, theirs, mine
):
    """Two live sessions hold the same record; SQLAlchemy's version check stops the second save."""
    ruth = _as(db, "ruth")
    with ruth.begin():
        held = ruth.get(model, roundhouse[key])
        opened = (held.version, getattr(held, mine[0]))
    with _as(db, "jo") as jo, jo.begin():
        setattr(jo.get(model, roundhouse[key]), *theirs)
    with pytest.raises(StaleEdit, match=CHANGED_BY_JO), ruth.begin():
        setattr(held, *mine)
    ruth.close()
    with db.reader() as s:
        stored = s.get(model, roundhouse[key])
        assert (stored.version, stored.updated_by) == (opened[0] + 1, "jo")
        assert getattr(stored, theirs[0]) == theirs[1]
        if mine[0] != theirs[0]:
            assert getattr(stored, mine[0]) == opened[1]  # ruth's change was not written


@pytest.mark.pg
def test_two_transactions_open_at_once_on_postgresql(db, roundhouse):
    """On a server both transactions really are open together; the later UPDATE loses."""
    if db.is_sqlite:
        pytest.skip("SQLite writers queue at BEGIN IMMEDIATE; the sessions test above covers it")
    ruth, jo = _as(db, "ruth"), _as(db, "jo")
    with ruth.begin():
        mine = ruth.get(m.Organisation, roundhouse["org"])
        with jo.begin():
            jo.get(m.Organisation, roundhouse["org"]).ward = "Chalk Farm"
        mine.ward = "Camden Town"
        with pytest.raises(StaleEdit, match="Roundhouse " + CHANGED_BY_JO):
            ruth.flush()
    ruth.close()
    jo.close()
    with db.reader() as s:
        assert s.get(m.Organisation, roundhouse["org"]).ward == "Chalk Farm"


def test_the_cli_reports_a_conflict_as_one_sentence(db, roundhouse):
    """What a command prints when the race is lost: one sentence, exit status 1."""
    from cli.context import DataError, errors

    ruth = _as(db, "ruth")
    with ruth.begin():
        held = ruth.get(m.Organisation, roundhouse["org"])
    with _as(db, "jo") as jo, jo.begin():
        jo.get(m.Organisation, roundhouse["org"]).ward = "Chalk Farm"
    with pytest.raises(DataError, match="^Roundhouse " + CHANGED_BY_JO) as err:
        with errors(), ruth.begin():
            held.ward = "Camden Town"
    assert err.value.exit_code == 1
    ruth.close()


# both processes start writing together: each says it is ready, then waits for "go"
BARRIER = """
import os, time
def wait_for_go(url):
    open(url + "." + name + ".ready", "w").close()
    while not os.path.exists(url + ".go"):
        time.sleep(0.01)
"""

WRITER = BARRIER + textwrap.dedent(
    """
    import sys, time
    from partnercrm.database import open_database
    from partnercrm import organisations
    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = open_database(url, actor=name)
    wait_for_go(url)
    for i in range(count):
        with db.transaction() as s:  # one small edit per transaction, like a TUI user
            org = organisations.add_organisation(s, f"{name} partner {i}", "business")
            organisations.edit_organisation(s, org, ward="Camden Town")
        time.sleep(0.002)  # a person types between saves
    """
)

IMPORTER = BARRIER + textwrap.dedent(
    """
    import sys, time
    from partnercrm.database import open_database
    from partnercrm import contacts, events, organisations
    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = open_database(url, actor=name)
    with db.transaction() as s:
        org = organisations.add_organisation(s, "Summit attendees' employer", "business")
        event = events.add_event(s, "Summit 2024", "summit", "12/11/2024")
        org_id, event_id = org.id, event.id
    wait_for_go(url)
    for batch in range(count // 10):
        with db.transaction() as s:  # an importer commits in batches of rows
            org, event = s.get(type(org), org_id), s.get(type(event), event_id)
            for i in range(10):
                n = batch * 10 + i
                person = contacts.add_contact(s, f"Attendee {n}", f"attendee{n}@example.org", org)
                events.record_attendance(s, event, person)
        time.sleep(0.002)  # the importer reads the next rows
    """
)


def test_a_writer_and_an_importer_at_the_same_time_both_finish_with_every_row(
    tmp_path, sqlite_template
):
    """BEGIN IMMEDIATE and the busy timeout make SQLite writers queue, not fail 'database is locked'."""
    import shutil

    path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, path)
    edits, imports = 150, 300
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), name, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script, name, count in ((WRITER, "ruth", edits), (IMPORTER, "importer", imports))
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"shared.db.{n}.ready").exists() for n in ("ruth", "importer")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    (tmp_path / "shared.db.go").touch()
    for p in procs:
        _out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        assert "database is locked" not in err

    from partnercrm.database import open_database

    db = open_database(str(path))
    try:
        with db.reader() as s:
            orgs = s.scalar(select(func.count()).where(m.Organisation.name.like("ruth partner %")))
            edited = s.scalar(select(func.count()).where(m.Organisation.ward == "Camden Town"))
            people = s.scalar(select(func.count()).select_from(m.Contact))
            came = s.scalar(select(func.count()).select_from(m.Attendance))
            logged = s.scalar(
                select(func.count()).where(
                    m.HistoryEntry.actor == "ruth", m.HistoryEntry.action == "update"
                )
            )
        # (whether their transactions interleave depends on the scheduler; that both finish
        # with every row and neither saw "database is locked" is the promise)
        assert (orgs, edited, people, came, logged) == (edits, edits, imports, imports, edits)
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "path", [r"\\fileserver\partnerships\crm.db", "//fileserver/partnerships/crm.db"]
)
def test_a_database_on_a_unc_path_gets_a_warning(path):
    warning = network_share_warning(f"sqlite:///{path}")
    assert warning is not None and "network share (a UNC path)" in warning
    assert "SQLite's locking is not safe there" in warning
    assert "PostgreSQL" in warning


def test_a_database_on_a_network_mount_gets_a_warning(tmp_path, monkeypatch):
    from partnercrm import database

    assert network_share_warning(f"sqlite:///{tmp_path / 'crm.db'}") is None  # a local disk
    monkeypatch.setattr(database, "_mount_type", lambda _path: "nfs4")
    assert "network share (nfs4)" in network_share_warning(f"sqlite:///{tmp_path / 'crm.db'}")
    assert network_share_warning("postgresql+psycopg://db.camden.gov.uk/crm") is None


def test_the_cli_warns_about_a_network_share_on_stderr(tmp_path, monkeypatch, sqlite_template):
    import shutil

    from click.testing import CliRunner

    from cli.main import cli
    from partnercrm import database

    shutil.copy(sqlite_template, tmp_path / "crm.db")
    monkeypatch.setattr(database, "_mount_type", lambda _path: "cifs")
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "crm.db"), "partner", "list", "--json"]
    )
    assert result.exit_code == 0
    assert result.stdout.strip() == "[]"  # scripts still get clean JSON
    assert "is on a network share (cifs)" in result.stderr


def test_a_second_writer_queues_behind_the_first_and_a_reader_does_not_wait(
    tmp_path, sqlite_template
):
    """What BEGIN IMMEDIATE with a busy timeout means for two colleagues saving at once."""
    import shutil
    import threading

    from partnercrm.database import open_database

    shutil.copy(sqlite_template, tmp_path / "crm.db")
    db = open_database(str(tmp_path / "crm.db"))
    holding = threading.Event()

    def slow_save() -> None:
        with db.transaction() as s:
            organisations.add_organisation(s, "First Partner", "vcs")
            holding.set()
            time.sleep(1.0)  # a long import batch, say

    first = threading.Thread(target=slow_save)
    first.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with db.reader() as s, s.begin():
            assert list(s.scalars(select(m.Organisation.name))) == []  # the committed state
        assert time.monotonic() - started < 0.5, "a reader waited for a writer"
        started = time.monotonic()
        with db.transaction() as s:
            organisations.add_organisation(s, "Second Partner", "vcs")
        assert time.monotonic() - started > 0.5, "the second writer did not wait its turn"
    finally:
        first.join()
    with db.reader() as s:
        assert sorted(s.scalars(select(m.Organisation.name))) == ["First Partner", "Second Partner"]
    db.dispose()
