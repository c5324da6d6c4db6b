"""The same rules on every database, one sentence for every failure: text lengths, NUL bytes in
an import, the rejects file's header, and what PostgreSQL says when a change clashes."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from partnercrm import colleagues, contacts, importing, organisations
from partnercrm import models as m
from partnercrm.errors import Invalid


def test_a_name_longer_than_its_column_is_refused_the_same_way_on_every_database(db, cli):
    with db.transaction() as s:
        organisations.add_organisation(s, "x" * 300, "business")  # exactly the limit is fine
    with pytest.raises(Invalid) as refused, db.transaction() as s:
        organisations.add_organisation(s, "y" * 301, "business")
    assert str(refused.value) == "the organisation name is 301 characters long; the limit is 300"
    assert refused.value.field == "name"
    with pytest.raises(
        Invalid, match="the contact job title is 201 characters long; the limit is 200"
    ):
        with db.transaction() as s:
            org = s.scalars(select(m.Organisation)).one()
            contacts.add_contact(s, "Ada Lovelace", "ada@x.example", org, job_title="j" * 201)
    result = cli("partner", "add", "z" * 301, "--sector", "business")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the organisation name is 301 characters long; the limit is 300\n",
    )
    result = cli(
        "colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk", "--team", "t" * 201
    )
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the colleague team is 201 characters long; the limit is 200\n",
    )
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(m.Organisation)) == 1
        assert s.scalar(select(func.count()).select_from(m.Colleague)) == 0


def test_a_nul_byte_in_one_cell_rejects_that_row_not_the_import(db, tmp_path):
    source = tmp_path / "summit.csv"
    source.write_text(
        "First name,Last name,Email,Company\n"
        "Ada,Love\x00lace,ada@ucl.example,UCL\n"
        "Grace,Hopper,grace@navy.example,Navy\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    with db.transaction() as s:
        report = importing.import_attendees(
            s,
            source,
            event="Summit",
            create_event=importing.NewEvent("summit", "1/1/2024", None),
            rejects=rejects,
        )
    assert report.rows_rejected == 1
    with db.reader() as s:
        assert s.scalars(select(m.Contact.name)).all() == ["Grace Hopper"]
    rows = list(csv.reader(rejects.open(encoding="utf-8-sig")))
    assert rows[1] == [
        "Ada",
        "Lovelace",
        "ada@ucl.example",
        "UCL",
        "Last name: the cell holds a NUL byte (binary data)",
    ]


def test_the_rejects_header_is_neutralised_like_its_cells(db, tmp_path):
    source = tmp_path / "summit.csv"
    source.write_text(
        'First name,Last name,Email,=HYPERLINK("http://evil.example"),@SUM(1)\n'
        "Bad,Email,bad@@x,a,b\nGrace,Hopper,grace@navy.example,a,b\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    with db.transaction() as s:
        importing.import_attendees(
            s,
            source,
            event="Summit",
            create_event=importing.NewEvent("summit", "1/1/2024", None),
            rejects=rejects,
        )
    header = next(csv.reader(rejects.open(encoding="utf-8-sig")))
    assert header == [
        "First name",
        "Last name",
        "Email",
        '\'=HYPERLINK("http://evil.example")',
        "'@SUM(1)",
        "reason",
    ]


def test_a_clash_on_the_database_is_one_sentence_without_sql(db, cli):
    with db.transaction() as s:
        colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
    # the library's own check says it first; the database's unique key is the last guard
    result = cli("colleague", "add", "Ruth Again", "--email", "ruth@camden.gov.uk")
    assert result.exit_code == 1
    assert "INSERT" not in result.stderr and "[SQL" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_clash_below_the_library_is_the_same_sentence_on_every_database(db, cli):
    from sqlalchemy import text

    from cli.context import DataError, errors

    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    cli.ok("partner", "add", "Arsenal", "--sector", "business")
    cli.ok(
        "conversation", "log", "Arsenal", "--lead", "ruth", "--mission", "food", "--ask", "hosting"
    )
    with pytest.raises(DataError) as caught, errors(), db.transaction() as s:
        s.execute(
            text(
                "INSERT INTO conversation_mission (conversation_id, mission_id) "
                "SELECT conversation_id, mission_id FROM conversation_mission"
            )
        )
    assert caught.value.format_message() == (
        "another conversation mission already has that conversation and mission; nothing was saved"
    )


def test_postgresql_never_shows_sql_or_parameters(db, db_url):
    from sqlalchemy import insert

    from cli.context import DataError, errors

    if db_url.endswith(".db"):
        pytest.skip("SQLite does not enforce lengths: the library does, on both")
    secret = "other-rows-value"
    with pytest.raises(DataError) as caught, errors(), db.transaction() as s:
        s.execute(
            insert(m.Organisation.__table__).values(
                name="n" * 301, name_key=secret + "k" * 300, sector="business"
            )
        )
    message = caught.value.format_message()
    assert message == (
        "a value is longer than the database allows; the limit is 300 characters; nothing was saved"
    )


def test_two_imports_at_once_queue_on_every_database(db_url, db, tmp_path):
    import threading
    import time

    from partnercrm.database import open_database

    with db.transaction() as s:
        from partnercrm import events

        events.add_event(s, "Summit", "summit", "1/1/2024")
    files = []
    for n, who in enumerate(("Grace Hopper", "Ada Lovelace")):
        first, last = who.split()
        path = tmp_path / f"part{n}.csv"
        path.write_text(
            f"First name,Last name,Email,Company\n{first},{last},{last.lower()}@navy.example,"
            "Royal Navy Trust\n",
            encoding="utf-8",
        )
        files.append(path)
    writing = threading.Event()
    failures: list[BaseException] = []

    def hold(phase: str, done: int, total: int) -> None:
        if phase == "writing" and not writing.is_set():
            writing.set()
            time.sleep(1.5)  # the other import starts while this one holds its transaction

    def run(path, progress=None) -> None:
        database = open_database(db_url, actor="importer")
        try:
            with database.transaction() as s:
                importing.import_attendees(s, path, event="Summit", progress=progress)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            database.dispose()

    first = threading.Thread(target=run, args=(files[0], hold))
    first.start()
    assert writing.wait(30)
    second = threading.Thread(target=run, args=(files[1],))
    second.start()
    first.join(60)
    second.join(60)
    assert failures == []
    with db.reader() as s:
        assert s.scalars(select(m.Organisation.name)).all() == ["Royal Navy Trust"]
        assert sorted(s.scalars(select(m.Contact.name))) == ["Ada Lovelace", "Grace Hopper"]


def test_the_report_pack_carries_the_briefs_content_security_policy(db, tmp_path):
    import re

    from partnercrm import briefs
    from partnercrm.reports.pack import write_pack

    with db.transaction() as s:
        org = organisations.add_organisation(s, "Arsenal", "business")
        brief = briefs.render_html(briefs.build_brief(s, org))
        write_pack(s, tmp_path / "pack")
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
    pack = (tmp_path / "pack" / "index.html").read_text(encoding="utf-8")
    assert (
        policy.search(brief).group(1)
        == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    assert policy.search(pack).group(1) == policy.search(brief).group(1)


def test_a_nul_byte_rejects_its_row_of_the_teams_tracker_too(cli, db, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(
        "Organisation,Sector\nCamden Giving,charity\nBinary\x00 Ltd,business\n", encoding="utf-8"
    )
    report = cli.json("import", "partners", str(path))
    assert [(r["line"], r["column"], r["reason"]) for r in report["rejected"]] == [
        (3, "Organisation", "the cell holds a NUL byte (binary data)")
    ]
    with db.reader() as s:
        assert s.scalars(select(m.Organisation.name)).all() == ["Camden Giving"]
