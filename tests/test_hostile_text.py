"""Hostile text is inert: control characters and bidi overrides are never stored, and whatever
older data still holds is shown visibly on a terminal, never obeyed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select, update

from partnercrm import colleagues, contacts, conversations, importing, organisations
from partnercrm import models as m
from partnercrm.stored_text import clean, shown

OSC52 = "\x1b]52;c;SGVsbG8gd29ybGQ=\x07"  # writes the terminal user's clipboard
OSC8 = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"  # a hidden link
CLEAR = "\x1b[2J"  # clears the screen
RLO = "\u202e"  # makes the rest read backwards
C1 = "\x9b31m"  # the one-byte CSI


def test_the_cleaning_rules():
    assert clean(f"Evil{OSC52} Ltd") == "Evil]52;c;SGVsbG8gd29ybGQ= Ltd"
    assert clean(f"A{CLEAR}B{RLO}C\u2066D{C1}") == "A[2JBCD31m"
    assert clean("two\nlines\tand\r\na tab") == "two lines and a tab"
    assert clean("two\nlines\tand\r\nCRLF\rend", multiline=True) == "two\nlines\tand\nCRLF\nend"
    assert clean("Café — 日本 ✓") == "Café — 日本 ✓"  # ordinary text is left alone
    assert shown(f"x{OSC52}{RLO}{C1}\ny") == "x\\x1b]52;c;SGVsbG8gd29ybGQ=\\x07\\u202e\\u009b31m\ny"


def test_the_library_stores_no_control_or_bidi_character(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, f"Ruth{CLEAR} Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, f"Evil{OSC52} Ltd", "business", lead=ruth)
        person = contacts.add_contact(
            s, f"Ada {RLO}ecalevoL", "ada@evil.example", org, job_title=f"Head{OSC8}"
        )
        conversations.log_conversation(
            s,
            org,
            ruth,
            contacts=[person],
            note=f"Line one\n\tLine two{CLEAR}{C1}",
            subject="a first talk",
        )
        organisations.edit_organisation(s, org, ward=f"Camden{RLO} Town")
    with db.reader() as s:
        org = s.scalars(select(m.Organisation)).one()
        person = s.scalars(select(m.Contact)).one()
        note = s.scalars(select(m.Touchpoint.note)).one()
        assert (org.name, org.ward) == ("Evil]52;c;SGVsbG8gd29ybGQ= Ltd", "Camden Town")
        assert (person.name, person.job_title) == (
            "Ada ecalevoL",
            "Head]8;;http://evil.example/\\click]8;;\\",
        )
        assert note == "Line one\n\tLine two[2J31m"  # a note keeps its lines and tabs
        assert s.scalars(select(m.Colleague.name)).one() == "Ruth[2J Craven"
        # the history holds what was stored, not what was typed
        logged = " ".join(str(h.changes) for h in s.scalars(select(m.HistoryEntry)))
        assert "\x1b" not in logged and RLO not in logged


def test_an_import_stores_no_control_characters(db, tmp_path):
    source = tmp_path / "summit.csv"
    source.write_text(
        "First name,Last name,Email,Company,Job title\n"
        f"Grace,Hopper{RLO},grace@navy.example,Navy{OSC52},Admiral{OSC8}\n",
        encoding="utf-8",
    )
    with db.transaction() as s:
        importing.import_attendees(
            s, source, event="Summit", create_event=importing.NewEvent("summit", "1/1/2024", None)
        )
    with db.reader() as s:
        stored = [
            *s.scalars(select(m.Organisation.name)),
            *s.scalars(select(m.Contact.name)),
            *s.scalars(select(m.Contact.job_title)),
        ]
    assert stored == [
        "Navy]52;c;SGVsbG8gd29ybGQ=",
        "Grace Hopper",
        "Admiral]8;;http://evil.example/\\click]8;;\\",
    ]


def _older_data(db) -> int:
    """Hostile text stored before these rules (written around the library, as old data was)."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Evil Ltd", "business", lead=ruth)
        person = contacts.add_contact(s, "Ada Lovelace", "ada@evil.example", org)
        conversations.log_conversation(
            s, org, ruth, contacts=[person], note="call", subject="a first talk"
        )
        s.flush()
        s.execute(
            update(m.Organisation)
            .where(m.Organisation.id == org.id)
            .values(name=f"Evil{OSC52}{CLEAR} Ltd", ward=f"Cam{RLO}den", notes=f"See {OSC8}")
        )
        s.execute(update(m.Contact).values(job_title=f"Boss{C1}"))
        s.execute(update(m.HistoryEntry).values(summary=f"changed{CLEAR}"))
        return org.id


def _inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert RLO not in text


def test_every_terminal_output_shows_older_control_characters_visibly(cli, db, tmp_path):
    org = _older_data(db)
    for args in (
        ("partner", "list"),
        ("partner", "show", str(org)),
        ("contact", "list"),
        ("history",),
        ("history", "--json"),
        ("brief", str(org), "--format", "text"),
        ("brief", str(org), "--format", "md"),
        ("search", "Evil"),
    ):
        result = cli.ok(*args)
        _inert(result.stdout)
    shown_list = cli.ok("partner", "list").stdout
    assert "Evil\\x1b]52;c;SGVsbG8gd29ybGQ=" in shown_list and "\\x1b[2J Ltd" in shown_list
    assert "Cam\\u202eden" in cli.ok("partner", "show", str(org)).stdout
    # JSON stays JSON: the escapes are JSON's own, so a script reads back the stored text
    import json

    listed = json.loads(cli.ok("partner", "list", "--json").stdout)
    assert listed[0]["name"] == f"Evil{OSC52}{CLEAR} Ltd"
    wrote = cli.ok("brief", str(org), "--out", str(tmp_path / "brief.md"))
    _inert(wrote.stderr)  # "Wrote the brief on <name> to ..." names the partner
    assert "Wrote the brief on Evil\\x1b]52;c;" in wrote.stderr
    failed = cli("partner", "show", f"No{CLEAR}such")
    assert failed.exit_code == 1 and "\x1b" not in failed.stderr


def test_the_tui_shows_older_control_characters_visibly(db_url, db, tmp_path: Path):
    if not db_url.endswith(".db"):
        return  # the screen is the same on every database
    _older_data(db)
    from textual.widgets import DataTable

    from tui.app import PartnerApp

    async def main() -> str:
        app = PartnerApp(db, blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            assert app.screen.query_one("#partners", DataTable).row_count == 1
            return app.export_screenshot()

    screen = asyncio.run(main())
    assert "\x1b" not in screen and RLO not in screen
    assert "\\x1b]52;c;" in screen


def test_a_name_is_found_by_what_was_stored(db):
    with db.transaction() as s:
        organisations.add_organisation(s, f"Camden{RLO} Giving", "vcs")
    with db.reader() as s:
        assert organisations.find_organisation(s, "Camden Giving").name == "Camden Giving"
