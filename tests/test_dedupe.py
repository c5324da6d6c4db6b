"""Duplicates: suggested pairs with reasons, "not a duplicate" remembered, merges that lose nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    dedupe,
    events,
    history,
    merging,
    missions,
    organisations,
    search,
    steps,
)
from partnercrm import models as m
from partnercrm.errors import Conflict, Invalid


def pair_names(found):
    return {frozenset((p.a["name"], p.b["name"])): p for p in found}


def test_organisation_pairs_and_their_reasons(session):
    s = session
    organisations.add_organisation(s, "University College London", "higher_education", new=True)
    ucl = organisations.add_organisation(s, "U.C.L.", "higher_education", new=True)
    organisations.add_organisation(s, "The Wellcome Collection Ltd", "culture", new=True)
    organisations.add_organisation(s, "Wellcome Collection", "culture", new=True)
    organisations.add_organisation(s, "Welcome Colection", "culture", new=True)
    organisations.add_organisation(s, "Unit 4 Studios", "culture", new=True)
    organisations.add_organisation(s, "Unit 5 Studios", "culture", new=True)
    organisations.add_organisation(s, "Camden Giving", "vcs", aliases=["The CG Fund"], new=True)
    organisations.add_organisation(s, "CG Fund Ltd", "vcs", new=True)
    kx = organisations.add_organisation(s, "King's Cross Estate", "business", new=True)
    argent = organisations.add_organisation(s, "Argent LLP", "business", new=True)
    contacts.add_contact(s, "Ann", "ann@kingscross.co.uk", kx, new=True)
    contacts.add_contact(s, "Ben", "ben@kingscross.co.uk", argent, new=True)
    contacts.add_contact(s, "Cat", "cat@gmail.com", ucl, new=True)
    found = pair_names(dedupe.organisation_pairs(s))

    same = found[frozenset(("The Wellcome Collection Ltd", "Wellcome Collection"))]
    assert same.reasons[0] == "same normalised name" and same.score >= 95
    initials = found[frozenset(("University College London", "U.C.L."))]
    assert initials.reasons == ["initials"] and initials.score == 80
    fuzzy = found[frozenset(("Wellcome Collection", "Welcome Colection"))]
    assert fuzzy.reasons == ["similar name"] and 77 <= fuzzy.score <= 90
    assert frozenset(("Unit 4 Studios", "Unit 5 Studios")) not in found
    # a shared email domain alone scores 60: below the default minimum, shown when asked
    domain = frozenset(("King's Cross Estate", "Argent LLP"))
    assert domain not in found
    low = pair_names(dedupe.organisation_pairs(s, dedupe.Thresholds(min_score=50)))
    assert low[domain].reasons == ["contacts share the email domain kingscross.co.uk"]
    assert frozenset(("Unit 4 Studios", "Unit 5 Studios")) not in low

    # the services refuse an alias that is another's name, so alias hits come from names
    # that differ only by noise words, or from bulk imports
    hit = found[frozenset(("Camden Giving", "CG Fund Ltd"))]
    assert hit.reasons == ["alias hit"] and hit.score == 90


def test_not_a_duplicate_is_never_suggested_again(session, db):
    s = session
    a = organisations.add_organisation(s, "Wellcome Collection", "culture", new=True)
    b = organisations.add_organisation(s, "Welcome Collection", "culture", new=True)
    assert len(dedupe.organisation_pairs(s)) == 1
    assert dedupe.mark_not_duplicate(s, "organisations", b.id, a.id) is True
    assert dedupe.mark_not_duplicate(s, "organisation", a.id, b.id) is False
    assert dedupe.organisation_pairs(s) == []
    with pytest.raises(Invalid, match="same as itself"):
        dedupe.mark_not_duplicate(s, "organisation", a.id, a.id)


def test_contact_pairs_and_their_reasons(session):
    s = session
    ucl = organisations.add_organisation(s, "UCL", "higher_education", new=True)
    kcl = organisations.add_organisation(s, "KCL", "higher_education", new=True)
    ada = contacts.add_contact(
        s, "Ada Lovelace", "ada@ucl.ac.uk", ucl, phone="020 7946 0001", new=True
    )
    contacts.add_contact(s, "ADA LOVELACE", "a.lovelace@ucl.ac.uk", ucl, new=True)
    contacts.add_contact(
        s, "Ada Lovelace-King", "ak@kcl.ac.uk", kcl, phone="+44 20 7946 0001", new=True
    )
    contacts.add_contact(s, "Jon Snow", "jon.snow@gmail.com", ucl, new=True)
    contacts.add_contact(s, "J Snow", "jonsnow+crm@gmail.com", kcl, new=True)
    contacts.add_contact(
        s, "Zed", "zed@kcl.ac.uk", kcl, phone="020 7946 0001", new=True
    )  # switchboard
    other = contacts.add_contact(s, "Grace Hopper", "grace@kcl.ac.uk", kcl, new=True)
    # an import that went round the checks left Ada's address on another record
    s.execute(insert(m.ContactEmail), [{"contact_id": other.id, "email": "ada@ucl.ac.uk"}])
    found = pair_names(dedupe.contact_pairs(s))
    assert found[frozenset(("Ada Lovelace", "ADA LOVELACE"))].reasons == [
        "same name at the same organisation"
    ]
    assert found[frozenset(("Ada Lovelace", "Ada Lovelace-King"))].reasons == [
        "similar name and the same phone"
    ]
    assert found[frozenset(("Jon Snow", "J Snow"))].reasons == ["same mailbox"]
    assert found[frozenset(("Ada Lovelace", "Grace Hopper"))].reasons[0] == "same email"
    assert frozenset(("Ada Lovelace", "Zed")) not in found
    assert dedupe.contact_pairs(s, dedupe.Thresholds(min_score=95))[0].score == 98
    assert ada.id in {p.a["id"] for p in found.values()} | {p.b["id"] for p in found.values()}


def test_merge_covers_every_reference_to_an_organisation_or_contact():
    """If a new table points at organisations or contacts, merging must learn about it."""
    handled = {(model.__tablename__, col) for model, col in merging.ORGANISATION_REFERENCES}
    handled |= {
        ("organisation_alias", "organisation_id"),
        ("contact_email", "contact_id"),
        ("conversation_contact", "contact_id"),
        ("touchpoint", "contact_id"),
        ("attendance", "contact_id"),
    }
    pointing = {
        (t.name, fk.parent.name)
        for t in m.Base.metadata.sorted_tables
        for fk in t.foreign_keys
        if fk.column.table.name in ("organisation", "contact")
    }
    assert pointing == handled


COUNTED = [
    m.Organisation,
    m.OrganisationAlias,
    m.Contact,
    m.ContactEmail,
    m.Conversation,
    m.conversation_contact,
    m.conversation_mission,
    m.Touchpoint,
    m.StageChange,
    m.Step,
    m.Commitment,
    m.commitment_mission,
    m.Delivery,
    m.Ambassadorship,
    m.Event,
    m.Attendance,
    m.attendance_mission,
    m.attendance_role,
]


def counts(s):
    out = {}
    for t in COUNTED:
        table = t.__table__ if hasattr(t, "__table__") else t
        out[table.name] = s.scalar(select(func.count()).select_from(table))
    return out


def owned_by(s, org_id):
    c, v = m.Contact, m.Conversation
    conv_ids = select(v.id).where(v.organisation_id == org_id)
    return {
        "contacts": s.scalar(select(func.count()).where(c.organisation_id == org_id)),
        "conversations": s.scalar(select(func.count()).where(v.organisation_id == org_id)),
        "touchpoints": s.scalar(
            select(func.count()).where(m.Touchpoint.conversation_id.in_(conv_ids))
        ),
        "steps": s.scalar(select(func.count()).where(m.Step.conversation_id.in_(conv_ids))),
        "commitments": s.scalar(select(func.count()).where(m.Commitment.organisation_id == org_id)),
        "ambassadorships": s.scalar(
            select(func.count()).where(m.Ambassadorship.organisation_id == org_id)
        ),
        "attendance": s.scalar(select(func.count()).where(m.Attendance.organisation_id == org_id)),
        "hosted": s.scalar(select(func.count()).where(m.Event.host_id == org_id)),
    }


@pytest.fixture
def two_ucls(db):
    """The same university entered twice, each with a history of its own."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        mission = missions.list_missions(s)[0]
        role = missions.list_roles(s)[0]
        keep = organisations.add_organisation(
            s,
            "University College London",
            "higher_education",
            aliases=["Univ. Coll. London"],
            anchor=True,
            new=True,
        )
        other = organisations.add_organisation(
            s,
            "U.C.L.",
            "higher_education",
            aliases=["UCL Bloomsbury"],
            ward="Bloomsbury",
            website="ucl.ac.uk",
            lead=ruth,
            notes="Met at the 2024 summit",
            new=True,
        )
        other.sector = "culture"  # a conflicting field
        ada = contacts.add_contact(
            s, "Ada Lovelace", "ada@ucl.ac.uk", keep, phone="020 1", new=True
        )
        ada2 = contacts.add_contact(
            s,
            "Ada Lovelace",
            "a.lovelace@ucl.ac.uk",
            other,
            job_title="Provost",
            phone="020 2",
            new=True,
        )
        bob = contacts.add_contact(s, "Bob Smith", "bob@ucl.ac.uk", other, new=True)
        for org, who in ((keep, [ada]), (other, [ada2, bob])):
            conv = conversations.log_conversation(
                s,
                org,
                ruth,
                contacts=who,
                missions=[mission],
                subject=f"Placements {org.id}",
                note="first meeting",
            )
            conversations.add_touchpoint(s, conv, note="follow-up", contact=who[0])
            steps.add_step(s, conv, "Send the brief", ruth, "1/12/2030", confirm=True)
            com = commitments.add_commitment(
                s, conv, "opportunities", missions=[mission], nothing_promised=True
            )
            commitments.deliver(s, com, opportunities=3, story="Three placements")
        ambassadors.enrol(s, other, role, mission=mission)
        summit = events.add_event(s, "Summit 2024", "summit", "1/10/2024", host=other)
        roundtable = events.add_event(s, "Roundtable", "roundtable", "1/11/2024")
        events.record_attendance(s, summit, ada, missions=[mission])
        events.record_attendance(s, summit, ada2, role="speaker", roles=[role])
        events.record_attendance(s, roundtable, ada2)
        # both Ada records are in one conversation
        shared = conversations.log_conversation(s, keep, ruth, contacts=[ada], subject="Joint")
        shared.contacts.append(ada2)
        s.flush()
        return {
            "keep": keep.id,
            "other": other.id,
            "ada": ada.id,
            "ada2": ada2.id,
            "bob": bob.id,
            "summit": summit.id,
            "shared": shared.id,
        }


def test_merging_organisations_loses_nothing(db, two_ucls):
    ids = two_ucls
    with db.transaction() as s:
        before = counts(s)
        keep_before, other_before = owned_by(s, ids["keep"]), owned_by(s, ids["other"])
        assert all(other_before.values())  # the test means something only if all are there
        report = merging.merge(s, "organisation", ids["keep"], ids["other"])
    with db.transaction() as s:
        after = counts(s)
        expected = dict(before, organisation=before["organisation"] - 1)
        expected["organisation_alias"] += 1  # U.C.L. itself; UCL Bloomsbury moved over
        assert after == expected
        assert owned_by(s, ids["keep"]) == {
            k: keep_before[k] + other_before[k] for k in keep_before
        }
        assert s.get(m.Organisation, ids["other"]) is None
        keep = s.get(m.Organisation, ids["keep"])
        assert sorted(a.alias for a in keep.aliases) == [
            "U.C.L.",
            "UCL Bloomsbury",
            "Univ. Coll. London",
        ]
        assert (keep.ward, keep.website, keep.lead.name) == (
            "Bloomsbury",
            "https://ucl.ac.uk",
            "Ruth Craven",
        )
        assert keep.notes == "Met at the 2024 summit" and keep.anchor is True
        assert keep.sector == "higher_education"
    assert report.conflicts == {"sector": ["higher_education", "culture"]}
    assert report.moved["contacts"] == 2 and report.moved["events hosted"] == 1
    assert report.kept_as == ["U.C.L.", "UCL Bloomsbury"]

    with db.reader() as s:
        entry = [e for e in history.entries(s, organisation_id=ids["keep"]) if e.action == "merge"]
        assert len(entry) == 1
        assert entry[0].changes["merged"]["name"] == "U.C.L."
        assert sorted(entry[0].changes["moved"]["contact"]) == sorted([ids["ada2"], ids["bob"]])
        assert "U.C.L." in entry[0].summary
        # the old names find the kept record
        assert [h.id for h in search.search(s, "ucl bloom", kinds=["organisation"])] == [
            ids["keep"]
        ]
        assert organisations.find_organisation(s, "U.C.L.").id == ids["keep"]


def test_merging_contacts_loses_nothing(db, two_ucls):
    ids = two_ucls
    with db.transaction() as s:
        before = counts(s)
        touched = {
            who: s.scalar(select(func.count()).where(m.Touchpoint.contact_id == ids[who]))
            for who in ("ada", "ada2")
        }
        assert touched["ada2"] > 0
        report = merging.merge(s, "contact", ids["ada"], ids["ada2"])
    with db.transaction() as s:
        after = counts(s)
        assert after["contact"] == before["contact"] - 1
        # the shared conversation keeps one row for Ada; the summit one attendance
        assert after["conversation_contact"] == before["conversation_contact"] - 1
        assert after["attendance"] == before["attendance"] - 1
        assert after["contact_email"] == before["contact_email"] + 1
        for name in ("touchpoint", "conversation", "attendance_mission", "attendance_role"):
            assert after[name] == before[name]
        ada = s.get(m.Contact, ids["ada"])
        assert [e.email for e in ada.other_emails] == ["a.lovelace@ucl.ac.uk"]
        assert ada.job_title == "Provost"
        summit = s.scalar(
            select(m.Attendance).where(
                m.Attendance.event_id == ids["summit"], m.Attendance.contact_id == ada.id
            )
        )
        assert summit.role == "speaker"
        assert len(summit.interest_missions) == 1 and len(summit.interest_roles) == 1
        assert s.scalar(select(func.count()).where(m.Touchpoint.contact_id == ada.id)) == (
            touched["ada"] + touched["ada2"]
        )
        assert contacts.find_contact(s, "a.lovelace@ucl.ac.uk").id == ada.id
    assert report.conflicts == {
        "phone": ["020 1", "020 2"],
        "organisation_id": [ids["keep"], ids["other"]],
    }
    assert report.moved["conversations both were in"] == 1
    assert report.moved["attendances folded into the same event"] == 1


def test_dry_run_changes_nothing(db, two_ucls):
    ids = two_ucls
    with db.transaction() as s:
        before = counts(s)
        report = merging.merge(s, "organisation", ids["keep"], ids["other"], dry_run=True)
        assert report.dry_run and report.moved["contacts"] == 2
        assert counts(s) == before
    with db.reader() as s:
        assert counts(s) == before
        assert s.get(m.Organisation, ids["other"]).name == "U.C.L."
        assert not [e for e in history.entries(s) if e.action == "merge"]


def test_the_same_phone_written_two_ways_is_no_conflict(session):
    ucl = organisations.add_organisation(session, "UCL", "higher_education", new=True)
    a = contacts.add_contact(session, "Ada", "ada@ucl.ac.uk", ucl, phone="020 7946 0001", new=True)
    b = contacts.add_contact(
        session, "Ada L", "al@ucl.ac.uk", ucl, phone="+44 20 7946 0001", new=True
    )
    c = contacts.add_contact(session, "Ada M", "am@ucl.ac.uk", ucl, phone="020 7946 0002", new=True)
    assert merging.merge(session, "contact", a.id, b.id).conflicts == {}
    assert merging.merge(session, "contact", a.id, c.id).conflicts == {
        "phone": ["020 7946 0001", "020 7946 0002"]
    }


def test_merges_are_refused_clearly(db, two_ucls):
    ids = two_ucls
    with db.transaction() as s:
        with pytest.raises(Invalid, match=r"cannot merge the organisation .* into itself"):
            merging.merge(s, "organisation", ids["keep"], ids["keep"])
        s.add(m.ImportRun(source="summit-2025.csv", status="running", actor="jo"))
        s.flush()
        with pytest.raises(Conflict, match="an import of summit-2025.csv is running"):
            merging.merge(s, "contact", ids["ada"], ids["ada2"])
    with db.transaction() as s:
        run = s.scalar(select(m.ImportRun))
        run.started_at = m.utcnow() - timedelta(hours=3)  # abandoned long ago: not a lock
    with db.transaction() as s:
        merging.merge(s, "contact", ids["ada"], ids["ada2"])


def test_cli_dedupe_and_merge(cli, db):
    cli.ok("partner", "add", "University College London", "--sector", "higher_education")
    cli.ok("partner", "add", "U.C.L.", "--sector", "higher_education", "--new")
    pairs = cli.json("dedupe", "organisations")
    assert [(p["a"]["name"], p["b"]["name"], p["reasons"]) for p in pairs] == [
        ("University College London", "U.C.L.", ["initials"])
    ]
    assert cli.json("dedupe", "organisations", "--min-score", "81") == []
    assert "No probable duplicate" in cli.ok("dedupe", "contacts").output

    dry = cli.json("merge", "organisation", "University College London", "U.C.L.", "--dry-run")
    assert dry["dry_run"] and dry["kept_as"] == ["U.C.L."]
    out = cli.ok("merge", "organisation", "University College London", "U.C.L.").output
    assert out.startswith("Merged U.C.L. (id 2) into University College London (id 1).")
    assert cli.json("partner", "show", "1")["aliases"] == ["U.C.L."]

    result = cli("merge", "organisation", "1", "1")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: cannot merge the organisation University College London (id 1) into itself"
    )
    cli.ok("partner", "add", "Welcome Collection", "--sector", "culture")
    cli.ok("partner", "add", "Wellcome Collection", "--sector", "culture", "--new")
    assert len(cli.json("dedupe", "organisations")) == 1
    out = cli.ok(
        "dedupe", "not-duplicate", "organisations", "Welcome Collection", "Wellcome Collection"
    )
    assert out.output.startswith("Noted: Welcome Collection and Wellcome Collection")
    assert cli.json("dedupe", "organisations") == []


def test_tui_duplicates_screen_merges_after_one_confirmation(sqlite_template, tmp_path):
    import asyncio
    import shutil

    from textual.widgets import DataTable, Static

    from partnercrm.database import open_database
    from tui.app import PartnerApp
    from tui.screens.duplicates import ConfirmMerge, DuplicatesScreen

    path = tmp_path / "tui.db"
    shutil.copy(sqlite_template, path)
    db = open_database(str(path), actor="Ruth Craven")
    with db.transaction() as s:
        keep = organisations.add_organisation(
            s, "University College London", "higher_education", new=True
        )
        other = organisations.add_organisation(
            s, "U.C.L.", "higher_education", ward="Bloomsbury", new=True
        )
        contacts.add_contact(s, "Ada Lovelace", "ada@ucl.ac.uk", other, new=True)
        organisations.add_organisation(s, "Wellcome Collection", "culture", new=True)
        organisations.add_organisation(s, "Welcome Collection", "culture", new=True)
        ids = keep.id, other.id

    async def settle(pilot):
        for _ in range(3):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    async def main():
        app = PartnerApp(db, blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = DuplicatesScreen()
            app.push_screen(screen)
            await settle(pilot)
            table = screen.query_one("#pairs", DataTable)
            assert table.row_count == 2
            rows = [table.get_row_at(i)[1:3] for i in range(2)]
            assert ["University College London", "U.C.L."] in rows
            table.move_cursor(row=rows.index(["University College London", "U.C.L."]))
            await settle(pilot)
            right = str(screen.query_one("#right", Static).render())
            assert "Bloomsbury" in right and "U.C.L." in right

            await pilot.press("less_than_sign")  # <: keep left, merge right
            await settle(pilot)
            assert isinstance(app.screen, ConfirmMerge)
            summary = str(app.screen.query_one("#merge-summary", Static).render())
            assert "moves 1 contacts" in summary and "U.C.L." in summary
            with db.reader() as s:  # the preview changed nothing
                assert s.get(m.Organisation, ids[1]).name == "U.C.L."
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen and table.row_count == 1
            with db.reader() as s:
                assert s.get(m.Organisation, ids[1]) is None
                kept = s.get(m.Organisation, ids[0])
                assert kept.ward == "Bloomsbury" and [a.alias for a in kept.aliases] == ["U.C.L."]

            await pilot.press("h")  # Wellcome / Welcome: different
            await settle(pilot)
            assert table.row_count == 0
            with db.reader() as s:
                assert dedupe.organisation_pairs(s) == []

    try:
        asyncio.run(main())
    finally:
        db.dispose()
