"""Erasure that holds: every common form of a person's identifiers, a reviewable dry run,
a block list that stops manual re-creation, and retention by schedule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from partnercrm import (
    backup,
    colleagues,
    contacts,
    conversations,
    organisations,
    privacy,
    retention,
)
from partnercrm import models as m
from partnercrm.errors import Conflict
from tests.test_privacy import _utc


@pytest.fixture
def ada(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        rh = organisations.add_organisation(
            s, "Roundhouse", "culture", lead=ruth, notes="Ada Lovelace runs learning; 07700 900123"
        )
        crick = organisations.add_organisation(s, "Crick", "culture", lead=ruth)
        person = contacts.add_contact(
            s, "Ada King Lovelace", "ada.lovelace@roundhouse.org.uk", rh, phone="07700 900123"
        )
        conversations.log_conversation(
            s,
            crick,  # not her organisation: only strong identifiers count here
            ruth,
            note=(
                "Met A. Lovelace; call 07700900123 or +44 7700 900123, "
                "or write to ada.lovelace@gmail.com. Lovelace, Ada agreed. Ada Lovelace too."
            ),
            subject="a first talk",
        )
        return person.id


def _all_text(s) -> str:
    rows = []
    for table in m.Base.metadata.sorted_tables:
        rows += [str(tuple(r)) for r in s.execute(select(table)).all()]
    return "\n".join(rows)


def test_erasure_finds_every_common_form_of_name_phone_and_address(db, ada):
    with db.transaction() as s:
        dry = privacy.erase(s, s.get(m.Contact, ada), dry_run=True)
        erased_note = next(p["erased"] for p in dry.passages if p["record"] == "touchpoint")
    assert erased_note == (
        "Met [erased]; call [erased] or [erased], or write to [erased]@gmail.com. "
        "[erased] agreed. [erased] too."
    )
    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, ada))
    with db.reader() as s, s.begin():
        text = _all_text(s)
    for trace in ("Lovelace", "07700", "900123", "7700 900", "ada.lovelace"):
        assert trace not in text, trace
    assert backup.check(db).ok


def test_a_dry_run_lists_each_passage_that_will_change(cli, ada):
    out = cli.ok("privacy", "erase", "Ada King Lovelace", "--dry-run").stdout
    assert "Each passage that will change" in out
    assert "organisation 1 notes:" in out
    assert "now:   Ada Lovelace runs learning; 07700 900123" in out
    assert "after: [erased] runs learning; [erased]" in out
    data = cli.json("privacy", "erase", "Ada King Lovelace", "--dry-run")
    assert {p["record"] for p in data["passages"]} >= {"organisation", "touchpoint", "history"}


def test_an_erased_address_cannot_be_added_again_without_an_admins_reason(cli, db, ada):
    cli.ok("privacy", "erase", "Ada King Lovelace", "--yes")
    today = date.today().strftime("%d %b %Y")
    refused = cli(
        "contact", "add", "Ada", "--email", "ADA.Lovelace@roundhouse.org.uk", "--org", "Roundhouse"
    )
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"Error: ada.lovelace@roundhouse.org.uk belonged to a person erased on {today}; it "
        "cannot be added again unless an admin overrides the block, giving a reason"
    )
    cli.ok("contact", "add", "Ada", "--email", "ada@elsewhere.org", "--org", "Roundhouse")
    edit = cli("contact", "edit", "ada@elsewhere.org", "--email", "ada.lovelace@roundhouse.org.uk")
    assert edit.exit_code == 1 and "belonged to a person erased on" in edit.stderr
    # once roles are granted, only an admin overrides, and the reason is recorded
    cli.ok("colleague", "add", "Dana Scully", "--email", "dana@camden.gov.uk")
    cli.ok("access", "grant", "Ruth", "admin", "editor")
    cli.ok("access", "grant", "Dana", "editor", "privacy")
    editor = cli(
        "contact",
        "edit",
        "ada@elsewhere.org",
        "--email",
        "ada.lovelace@roundhouse.org.uk",
        "--override-erasure",
        "she asked to rejoin",
        actor="Dana Scully",
    )
    assert "not override the block on an erased person's address" in editor.stderr
    cli.ok(
        "contact",
        "edit",
        "ada@elsewhere.org",
        "--email",
        "ada.lovelace@roundhouse.org.uk",
        "--override-erasure",
        "she asked to rejoin at the summit",
        actor="Ruth Craven",
    )
    with db.reader() as s, s.begin():
        logged = s.scalar(select(m.HistoryEntry).where(m.HistoryEntry.action == "override_block"))
    assert logged.actor == "Ruth Craven" and "she asked to rejoin at the summit" in logged.summary


def test_the_library_refuses_an_erased_address_with_its_date(db, ada):
    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, ada))
    with db.transaction() as s, pytest.raises(Conflict, match="erased on"):
        contacts.add_contact(s, "Ada", "ada.lovelace@roundhouse.org.uk", None)


def test_the_retention_schedule_ships_as_data_and_applies_with_a_disposal_log(db, ada, tmp_path):
    schedule = retention.read_schedule()
    assert schedule.contacts_not_seen_years == 3
    with db.transaction() as s:
        person = s.get(m.Contact, ada)
        contacts.edit_contact(s, person, phone="020 7946 0999", job_title="Head of Learning")
    later = date.today() + relativedelta(years=7)
    with db.transaction() as s:
        due = retention.review(s, schedule, today=later)
        kinds = due.counts()
    assert kinds["contact"] == 1 and kinds["touchpoint_note"] == 1
    assert kinds["history_values"] >= 1
    started = _utc(m.utcnow())
    with db.transaction() as s:
        done = retention.dispose(s, schedule, today=later)
        assert done.applied
    with db.reader() as s, s.begin():
        assert _utc(s.get(m.Contact, ada).erased_at) >= started  # erased by this disposal
        assert s.scalar(select(m.Touchpoint.note)) == retention.DISPOSED
        text = _all_text(s)
        assert "07700" not in text and "020 7946 0999" not in text
        (entry,) = retention.log(s)
        assert entry.action == "dispose" and "retention schedule applied" in entry.summary
    assert backup.check(db).ok
    with db.transaction() as s:
        assert retention.review(s, schedule, today=later).items == []


def test_cli_retention_lists_then_applies(cli, ada, tmp_path):
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        "[contacts]\nnot_seen_years = 1\n[touchpoint_notes]\nolder_than_years = 1\n"
        "[rejected_imports]\nolder_than_days = 1\n[history_old_values]\nolder_than_years = 1\n"
    )
    listed = cli.ok("privacy", "retention", "--schedule", str(schedule)).stdout
    assert "Nothing is due." in listed
    bad = tmp_path / "bad.toml"
    bad.write_text("[contacts]\nnot_seen_years = 0\n")
    refused = cli("privacy", "retention", "--schedule", str(bad))
    assert refused.exit_code == 1 and "[contacts] not_seen_years" in refused.stderr
    assert "Nothing has been disposed" in cli.ok("privacy", "retention", "--log").stdout


def test_old_touchpoints_are_due_by_date(db, ada):
    with db.transaction() as s:
        conv = s.scalars(select(m.Conversation)).first()
        conversations.add_touchpoint(
            s, conv, on=date.today() - timedelta(days=7 * 365), note="old note"
        )
    with db.transaction() as s:
        items = retention.review(s, retention.read_schedule()).items
    assert [i.kind for i in items] == ["touchpoint_note"]
