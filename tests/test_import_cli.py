"""`partnercrm import attendees` as a colleague or a script runs it, and an import killed part way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from partnercrm import models as m
from partnercrm.backup import sqlite_problems
from partnercrm.database import open_database
from tests.test_import import EVENT, person, write_csv


def setup(cli) -> None:
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth.craven@camden.gov.uk")
    cli.ok(
        "partner",
        "add",
        "University College London",
        "--sector",
        "higher_education",
        "--alias",
        "UCL",
    )
    cli.ok("partner", "add", "Camden Giving", "--sector", "vcs")


def mixed_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "summit.csv",
        [
            person(
                "Ada", "Lovelace", "ada@ucl.ac.uk", "UCL", **{"Ambassador roles": "Sponsorship"}
            ),
            person("Tom", "Baker", "tom@giving.example.org", "Camden Givng"),
            person("Bad", "Email", "bad@@example.org", "UCL"),
            person("New", "Person", "new@bakery.example.org", "Kentish Town Bakery"),
        ],
    )


def test_import_prints_a_report_for_people(cli, tmp_path):
    setup(cli)
    path = mixed_file(tmp_path)
    result = cli(
        "import",
        "attendees",
        str(path),
        "--event",
        EVENT,
        "--create-event",
        "--kind",
        "summit",
        "--date",
        "20/03/2024",
        "--lead",
        "Ruth",
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Imported summit.csv into {EVENT}." in out
    assert "Contacts: 3 new, 0 already known (0 of them updated)" in out
    assert (
        "Organisations: 1 new, 2 already known (0 of them updated); 1 spelling(s) matched by likeness"
        in out
    )
    assert "Warm conversations: 1 opened, 0 touched; 1 follow-up step(s)" in out
    assert "New organisations:\n  Kentish Town Bakery" in out
    assert "'Camden Givng' -> Camden Giving" in out
    assert "line 4, Email 'bad@@example.org': invalid email" in out
    # stdout is not a terminal here: no progress bar
    assert "Reading" not in result.output and "Writing" not in result.output

    again = cli.ok("import", "attendees", str(path), "--event", EVENT)
    assert "Nothing changed: everyone in the file was already recorded." in again.stdout


def test_history_tells_what_an_import_opened_in_words(cli, tmp_path):
    """The conversation, touchpoint and step an import opens read by their summary in
    `history`, not 'added a nothing on nothing'."""
    setup(cli)
    path = mixed_file(tmp_path)
    cli.ok(
        "import", "attendees", str(path), "--event", EVENT, "--create-event", "--kind",
        "summit", "--date", "20/03/2024", "--lead", "Ruth",
    )  # fmt: skip
    text = cli.ok("history", "UCL").stdout
    assert f"logged conversation #1 “Interest expressed at {EVENT}”" in text
    assert f"added touchpoint “Interest in Sponsorship expressed at {EVENT} by Ada" in text
    assert "added step “Follow up”" in text
    assert "nothing" not in text


def test_json_report_has_the_documented_keys(cli, tmp_path):
    setup(cli)
    cli.ok("event", "add", EVENT, "--kind", "summit", "--date", "20/03/2024", "--owner", "Ruth")
    data = cli.json("import", "attendees", str(mixed_file(tmp_path)), "--event", EVENT)
    for key in (
        "rows",
        "dry_run",
        "event",
        "contacts",
        "organisations",
        "attendances",
        "conversations",
        "steps",
        "conflicts",
        "probable_duplicates",
        "rejected",
    ):
        assert key in data
    assert data["rows"] == 4 and data["dry_run"] is False and data["event"] == EVENT
    assert set(data["contacts"]) >= {"created", "updated", "matched"}
    assert set(data["organisations"]) >= {"created", "matched", "fuzzy"}
    assert data["organisations"]["fuzzy"] == [
        {
            "given": "Camden Givng",
            "matched": "Camden Giving",
            "score": data["organisations"]["fuzzy"][0]["score"],
        }
    ]
    assert set(data["attendances"]) >= {"created", "existing"}
    assert set(data["conversations"]) >= {"opened", "touched"}
    assert data["steps"] == {"created": 1}
    assert data["rejected"] == [
        {
            "line": 4,
            "column": "Email",
            "value": "bad@@example.org",
            "reason": data["rejected"][0]["reason"],
        }
    ]
    assert data["rejected"][0]["reason"].startswith("invalid email")


def test_strict_dry_run_and_usage_errors(cli, db, tmp_path):
    setup(cli)
    path = mixed_file(tmp_path)
    strict = cli(
        "import",
        "attendees",
        str(path),
        "--event",
        EVENT,
        "--create-event",
        "--kind",
        "summit",
        "--date",
        "20/03/2024",
        "--lead",
        "Ruth",
        "--strict",
    )
    assert strict.exit_code == 1
    assert "Error: --strict: 1 bad row(s), so nothing was imported" in strict.stderr
    dry = cli.ok(
        "import",
        "attendees",
        str(path),
        "--event",
        EVENT,
        "--create-event",
        "--kind",
        "summit",
        "--date",
        "20/03/2024",
        "--lead",
        "Ruth",
        "--dry-run",
    )
    assert f"Dry run of summit.csv into {EVENT}: nothing was written." in dry.stdout
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(m.Contact)) == 0
        assert s.scalar(select(func.count()).select_from(m.Event)) == 0
    usage = cli("import", "attendees", str(path), "--event", EVENT, "--create-event")
    assert usage.exit_code == 2 and "--create-event needs --kind and --date" in usage.stderr
    bad_map = cli("import", "attendees", str(path), "--event", EVENT, "--map", "Company")
    assert bad_map.exit_code == 1 and 'is not of the form "Header=field"' in bad_map.stderr
    missing = cli("import", "attendees", str(path), "--event", "Nope")
    assert missing.exit_code == 1 and "no event matches 'Nope'" in missing.stderr


def test_map_and_rejects_from_the_command_line(cli, db, tmp_path):
    setup(cli)
    cli.ok("event", "add", EVENT, "--kind", "summit", "--date", "20/03/2024")
    path = tmp_path / "odd.csv"
    path.write_text(
        "Delegate;Contact;Firm;Dietary\nAda Lovelace;ada@ucl.ac.uk;UCL;none\n"
        "Grace Hopper;not-an-email;UCL;vegan\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    data = cli.json(
        "import",
        "attendees",
        str(path),
        "--event",
        EVENT,
        "--map",
        "Delegate=full_name",
        "--map",
        "Contact=email",
        "--map",
        "Firm=organisation",
        "--rejects",
        str(rejects),
    )
    assert data["contacts"]["created"] == 1
    assert data["columns"]["unmapped"] == ["Dietary"]
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[0] == (
        "Delegate;Contact;Firm;Dietary;reason".replace(";", ",")
    )


def test_a_library_sentence_gets_the_option_that_puts_it_right(cli, tmp_path):
    """The library says what is wrong by field; the command line adds its option's name."""
    setup(cli)
    cli.ok("event", "add", EVENT, "--kind", "summit", "--date", "20/03/2024")
    path = mixed_file(tmp_path)
    attendees = ("import", "attendees", str(path), "--event", EVENT)
    cases = [
        (
            ("--map", "Company"),
            '\'Company\' is not of the form "Header=field" (--map "Header=field")',
        ),
        (
            ("--map", "Company=shoe_size"),
            '(--map "Header=field")',
        ),
        (
            ("--sheet", "Registrations"),
            "a sheet can be chosen in an XLSX workbook only; summit.csv is a text file (--sheet)",
        ),
        (
            ("--rejects", str(path)),
            "the rejects file is the file being imported; give another file name (--rejects)",
        ),
        (
            (),  # Ada's interest opens a conversation, and the event has no owner
            "name the colleague who leads them, or give the event an owner (--lead COLLEAGUE)",
        ),
    ]
    for extra, said in cases:
        result = cli(*attendees, *extra)
        assert result.exit_code == 1, (extra, result.output)
        assert said in result.stderr, (extra, result.stderr)
    sheet = cli("import", "partners", str(path), "--sheet", "Partners")
    assert sheet.exit_code == 1
    assert "summit.csv is a text file (--sheet)" in sheet.stderr
    # a sheet's --map is read by the same rule as the attendees', and said the same way
    bad_map = cli("import", "partners", str(path), "--map", "Company")
    assert (bad_map.exit_code, bad_map.stderr) == (
        1,
        'Error: \'Company\' is not of the form "Header=field" (--map "Header=field")\n',
    )
    # outside a command (the library called from a script's own click code), the hint stands
    from cli.context import for_the_command_line
    from partnercrm.errors import Invalid

    behind = Invalid("the database needs upgrading", field="schema")
    assert for_the_command_line(behind).endswith("; run `partnercrm db upgrade`")


def test_a_field_is_named_as_an_option_only_where_the_command_has_it():
    import click
    from click.testing import CliRunner

    from cli.context import errors
    from partnercrm.errors import Invalid

    @click.command()
    @click.option("--sheet")
    def with_sheet(sheet):
        with errors():
            raise Invalid("no such sheet", field="sheet")

    @click.command()
    def without():
        with errors():
            raise Invalid("no such sheet", field="sheet")

    assert "Error: no such sheet (--sheet)" in CliRunner().invoke(with_sheet, []).output
    plain = CliRunner().invoke(without, []).output
    assert "Error: no such sheet" in plain and "--sheet" not in plain


KILLED_IMPORT = """
import pathlib, sys, time
from partnercrm.database import open_database
from partnercrm.importing import import_attendees

url, source, marker = sys.argv[1:4]
db = open_database(url, actor="importer")

def progress(phase, done, total):
    if phase == "writing":
        pathlib.Path(marker).write_text(f"{done}/{total}")
        time.sleep(120)  # killed here, with the first chunk written inside the transaction

with db.transaction() as s:
    import_attendees(s, source, event=sys.argv[4], progress=progress)
"""


def test_an_import_killed_part_way_leaves_the_database_as_it_was(db_url, db, tmp_path):
    from partnercrm import colleagues, events, organisations
    from partnercrm.merging import running_import

    with db.transaction() as s:
        lead = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        organisations.add_organisation(s, "UCL", "higher_education")
        events.add_event(s, EVENT, "summit", "2024-03-20", owner=lead)
    path = write_csv(
        tmp_path / "a.csv",
        [
            person(
                "P",
                str(i),
                f"p{i}@example.org",
                f"New Org {i % 7}",
                **({"Ambassador roles": "advocate"} if i % 5 == 0 else {}),
            )
            for i in range(40)
        ],
    )
    marker = tmp_path / "writing"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, db_url, str(path), str(marker), EVENT],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the import ended before it started writing"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    assert marker.read_text().split("/")[0] != "0"

    reopened = open_database(db_url, actor="tester")
    try:
        if reopened.is_sqlite:
            assert sqlite_problems(reopened.engine) == []
        with reopened.reader() as s:
            assert s.scalar(select(func.count()).select_from(m.Organisation)) == 1
            assert s.scalar(select(func.count()).select_from(m.Contact)) == 0
            assert s.scalar(select(func.count()).select_from(m.Attendance)) == 0
            assert s.scalar(select(func.count()).select_from(m.Conversation)) == 0
            # the run was recorded as running before the work began; dedupe sees it
            run = s.scalars(select(m.ImportRun)).one()
            assert run.status == "running" and run.actor == "importer"
            assert running_import(s) == run
        # and the same file imports cleanly afterwards
        from partnercrm.importing import import_attendees

        with reopened.transaction() as s:
            report = import_attendees(s, path, event=EVENT)
        assert report.contacts_created == 40 and report.organisations_created == 7
    finally:
        reopened.dispose()


def test_help_names_every_field_the_library_knows(cli):
    from partnercrm.importing.fields import FIELDS, SHEET_FIELDS
    from partnercrm.importing.tracker_columns import _NAMES

    help_text = " ".join(cli.ok("import", "attendees", "--help").stdout.split())
    assert ", ".join(FIELDS) in help_text
    for kind, names in _NAMES.items():
        # every field a sheet's headers can name is one --map accepts, and no other
        assert set(names.values()) | {"ignore"} == set(SHEET_FIELDS[kind])
        assert "date" in " ".join(cli.ok("import", "conversations", "--help").stdout.split())


def test_an_xlsx_workbook_imports_from_the_sheet_named(cli, db, tmp_path):
    from openpyxl import Workbook

    setup(cli)
    cli.ok("event", "add", EVENT, "--kind", "summit", "--date", "20/03/2024", "--owner", "Ruth")
    book = Workbook()
    book.active.append(["Notes"])
    sheet = book.create_sheet("Registrations")
    sheet.append(["Full Name", "Email Address", "Organization", "Telephone"])
    sheet.append(["Ada Lovelace", "ada@ucl.ac.uk", "U.C.L.", 7700900123])
    path = tmp_path / "export.xlsx"
    book.save(path)
    data = cli.json("import", "attendees", str(path), "--event", EVENT, "--sheet", "Registrations")
    assert data["contacts"]["created"] == 1 and data["organisations"]["matched"] == 1
    assert data["encoding"] == "xlsx"
    with db.reader() as s:
        ada = s.scalars(select(m.Contact)).one()
        assert (ada.phone, ada.organisation.name) == ("7700900123", "University College London")
