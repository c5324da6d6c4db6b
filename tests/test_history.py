"""The audit trail: every change, by whom, when, and from what to what; archive instead of delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from partnercrm import colleagues, contacts, conversations, history, merging, organisations, privacy
from partnercrm import models as m
from partnercrm.database import acting_user
from partnercrm.errors import Invalid


@pytest.fixture
def ucl(db):
    with db.transaction() as s:
        s.info["actor"] = "ruth"
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "UCL", "higher_education", lead=ruth)
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@ucl.ac.uk", org)
        conv = conversations.log_conversation(s, org, ruth, contacts=[ada], subject="Research")
        return {"org": org.id, "contact": ada.id, "conversation": conv.id, "ruth": ruth.id}


def _entries(s, **kw):
    return history.entries(s, limit=None, **kw)


def test_every_kind_of_change_is_recorded_with_who_when_and_what(db, ucl):
    started = datetime.now(UTC) - timedelta(seconds=5)
    with db.transaction() as s:
        s.info["actor"] = "jo"
        org = s.get(m.Organisation, ucl["org"])
        organisations.edit_organisation(s, org, ward="Bloomsbury", anchor=True)
        organisations.set_archived(s, org, True)
    with db.transaction() as s:
        s.info["actor"] = "sam"
        organisations.set_archived(s, s.get(m.Organisation, ucl["org"]), False)
        dup = contacts.add_contact(
            s, "A Lovelace", "a.lovelace@ucl.ac.uk", s.get(m.Organisation, ucl["org"]), new=True
        )
        merging.merge_contacts(s, s.get(m.Contact, ucl["contact"]), dup)
    with db.transaction() as s:
        s.info["actor"] = "dpo"
        privacy.erase(s, s.get(m.Contact, ucl["contact"]))
    with db.reader() as s:
        about_ucl = _entries(s, organisation_id=ucl["org"])
        about_ada = _entries(s, contact_id=ucl["contact"])
    done = [(e.actor, e.action, e.entity) for e in reversed(about_ucl)]
    assert done[:2] == [("ruth", "create", "organisation"), ("ruth", "create", "contact")]
    assert ("jo", "update", "organisation") in done
    assert ("jo", "archive", "organisation") in done
    assert ("sam", "restore", "organisation") in done
    assert ("sam", "merge", "contact") in done
    assert ("sam", "delete", "contact") in done  # the merged-away duplicate
    assert ("dpo", "erase", "contact") in done
    update = next(e for e in about_ucl if e.action == "update" and e.entity == "organisation")
    assert update.changes == {"anchor": [False, True], "ward": [None, "Bloomsbury"]}
    assert history.describe(update).endswith(
        "jo changed anchor from no to yes; set ward to Bloomsbury (partner “UCL”)"
    )
    assert all(e.at >= started and e.at.tzinfo is not None for e in about_ucl)
    assert [e.action for e in about_ada][:2] == ["erase", "merge"]


def test_history_is_written_in_the_same_transaction_as_the_change(db, ucl):
    with db.reader() as s:
        before = s.scalar(select(func.count()).select_from(m.HistoryEntry))
    with pytest.raises(Invalid), db.transaction() as s:
        organisations.edit_organisation(s, s.get(m.Organisation, ucl["org"]), ward="Bloomsbury")
        organisations.edit_organisation(s, s.get(m.Organisation, ucl["org"]), sector="nonsense")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(m.HistoryEntry)) == before
        assert s.get(m.Organisation, ucl["org"]).ward is None


def test_history_of_a_conversation_includes_its_steps_and_touchpoints(db, ucl):
    from partnercrm import steps

    with db.transaction() as s:
        conv = s.get(m.Conversation, ucl["conversation"])
        ruth = s.get(m.Colleague, ucl["ruth"])
        conversations.add_touchpoint(s, conv, note="Called back")
        steps.add_step(s, conv, "Send the research brief", ruth, "+7", confirm=True)
        conversations.set_stage(s, conv, "exploring")
    with db.reader() as s:
        kinds = {(e.action, e.entity) for e in _entries(s, conversation_id=ucl["conversation"])}
    assert {
        ("create", "conversation"),
        ("create", "touchpoint"),
        ("create", "step"),
        ("update", "conversation"),
    } <= kinds


def test_the_acting_user_is_as_then_the_environment_then_the_login(monkeypatch):
    import getpass

    monkeypatch.setenv("PARTNERCRM_USER", "from-env")
    assert acting_user("given") == "given"
    assert acting_user(None) == "from-env"
    monkeypatch.delenv("PARTNERCRM_USER")
    assert acting_user(None) == getpass.getuser()


def test_cli_history_narrows_by_organisation_contact_conversation_date_and_person(cli, ucl):
    cli.ok("colleague", "add", "Jo Bloggs", "--email", "jo.bloggs@camden.gov.uk")
    cli.ok("partner", "edit", "UCL", "--ward", "Bloomsbury", actor="Jo Bloggs")
    cli.ok("contact", "edit", "Ada Lovelace", "--title", "Professor", actor="ruth@camden.gov.uk")
    everything = cli.json("history", "--limit", "1")
    assert everything[0]["actor"] == "Ruth Craven"  # the colleague --as named, by their name
    assert everything[0]["changes"] == {"job_title": [None, "Professor"]}
    assert everything[0]["at"].endswith("+00:00")  # UTC, said so

    ucl_only = cli.json("history", "UCL")
    assert {e["organisation_id"] for e in ucl_only} == {ucl["org"]}
    assert [e["actor"] for e in cli.json("history", "--by", "jo bloggs")] == ["Jo Bloggs"]
    # a colleague's entries whether they acted as their name or their email
    cli.ok("partner", "edit", "UCL", "--ward", "Euston", actor="Ruth Craven")
    by_ruth = cli.json("history", "--by", "ruth craven")
    assert {e["actor"] for e in by_ruth} == {"Ruth Craven"}
    from partnercrm import events
    from partnercrm.database import open_database

    db = open_database(cli.url)
    with db.transaction() as s:
        roundtable = events.add_event(s, "Anchor roundtable", "roundtable", "1/10/2025")
        events.record_attendance(s, roundtable, s.get(m.Contact, ucl["contact"]))
    db.dispose()
    about_ada = cli.json("history", "--contact", "ada@ucl.ac.uk")
    assert {e["entity"] for e in about_ada} == {"contact", "attendance"}
    conv = cli.json("history", "--conversation", str(ucl["conversation"]))
    assert {e["entity"] for e in conv} >= {"conversation", "touchpoint"}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%d/%m/%Y")
    assert cli.json("history", "--since", tomorrow) == []
    text = cli.ok("history", "UCL", "--by", "Jo Bloggs").stdout
    assert " Jo Bloggs set ward to Bloomsbury (partner “UCL”)" in text
    assert cli.ok("history", "--by", "nobody").stdout.strip() == "No changes match."


def test_history_by_treats_wildcards_literally(cli, ucl):
    cli.ok("colleague", "add", "jo_b", "--email", "jo_b@camden.gov.uk")
    cli.ok("colleague", "add", "joxb", "--email", "joxb@camden.gov.uk")
    cli.ok("partner", "edit", "UCL", "--ward", "Bloomsbury", actor="jo_b")
    cli.ok("partner", "edit", "UCL", "--ward", "Euston", actor="joxb")
    assert {e["actor"] for e in cli.json("history", "--by", "jo_b")} == {"jo_b"}
    assert cli.json("history", "--by", "%") == []


# --- archive instead of delete ----------------------------------------------------------------


def test_archived_records_leave_the_lists_and_come_back_with_their_history(cli, db, ucl):
    result = cli.ok("partner", "archive", "UCL")
    assert "Archived UCL" in result.stdout
    assert cli.json("partner", "list") == []
    assert [p["name"] for p in cli.json("partner", "list", "--archived")] == ["UCL"]
    with db.transaction() as s:
        contacts.set_archived(s, s.get(m.Contact, ucl["contact"]), True)
        conversations.set_archived(s, s.get(m.Conversation, ucl["conversation"]), True)
    assert cli.json("contact", "list") == []
    assert cli.json("conversation", "list", "--all") == []

    cli.ok("partner", "restore", "UCL")
    with db.transaction() as s:
        contacts.set_archived(s, s.get(m.Contact, ucl["contact"]), False)
        conversations.set_archived(s, s.get(m.Conversation, ucl["conversation"]), False)
    assert [p["name"] for p in cli.json("partner", "list")] == ["UCL"]
    assert [c["name"] for c in cli.json("contact", "list")] == ["Ada Lovelace"]
    assert [c["id"] for c in cli.json("conversation", "list")] == [ucl["conversation"]]
    actions = [(e["action"], e["entity"]) for e in cli.json("history", "UCL")]
    for entity in ("organisation", "contact", "conversation"):
        assert ("archive", entity) in actions and ("restore", entity) in actions
    assert ("create", "organisation") in actions  # nothing from before the archive was lost


def test_an_archived_partner_leaves_briefs_reports_and_search(cli, db, ucl):
    from partnercrm import search

    cli.ok("partner", "archive", "UCL")
    refused = cli("brief", "UCL")
    assert refused.exit_code == 1 and "UCL is archived" in refused.stderr
    stale = cli.json("report", "stale", "--days", "0")["conversations"]
    assert [c["organisation"] for c in stale] == []
    with db.reader() as s:
        assert search.search(s, "UCL", kinds=["organisation"]) == []
    cli.ok("partner", "restore", "UCL")
    assert [
        c["organisation"] for c in cli.json("report", "stale", "--days", "0")["conversations"]
    ] == ["UCL"]
    assert "UCL" in cli.ok("brief", "UCL", "--format", "md").stdout
    with db.reader() as s:
        assert [h.title for h in search.search(s, "UCL", kinds=["organisation"])] == ["UCL"]


def test_history_reads_in_words_with_full_names_and_no_derived_noise(db, ucl):
    """When, who (the colleague's full name) and what in words; stage changes and last
    touches, worked out from other records, are not lines of their own."""
    from datetime import date

    from partnercrm import steps

    with db.transaction() as s:
        s.info["actor"] = "ruth@camden.gov.uk"
        s.info["today"] = date(2026, 11, 30)  # the dates below are days ahead of this one
        conv = s.get(m.Conversation, ucl["conversation"])
        ruth = s.get(m.Colleague, ucl["ruth"])
        step = steps.add_step(s, conv, "Send the pack", ruth, date(2026, 12, 3))
        step_id = step.id
    with db.transaction() as s:
        s.info["actor"] = "ruth"
        s.get(m.Step, step_id).due_on = date(2026, 12, 10)  # a reschedule, as a form saves it
        conversations.set_stage(s, s.get(m.Conversation, ucl["conversation"]), "exploring")
    with db.reader() as s:
        lines = history.readable(
            s, history.entries(s, organisation_id=ucl["org"]), today=date(2026, 11, 30)
        )
    said = [(line.who, line.what) for line in lines]
    assert ("Ruth Craven", "changed due date from 3 Dec to 10 Dec (step “Send the pack”)") in said
    assert ("Ruth Craven", "added step “Send the pack”, due 3 Dec") in said
    assert ("Ruth Craven", "moved conversation #1 from initiated to exploring") in said
    assert not [w for w in said if "stage change" in w[1] or "last_touch" in w[1]]
    assert not [w for w in said if "_" in w[1]]  # no stored field name reaches a person
    assert all(line.who == "Ruth Craven" for line in lines)


def test_a_delivery_is_told_with_what_it_brought(db, ucl):
    """'recorded a delivery on commitment #1: £750, 12 people', not the bare record."""
    from datetime import date

    from partnercrm import commitments

    with db.transaction() as s:
        s.info["actor"] = "ruth"
        conv = s.get(m.Conversation, ucl["conversation"])
        com = commitments.add_commitment(s, conv, "sponsorship_in_kind", gbp=1000)
        commitments.deliver(s, com, gbp="750", people=12, partial=True, story="Room hire")
        com_id = com.id
    with db.reader() as s:
        lines = history.readable(s, history.entries(s, organisation_id=ucl["org"]), date.today())
    said = [line.what for line in lines]
    assert f"recorded a delivery on commitment #{com_id}: £750, 12 people" in said
