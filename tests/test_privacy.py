"""Personal-data rights: subject access, erasure (everywhere, keeping counts), retention review."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from partnercrm import (
    colleagues,
    commitments,
    contacts,
    conversations,
    events,
    history,
    merging,
    organisations,
    privacy,
    steps,
)
from partnercrm import models as m
from partnercrm.errors import Conflict, Invalid, NotFound

# everything that identifies Ada, in any form it was ever stored
ADA_TRACES = [
    "Lovelace",
    "ada@roundhouse.org.uk",
    "ada.l@gmail.com",
    "020 7946 0123",
    "A. Lovelace",
]


@pytest.fixture
def ada(db):
    """Ada at the Roundhouse: merged from a duplicate, in conversations, notes, a story, an event."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        rh = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        ada = contacts.add_contact(
            s,
            "Ada Lovelace",
            "ada@roundhouse.org.uk",
            rh,
            phone="020 7946 0123",
            job_title="Head of Learning",
            consent_source="Summit 2024 registration",
            new=True,
        )
        dup = contacts.add_contact(s, "A. Lovelace", "ada.l@gmail.com", rh, new=True)
        bob = contacts.add_contact(s, "Bob Smith", "bob@roundhouse.org.uk", rh, new=True)
        summit = events.add_event(s, "We Make Camden Summit 2024", "summit", "12/11/2024")
        events.record_attendance(s, summit, dup)
        events.record_attendance(s, summit, bob)
        merging.merge_contacts(s, ada, dup)
        contacts.edit_contact(s, ada, job_title="Director of Learning")
        theirs = conversations.log_conversation(
            s,
            rh,
            ruth,
            contacts=[ada],
            subject="Summit venue with Ada Lovelace",
            on="1/3/2025",
            note="Ada keen to host; write to ada@roundhouse.org.uk or call 020 7946 0123",
        )
        steps.add_step(s, theirs, "Send Ada the venue pack", ruth, "1/4/2025", confirm=True)
        commitment = commitments.add_commitment(s, theirs, "hosting", nothing_promised=True)
        commitments.deliver(s, commitment, people=40, story="Ada Lovelace's team hosted 40 pupils")
        other = conversations.log_conversation(
            s,
            rh,
            ruth,
            contacts=[bob],
            subject="Bob's mentoring idea",
            note="Bob says Ada Lovelace could help; Ada Byron at the Crick too",
        )
        return {
            "id": ada.id,
            "bob": bob.id,
            "event": summit.id,
            "theirs": theirs.id,
            "other": other.id,
        }


def _everything(s) -> str:
    """Every row of every table, as text: what a person could still find after an erasure."""
    rows = []
    for table in m.Base.metadata.sorted_tables:
        rows += [f"{table.name}: {tuple(r)}" for r in s.execute(select(table)).all()]
    return "\n".join(rows)


def test_subject_access_export_gathers_everything_held_and_is_logged(db, ada):
    with db.transaction() as s:
        s.info["actor"] = "dpo"
        doc = privacy.subject_access(s, s.get(m.Contact, ada["id"]))
    assert doc["contact"]["name"] == "Ada Lovelace"
    assert doc["contact"]["other_emails"] == ["ada.l@gmail.com"]
    assert doc["contact"]["consent_source"] == "Summit 2024 registration"
    assert [a["event"] for a in doc["attendances"]] == ["We Make Camden Summit 2024"]
    convs = {c["id"]: c["how"] for c in doc["conversations"]}
    assert convs == {ada["theirs"]: "took part", ada["other"]: "named in it"}
    notes = [t["note"] for t in doc["touchpoints"]]
    assert any("Ada keen to host" in n for n in notes)
    assert any("Bob says Ada Lovelace" in n for n in notes)
    mentioned = {(x["record"], x["text"]) for x in doc["other_mentions"]}
    assert ("step", "Send Ada the venue pack") in mentioned
    assert ("delivery", "Ada Lovelace's team hosted 40 pupils") in mentioned
    actions = [(h["action"], h["entity"]) for h in doc["history"]]
    assert ("create", "contact") in actions and ("merge", "contact") in actions
    assert any(
        h["changes"] == {"job_title": ["Head of Learning", "Director of Learning"]}
        for h in doc["history"]
    )
    json.dumps(doc)  # one JSON document, as written to the file
    with db.reader() as s:
        logged = history.entries(s, contact_id=ada["id"], limit=1)[0]
    assert (logged.action, logged.actor, logged.summary) == (
        "export",
        "dpo",
        "subject access export",
    )


def test_cli_export_writes_the_file_and_will_not_overwrite(cli, ada, tmp_path):
    out = tmp_path / "ada.json"
    result = cli.ok("privacy", "export", "ada@roundhouse.org.uk", "--out", str(out))
    assert f"Wrote everything held about Ada Lovelace to {out}" in result.stdout
    assert "2 conversations" in result.stdout and "1 attendance" in result.stdout
    assert json.loads(out.read_text())["contact"]["email"] == "ada@roundhouse.org.uk"
    again = cli("privacy", "export", "Ada Lovelace", "--out", str(out))
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def _utc(moment: datetime) -> datetime:
    """A stored time, naive UTC: SQLite gives it back naive, PostgreSQL in its zone."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def test_erasure_removes_the_person_from_every_table_and_keeps_the_counts(db, ada):
    with db.reader() as s:
        before = _counts(s, ada)
    started = _utc(m.utcnow())
    with db.transaction() as s:
        s.info["actor"] = "dpo"
        result = privacy.erase(s, s.get(m.Contact, ada["id"]))
    assert result.addresses == 2 and result.attendances_kept == 1
    assert result.free_text == {
        "conversation.subject": 1,
        "touchpoint.note": 2,
        "step.description": 1,
        "delivery.story": 1,
    }
    with db.reader() as s:
        everything = _everything(s)
        for trace in ADA_TRACES:
            assert trace not in everything, f"{trace!r} survived the erasure"
        person = s.get(m.Contact, ada["id"])
        assert person.name == f"Erased person #{ada['id']}"
        assert (person.email, person.phone, person.job_title, person.consent_source) == (None,) * 4
        assert person.erased_at == person.updated_at  # the erasure is its last change
        assert _utc(person.erased_at) >= started
        # the anonymous facts stay: she still came to the summit, the conversation still happened
        assert _counts(s, ada) == before
        theirs = s.get(m.Conversation, ada["theirs"])
        assert theirs.subject == "Summit venue with [erased]"
        assert [c.id for c in theirs.contacts] == [ada["id"]]
        notes = dict(s.execute(select(m.Touchpoint.conversation_id, m.Touchpoint.note)).all())
        assert notes[ada["theirs"]] == "[erased] keen to host; write to [erased] or call [erased]"
        # outside her own records only her full name is hers: another Ada keeps hers
        assert notes[ada["other"]] == "Bob says [erased] could help; Ada Byron at the Crick too"
        assert s.scalar(select(m.Step.description)) == "Send [erased] the venue pack"
        assert s.scalar(select(m.Delivery.story)) == "[erased]'s team hosted 40 pupils"
        # the erasure is recorded: who and when, not what
        erased = history.entries(s, contact_id=ada["id"], limit=1)[0]
        assert (erased.action, erased.actor) == ("erase", "dpo")
        assert set(erased.changes) == {"redacted"}  # which entries it redacted, by digest
        assert erased.summary == f"Erased person #{ada['id']}"
        # and it stays erased: neither address comes back on import, nor finds anyone
        assert contacts.is_erased(s, "ADA@roundhouse.org.uk")
        assert contacts.is_erased(s, "ada.l@gmail.com")
        with pytest.raises(NotFound):
            contacts.find_contact(s, "Ada Lovelace")
        bob = s.get(m.Contact, ada["bob"])
        assert (bob.name, bob.email) == ("Bob Smith", "bob@roundhouse.org.uk")


def _counts(s, ada) -> tuple[int, ...]:
    return (
        s.scalar(select(func.count()).where(m.Attendance.event_id == ada["event"])),
        s.scalar(select(func.count()).select_from(m.Conversation)),
        s.scalar(select(func.count()).select_from(m.Touchpoint)),
        s.scalar(select(func.count()).select_from(m.Contact)),
    )


def test_nothing_of_an_erased_person_is_left_in_the_sqlite_file(db, ada, tmp_path):
    """Not even in free pages or the full-text index: SQLite keeps deleted bytes unless told."""
    if not db.is_sqlite:
        pytest.skip("the file check is for SQLite; PostgreSQL reclaims old rows with VACUUM")
    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, ada["id"]))
    db.dispose()  # the last connection checkpoints the WAL into the file
    from partnercrm.backup import sqlite_path

    raw = sqlite_path(db.url).read_bytes().lower()  # the full-text index keeps words lower-cased
    for trace in ADA_TRACES:
        assert trace.lower().encode() not in raw, f"{trace!r} is still in the database file"


def test_a_dry_run_changes_nothing(db, ada):
    with db.reader() as s:
        before = _everything(s)
    with db.transaction() as s:
        result = privacy.erase(s, s.get(m.Contact, ada["id"]), dry_run=True)
    assert result.dry_run and result.history_entries > 0
    with db.reader() as s:
        assert _everything(s) == before


def test_an_erased_person_cannot_be_erased_or_exported_again(db, ada):
    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, ada["id"]))
    with db.transaction() as s, pytest.raises(Invalid, match="was already erased"):
        privacy.erase(s, s.get(m.Contact, ada["id"]))
    with db.transaction() as s, pytest.raises(Invalid, match="no personal data about them is held"):
        privacy.subject_access(s, s.get(m.Contact, ada["id"]))


def test_a_colleague_holding_an_old_copy_cannot_write_the_name_back(db, ada):
    held = db.session()
    with held.begin():
        conversation = held.get(m.Conversation, ada["theirs"])
        assert "Ada Lovelace" in conversation.subject
    with db.transaction() as s:
        s.info["actor"] = "dpo"
        privacy.erase(s, s.get(m.Contact, ada["id"]))
    with pytest.raises(Conflict, match="changed by dpo"), held.begin():
        conversation.subject = conversation.subject + " (confirmed)"
    held.close()
    with db.reader() as s:
        assert s.get(m.Conversation, ada["theirs"]).subject == "Summit venue with [erased]"


def test_the_importer_skips_an_erased_address(db, ada, tmp_path):
    from partnercrm.importing.run import import_attendees

    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, ada["id"]))
    csv = tmp_path / "summit.csv"
    csv.write_text(
        "First Name,Last Name,Email,Company\n"
        "Ada,Lovelace,Ada@Roundhouse.org.uk,Roundhouse\n"
        "Grace,Hopper,grace@roundhouse.org.uk,Roundhouse\n",
        encoding="utf-8",
    )
    with db.session() as s, s.begin():
        report = import_attendees(s, csv, event="We Make Camden Summit 2024")
    assert report.erased == [2]
    with db.reader() as s:
        names = set(s.scalars(select(m.Contact.name)))
        assert "Grace Hopper" in names and not any("Lovelace" in n for n in names)
        grace = contacts.find_contact(s, "grace@roundhouse.org.uk")
        # the importer says where the details came from, for the lawful-basis record
        assert grace.consent_source == "We Make Camden Summit 2024 registration"
        assert grace.lawful_basis == "legitimate_interests"


def test_cli_erase_asks_first_and_says_what_it_did(cli, db, ada):
    declined = cli("privacy", "erase", "Ada Lovelace", input="n\n")
    assert declined.exit_code == 1 and "nothing was erased" in declined.stderr
    dry = cli.json("privacy", "erase", "Ada Lovelace", "--dry-run")
    assert dry["dry_run"] is True and dry["addresses_blocked"] == 2
    with db.reader() as s:
        assert s.get(m.Contact, ada["id"]).erased_at is None
    started = _utc(m.utcnow())
    done = cli.ok("privacy", "erase", "Ada Lovelace", input="y\n")
    assert "Erased Ada Lovelace" in done.stdout
    assert "Kept as anonymous counts: 1 attendance, 1 conversation." in done.stdout
    with db.reader() as s:
        assert _utc(s.get(m.Contact, ada["id"]).erased_at) >= started


def test_stale_lists_people_not_seen_for_the_retention_period(db, cli):
    today = date.today()
    long_ago = (today - timedelta(days=4 * 365)).strftime("%d/%m/%Y")
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        rh = organisations.add_organisation(s, "Roundhouse", "culture")
        quiet = contacts.add_contact(
            s, "Quiet Person", "quiet@rh.org", rh, consent_date=long_ago, new=True
        )
        talked = contacts.add_contact(
            s, "Talked Lately", "talk@rh.org", rh, consent_date=long_ago, new=True
        )
        went = contacts.add_contact(
            s, "Went To Summit", "went@rh.org", rh, consent_date=long_ago, new=True
        )
        contacts.add_contact(s, "Newly Met", "new@rh.org", rh, new=True)  # details obtained today
        conversations.log_conversation(
            s, rh, ruth, contacts=[quiet], on=long_ago, subject="a first talk"
        )
        conversations.log_conversation(
            s, rh, ruth, contacts=[talked], on=long_ago, subject="a first talk"
        )
        conv = conversations.log_conversation(s, rh, ruth, on=long_ago, subject="a first talk")
        conversations.add_touchpoint(s, conv, contact=talked, on=today - timedelta(days=30))
        summit = events.add_event(s, "Summit", "summit", today - timedelta(days=200))
        events.record_attendance(s, summit, went)
    with db.reader() as s:
        found = privacy.stale_contacts(s, 3)
    assert [(c.name, c.last_seen) for c in found] == [("Quiet Person", parse(long_ago))]
    assert [c["name"] for c in cli.json("privacy", "stale", "--years", "3")] == ["Quiet Person"]
    with db.reader() as s:
        later = privacy.stale_contacts(s, 1, today=today + timedelta(days=200))
    assert {c.name for c in later} == {"Quiet Person", "Went To Summit"}


def parse(text: str) -> date:
    from partnercrm.dates import parse_date

    return parse_date(text)
