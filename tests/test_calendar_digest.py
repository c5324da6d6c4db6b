"""`partnercrm calendar` (parsed back with icalendar, UIDs stable across exports) and
`partnercrm digest` (printed, and sent through a real SMTP server with STARTTLS and a login)."""

from __future__ import annotations

import calendar as month_calendar
import socket
import ssl
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest

from partnercrm import (
    colleagues,
    commitments,
    contacts,
    conversations,
    events,
    organisations,
    steps,
)
from partnercrm.database import open_database
from partnercrm.missions import find_mission

TODAY = date.today()
PASSWORD = "s3cret-Pa55-for-the-digest"


def build(db_url: str) -> dict[str, int]:
    """Ruth has one of everything; Sam has one step next month; Idris has nothing to do."""
    db = open_database(db_url, actor="tester")
    ids: dict[str, int] = {}
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth.craven@camden.gov.uk")
        sam = colleagues.add_colleague(s, "Sam Okafor", "sam.okafor@camden.gov.uk")
        colleagues.add_colleague(s, "Idris Bello", "idris.bello@camden.gov.uk")
        ucl = organisations.add_organisation(
            s, "University College London", "higher_education", lead=ruth
        )
        land = organisations.add_organisation(s, "British Land", "business", lead=ruth)
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@ucl.ac.uk", ucl)
        live = conversations.log_conversation(s, ucl, ruth, contacts=[ada], subject="Placements")
        ids["overdue"] = steps.add_step(
            s, live, "Send the placement brief", ruth, TODAY - timedelta(days=3), confirm=True
        ).id
        ids["week"] = steps.add_step(
            s, live, "Book the site visit", ruth, TODAY + timedelta(days=2), confirm=True
        ).id
        ids["later"] = steps.add_step(
            s, live, "Review the first term", ruth, TODAY + timedelta(days=40), confirm=True
        ).id
        done = steps.add_step(
            s, live, "Already done", ruth, TODAY - timedelta(days=1), confirm=True
        )
        steps.complete_step(s, done)
        ids["sam"] = steps.add_step(
            s, live, "Sam's thing", sam, TODAY + timedelta(days=35), confirm=True
        ).id
        cold = conversations.log_conversation(
            s, land, ruth, subject="Hoarding artwork", on=TODAY - timedelta(days=45)
        )
        ids["cold"] = cold.id
        sponsor = conversations.log_conversation(s, land, ruth, subject="Summit breakfast")
        last_day = TODAY.replace(day=month_calendar.monthrange(TODAY.year, TODAY.month)[1])
        ids["commitment"] = commitments.add_commitment(
            s,
            sponsor,
            "sponsorship_financial",
            gbp=5000,
            due=last_day,
            beneficiary="the summit",
            confirm=True,
        ).id
        ids["event"] = events.add_event(
            s, "Anchor Roundtable Winter", "roundtable", TODAY + timedelta(days=7), owner=ruth
        ).id
        past = events.add_event(
            s, "Partnership Summit", "summit", TODAY - timedelta(days=5), owner=ruth
        )
        events.record_attendance(s, past, ada, missions=[find_mission(s, "food")])
        ben = contacts.add_contact(s, "Ben Hughes", "ben.hughes@britishland.com", land)
        answered, _ = events.record_attendance(s, past, ben)
        answered.note = "Yes – happy to be an ambassador"  # as the import keeps a free answer
    db.dispose()
    return ids


def parse(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def test_calendar_parses_back_with_stable_uids(cli, db_url, tmp_path):
    ids = build(db_url)
    first, second = tmp_path / "ruth.ics", tmp_path / "again.ics"
    result = cli.ok("calendar", "--for", "ruth", "--out", str(first))
    assert (
        f"Wrote 5 entries for Ruth Craven to {first}: 3 steps, 1 commitments due, 1 upcoming"
        in (result.stdout)
    )
    cal = parse(first)
    assert str(cal["X-WR-CALNAME"]) == "partnercrm: Ruth Craven"
    entries = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(entries) == {
        f"step-{ids['overdue']}@partnercrm",
        f"step-{ids['week']}@partnercrm",
        f"step-{ids['later']}@partnercrm",
        f"commitment-{ids['commitment']}@partnercrm",
        f"event-{ids['event']}@partnercrm",
    }
    brief = entries[f"step-{ids['overdue']}@partnercrm"]
    assert brief["DTSTART"].dt == TODAY - timedelta(days=3)  # an all-day date, not a time
    assert brief["DTEND"].dt == TODAY - timedelta(days=2)
    assert str(brief["SUMMARY"]) == "Send the placement brief (University College London)"
    assert f"partnercrm step done {ids['overdue']}" in str(brief["DESCRIPTION"])
    assert all(e.get("DTSTAMP") is not None for e in entries.values())

    # nothing changed: the same file; a step done: it leaves, the others keep their UIDs
    cli.ok("calendar", "--for", "ruth", "--out", str(second), "--force")
    assert first.read_bytes() == second.read_bytes()
    cli.ok("step", "done", str(ids["week"]))
    refused = cli("calendar", "--for", "ruth", "--out", str(second))
    assert refused.exit_code == 1 and "pass --force to replace it" in refused.stderr
    cli.ok("calendar", "--for", "ruth", "--out", str(second), "--force")
    after = {str(e["UID"]) for e in parse(second).walk("VEVENT")}
    assert after == set(entries) - {f"step-{ids['week']}@partnercrm"}


def test_calendar_steps_as_todos_and_the_whole_team(cli, db_url, tmp_path):
    ids = build(db_url)
    out = tmp_path / "team.ics"
    # the acting user "tester" is nobody in the CRM: the whole team's calendar
    result = cli.ok("calendar", "--out", str(out), "--steps-as", "todo")
    assert "for the whole team" in result.stdout
    cal = parse(out)
    todos = {str(t["UID"]): t for t in cal.walk("VTODO")}
    assert set(todos) == {f"step-{ids[k]}@partnercrm" for k in ("overdue", "week", "later", "sam")}
    assert todos[f"step-{ids['sam']}@partnercrm"]["DUE"].dt == TODAY + timedelta(days=35)
    assert {str(e["UID"]) for e in cal.walk("VEVENT")} == {
        f"commitment-{ids['commitment']}@partnercrm",
        f"event-{ids['event']}@partnercrm",
    }


def test_calendar_into_a_missing_folder_is_one_sentence(cli, db_url, tmp_path):
    build(db_url)
    result = cli("calendar", "--for", "ruth", "--out", str(tmp_path / "nowhere" / "x.ics"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write") and "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_digest_sections_with_commands(cli, db_url):
    ids = build(db_url)
    text = cli.ok("digest", "--for", "ruth").stdout
    assert text.startswith("Ruth Craven: your partnercrm digest for ")
    for heading in (
        "Overdue steps (1)",
        "Steps due this week (1)",
        "Conversations gone cold (1)",
        "Commitments due this month (1)",
        "Events coming up (1)",
        "New attendees who expressed interest (2)",
    ):
        assert heading in text
    assert f"partnercrm step done {ids['overdue']}" in text
    assert f"partnercrm conversation touch {ids['cold']} --channel call" in text
    assert f"partnercrm commitment deliver {ids['commitment']}" in text
    assert 'partnercrm brief --event "Anchor Roundtable Winter"' in text
    assert "Ada Lovelace (University College London) at Partnership Summit: interested in" in text
    assert "Ben Hughes (British Land) at Partnership Summit: interested in “Yes – happy" in text
    assert "Review the first term" not in text  # due in 40 days: not this week's

    data = cli.json("digest", "--for", "ruth")
    (ruth,) = data
    sections = {s["key"]: s["items"] for s in ruth["sections"]}
    assert [i["act"] for i in sections["overdue"]] == [f"partnercrm step done {ids['overdue']}"]
    # the library names the action by what it does; the command is the CLI's wording of it
    assert [i["action"] for i in sections["overdue"]] == [
        {"kind": "step_done", "id": ids["overdue"], "name": None}
    ]

    # Sam's only step is next month, Idris has nothing: nothing printed for either
    assert cli.ok("digest", "--for", "idris").stdout == ""
    assert cli.ok("digest", "--for", "sam").stdout == ""
    everyone = cli.ok("digest", "--all", "--format", "md").stdout
    assert everyone.startswith("# Ruth Craven: your partnercrm digest")
    assert "Idris" not in everyone and "Sam Okafor" not in everyone
    html = cli.ok("digest", "--all", "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "<h2" in html


def test_digest_dates_say_the_year_when_not_this_one(cli, db_url):
    """A step overdue since last year reads 'Wed 26 Nov 2025', as every listing dates it."""
    build(db_url)
    long_ago = TODAY - timedelta(days=400)
    db = open_database(db_url, actor="tester")
    with db.transaction() as s:
        ruth = colleagues.find_colleague(s, "ruth")
        ucl = organisations.find_organisation(s, "University College London")
        old = conversations.log_conversation(
            s, ucl, ruth, subject="Summit interest", on=long_ago - timedelta(days=14)
        )
        step_id = steps.add_step(
            s, old, "Follow up the summit interest", ruth, long_ago, confirm=True
        ).id
    db.dispose()
    text = cli.ok("digest", "--for", "ruth").stdout
    shown = f"{long_ago:%a} {long_ago.day} {long_ago:%b} {long_ago.year}"
    assert f"(step {step_id}, due {shown}, 400 days overdue)" in text
    this_week = TODAY + timedelta(days=2)
    if this_week.year == TODAY.year:  # this year's: no year
        assert f"due {this_week:%a} {this_week.day} {this_week:%b})" in text


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one address."""

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse
        self.messages: list[tuple[list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    """A real SMTP server on 127.0.0.1 that requires STARTTLS and a login (self-signed CA)."""
    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the client trusts the test CA only

    inbox = Inbox(refuse="sam.okafor@camden.gov.uk")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login == b"digest@camden.gov.uk" and auth_data.password == PASSWORD.encode()
        )
        if ok:
            inbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: the server replies 535

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_digest_send_through_a_real_smtp_server(cli, db_url, smtp_server, monkeypatch, caplog):
    inbox, port = smtp_server
    build(db_url)
    db = open_database(db_url, actor="tester")
    with db.transaction() as s:  # give Sam something this week, so a digest is due for him
        sam = colleagues.find_colleague(s, "sam")
        conv = conversations.list_conversations(s)[0]
        steps.add_step(
            s, conv, "Call the estates team", sam, TODAY + timedelta(days=1), confirm=True
        )
    db.dispose()
    monkeypatch.setenv("PARTNERCRM_SMTP_URL", f"smtp://digest%40camden.gov.uk@127.0.0.1:{port}")
    monkeypatch.setenv("PARTNERCRM_SMTP_PASSWORD", PASSWORD)

    result = cli("digest", "--all", "--send")
    assert result.exit_code == 1  # one failed, and cron should notice
    assert "Sent the digest to Ruth Craven <ruth.craven@camden.gov.uk>." in result.stdout
    assert "Could not send to Sam Okafor <sam.okafor@camden.gov.uk>: the server refused" in (
        result.stderr
    )
    assert "1 digests sent, 1 failed." in result.stdout
    assert "Idris" not in result.output  # nothing to do, nothing sent

    ((recipients, raw),) = inbox.messages
    assert recipients == ["ruth.craven@camden.gov.uk"]
    assert inbox.logins == ["digest@camden.gov.uk"] * 2  # one session per colleague
    import email
    from email import policy

    sent = email.message_from_bytes(raw, policy=policy.default)
    assert sent["To"] == "ruth.craven@camden.gov.uk"
    assert sent["From"] == "digest@camden.gov.uk"
    assert sent["Subject"].startswith("partnercrm digest for ")
    body = sent.get_body(preferencelist=("plain",)).get_content()
    assert "Overdue steps (1)" in body and "partnercrm step done" in body
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert "Overdue steps (1)" in html and "partnercrm step done" in html

    everything = result.output + caplog.text + raw.decode("utf-8", "replace")
    assert PASSWORD not in everything


def test_digest_send_with_a_wrong_password_reports_each_and_hides_it(
    cli, db_url, smtp_server, monkeypatch
):
    inbox, port = smtp_server
    build(db_url)
    monkeypatch.setenv("PARTNERCRM_SMTP_URL", f"smtp://digest%40camden.gov.uk@127.0.0.1:{port}")
    monkeypatch.setenv("PARTNERCRM_SMTP_PASSWORD", "wrong-" + PASSWORD)
    result = cli("digest", "--all", "--send")
    assert result.exit_code == 1
    assert "Could not send to Ruth Craven <ruth.craven@camden.gov.uk>: the server replied 535" in (
        result.stderr
    )
    assert PASSWORD not in result.output and inbox.messages == []


def test_digest_send_needs_the_server(cli, db_url, monkeypatch):
    build(db_url)
    monkeypatch.delenv("PARTNERCRM_SMTP_URL", raising=False)
    result = cli("digest", "--all", "--send")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --send needs the SMTP server in PARTNERCRM_SMTP_URL (smtp://user@host:587), "
        "and its password in PARTNERCRM_SMTP_PASSWORD\n"
    )
    monkeypatch.setenv("PARTNERCRM_SMTP_URL", "http://example.org")
    result = cli("digest", "--all", "--send")
    assert result.exit_code == 1 and "smtp://user@host:587" in result.stderr


def test_smtp_settings_never_show_the_password():
    from partnercrm.digest.send import smtp_settings

    settings = smtp_settings("smtp://ruth@mail.camden.gov.uk", password=PASSWORD)
    assert (settings.host, settings.port, settings.implicit_tls) == (
        "mail.camden.gov.uk",
        587,
        False,
    )
    assert settings.sender == "partnercrm@mail.camden.gov.uk"
    assert PASSWORD not in repr(settings)
    assert smtp_settings("smtps://a%40b.org@h").port == 465


@pytest.mark.parametrize("command", [["calendar", "--help"], ["digest", "--help"]])
def test_help(command):
    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0 and "Usage:" in result.output
