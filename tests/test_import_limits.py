"""Imports that cannot hurt: a workbook that expands to gigabytes is refused before it is read,
names that differ in their numbers are never joined, and a killed import's run is closed."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from partnercrm import importing, organisations
from partnercrm import models as m
from partnercrm.errors import Invalid
from partnercrm.importing.source import read_table

ROOT = Path(__file__).resolve().parents[1]


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(path: Path, part: str, megabytes: int) -> Path:
    """A real workbook whose `part` is swapped for one that unpacks to `megabytes` of XML."""
    good = zipfile.ZipFile(io.BytesIO(_workbook([["First Name", "Email"], ["Ada", "a@x.org"]])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in good.infolist():
            if info.filename != part:
                out.writestr(info, good.read(info))
                continue
            with out.open(part, "w", force_zip64=True) as xml:
                head = good.read(info).decode()
                cut = head.index("</sheetData>") if "</sheetData>" in head else len(head)
                xml.write(head[:cut].encode())
                xml.write(b'<row r="3"><c r="A3" t="inlineStr"><is><t>')
                chunk = b"A" * 2**20
                for _ in range(megabytes):
                    xml.write(chunk)
                xml.write(b"</t></is></c></row>")
                xml.write(head[cut:].encode())
    return path


def test_a_workbook_that_expands_to_gigabytes_is_refused_before_it_is_read(tmp_path):
    bomb = _bomb(tmp_path / "summit.xlsx", "xl/worksheets/sheet1.xml", 40)
    assert bomb.stat().st_size < 2**20  # well under a megabyte on disk
    with pytest.raises(Invalid) as refused:
        read_table(bomb)
    assert str(refused.value) == (
        "summit.xlsx expands to more than a workbook of attendees can hold "
        "(xl/worksheets/sheet1.xml unpacks to 40 MB from 0.0 MB); it was not read"
    )
    assert refused.value.field == "file"


def test_refusing_a_bomb_takes_little_memory(tmp_path):
    bomb = _bomb(tmp_path / "summit.xlsx", "xl/worksheets/sheet1.xml", 300)
    script = (
        "import sys\n"
        "from partnercrm.errors import Invalid\n"
        "from partnercrm.importing.source import read_table\n"
        "try:\n"
        "    list(read_table(sys.argv[1]).rows)\n"
        "except Invalid as exc:\n"
        "    print(exc)\n"
        "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bomb)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    # VmHWM, not ru_maxrss: the latter counts the pytest process this one was forked from
    said, peak = done.stdout.splitlines()
    assert "expands to more than a workbook of attendees can hold" in said
    assert int(peak) < 150  # megabytes: the 300 MB cell was never read


def test_an_ordinary_workbook_still_reads(tmp_path):
    path = tmp_path / "summit.xlsx"
    path.write_bytes(_workbook([["First Name", "Email"], ["Ada", "ada@x.org"]]))
    assert [cells for _, cells in read_table(path).rows] == [["Ada", "ada@x.org"]]


def test_names_that_differ_in_their_numbers_are_never_joined(db, tmp_path):
    with db.transaction() as s:
        organisations.add_organisation(s, "Company 103 Ltd", "business")
        organisations.add_organisation(s, "Camden Giving", "vcs")
    source = tmp_path / "summit.csv"
    source.write_text(
        "First Name,Last Name,Email,Company\n"
        "Ada,Lovelace,ada@c1023.example,Company 1023 Ltd\n"
        "Tom,Baker,tom@giving.example,Camden Givng\n",
        encoding="utf-8",
    )
    with db.transaction() as s:
        report = importing.import_attendees(
            s, source, event="Summit", create_event=importing.NewEvent("summit", "1/1/2024", None)
        )
    with db.reader() as s:
        names = sorted(s.scalars(select(m.Organisation.name)))
        by_contact = dict(s.execute(select(m.Contact.name, m.Contact.organisation_id)).all())
        giving = s.scalar(select(m.Organisation.id).where(m.Organisation.name == "Camden Giving"))
    assert names == ["Camden Giving", "Company 1023 Ltd", "Company 103 Ltd"]
    assert by_contact["Tom Baker"] == giving  # a slip in the letters still matches
    assert report.as_dict()["organisations"]["created"] == 1


def test_dedupe_never_suggests_names_that_differ_in_their_numbers(db):
    from partnercrm import dedupe

    with db.transaction() as s:
        for name in ("Company 103 Ltd", "Company 1023 Ltd", "Camden Giving", "Camden Givng"):
            organisations.add_organisation(s, name, "business", new=True)
    with db.reader() as s:
        found = [sorted((p.a["name"], p.b["name"])) for p in dedupe.pairs(s, "organisation")]
    assert ["Camden Giving", "Camden Givng"] in found
    assert ["Company 1023 Ltd", "Company 103 Ltd"] not in found


def test_check_closes_the_runs_a_killed_import_left_running(db, cli):
    with db.transaction() as s:
        # what an import killed part way leaves: its run, started and never finished
        s.add(m.ImportRun(source="/data/summit.csv", actor="ruth", status="running"))
    result = cli.ok("check")
    assert result.stdout.startswith("Put right: import run 1 (summit.csv, started ")
    assert "was left running by an import that stopped; it is now marked failed." in result.stdout
    with db.reader() as s:
        run = s.scalars(select(m.ImportRun)).one()
        assert (run.status, run.finished_at is not None) == ("failed", True)
    assert "Put right" not in cli.ok("check").stdout


def test_check_leaves_the_run_of_an_import_still_running(db, db_url, cli):
    from sqlalchemy import text

    from partnercrm.concurrency import IMPORT_LOCK

    if db_url.endswith(".db"):
        pytest.skip("on SQLite a running import holds the write lock, so check waits for it")
    with db.transaction() as s:
        s.add(m.ImportRun(source="summit.csv", actor="ruth", status="running"))
    with db.transaction() as running:
        running.execute(text(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))
        assert "Put right" not in cli.ok("check").stdout
    with db.reader() as s:
        assert s.scalars(select(m.ImportRun.status)).one() == "running"


def test_an_import_running_in_another_schema_does_not_hold_this_one(db, db_url, cli):
    """The import lock is per schema: another CRM's import in the same database (or a test
    running beside this one) neither queues this CRM's imports nor hides its abandoned runs."""
    from sqlalchemy import create_engine, text

    from partnercrm.concurrency import IMPORT_LOCK
    from tests.conftest import PG_URL

    if db_url.endswith(".db"):
        pytest.skip("advisory locks are PostgreSQL's")
    with db.transaction() as s:
        s.add(m.ImportRun(source="summit.csv", actor="ruth", status="running"))
    other = create_engine(PG_URL)  # another CRM: the database's public schema
    try:
        with other.begin() as elsewhere:
            assert elsewhere.scalar(text("SELECT current_schema()")) == "public"
            elsewhere.execute(text(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))
            put_right = cli.ok("check").stdout
    finally:
        other.dispose()
    assert put_right.startswith("Put right: import run 1 (summit.csv, started ")
    with db.reader() as s:
        assert s.scalars(select(m.ImportRun.status)).one() == "failed"


@pytest.mark.slow
def test_a_100k_row_workbook_is_read_as_a_stream(tmp_path):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Attendees")
    sheet.append(["First Name", "Surname", "Email", "Company", "Job Title"])
    for i in range(100_000):
        sheet.append(
            [f"First{i}", f"Last{i}", f"p{i}@org{i % 5000}.example", f"Org {i % 5000} Ltd", "Head"]
        )
    source = tmp_path / "big.xlsx"
    book.save(source)
    script = (
        "import sys\n"
        "from partnercrm.importing.source import read_table\n"
        "print(sum(1 for _ in read_table(sys.argv[1]).rows))\n"
        "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1200,
        check=True,
    )
    rows, peak = done.stdout.split()
    assert rows == "100000"
    assert int(peak) < 150  # megabytes, the interpreter and libraries included


@pytest.mark.parametrize("title", [True, False])
def test_a_workbook_whose_table_starts_below_and_right_keeps_its_row_numbers(tmp_path, title):
    book = Workbook()
    sheet = book.active
    if title:
        sheet["A1"] = "Summit attendees"
    sheet["C3"], sheet["D3"] = "First Name", "Email"
    sheet["C4"], sheet["D4"] = "Ada", "ada@x.org"
    sheet["E5"] = 7700900123
    path = tmp_path / "offset.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.header == ["", "", "First Name", "Email"]
    assert list(table.rows) == [
        (4, ["", "", "Ada", "ada@x.org", ""]),
        (5, ["", "", "", "", "7700900123"]),
    ]
