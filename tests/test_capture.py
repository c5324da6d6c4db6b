"""`partnercrm log email` and `log meeting`: real-shaped .eml, Outlook .msg, maildir and .ics
files become touchpoints on the right warm conversations, and logging them again changes nothing."""

from __future__ import annotations

import mailbox
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from partnercrm import colleagues, contacts, conversations, organisations
from partnercrm import models as m
from partnercrm.capture import read_emails, read_meetings
from partnercrm.database import open_database

SECRET_ATTACHMENT = "CONFIDENTIAL-BUDGET-FIGURES-7731"


def build(db_url: str) -> None:
    db = open_database(db_url, actor="tester")
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth.craven@camden.gov.uk")
        colleagues.add_colleague(s, "Sam Okafor", "sam.okafor@camden.gov.uk")
        ucl = organisations.add_organisation(
            s, "University College London", "higher_education", lead=ruth, aliases=["UCL"]
        )
        land = organisations.add_organisation(s, "British Land", "business", lead=ruth)
        organisations.add_organisation(s, "Archived Trust", "vcs")
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@ucl.ac.uk", ucl)
        contacts.add_contact(s, "Ben Hughes", "ben.hughes@britishland.com", land)
        conversations.log_conversation(
            s, ucl, ruth, contacts=[ada], subject="Placements", on=date(2026, 1, 5)
        )
    db.dispose()


def counts(db_url: str) -> dict[str, int]:
    db = open_database(db_url, actor="tester")
    with db.reader() as s:
        found = {
            name: s.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("touchpoints", m.Touchpoint),
                ("conversations", m.Conversation),
                ("contacts", m.Contact),
                ("history", m.HistoryEntry),
            )
        }
    db.dispose()
    return found


def touchpoints(db_url: str, org_name: str) -> list[dict]:
    db = open_database(db_url, actor="tester")
    with db.reader() as s:
        rows = s.execute(
            select(m.Touchpoint, m.Conversation.id)
            .join(m.Conversation)
            .join(m.Organisation)
            .where(m.Organisation.name == org_name)
            .order_by(m.Touchpoint.happened_on, m.Touchpoint.id)
        ).all()
        found = [
            {
                "on": t.happened_on,
                "channel": t.channel,
                "note": t.note,
                "colleague": t.colleague.name if t.colleague else None,
                "contact": t.contact.name if t.contact else None,
                "message_id": t.message_id,
                "conversation_id": conv_id,
            }
            for t, conv_id in rows
        ]
    db.dispose()
    return found


PLAIN = b"""\
Return-Path: <ada@ucl.ac.uk>
Received: from mail.ucl.ac.uk by mx.camden.gov.uk; Tue, 03 Nov 2026 09:15:02 +0000
From: Ada Lovelace <ada@ucl.ac.uk>
To: Ruth Craven <ruth.craven@camden.gov.uk>
Subject: RE: Placements for 2027
Date: Tue, 03 Nov 2026 09:15:00 +0000
Message-ID: <CAF=plain.0001@mail.ucl.ac.uk>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

Dear Ruth,

We can offer twelve placements from March.
The faculty agreed this morning.
A fourth line that is not kept.

On Mon, 2 Nov 2026 at 16:00, Ruth Craven <ruth.craven@camden.gov.uk> wrote:
> Could UCL host placements?
"""

# Outlook-shaped: mixed (alternative of quoted-printable plain and HTML, then an attachment),
# non-ASCII display names as encoded words, two partner organisations and a colleague in Cc
MULTIPART = f"""\
From: =?utf-8?B?Wm/DqyBCcm9udMOr?= <ada@ucl.ac.uk>
To: =?utf-8?Q?Ben_Hughes?= <ben.hughes@britishland.com>,
 "Craven, Ruth" <ruth.craven@camden.gov.uk>
Cc: =?iso-8859-1?Q?S=E1m_Okafor?= <sam.okafor@camden.gov.uk>
Subject: =?utf-8?Q?Summit_venue_=E2=80=93_King=E2=80=99s_Cross?=
Date: Wed, 04 Nov 2026 17:45:10 +0100
Message-ID: <AM0PR07MB1234.multi@EUR.PROD.OUTLOOK.COM>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-boundary"

--mixed-boundary
Content-Type: multipart/alternative; boundary="alt-boundary"

--alt-boundary
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Hi both,=0A
British Land can host the summit at King=E2=80=99s Cross =E2=80=93 caf=C3=A9 i=
ncluded.
Let=E2=80=99s agree dates next week.

--alt-boundary
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Hi both,</p><p>British Land can host the summit.</p></body></html>

--alt-boundary--

--mixed-boundary
Content-Type: application/pdf; name="budget.pdf"
Content-Disposition: attachment; filename="budget.pdf"
Content-Transfer-Encoding: base64

{__import__("base64").b64encode(SECRET_ATTACHMENT.encode()).decode()}

--mixed-boundary--
""".encode()

HTML_ONLY = b"""\
From: Ben Hughes <Ben.Hughes@BritishLand.com>
To: ruth.craven@camden.gov.uk
Subject: Hoarding artwork
Date: Thu, 05 Nov 2026 08:00:00 +0000
Message-ID: <html.only.1@britishland.com>
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"

<html><head><style>p {color: red}</style></head><body><p>Our hoarding can carry the young
artists' work.</p><p>Next line.</p></body></html>
"""

UNMATCHED = b"""\
From: Someone <someone@gmail.com>
To: Ruth Craven <ruth.craven@camden.gov.uk>
Subject: A newsletter
Date: Fri, 06 Nov 2026 10:00:00 +0000
Message-ID: <news.1@gmail.com>
Content-Type: text/plain

Hello.
"""

UNKNOWN_AT_UCL = b"""\
From: Grace Hopper <grace.hopper@ucl.ac.uk>
To: Ruth Craven <ruth.craven@camden.gov.uk>
Subject: Research partnership
Date: Mon, 09 Nov 2026 10:00:00 +0000
Message-ID: <grace.1@ucl.ac.uk>
Content-Type: text/plain

Could we talk about evaluation?
"""


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_eml_files_become_touchpoints_and_logging_again_changes_nothing(cli, db_url, tmp_path):
    build(db_url)
    files = [
        write(tmp_path, "plain.eml", PLAIN),
        write(tmp_path, "multipart.eml", MULTIPART),
        write(tmp_path, "html.eml", HTML_ONLY),
        write(tmp_path, "unmatched.eml", UNMATCHED),
    ]
    before = counts(db_url)
    result = cli.ok("log", "email", *files)
    assert "unmatched.eml: 06 Nov 2026 'A newsletter' — unmatched" in result.stdout
    assert "British Land: conversation 2 opened with this touchpoint" in result.stdout

    ucl = touchpoints(db_url, "University College London")
    plain, multi = ucl[-2], ucl[-1]
    assert plain["on"] == date(2026, 11, 3) and plain["channel"] == "email"
    assert plain["colleague"] == "Ruth Craven" and plain["contact"] == "Ada Lovelace"
    assert plain["message_id"] == "<CAF=plain.0001@mail.ucl.ac.uk>"
    assert plain["conversation_id"] == 1  # the open warm conversation, not a new one
    # subject, who took part, and the default three lines; never the quoted reply
    assert plain["note"] == (
        "Email: RE: Placements for 2027\nWith Ada Lovelace, Ruth Craven\nDear Ruth,\n"
        "We can offer twelve placements from March.\nThe faculty agreed this morning."
    )
    # quoted-printable and encoded-word names decoded; the date is the sender's own day
    assert multi["on"] == date(2026, 11, 4)
    assert multi["note"].startswith("Email: Summit venue – King’s Cross\n")
    assert "King’s Cross – café included." in multi["note"]
    assert "Ruth Craven, Sam Okafor" in multi["note"]

    # the same message gave British Land (two partner organisations) its own touchpoint
    land = touchpoints(db_url, "British Land")
    assert [t["message_id"] for t in land] == [
        "<AM0PR07MB1234.multi@EUR.PROD.OUTLOOK.COM>",
        "<html.only.1@britishland.com>",
    ]
    assert land[0]["contact"] == "Ben Hughes" and land[0]["colleague"] == "Ruth Craven"
    # the conversation the first opened is the one the second, in the same run, is logged on
    assert land[0]["conversation_id"] == land[1]["conversation_id"] == 2
    assert land[1]["note"] == (
        "Email: Hoarding artwork\nWith Ben Hughes, Ruth Craven\n"
        "Our hoarding can carry the young\nartists' work.\nNext line."
    )
    after = counts(db_url)
    assert after["touchpoints"] == before["touchpoints"] + 4
    assert after["conversations"] == before["conversations"] + 1

    # the attachment was never stored anywhere
    db = open_database(db_url, actor="tester")
    with db.reader() as s:
        notes = " ".join(n or "" for n in s.scalars(select(m.Touchpoint.note)))
        changes = " ".join(str(c) for c in s.scalars(select(m.HistoryEntry.changes)))
    db.dispose()
    assert SECRET_ATTACHMENT not in notes + changes

    again = cli.ok("log", "email", *files)
    assert counts(db_url) == after
    assert "Logged 0 touchpoints from 4 emails" in again.stdout
    assert again.stdout.count("already logged (touchpoint") == 4


def test_dry_run_no_open_and_body_lines(cli, db_url, tmp_path):
    build(db_url)
    files = [write(tmp_path, "plain.eml", PLAIN), write(tmp_path, "multipart.eml", MULTIPART)]
    before = counts(db_url)
    dry = cli.ok("log", "email", *files, "--dry-run")
    assert "would be opened" in dry.stdout and "Nothing was saved" in dry.stdout
    assert counts(db_url) == before

    report = cli.json("log", "email", *files, "--no-open", "--body-lines", "1")
    assert report["totals"]["touchpoints"] == 2  # plain and multipart at UCL
    assert report["totals"]["not_opened"] == 1  # British Land has no open conversation
    actions = {
        o["organisation"]: o["action"] for msg in report["messages"] for o in msg["organisations"]
    }
    assert actions == {
        "University College London": "logged",
        "British Land": "no open conversation",
    }
    assert touchpoints(db_url, "British Land") == []
    plain = touchpoints(db_url, "University College London")[-2]
    assert (
        plain["note"]
        == "Email: RE: Placements for 2027\nWith Ada Lovelace, Ruth Craven\nDear Ruth,"
    )

    # British Land's message is logged later, once it is allowed to open a conversation
    cli.ok("log", "email", *files)
    assert len(touchpoints(db_url, "British Land")) == 1
    assert len(touchpoints(db_url, "University College London")) == 3


def test_unknown_sender_at_a_partner_domain_is_added_only_when_asked(cli, db_url, tmp_path):
    build(db_url)
    file = write(tmp_path, "grace.eml", UNKNOWN_AT_UCL)
    result = cli.ok("log", "email", file)
    assert (
        "unmatched: no address on it belongs to a partner contact (grace.hopper@ucl.ac.uk); "
        "grace.hopper@ucl.ac.uk is at University College London's domain but is not a contact"
    ) in result.stdout
    assert "--add-contacts adds unknown people" in result.stdout

    result = cli.ok("log", "email", file, "--add-contacts")
    assert (
        "+ contact added: Grace Hopper <grace.hopper@ucl.ac.uk> at University College London"
        in (result.stdout)
    )
    grace = cli.json("contact", "show", "grace.hopper@ucl.ac.uk")
    assert grace["organisation"] == "University College London"
    assert grace["lawful_basis"] == "legitimate_interests"
    assert grace["consent_source"] == "email of 09 Nov 2026: Research partnership"
    assert grace["consent_date"] == "2026-11-09"
    assert touchpoints(db_url, "University College London")[-1]["contact"] == "Grace Hopper"

    before = counts(db_url)
    cli.ok("log", "email", file, "--add-contacts")
    assert counts(db_url) == before


def test_maildir_folder(cli, db_url, tmp_path):
    build(db_url)
    box = mailbox.Maildir(str(tmp_path / "Partnerships"), create=True)
    box.add(PLAIN)
    box.add(UNMATCHED)
    box.close()
    report = cli.json("log", "email", str(tmp_path / "Partnerships"))
    assert report["totals"]["messages"] == 2
    assert report["totals"]["touchpoints"] == 1 and report["totals"]["unmatched"] == 1
    assert touchpoints(db_url, "University College London")[-1]["message_id"] == (
        "<CAF=plain.0001@mail.ucl.ac.uk>"
    )
    before = counts(db_url)
    cli.ok("log", "email", str(tmp_path / "Partnerships"))
    assert counts(db_url) == before


def test_a_broken_file_is_reported_and_the_rest_logged(cli, db_url, tmp_path):
    build(db_url)
    bad_msg = write(tmp_path, "broken.msg", b"this is not an OLE file")
    no_date = write(
        tmp_path, "nodate.eml", PLAIN.replace(b"Date: Tue, 03 Nov 2026 09:15:00 +0000\n", b"")
    )
    good = write(tmp_path, "plain.eml", PLAIN)
    result = cli.ok("log", "email", bad_msg, no_date, good)
    assert "broken.msg: — unreadable: is not an Outlook message" in result.stdout
    assert "nodate.eml: — unreadable: has no readable Date" in result.stdout
    assert "Logged 1 touchpoints from 3 emails" in result.stdout
    assert "Traceback" not in result.output


def outlook_msg(path: Path, *, attachment: bool = True) -> str:
    """An Outlook .msg written by msgforge, a library that writes the MS-OXMSG format."""
    from msgforge import Message

    msg = Message(
        subject="Summit sponsorship",
        text_body="Dear Ruth,\nWe will sponsor the summit breakfast.\nBen\n",
        to=[("ruth.craven@camden.gov.uk", "Ruth Craven")],
        cc=[("ada@ucl.ac.uk", "Ada Lovelace"), ("sam.okafor@camden.gov.uk", "Sám Okafor")],
        sender=("ben.hughes@britishland.com", "Ben Hughes"),
        sent=datetime(2026, 11, 10, 14, 30, tzinfo=UTC),
    )
    if attachment:
        msg.attach_bytes("budget.pdf", SECRET_ATTACHMENT.encode(), mime_type="application/pdf")
    msg.save(str(path))
    return str(path)


def test_outlook_msg_file(cli, db_url, tmp_path):
    build(db_url)
    file = outlook_msg(tmp_path / "sponsorship.msg")
    (item,) = list(read_emails([file]))
    assert item.sender is not None and item.sender.email == "ben.hughes@britishland.com"
    assert {r.email for r in item.recipients} == {
        "ruth.craven@camden.gov.uk",
        "ada@ucl.ac.uk",
        "sam.okafor@camden.gov.uk",
    }
    cli.ok("log", "email", file)
    (land,) = touchpoints(db_url, "British Land")
    assert land["on"] == date(2026, 11, 10) and land["channel"] == "email"
    assert land["contact"] == "Ben Hughes" and land["colleague"] == "Ruth Craven"
    assert land["note"] == (
        "Email: Summit sponsorship\nWith Ben Hughes, Ruth Craven, Sam Okafor\nDear Ruth,\n"
        "We will sponsor the summit breakfast.\nBen"
    )
    assert SECRET_ATTACHMENT not in land["note"]
    ucl = touchpoints(db_url, "University College London")[-1]
    assert ucl["note"].startswith("Email: Summit sponsorship") and ucl["contact"] == "Ada Lovelace"
    # msgforge writes no Message-ID: one made from the message itself keeps it idempotent
    assert land["message_id"] == ucl["message_id"] and land["message_id"].endswith(
        "@partnercrm.invalid>"
    )
    before = counts(db_url)
    cli.ok("log", "email", file)
    assert counts(db_url) == before


# --- meetings ---------------------------------------------------------------------------------

LONDON = """\
BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16011028T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T010000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
END:DAYLIGHT
END:VTIMEZONE
"""


def ics(*events: str) -> bytes:
    body = "".join(events)
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\n"
        f"METHOD:REQUEST\n{LONDON}{body}END:VCALENDAR\n"
    )
    return text.replace("\n", "\r\n").encode()


def vevent(uid: str, start: str, summary: str, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\nSUMMARY:{summary}\n"
        f"DTSTART;TZID=GMT Standard Time:{start}\n"
        "ORGANIZER;CN=Ruth Craven:mailto:ruth.craven@camden.gov.uk\n"
        "ATTENDEE;CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@ucl.ac.uk\n"
        "ATTENDEE;CN=Ben Hughes;PARTSTAT=DECLINED:mailto:ben.hughes@britishland.com\n"
        f"DESCRIPTION:Agenda\\n1. placements\\n2. the summit\\n3. anything else\n{extra}"
        "END:VEVENT\n"
    )


def test_single_meeting_in_a_time_zone(cli, db_url, tmp_path):
    build(db_url)
    # 00:30 in London in summer is 23:30 UTC the day before: the meeting's own day counts
    file = write(
        tmp_path, "invite.ics", ics(vevent("single-1@outlook", "20260702T003000", "UCL catch-up"))
    )
    cli.ok("log", "meeting", file)
    (meeting,) = [t for t in touchpoints(db_url, "University College London") if t["message_id"]]
    assert meeting["on"] == date(2026, 7, 2)
    assert meeting["message_id"] == "single-1@outlook"
    assert meeting["colleague"] == "Ruth Craven" and meeting["contact"] == "Ada Lovelace"
    assert meeting["note"] == (
        "Meeting: UCL catch-up\nWith Ada Lovelace, Ruth Craven\nAgenda\n1. placements\n2. the summit"
    )
    # Ben declined: British Land took no part
    assert touchpoints(db_url, "British Land") == []
    before = counts(db_url)
    cli.ok("log", "meeting", file)
    assert counts(db_url) == before


def test_recurring_meeting_counts_once_per_past_occurrence(cli, db_url, tmp_path):
    build(db_url)
    start = date.today() - timedelta(
        days=38
    )  # weekly: -38, -31, -24, -17, -10, -3 days, then future
    event = vevent(
        "weekly-7@outlook",
        f"{start:%Y%m%d}T100000",
        "UCL placements stand-up",
        "RRULE:FREQ=WEEKLY;COUNT=10\n",
    )
    cancelled = vevent(
        "cancelled-1@outlook", f"{start:%Y%m%d}T150000", "Cancelled one", "STATUS:CANCELLED\n"
    )
    file = write(tmp_path, "weekly.ics", ics(event, cancelled))
    report = cli.json("log", "meeting", file)
    assert report["totals"]["touchpoints"] == 6
    meetings = [t for t in touchpoints(db_url, "University College London") if t["message_id"]]
    assert [t["on"] for t in meetings] == [start + timedelta(days=7 * i) for i in range(6)]
    assert len({t["message_id"] for t in meetings}) == 6
    assert all(t["message_id"].startswith("weekly-7@outlook/") for t in meetings)
    assert not any("Cancelled" in (t["note"] or "") for t in meetings)

    before = counts(db_url)
    again = cli.json("log", "meeting", file)
    assert again["totals"]["already_logged"] == 6 and again["totals"]["touchpoints"] == 0
    assert counts(db_url) == before


def test_read_meetings_stops_at_now():
    start = datetime(2026, 3, 2, 9, 0)
    data = ics(vevent("w@x", f"{start:%Y%m%dT%H%M%S}", "Weekly", "RRULE:FREQ=WEEKLY;COUNT=8\n"))
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".ics", delete=False) as handle:
        handle.write(data)
    found = list(read_meetings([handle.name], now=datetime(2026, 3, 20, tzinfo=UTC)))
    Path(handle.name).unlink()
    assert [item.on for item in found] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_broken_ics_is_one_sentence(cli, db_url, tmp_path):
    build(db_url)
    file = write(tmp_path, "broken.ics", b"BEGIN:VCALENDAR\r\nthis is not\r\n")
    no_start = write(
        tmp_path,
        "nostart.ics",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n",
    )
    result = cli("log", "meeting", file, no_start)
    assert "broken.ics: — unreadable: is not an iCalendar file" in result.stdout
    assert "nostart.ics: — unreadable: has a meeting whose dates cannot be read" in result.stdout
    assert "Traceback" not in result.output
    # nothing given could be read: that is a failure a script must see
    assert result.exit_code == 1
    assert result.stderr == "Error: none of the files given could be read as meeting files\n"


@pytest.mark.parametrize(
    "command", [["log", "--help"], ["log", "email", "--help"], ["log", "meeting", "--help"]]
)
def test_help(command):
    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0 and "Usage:" in result.output


def test_a_cancellation_logs_nothing(tmp_path):
    data = ics(vevent("gone@x", "20260302T090000", "Called off")).replace(
        b"METHOD:REQUEST", b"METHOD:CANCEL"
    )
    file = tmp_path / "cancel.ics"
    file.write_bytes(data)
    assert list(read_meetings([file], now=datetime(2026, 4, 1, tzinfo=UTC))) == []


def test_nobody_to_lead_a_new_conversation_is_said(cli, db_url, tmp_path):
    build(db_url)
    db = open_database(db_url, actor="tester")
    with db.transaction() as s:
        trust = organisations.find_organisation(s, "Archived Trust")  # no relationship lead
        contacts.add_contact(s, "Tess Owen", "tess@trust.example.org", trust)
    db.dispose()
    file = write(
        tmp_path,
        "tess.eml",
        b"From: Tess Owen <tess@trust.example.org>\nTo: someone@elsewhere.example\n"
        b"Subject: Hello\nDate: Mon, 02 Nov 2026 10:00:00 +0000\nMessage-ID: <t1@trust>\n\nHi\n",
    )
    result = cli.ok("log", "email", file)
    assert (
        "Archived Trust: not logged: no colleague is on it and Archived Trust has no "
        "relationship lead to lead a new conversation"
    ) in result.stdout
    assert touchpoints(db_url, "Archived Trust") == []
