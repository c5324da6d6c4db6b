"""The team's own spreadsheets: `import partners`, `import contacts`, `import conversations`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from partnercrm import models as m
from partnercrm.importing.tracker_columns import loose_sector, loose_stage


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def setup(cli) -> None:
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth.craven@camden.gov.uk")
    cli.ok("colleague", "add", "Sam Patel", "--email", "sam.patel@camden.gov.uk")
    cli.ok(
        "partner",
        "add",
        "University College London",
        "--sector",
        "higher_education",
        "--alias",
        "UCL",
    )


def count(db, model) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("Voluntary & Community", "vcs"),
        ("VCS", "vcs"),
        ("charity", "vcs"),
        ("Third Sector", "vcs"),
        ("Higher Education", "higher_education"),
        ("University", "higher_education"),
        ("Public sector", "public_sector"),
        ("NHS", "public_sector"),
        ("Arts & Culture", "culture"),
        ("Private sector", "business"),
        ("Social enterprise", "social_action"),
        ("social_action", "social_action"),
        ("Aerospace", None),
    ],
)
def test_sectors_are_read_loosely(text, sector):
    assert loose_sector(text) == sector


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Initial conversation", "initiated"),
        ("In discussion", "exploring"),
        ("On hold", "parked"),
        ("Not interested", "declined"),
        ("Agreed", "committed"),
        ("Exploring", "exploring"),
        ("Banana", None),
    ],
)
def test_stages_are_read_loosely(text, stage):
    assert loose_stage(text) == stage


def test_import_partners_from_the_team_tracker(cli, db, tmp_path):
    setup(cli)
    path = write(
        tmp_path / "Partnership tracker.csv",
        [
            "Partnership tracker - updated Sept 2025,,,,,,,",
            ",,,,,,,",
            "Organisation,Also known as,Sector,Ward,Website,Relationship lead,Anchor?,Notes",
            "Camden Giving,CG,Voluntary & Community,Kentish Town,camdengiving.org.uk,Ruth,Yes,"
            "Place-based funder",
            "Kentish Town Bakery,,Private sector,Kentish Town,,Sam Patel,,",
            "UCL,,Higher Education,Bloomsbury,,Ruth,yes,",
            "Somers Town Food Bank,,charity,St Pancras and Somers Town,,Nobody Known,,",
            "Camden Arts Centre,,Aerospace,Frognal,,,,",
        ],
    )
    report = cli.json("import", "partners", str(path))
    assert report["kind"] == "partners"
    assert report["organisations"]["created"] == 2 and report["organisations"]["updated"] == 1
    assert [(r["line"], r["column"]) for r in report["rejected"]] == [
        (7, "Relationship lead"),
        (8, "Sector"),
    ]
    with db.reader() as s:
        orgs = {
            o.name: (o.sector, o.ward, o.anchor, o.lead.name if o.lead else None, o.website)
            for o in s.scalars(select(m.Organisation))
        }
        aliases = {a.alias for a in s.scalars(select(m.OrganisationAlias))}
    assert orgs == {
        "University College London": ("higher_education", "Bloomsbury", True, "Ruth Craven", None),
        "Camden Giving": (
            "vcs",
            "Kentish Town",
            True,
            "Ruth Craven",
            "https://camdengiving.org.uk",
        ),
        "Kentish Town Bakery": ("business", "Kentish Town", False, "Sam Patel", None),
    }
    assert "CG" in aliases
    again = cli.json("import", "partners", str(path))
    assert not again["changed"]


def test_import_contacts_without_an_event(cli, db, tmp_path):
    setup(cli)
    path = write(
        tmp_path / "contacts.csv",
        [
            "Name,Email,Organisation,Job title,Phone,Lawful basis,Source",
            '"Hopper, Grace",grace.hopper@ucl.ac.uk,UCL,Professor,020 7679 2000,'
            "Legitimate interest,Met at the anchor roundtable",
            "Tom Baker,,Camden Giving,Grants Officer,,Consent,",
            "No Email Or Org,,,,,,",
            "Bad Email,bad@@example.org,UCL,,,,",
        ],
    )
    report = cli.json("import", "contacts", str(path))
    assert report["contacts"]["created"] == 3 and report["rows_rejected"] == 1
    with db.reader() as s:
        people = {
            c.name: (
                c.email,
                c.organisation.name if c.organisation else None,
                c.job_title,
                c.lawful_basis,
                c.consent_source,
            )
            for c in s.scalars(select(m.Contact))
        }
        attendances = s.scalar(select(func.count()).select_from(m.Attendance))
    assert people == {
        "Grace Hopper": (
            "grace.hopper@ucl.ac.uk",
            "University College London",
            "Professor",
            "legitimate_interests",
            "Met at the anchor roundtable",
        ),
        "Tom Baker": (
            None,
            "Camden Giving",
            "Grants Officer",
            "consent",
            "contacts.csv (team tracker)",
        ),
        "No Email Or Org": (
            None,
            None,
            None,
            "legitimate_interests",
            "contacts.csv (team tracker)",
        ),
    }
    assert attendances == 0
    again = cli.json("import", "contacts", str(path))
    assert not again["changed"] and again["contacts"]["matched"] == 3


def test_import_a_conversation_log(cli, db, tmp_path):
    setup(cli)
    path = write(
        tmp_path / "log.csv",
        [
            "Date,Partner,Colleague,Who with,Mission,The ask,Stage,Notes,Next step,Due",
            "02/09/2025,UCL,Ruth,Grace Hopper,Food,Sponsorship,Initial conversation,"
            "Coffee at the summit,Send the sponsorship pack,16/09/2025",
            "20/09/2025,UCL,Ruth,Grace Hopper,Food,Sponsorship,In discussion,"
            "Pack sent; meeting booked,Meet the finance team,",
            "05/09/2025,Camden Giving,Sam,Tom Baker,Young people,,On hold,"
            "Waiting for their board,,",
            "06/09/2025,Camden Giving,Sam,,,Sponsorship,Banana,,,",
            "06/09/2099,Camden Giving,Sam,,,,,,,",
        ],
    )
    dry = cli.json("import", "conversations", str(path), "--dry-run")
    assert dry["dry_run"] and dry["conversations"]["opened"] == 2
    assert count(db, m.Conversation) == 0
    report = cli.json("import", "conversations", str(path))
    assert report["conversations"] == {"opened": 2, "touched": 1, "touchpoints": 3}
    assert report["steps"]["created"] == 2
    assert [(r["line"], r["column"]) for r in report["rejected"]] == [(5, "Stage"), (6, "Date")]
    with db.reader() as s:
        found = {
            c.organisation.name: (
                c.stage,
                c.started_on,
                c.last_touch_on,
                c.lead.name,
                [p.name for p in c.contacts],
                [x.key for x in c.missions],
                c.ask_role.key if c.ask_role else None,
            )
            for c in s.scalars(select(m.Conversation))
        }
        due = sorted((st.description, st.due_on) for st in s.scalars(select(m.Step)))
    assert found == {
        "University College London": (
            "exploring",
            date(2025, 9, 2),
            date(2025, 9, 20),
            "Ruth Craven",
            ["Grace Hopper"],
            ["food"],
            "sponsorship",
        ),
        "Camden Giving": (
            "parked",
            date(2025, 9, 5),
            date(2025, 9, 5),
            "Sam Patel",
            ["Tom Baker"],
            ["young_people"],
            None,
        ),
    }
    assert due == [
        ("Meet the finance team", date(2025, 10, 4)),
        ("Send the sponsorship pack", date(2025, 9, 16)),
    ]
    again = cli.json("import", "conversations", str(path))
    assert not again["changed"]
    assert count(db, m.Touchpoint) == 3


def test_strict_and_all_rejected_write_nothing(cli, db, tmp_path):
    setup(cli)
    path = write(
        tmp_path / "partners.csv",
        ["Organisation,Sector", "Camden Giving,VCS", "Nowhere Ltd,Aerospace"],
    )
    rejects = tmp_path / "rejects.csv"
    result = cli("import", "partners", str(path), "--strict", "--rejects", str(rejects))
    assert result.exit_code == 1
    assert count(db, m.Organisation) == 1
    assert "Aerospace" in rejects.read_text(encoding="utf-8-sig")
    bad = write(tmp_path / "bad.csv", ["Organisation,Sector", "Nowhere Ltd,Aerospace"])
    result = cli("import", "partners", str(bad))
    assert result.exit_code == 1
    assert "every row of bad.csv was rejected (1)" in result.stderr
    assert count(db, m.Organisation) == 1


def test_a_partner_workbook_with_a_title_above_its_table(cli, db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(["Camden partnerships: who we work with"])
    sheet.append([])
    sheet.append(["Partner name", "Type", "Anchor institution", "Relationship lead"])
    sheet.append(["Camden Giving", "VCS", "No", "Sam Patel"])
    sheet.append(["British Library", "Arts & Culture", "Yes", None])
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    setup(cli)
    report = cli.json("import", "partners", str(path))
    assert report["organisations"]["created"] == 2 and report["rows_rejected"] == 0
    with db.reader() as s:
        orgs = {
            o.name: (o.sector, o.anchor, o.lead.name if o.lead else None)
            for o in s.scalars(select(m.Organisation))
        }
    assert orgs["Camden Giving"] == ("vcs", False, "Sam Patel")
    assert orgs["British Library"] == ("culture", True, None)
