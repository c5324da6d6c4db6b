"""The attendee import against a real database: matching, never clobbering, idempotency, interest."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from partnercrm import colleagues, contacts, conversations, events, history, organisations
from partnercrm import models as m
from partnercrm.errors import Invalid
from partnercrm.importing import import_attendees

EVENT = "We Make Camden Summit 2024"
HEADER = [
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Job Title",
    "Mobile Phone",
    "Ticket Type",
    "Attendee Status",
    "Order Date",
    "Missions",
    "Ambassador roles",
]


def write_csv(
    path: Path, rows: list[dict[str, str]], header: list[str] = HEADER, encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=header)
        out.writeheader()
        for row in rows:
            out.writerow(row)
    return path


def person(first: str, last: str, email: str, company: str, **more: str) -> dict[str, str]:
    return {
        "First Name": first,
        "Last Name": last,
        "Email": email,
        "Company": company,
        "Ticket Type": "General Admission",
        "Attendee Status": "Attending",
        "Order Date": "12/03/2024 10:15",
        **more,
    }


@pytest.fixture
def crm(db):
    """A lead, a few partners (one with an alias), a stored contact, and the summit."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth.craven@camden.gov.uk")
        colleagues.add_colleague(s, "Jo Director", "jo.director@camden.gov.uk")
        ucl = organisations.add_organisation(
            s, "University College London", "higher_education", aliases=["UCL"]
        )
        organisations.add_organisation(s, "Arsenal FC", "business")
        organisations.add_organisation(s, "Camden Giving", "vcs")
        contacts.add_contact(
            s, "Ada Lovelace", "Ada.Lovelace@ucl.ac.uk", ucl, job_title="Vice-Provost"
        )
        events.add_event(s, EVENT, "summit", "2024-03-20", owner=ruth)
    return db


def run(db, path: Path, **kw):
    with db.transaction() as s:
        return import_attendees(s, path, event=kw.pop("event", EVENT), **kw)


def count(db, model) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def contact_by_email(db, email: str) -> m.Contact:
    with db.reader() as s:
        found = s.scalar(select(m.Contact).where(m.Contact.email == email))
        assert found is not None
        s.expunge(found)
        return found


def test_new_people_and_organisations_are_created_with_their_lawful_basis(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Grace",
                "Hopper",
                "Grace.Hopper@Navy.example.org",
                "US Navy",
                **{"Job Title": "Rear Admiral"},
            ),
            person("Tom", "Baker", "tom@arsenal.co.uk", "Arsenal F.C."),
        ],
    )
    report = run(crm, path)
    assert (
        report.contacts_created,
        report.organisations_created,
        report.organisations_matched,
        report.attendances_created,
    ) == (2, 1, 1, 2)
    assert report.organisations_new == ["US Navy"]
    grace = contact_by_email(crm, "grace.hopper@navy.example.org")
    assert grace.name == "Grace Hopper" and grace.job_title == "Rear Admiral"
    assert grace.lawful_basis == "legitimate_interests"
    assert grace.consent_source == f"{EVENT} registration"
    assert grace.consent_date == date(2024, 3, 12)
    with crm.reader() as s:
        tom = s.scalar(select(m.Contact).where(m.Contact.email == "tom@arsenal.co.uk"))
        assert tom.organisation.name == "Arsenal FC"  # punctuation aside, the same organisation
        navy = organisations.find_organisation(s, "US Navy")
        assert navy.sector == "business"
        # the audit trail has the creation of each contact and organisation
        assert [h.action for h in history.entries(s, contact_id=tom.id)] == ["create"]
        assert history.entries(s, organisation_id=navy.id)[-1].action == "create"
        run_row = s.scalars(select(m.ImportRun)).one()
        event = events.find_event(s, EVENT)
        assert (run_row.status, run_row.event_id) == ("done", event.id)
        assert run_row.summary["contacts"]["created"] == 2


def test_contacts_match_by_email_ignoring_case_and_by_secondary_address(crm, tmp_path):
    with crm.transaction() as s:
        ada = contacts.find_contact(s, "ada.lovelace@ucl.ac.uk")
        ada.other_emails.append(m.ContactEmail(email="ada@analytical.example.org"))
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Ada", "Lovelace", "ADA.LOVELACE@UCL.AC.UK", "UCL"),
            person("Ada", "Lovelace", "Ada@Analytical.example.org", "University College London"),
        ],
    )
    report = run(crm, path)
    assert report.contacts_created == 0 and report.contacts_matched == 1
    assert report.attendances_created == 1 and report.attendances_existing == 1
    assert count(crm, m.Contact) == 1


def test_organisations_match_by_alias_then_by_likeness_else_are_new(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("A", "One", "a1@example.org", "ucl"),
            person("A", "Two", "a2@example.org", "The Camden Givng Ltd"),
            person("A", "Three", "a3@example.org", "Kentish Town Bakery"),
            person("A", "Four", "a4@example.org", "Kentish Twon Bakery"),
        ],
    )
    report = run(crm, path)
    assert report.organisations_new == ["Kentish Town Bakery"]
    given = {f["given"]: (f["matched"], f["score"]) for f in report.fuzzy}
    assert given["The Camden Givng Ltd"][0] == "Camden Giving"
    assert given["Kentish Twon Bakery"][0] == "Kentish Town Bakery"
    assert all(score >= 90 for _, score in given.values())
    with crm.reader() as s:
        two = s.scalar(select(m.Contact).where(m.Contact.email == "a2@example.org"))
        assert two.organisation.name == "Camden Giving"
    # a stricter threshold turns the likeness into a new organisation
    path2 = write_csv(tmp_path / "b.csv", [person("B", "One", "b1@example.org", "Camden Givng")])
    strict = run(crm, path2, fuzzy_threshold=99)
    assert strict.organisations_new == ["Camden Givng"] and strict.fuzzy == []


def test_a_new_email_with_a_known_name_at_the_organisation_is_a_probable_duplicate(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Ada", "Lovelace", "countess@ucl.ac.uk", "UCL"),
        ],
    )
    report = run(crm, path)
    assert report.contacts_created == 1  # reported, not silently merged
    [dup] = report.probable_duplicates
    assert dup["email"] == "countess@ucl.ac.uk"
    assert dup["existing"][0]["email"] == "ada.lovelace@ucl.ac.uk"
    assert dup["organisation"] == "University College London"


def test_rows_without_email_match_by_name_at_the_organisation(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Ada", "Lovelace", "", "UCL"),
            person("Walk", "In", "", "Camden Giving"),
        ],
    )
    first = run(crm, path)
    assert (first.contacts_created, first.contacts_matched) == (1, 1)
    second = run(crm, path)
    assert (second.contacts_created, second.contacts_matched) == (0, 2)
    assert not second.changed


def test_stored_values_are_never_clobbered_by_default(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Ada",
                "Lovelace",
                "ada.lovelace@ucl.ac.uk",
                "Camden Giving",
                **{"Job Title": "Provost", "Mobile Phone": "07700 900123"},
            ),
        ],
    )
    report = run(crm, path)
    ada = contact_by_email(crm, "ada.lovelace@ucl.ac.uk")
    assert ada.job_title == "Vice-Provost"  # kept
    assert ada.phone == "07700 900123"  # the blank was filled
    assert report.contacts_updated == 1
    conflicts = {c["field"]: (c["stored"], c["given"]) for c in report.conflicts}
    assert conflicts == {
        "job_title": ("Vice-Provost", "Provost"),
        "organisation": ("University College London", "Camden Giving"),
    }
    with crm.reader() as s:
        changes = history.entries(s, contact_id=ada.id)[0].changes
        assert changes == {"phone": [None, "07700 900123"]}
        attendance = s.scalars(select(m.Attendance)).one()
        assert attendance.organisation.name == "Camden Giving"  # who they came for


def test_on_existing_update_and_skip(crm, tmp_path):
    row = person(
        "Ada",
        "Lovelace",
        "ada.lovelace@ucl.ac.uk",
        "UCL",
        **{"Job Title": "Provost", "Mobile Phone": "07700 900123"},
    )
    path = write_csv(tmp_path / "a.csv", [row])
    skipped = run(crm, path, on_existing="skip")
    ada = contact_by_email(crm, "ada.lovelace@ucl.ac.uk")
    assert (ada.job_title, ada.phone, skipped.contacts_updated) == ("Vice-Provost", None, 0)
    updated = run(crm, path, on_existing="update")
    ada = contact_by_email(crm, "ada.lovelace@ucl.ac.uk")
    assert (ada.job_title, ada.phone, updated.contacts_updated) == ("Provost", "07700 900123", 1)
    assert updated.conflicts == [] and ada.version == 2
    with pytest.raises(Invalid, match="stored contacts are filled, updated or skipped"):
        run(crm, path, on_existing="merge")


def test_reimporting_the_same_file_changes_nothing_and_says_so(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Grace",
                "Hopper",
                "grace@navy.example.org",
                "US Navy",
                **{"Missions": "Food"},
                **{"Ambassador roles": "Sponsorship"},
            ),
            person("Tom", "Baker", "tom@arsenal.co.uk", "Arsenal FC"),
            person("Ada", "Lovelace", "ada.lovelace@ucl.ac.uk", "UCL"),
        ],
    )
    first = run(crm, path)
    assert first.changed
    before = {
        model: count(crm, model)
        for model in (
            m.Contact,
            m.Organisation,
            m.Attendance,
            m.Conversation,
            m.Touchpoint,
            m.Step,
            m.HistoryEntry,
        )
    }
    second = run(crm, path)
    assert not second.changed
    assert (second.contacts_created, second.contacts_updated, second.contacts_matched) == (0, 0, 3)
    assert (second.attendances_created, second.attendances_existing) == (0, 3)
    assert (second.conversations_opened, second.conversations_touched) == (0, 0)
    assert second.organisations_created == 0
    assert {model: count(crm, model) for model in before} == before


def test_cancelled_registrations_make_contacts_but_not_attendances(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Tom", "Baker", "tom@arsenal.co.uk", "Arsenal FC", **{"Attendee Status": "Refunded"}
            ),
            person("Sue", "Wong", "sue@arsenal.co.uk", "Arsenal FC", **{"Ticket Type": "Speaker"}),
        ],
    )
    report = run(crm, path)
    assert (report.contacts_created, report.attendances_created, report.not_attending) == (2, 1, 1)
    with crm.reader() as s:
        [attendance] = s.scalars(select(m.Attendance)).all()
        assert attendance.contact.name == "Sue Wong" and attendance.role == "speaker"


def test_bad_rows_are_rejected_with_line_column_value_and_reason(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Good", "Row", "good@example.org", "Arsenal FC"),
            person("", "", "noname@example.org", "Arsenal FC"),
            person("Bad", "Email", "bad@@example.org", "Arsenal FC"),
            person("No", "Org", "noorg@example.org", "", **{"Missions": "Food"}),
            person(
                "Space",
                "Cadet",
                "space@example.org",
                "Arsenal FC",
                **{"Missions": "Space travel, Food"},
            ),
            person("Bad", "Date", "date@example.org", "Arsenal FC", **{"Order Date": "31/02/2024"}),
            person(
                "Unknown",
                "Role",
                "role@example.org",
                "Arsenal FC",
                **{"Ambassador roles": "Cheerleader"},
            ),
        ],
    )
    report = run(crm, path)
    assert report.contacts_created == 4 and report.rows_rejected == 3
    found = [(r.line, r.column, r.value, r.reason.split(":")[0]) for r in report.rejected]
    assert found == [
        (3, "First Name", "", "no name"),
        (4, "Email", "bad@@example.org", "invalid email"),
        (7, "Order Date", "31/02/2024", "the date cannot be read"),
    ]
    # an interest column never rejects a person: an answer that names nothing is a note,
    # and interest without an organisation is kept on the attendance alone
    with crm.reader() as s:
        notes = {
            a.contact.name: (a.note, [x.key for x in a.interest_missions])
            for a in s.scalars(select(m.Attendance))
        }
    assert notes == {
        "Good Row": (None, []),
        "No Org": (None, ["food"]),
        "Space Cadet": ("Missions: Space travel", ["food"]),
        "Unknown Role": ("Ambassador roles: Cheerleader", []),
    }


def test_a_column_mapped_to_interest_fails_loudly(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Good", "Row", "good@example.org", "Arsenal FC", **{"Missions": "Food"}),
            person(
                "Space", "Cadet", "space@example.org", "Arsenal FC", **{"Missions": "Space travel"}
            ),
        ],
    )
    report = run(crm, path, column_map={"Missions": "interest_missions"})
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "unknown mission 'Space travel'")]


def test_rejects_file_round_trip(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Good", "Row", "good@example.org", "Arsenal FC"),
            person("Bad", "Email", "bad at example.org", "Arsenal FC"),
            person("Bad", "Date", "date@example.org", "Arsenal FC", **{"Order Date": "not yet"}),
        ],
    )
    rejects = tmp_path / "rejects.csv"
    report = run(crm, path, rejects=rejects)
    assert report.rejects_file == str(rejects)
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*HEADER, "reason"]
    assert [r["Email"] for r in rows] == ["bad at example.org", "date@example.org"]
    assert rows[0]["reason"].startswith("Email: invalid email")
    rows[0]["Email"] = "bad@example.org"
    rows[1]["Order Date"] = "13/03/2024"
    fixed = write_csv(tmp_path / "fixed.csv", rows, header=[*HEADER, "reason"])
    again = run(crm, fixed)
    assert again.rows_rejected == 0 and again.contacts_created == 2
    assert "reason" in again.columns["ignored"]
    assert count(crm, m.Contact) == 4
    with pytest.raises(Invalid, match="the rejects file is the file being imported"):
        run(crm, path, rejects=tmp_path / "." / "a.csv")
    assert "Bad" in path.read_text()  # the source is untouched


def test_strict_imports_nothing_if_any_row_is_bad(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Good", "Row", "good@example.org", "New Org Ltd"),
            person("Bad", "Email", "bad@@example.org", "Arsenal FC"),
        ],
    )
    report = run(crm, path, strict=True)
    assert not report.imported and report.rows_rejected == 1
    assert count(crm, m.Contact) == 1 and count(crm, m.Organisation) == 3
    with crm.reader() as s:
        assert s.scalars(select(m.ImportRun.status)).all() == ["failed"]


def test_dry_run_writes_nothing_and_reports_the_same(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Grace",
                "Hopper",
                "grace@navy.example.org",
                "US Navy",
                **{"Ambassador roles": "advocate"},
            ),
            person("Ada", "Lovelace", "ada.lovelace@ucl.ac.uk", "UCL", **{"Job Title": "Provost"}),
        ],
    )
    history_before = count(crm, m.HistoryEntry)
    dry = run(crm, path, dry_run=True)
    assert count(crm, m.Contact) == 1 and count(crm, m.Attendance) == 0
    assert count(crm, m.HistoryEntry) == history_before and count(crm, m.ImportRun) == 0
    real = run(crm, path)
    strip = {"dry_run", "import_run"}
    assert {k: v for k, v in dry.as_dict().items() if k not in strip} == {
        k: v for k, v in real.as_dict().items() if k not in strip
    }


def test_dry_run_can_describe_an_event_not_created_yet(crm, tmp_path):
    from partnercrm.importing import NewEvent

    path = write_csv(
        tmp_path / "a.csv", [person("Tom", "Baker", "tom@arsenal.co.uk", "Arsenal FC")]
    )
    new = NewEvent("roundtable", "1/10/2024", host="UCL")
    dry = run(crm, path, event="Anchor Roundtable Autumn 2024", create_event=new, dry_run=True)
    assert dry.attendances_created == 1 and count(crm, m.Event) == 1
    real = run(crm, path, event="Anchor Roundtable Autumn 2024", create_event=new)
    assert real.attendances_created == 1
    with crm.reader() as s:
        event = events.find_event(s, "Anchor Roundtable Autumn 2024")
        assert (event.kind, event.held_on, event.host.name) == (
            "roundtable",
            date(2024, 10, 1),
            "University College London",
        )
    with pytest.raises(
        Invalid, match="no event matches 'Nonexistent'; it can be added with a kind and a date"
    ):
        run(crm, path, event="Nonexistent")


def test_interest_opens_warm_conversations_with_a_follow_up_step(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Ada",
                "Lovelace",
                "ada.lovelace@ucl.ac.uk",
                "UCL",
                **{"Missions": "Young people; food", "Ambassador roles": "Sponsorship, Research"},
            ),
            person(
                "Grace",
                "Hopper",
                "grace@ucl.ac.uk",
                "University College London",
                **{"Ambassador roles": "sponsorship"},
            ),
            person("Tom", "Baker", "tom@arsenal.co.uk", "Arsenal FC", **{"Missions": "Diversity"}),
        ],
    )
    report = run(crm, path, follow_up_days=10)
    assert (report.conversations_opened, report.conversations_touched, report.steps_created) == (
        3,
        0,
        3,
    )
    with crm.reader() as s:
        ucl = organisations.find_organisation(s, "UCL")
        convs = {c.ask: c for c in conversations.list_conversations(s, organisation=ucl)}
        assert set(convs) == {"sponsorship", "research"}
        sponsor = convs["sponsorship"]
        assert sponsor.stage == "initiated" and sponsor.lead.name == "Ruth Craven"
        assert sorted(c.name for c in sponsor.contacts) == ["Ada Lovelace", "Grace Hopper"]
        assert [mi.key for mi in sponsor.missions] == ["young_people", "food"]
        assert sponsor.started_on == date(2024, 3, 20)
        [step] = sponsor.steps
        assert step.due_on == date(2024, 3, 30) and step.owner.name == "Ruth Craven"
        [touch] = s.scalars(
            select(m.Touchpoint).where(m.Touchpoint.conversation_id == sponsor.id)
        ).all()
        assert touch.channel == "event" and EVENT in touch.note
        assert [c.to_stage for c in conversations.stage_changes(s, sponsor)] == ["initiated"]
        arsenal = organisations.find_organisation(s, "Arsenal FC")
        [missions_only] = conversations.list_conversations(s, organisation=arsenal)
        assert missions_only.ask is None and [x.key for x in missions_only.missions] == [
            "diversity"
        ]
        attendance = s.scalars(
            select(m.Attendance).where(
                m.Attendance.contact.has(m.Contact.email == "ada.lovelace@ucl.ac.uk")
            )
        ).one()
        assert {x.key for x in attendance.interest_roles} == {"sponsorship", "research"}
        assert history.entries(s, conversation_id=sponsor.id)


def test_interest_in_an_open_ask_touches_the_conversation_instead(crm, tmp_path):
    with crm.transaction() as s:
        ucl = organisations.find_organisation(s, "UCL")
        jo = colleagues.find_colleague(s, "Jo Director")
        existing = conversations.log_conversation(s, ucl, jo, ask="sponsorship", on="2024-01-10")
        existing_id = existing.id
    with crm.reader() as s:
        version_before = conversations.get_conversation(s, existing_id).version
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Ada",
                "Lovelace",
                "ada.lovelace@ucl.ac.uk",
                "UCL",
                **{"Ambassador roles": "Sponsorship"},
            ),
        ],
    )
    report = run(crm, path, lead="Jo Director")
    assert (report.conversations_opened, report.conversations_touched) == (0, 1)
    assert report.steps_created == 1  # it had no open step
    with crm.reader() as s:
        conv = conversations.get_conversation(s, existing_id)
        assert conv.last_touch_on == date(2024, 3, 20)
        # a copy read before the import conflicts on save; who ran it changed it last
        assert (conv.version, conv.updated_by) == (version_before + 1, crm.actor)
        assert [c.name for c in conv.contacts] == ["Ada Lovelace"]
        assert (
            s.scalar(
                select(func.count())
                .select_from(m.Touchpoint)
                .where(m.Touchpoint.conversation_id == existing_id)
            )
            == 2
        )
    # the same interest again is already recorded: nothing more happens
    again = run(crm, path)
    assert (again.conversations_touched, again.steps_created, again.changed) == (0, 0, False)


def test_interest_needs_a_lead(db, tmp_path):
    with db.transaction() as s:
        organisations.add_organisation(s, "UCL", "higher_education")
        events.add_event(s, EVENT, "summit", "2024-03-20")
    path = write_csv(
        tmp_path / "a.csv",
        [person("Ada", "Lovelace", "ada@ucl.ac.uk", "UCL", **{"Missions": "Food"})],
    )
    with pytest.raises(
        Invalid, match="rows on lines 2 express interest.*name the colleague who leads them"
    ):
        run(db, path)
    assert count(db, m.Contact) == 0
    with db.reader() as s:
        assert s.scalars(select(m.ImportRun.status)).all() == ["failed"]


def test_erased_people_are_skipped_and_never_recreated(crm, tmp_path):
    from partnercrm import privacy

    with crm.transaction() as s:
        privacy.erase(s, contacts.find_contact(s, "ada.lovelace@ucl.ac.uk"))
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Ada", "Lovelace", "Ada.Lovelace@UCL.ac.uk", "UCL"),
            person("Tom", "Baker", "tom@arsenal.co.uk", "Arsenal FC"),
        ],
    )
    report = run(crm, path)
    assert report.erased == [2] and report.contacts_created == 1
    with crm.reader() as s:
        assert (
            s.scalar(select(m.Contact).where(m.Contact.email == "ada.lovelace@ucl.ac.uk")) is None
        )


def test_file_quirks_import_end_to_end(crm, tmp_path):
    rows = [
        person("Zoë", "Brontë", "zoe@example.org", "Café Olé"),
        person("Seán", "O’Neill", "sean@example.org", "Café Olé"),
    ]
    cp1252 = write_csv(tmp_path / "w.csv", rows, encoding="cp1252")
    report = run(crm, cp1252)
    assert report.encoding == "windows-1252" and report.contacts_created == 2
    with crm.reader() as s:
        assert organisations.find_organisation(s, "Cafe Ole").name == "Café Olé"
        assert contacts.find_contact(s, "sean@example.org").name == "Seán O’Neill"
    # the same people as Excel's UTF-16 "Unicode text": nothing new
    text = (tmp_path / "w.csv").read_bytes().decode("cp1252").replace(",", "\t")
    utf16 = tmp_path / "u.txt"
    utf16.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    again = run(crm, utf16)
    assert again.delimiter == "\t" and not again.changed and again.contacts_matched == 2


def test_eventbrite_exports_import_as_they_come(crm):
    data = Path(__file__).parent / "data"
    uk = run(crm, data / "eventbrite_uk.csv")
    assert (uk.contacts_created, uk.contacts_matched, uk.attendances_created) == (2, 1, 2)
    assert uk.not_attending == 1 and uk.conversations_opened == 1  # research, with two missions
    us = run(crm, data / "eventbrite_us.csv", event=EVENT)
    with crm.reader() as s:
        kj = contacts.find_contact(s, "kj@nasa.example.org")
        attendance = s.scalars(select(m.Attendance).where(m.Attendance.contact_id == kj.id)).one()
        assert attendance.role == "speaker"
        assert attendance.registered_at.date() == date(2024, 3, 15)  # US dates are month first
    assert us.columns["layout"] == "eventbrite-us"


def test_progress_is_reported_in_phases(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [person("P", str(i), f"p{i}@example.org", "Arsenal FC") for i in range(30)],
    )
    seen: list[tuple[str, int, int]] = []
    run(crm, path, progress=lambda phase, done, total: seen.append((phase, done, total)))
    phases = list(dict.fromkeys(p for p, _, _ in seen))
    assert phases == ["reading", "matching", "writing"]
    last_write = [x for x in seen if x[0] == "writing"][-1]
    assert last_write[1] == last_write[2]


def test_follow_up_days_and_dates_of_a_future_event(db, tmp_path):
    soon = date.today() + timedelta(days=30)
    with db.transaction() as s:
        lead = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        organisations.add_organisation(s, "UCL", "higher_education")
        events.add_event(s, "Spring Roundtable", "roundtable", soon, owner=lead)
    path = write_csv(
        tmp_path / "a.csv",
        [person("Ada", "Lovelace", "ada@ucl.ac.uk", "UCL", **{"Ambassador roles": "advocate"})],
    )
    run(db, path, event="Spring Roundtable", follow_up_days=7)
    with db.reader() as s:
        conv = s.scalars(select(m.Conversation)).one()
        # registration before the event: the touch is dated today, the follow-up after the event
        assert conv.started_on == date.today()
        assert conv.steps[0].due_on == soon + timedelta(days=7)


def test_a_new_organisation_takes_its_most_common_proper_spelling(db, tmp_path):
    with db.transaction() as s:
        events.add_event(s, EVENT, "summit", "2024-03-20")
    path = write_csv(
        tmp_path / "a.csv",
        [
            person("A", "One", "a1@example.org", "KENTISH TOWN BAKERY"),
            person("A", "Two", "a2@example.org", "KENTISH TOWN BAKERY"),
            person("A", "Three", "a3@example.org", "Kentish Town Bakery."),
            person("A", "Four", "a4@example.org", "kentish town bakery"),
            person("A", "Five", "a5@example.org", "Kentish Town Bakery"),
            person("A", "Six", "a6@example.org", "Kentish Town Bakery"),
        ],
    )
    report = run(db, path)
    assert report.organisations_new == ["Kentish Town Bakery"]


def test_imported_people_and_organisations_are_found_by_search(crm, tmp_path):
    from partnercrm import search
    from partnercrm.database import table_names

    path = write_csv(
        tmp_path / "a.csv",
        [
            person("Grace", "Hopper", "grace@navy.example.org", "Harbourside Cobol Guild"),
        ],
    )
    run(crm, path)
    with crm.reader() as s:
        hits = {(h.kind, h.title) for h in search.search(s, "Hopper")}
        assert ("contact", "Grace Hopper") in hits
        assert any(h.title == "Harbourside Cobol Guild" for h in search.search(s, "Cobol"))
    # and the search triggers the import set aside for its bulk insert are back
    if crm.is_sqlite:
        with crm.reader() as s:
            triggers = set(
                s.connection()
                .exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                .scalars()
            )
        assert {"search_contact_ai", "search_organisation_ai"} <= triggers
        assert "search_contact" in table_names(crm.engine)
        with crm.transaction() as s:
            contacts.add_contact(s, "Later Person", "later@example.org", None)
        with crm.reader() as s:
            assert any(h.title == "Later Person" for h in search.search(s, "Later"))


def test_values_too_long_to_store_are_rejected_not_fatal(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Ada", "Lovelace", "ada2@example.org", "UCL", **{"Job Title": "Professor " * 30}
            ),
            person("Tom", "Baker", "tom@arsenal.co.uk", "Arsenal FC"),
        ],
    )
    report = run(crm, path)
    assert report.contacts_created == 1
    [rejected] = report.rejected
    assert (rejected.line, rejected.column, rejected.reason) == (
        2,
        "Job Title",
        "longer than 200 characters",
    )


def test_a_row_with_neither_email_nor_organisation_is_rejected(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [person("Walk", "In", "", ""), person("Ann", "Lee", "ann@example.org", "")],
    )
    report = run(crm, path)
    assert [r.reason for r in report.rejected] == [
        "no email and no organisation: the person could not be recognised again"
    ]
    assert report.contacts_created == 1


def test_an_import_that_rejects_every_row_writes_nothing(crm, tmp_path):
    path = write_csv(tmp_path / "a.csv", [person("Walk", "In", "", "")])
    rejects = tmp_path / "rejects.csv"
    before = count(crm, m.Contact), count(crm, m.Attendance), count(crm, m.HistoryEntry)
    with pytest.raises(Invalid, match=r"every row of a.csv was rejected \(1\), so nothing"):
        run(crm, path, rejects=rejects)
    assert (count(crm, m.Contact), count(crm, m.Attendance), count(crm, m.HistoryEntry)) == before
    assert "Walk" in rejects.read_text(encoding="utf-8-sig")


def test_the_sqlite_search_triggers_take_the_bulk_path(sqlite_template):
    """If the search triggers change shape the import stays right but slows down: say so here."""
    import sqlite3

    from partnercrm.bulk import _ROW_TRIGGER

    with sqlite3.connect(sqlite_template) as conn:
        triggers = dict(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('contact', 'organisation', 'conversation', 'touchpoint') "
                "AND sql LIKE '%AFTER INSERT%'"
            )
        )
    conn.close()
    expected = {"search_contact_ai", "search_organisation_ai"}
    assert expected | {"search_conversation_ai", "search_touchpoint_ai"} <= set(triggers)
    assert all(_ROW_TRIGGER.match(sql) for sql in triggers.values()), triggers


def test_a_rejects_file_is_safe_in_a_spreadsheet_and_still_imports(crm, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "Bad",
                "Email",
                "bad at example.org",
                '=HYPERLINK("http://x","y")',
                **{"Mobile Phone": "+44 20 7974 4444"},
            ),
        ],
    )
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(Invalid, match="every row"):
        run(crm, path, rejects=rejects)
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["Company"] == '\'=HYPERLINK("http://x","y")'
    assert row["Mobile Phone"] == "'+44 20 7974 4444"
    row["Email"] = "fixed@example.org"
    fixed = write_csv(tmp_path / "fixed.csv", [row], header=[*HEADER, "reason"])
    assert run(crm, fixed).contacts_created == 1
    with crm.reader() as s:
        stored = contacts.find_contact(s, "fixed@example.org")
        assert stored.phone == "+44 20 7974 4444"
        assert stored.organisation.name == '=HYPERLINK("http://x","y")'
