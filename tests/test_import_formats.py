"""Each tool's attendee export, in its real header layout, imported without flags.

Every file here is written by the test from the layout the tool exports (sections, preambles,
footers, encodings and date styles included). Each test imports it with nothing but
`--event` and then reads back who became a contact, at which organisation, with which name,
job title and date, and who attended.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from partnercrm import models as m
from tests.test_import_cli import setup as partners_and_ruth

EVENT = "Camden Partnership Summit 2025"

# the two people most files hold: Grace Hopper came, Tom Baker did not
GRACE = ("grace.hopper@ucl.ac.uk", "University College London", "Professor", date(2025, 10, 1))
TOM_STAYED_AWAY = ("tom@camdengiving.org.uk", "Camden Giving", "Grants Officer", None)

# what the CRM holds after an import: name -> (email, organisation, job title, attended on)
Stored = dict[str, tuple[str | None, str | None, str | None, date | None]]


def setup(cli) -> None:
    """Ruth, University College London (alias UCL), Camden Giving, and the event Ruth owns."""
    partners_and_ruth(cli)
    cli.ok("event", "add", EVENT, "--kind", "summit", "--date", "08/10/2025", "--owner", "Ruth")


def imported(cli, db, path: Path) -> tuple[dict, Stored]:
    """Import `path` with no flags but the event, twice; the first report and what is stored."""
    report = cli.json("import", "attendees", str(path), "--event", EVENT)
    again = cli.json("import", "attendees", str(path), "--event", EVENT)
    assert not again["changed"], again  # the same file again changes nothing
    with db.reader() as s:
        event_id = s.scalar(select(m.Event.id).where(m.Event.name == EVENT))
        attended = {
            a.contact_id: a
            for a in s.scalars(select(m.Attendance).where(m.Attendance.event_id == event_id))
        }
        stored: Stored = {}
        for c in s.scalars(select(m.Contact)):
            a = attended.get(c.id)
            stored[c.name] = (
                c.email,
                c.organisation.name if c.organisation else None,
                c.job_title,
                _local_date(a.registered_at) if a is not None and a.registered_at else None,
            )
    return report, stored


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands timestamps back without a zone
    return moment.astimezone(ZoneInfo("Europe/London")).date()


def roles(db) -> dict[str, str]:
    with db.reader() as s:
        return {a.contact.name: a.role for a in s.scalars(select(m.Attendance))}


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("locale", ["en-GB", "en-US"])
def test_teams_attendance_report(cli, db, tmp_path, locale):
    def at(clock: str) -> str:
        """A moment on 1 October 2025 as a Teams client of `locale` writes it."""
        if locale == "en-GB":
            return f"01/10/2025, {clock}"
        hour, rest = clock.split(":", 1)
        half = "PM" if int(hour) >= 12 else "AM"
        return f"10/1/25, {int(hour) % 12 or 12}:{rest} {half}"

    # UTF-16 with a BOM, tab-separated, a summary block above the participants and the
    # in-meeting activities below them
    rows = [
        "1. Summary",
        "Meeting title\tAnchor Roundtable",
        "Attended participants\t3",
        f"Start time\t{at('14:00:00')}",
        f"End time\t{at('15:30:12')}",
        "Meeting duration\t1h 30m 12s",
        "Average attendance time\t1h 12m 4s",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
        f"Craven, Ruth\t{at('13:58:01')}\t{at('15:30:12')}\t1h 32m 11s\t"
        "ruth.craven@camden.gov.uk\truth.craven@camden.gov.uk\tOrganizer",
        f"Hopper, Grace\t{at('14:02:13')}\t{at('15:30:12')}\t1h 27m 59s\t"
        "grace.hopper@ucl.ac.uk\tgrace.hopper@ucl.ac.uk\tPresenter",
        f"Tom Baker (Guest)\t{at('14:05:00')}\t{at('15:00:00')}\t55m\t"
        "tom@camdengiving.org.uk\t\tAttendee",
        "",
        "3. In-Meeting Activities",
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole",
        f"Hopper, Grace\t{at('14:02:13')}\t{at('15:30:12')}\t1h 27m 59s\t"
        "grace.hopper@ucl.ac.uk\tPresenter",
        f"Someone Else\t{at('14:02:13')}\t{at('15:30:12')}\t1h\tother@example.org\tAttendee",
    ]
    path = tmp_path / "meetingAttendanceReport.csv"
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(rows) + "\r\n").encode("utf-16-le"))
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["notes"][0] == "no column holds an organisation: people are imported without one"
    assert report["rows"] == 3 and report["colleagues"] == 1  # the organiser is a colleague
    assert stored == {
        "Grace Hopper": ("grace.hopper@ucl.ac.uk", None, None, date(2025, 10, 1)),
        "Tom Baker": ("tom@camdengiving.org.uk", None, None, date(2025, 10, 1)),
    }
    # a Teams presenter shares a screen; it does not make someone a speaker
    assert roles(db) == {"Grace Hopper": "attendee", "Tom Baker": "attendee"}


def _forms_workbook(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_microsoft_forms_with_anonymous_answers(cli, db, tmp_path):
    header = [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        "Your name",
        "Your email address",
        "What organisation are you from?",
        "Your job title",
        "Would you like to be a Missions Ambassador?",
    ]
    when = datetime(2025, 10, 1, 22, 0, 51)
    path = _forms_workbook(
        tmp_path / "Summit feedback(1-3).xlsx",
        header,
        [
            # an anonymous answer where the person typed their details in
            [
                1,
                when,
                when,
                "anonymous",
                None,
                None,
                "Grace Hopper",
                "grace.hopper@ucl.ac.uk",
                "UCL",
                "Professor",
                "Yes",
            ],
            # an anonymous answer that names no one is not a person
            [2, when, when, "anonymous", None, None, None, None, None, None, "No"],
            # a signed-in answer
            [
                3,
                when,
                when,
                "tom@camdengiving.org.uk",
                "Tom Baker",
                None,
                None,
                None,
                "Camden Giving",
                "Grants Officer",
                "Maybe later",
            ],
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["rows_rejected"] == 0 and report["anonymous"] == 1
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": (
            "tom@camdengiving.org.uk",
            "Camden Giving",
            "Grants Officer",
            date(2025, 10, 1),
        ),
    }
    with db.reader() as s:
        notes = {a.contact.name: a.note for a in s.scalars(select(m.Attendance))}
    assert notes == {
        "Grace Hopper": "Would you like to be a Missions Ambassador?: Yes",
        "Tom Baker": "Would you like to be a Missions Ambassador?: Maybe later",
    }


def test_zoom_meeting_participants_report(cli, db, tmp_path):
    path = write(
        tmp_path / "participants_81234567890.csv",
        [
            "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
            "812 3456 7890,Anchor Roundtable,10/01/2025 02:00:00 PM,10/01/2025 03:30:00 PM,"
            "ruth.craven@camden.gov.uk,90,2",
            "",
            "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest",
            "Grace Hopper (Grace),grace.hopper@ucl.ac.uk,10/01/2025 02:01:10 PM,"
            "10/01/2025 03:30:00 PM,89,Yes",
            "Tom Baker,tom@camdengiving.org.uk,10/01/2025 02:03:00 PM,10/01/2025 03:00:00 PM,57,Yes",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["notes"][0].startswith("no column holds an organisation")
    assert stored == {
        "Grace Hopper": ("grace.hopper@ucl.ac.uk", None, None, date(2025, 10, 1)),
        "Tom Baker": ("tom@camdengiving.org.uk", None, None, date(2025, 10, 1)),
    }


def test_zoom_webinar_attendee_report(cli, db, tmp_path):
    details = "Attended,User Name (Original Name),Email,Join Time,Leave Time,"
    details += "Time in Session (minutes),Is Guest,Country/Region Name"
    path = write(
        tmp_path / "82345678901_AttendeeReport.csv",
        [
            "Attendee Report",
            'Report Generated:,"10/02/2025 09:12 AM"',
            "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,"
            "# Cancelled,Unique Viewers,Total Users,Max Concurrent Views",
            "Missions Webinar,823 4567 8901,10/01/2025 02:00:00 PM,90,3,0,2,3,2",
            "Host Details",
            details,
            "Yes,Ruth Craven,ruth.craven@camden.gov.uk,10/01/2025 01:55:00 PM,"
            "10/01/2025 03:30:00 PM,95,No,United Kingdom",
            "Panelist Details",
            details,
            "Yes,Sue Wong,sue@arsenal.example.org,10/01/2025 01:58:00 PM,"
            "10/01/2025 03:30:00 PM,92,No,United Kingdom",
            "Attendee Details",
            "Attended,User Name (Original Name),First Name,Last Name,Email,Phone,Organization,"
            "Job Title,Registration Time,Approval Status,Join Time,Leave Time,"
            "Time in Session (minutes),Is Guest,Country/Region Name",
            "Yes,Grace Hopper,Grace,Hopper,grace.hopper@ucl.ac.uk,,UCL,Professor,"
            "09/20/2025 10:15:00 AM,approved,10/01/2025 02:01:00 PM,10/01/2025 03:30:00 PM,89,"
            "Yes,United Kingdom",
            "No,Ada Lovelace,Ada,Lovelace,ada@camdengiving.org.uk,,Camden Giving,Director,"
            "09/21/2025 04:30:00 PM,approved,--,--,--,--,--",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["not_attending"] == 1
    assert stored == {
        "Grace Hopper": (
            "grace.hopper@ucl.ac.uk",
            "University College London",
            "Professor",
            date(2025, 9, 20),
        ),
        "Ada Lovelace": ("ada@camdengiving.org.uk", "Camden Giving", "Director", None),
    }


def test_tito_tickets_export(cli, db, tmp_path):
    header = (
        "Number,Ticket Created Date,Ticket Last Updated Date,Ticket,Ticket Full Name,"
        "Ticket First Name,Ticket Last Name,Ticket Email,Ticket Company Name,Ticket Phone Number,"
        "Event,Void Status,Discount Status,Ticket Price,Discount Code,Ticket Reference,Tags,"
        "Unique Ticket URL,Order Reference,Order Name,Order Email,Order Company Name,"
        "Order Phone Number,Order Created Date,What is your job title?"
    )
    path = write(
        tmp_path / "camden-summit-tickets.csv",
        [
            header,
            "1,2025-10-01 22:00:51 UTC,2025-10-01 22:00:51 UTC,Speaker,Grace Hopper,Grace,Hopper,"
            "grace.hopper@ucl.ac.uk,UCL,,Camden Summit,,,0.0,,ABCD-1,,https://ti.to/t/1,XYZ1,"
            "Office Manager,office@ucl.ac.uk,UCL,,2025-10-01 22:00:51 UTC,Professor",
            "2,2025-10-02 09:00:00 UTC,2025-10-03 09:00:00 UTC,General,Tom Baker,Tom,Baker,"
            "tom@camdengiving.org.uk,Camden Giving,,Camden Summit,void,,0.0,,ABCD-2,,"
            "https://ti.to/t/2,XYZ2,Tom Baker,tom@camdengiving.org.uk,Camden Giving,,"
            "2025-10-02 09:00:00 UTC,Grants Officer",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["not_attending"] == 1
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": TOM_STAYED_AWAY,
    }
    assert roles(db) == {"Grace Hopper": "speaker"}


def test_meetup_attendee_list_without_emails(cli, db, tmp_path):
    path = write(
        tmp_path / "Camden_Tech_for_Good_Meetup.csv",
        [
            "Name,User ID,Title,Event Host,RSVP,Guests,RSVPed on,Joined Group on,"
            "URL of Member Profile,What organisation are you from?",
            "Grace Hopper,user 1234,,No,Yes,0,2025-09-20 10:15:00,2024-01-02 10:00:00,"
            "https://www.meetup.com/members/1234/,UCL",
            "Ann Lee,user 1235,,No,Yes,0,2025-09-21 11:00:00,2024-01-02 10:00:00,"
            "https://www.meetup.com/members/1235/,",
            "Tom Baker,user 1236,,No,No,0,2025-09-22 12:00:00,2024-01-02 10:00:00,"
            "https://www.meetup.com/members/1236/,Camden Giving",
            "Bo Diddley,user 1237,,No,Waitlist,0,2025-09-22 12:00:00,2024-01-02 10:00:00,"
            "https://www.meetup.com/members/1237/,",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["rows_rejected"] == 0 and report["not_attending"] == 2
    assert stored == {
        "Grace Hopper": (None, "University College London", None, date(2025, 9, 20)),
        "Ann Lee": (None, None, None, date(2025, 9, 21)),
        "Tom Baker": (None, "Camden Giving", None, None),
        "Bo Diddley": (None, None, None, None),
    }


def test_luma_guest_list(cli, db, tmp_path):
    header = (
        "api_id,name,first_name,last_name,email,phone_number,created_at,approval_status,"
        "checked_in_at,custom_source,qr_code_url,amount,amount_tax,amount_discount,currency,"
        "coupon_code,eth_address,solana_address,survey_response_rating,"
        "survey_response_feedback,ticket_type_id,ticket_name,What company do you work for?,"
        "What is your job title?"
    )

    def guest(n: int, name: str, email: str, status: str, company: str, job: str) -> str:
        first, last = name.split()
        return (
            f"gst-{n},{name},{first},{last},{email},,2025-10-01T22:00:51.000Z,{status},,,"
            f"https://lu.ma/check-in/{n},0,0,0,,,,,,,tkt-1,Standard,{company},{job}"
        )

    path = write(
        tmp_path / "Camden Summit - Guests - 2025-10-08.csv",
        [
            header,
            guest(1, "Grace Hopper", "grace.hopper@ucl.ac.uk", "approved", "UCL", "Professor"),
            guest(
                2, "Tom Baker", "tom@camdengiving.org.uk", "declined", "Camden Giving", "Officer"
            ),
            guest(3, "Ann Lee", "ann@example.org", "waitlist", "Kentish Town Bakery", "Owner"),
            guest(4, "Bo Diddley", "bo@example.org", "pending_approval", "Bo Records", "Owner"),
            guest(5, "Sue Wong", "sue@example.org", "invited", "", ""),
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["rows"] == 5 and report["rows_rejected"] == 0 and report["not_attending"] == 4
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": ("tom@camdengiving.org.uk", "Camden Giving", "Officer", None),
        "Ann Lee": ("ann@example.org", "Kentish Town Bakery", "Owner", None),
        "Bo Diddley": ("bo@example.org", "Bo Records", "Owner", None),
        "Sue Wong": ("sue@example.org", None, None, None),
    }


def test_google_forms_responses(cli, db, tmp_path):
    path = write(
        tmp_path / "Summit registration (Responses) - Form responses 1.csv",
        [
            "Timestamp,Email address,Full name,Organisation,Job title,"
            "Which missions would you like to contribute to?,"
            "Would you like to be a Missions Ambassador?",
            "01/10/2025 22:00:51,grace.hopper@ucl.ac.uk,Grace Hopper,UCL,Professor,"
            '"Food, Young people",Yes',
            "02/10/2025 09:30:00,tom@camdengiving.org.uk,Tom Baker,Camden Giving,Grants Officer,"
            "Estates,Advocate / champion",
            "03/10/2025 10:00:00,ann@example.org,Ann Lee,,,Food,I'd like to hear more",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["rows"] == 3 and report["rows_rejected"] == 0
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": (
            "tom@camdengiving.org.uk",
            "Camden Giving",
            "Grants Officer",
            date(2025, 10, 2),
        ),
        "Ann Lee": ("ann@example.org", None, None, date(2025, 10, 3)),
    }
    with db.reader() as s:
        interest = {
            a.contact.name: (
                sorted(x.key for x in a.interest_missions),
                sorted(x.key for x in a.interest_roles),
                a.note,
            )
            for a in s.scalars(select(m.Attendance))
        }
    assert interest == {
        "Grace Hopper": (
            ["food", "young_people"],
            [],
            "Would you like to be a Missions Ambassador?: Yes",
        ),
        "Tom Baker": (["estates"], ["advocate"], None),
        "Ann Lee": (
            ["food"],
            [],
            "Would you like to be a Missions Ambassador?: I'd like to hear more",
        ),
    }


def test_salesforce_report_with_its_footer(cli, db, tmp_path):
    path = write(
        tmp_path / "report1696161234567.csv",
        [
            '"First Name","Last Name","Title","Account Name","Email","Phone","Mailing City",'
            '"Lead Source","Created Date","Status"',
            '"Grace","Hopper","Professor","University College London","grace.hopper@ucl.ac.uk",'
            '"020 7679 2000","London","Event","01/10/2025","Attended"',
            '"Tom","Baker","Grants Officer","Camden Giving","tom@camdengiving.org.uk","",'
            '"London","Event","02/10/2025","No Show"',
            '""',
            '"Confidential Information - Do Not Distribute"',
            '""',
            '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."',
            '""',
            '"Generated By:  Ruth Craven  08/10/2025 09:13"',
            '"London Borough of Camden"',
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["rows"] == 2 and report["rows_rejected"] == 0
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": TOM_STAYED_AWAY,
    }


def test_civicrm_participant_export(cli, db, tmp_path):
    path = write(
        tmp_path / "CiviCRM_Participant_Search.csv",
        [
            "Participant ID,Contact ID,Display Name,Sort Name,First Name,Last Name,Email,"
            "Current Employer,Job Title,Phone,Event,Participant Role,Participant Status,"
            "Register date,Fee level",
            '1,101,Dr. Grace Hopper,"Hopper, Grace",Grace,Hopper,grace.hopper@ucl.ac.uk,'
            "University College London,Professor,,Camden Summit,Speaker,Attended,"
            "2025-10-01 22:00:51,",
            '2,102,Tom Baker,"Baker, Tom",Tom,Baker,tom@camdengiving.org.uk,Camden Giving,'
            "Grants Officer,,Camden Summit,Attendee,No-show,2025-10-02 09:00:00,",
            '3,103,Ann Lee,"Lee, Ann",Ann,Lee,ann@example.org,Kentish Town Bakery,Owner,,'
            "Camden Summit,Attendee,On waitlist,2025-10-03 09:00:00,",
            '4,104,Sue Wong,"Wong, Sue",Sue,Wong,sue@example.org,Kentish Town Bakery,Baker,,'
            "Camden Summit,Attendee,Registered,2025-10-04 09:00:00,",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["not_attending"] == 2
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": TOM_STAYED_AWAY,
        "Ann Lee": ("ann@example.org", "Kentish Town Bakery", "Owner", None),
        "Sue Wong": ("sue@example.org", "Kentish Town Bakery", "Baker", date(2025, 10, 4)),
    }
    assert roles(db) == {"Grace Hopper": "speaker", "Sue Wong": "attendee"}


EVENTBRITE_UK = (
    "Order #,Order Date,First Name,Surname,Email,Quantity,Ticket Type,Attendee #,Group,"
    "Order Type,Currency,Total Paid,Fees Paid,Eventbrite Fees,Eventbrite Payment Processing,"
    "Attendee Status,Mobile Phone,Job Title,Company,Work Postcode"
)
EVENTBRITE_US = (
    "Order #,Order Date,First Name,Last Name,Email,Quantity,Ticket Type,Attendee #,Group,"
    "Order Type,Currency,Total Paid,Fees Paid,Eventbrite Fees,Eventbrite Payment Processing,"
    "Attendee Status,Home Address 1,Home City,Home State,Home Zip,Cell Phone,Job Title,Company,"
    "Work Zip"
)


@pytest.mark.parametrize(
    ("layout", "lines"),
    [
        (
            "eventbrite-uk",
            [
                EVENTBRITE_UK,
                "1001,01/10/2025 22:00,Grace,Hopper,grace.hopper@ucl.ac.uk,1,Speaker,2001,,"
                "Eventbrite Completed,GBP,0,0,0,0,Attending,,Professor,UCL,WC1E 6BT",
                "1002,02/10/2025 09:00,Tom,Baker,tom@camdengiving.org.uk,1,General Admission,"
                "2002,,Eventbrite Completed,GBP,0,0,0,0,Cancelled,,Grants Officer,Camden Giving,",
            ],
        ),
        (
            "eventbrite-us",
            [
                EVENTBRITE_US,
                "1001,10/01/2025 10:00 PM,Grace,Hopper,grace.hopper@ucl.ac.uk,1,Speaker,2001,,"
                "Eventbrite Completed,USD,0,0,0,0,Attending,,,,,,Professor,UCL,",
                "1002,10/02/2025 9:00 AM,Tom,Baker,tom@camdengiving.org.uk,1,General Admission,"
                "2002,,Eventbrite Completed,USD,0,0,0,0,Refunded,,,,,,Grants Officer,"
                "Camden Giving,",
            ],
        ),
    ],
)
def test_eventbrite_uk_and_us(cli, db, tmp_path, layout, lines):
    path = write(tmp_path / f"{layout}.csv", lines)
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["columns"]["layout"] == layout
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": TOM_STAYED_AWAY,
    }
    assert roles(db) == {"Grace Hopper": "speaker"}


def test_hubspot_contacts_export(cli, db, tmp_path):
    path = write(
        tmp_path / "hubspot-crm-exports-all-contacts-2025-10-08.csv",
        [
            "Record ID,First Name,Last Name,Email,Phone Number,Job Title,Company Name,"
            "Associated Company,Create Date,Contact owner,Lifecycle Stage,Last Activity Date",
            "51,Grace,Hopper,grace.hopper@ucl.ac.uk,,Professor,,University College London,"
            "2025-10-01 22:00,Ruth Craven,Lead,",
            "52,Tom,Baker,tom@camdengiving.org.uk,,Grants Officer,Camden Giving,Camden Giving,"
            "2025-10-02 09:00,Ruth Craven,Subscriber,2025-10-05 10:00",
        ],
    )
    setup(cli)
    _, stored = imported(cli, db, path)
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": (
            "tom@camdengiving.org.uk",
            "Camden Giving",
            "Grants Officer",
            date(2025, 10, 2),
        ),
    }


def test_mailchimp_audience_export(cli, db, tmp_path):
    header = (
        "Email Address,First Name,Last Name,Address,Phone Number,Company,Job Title,MEMBER_RATING,"
        "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,"
        "CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS"
    )
    path = write(
        tmp_path / "subscribed_members_export_1a2b3c.csv",
        [
            header,
            "grace.hopper@ucl.ac.uk,Grace,Hopper,,,UCL,Professor,2,2025-10-01 22:00:51,,"
            "2025-10-01 22:01:10,,,,,,,,,2025-10-01 22:01:10,123,abc,,",
            "tom@camdengiving.org.uk,Tom,Baker,,,Camden Giving,Grants Officer,2,"
            "2025-10-02 09:00:00,,2025-10-02 09:01:00,,,,,,,,,2025-10-02 09:01:00,124,abd,,",
        ],
    )
    setup(cli)
    _, stored = imported(cli, db, path)
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": (
            "tom@camdengiving.org.uk",
            "Camden Giving",
            "Grants Officer",
            date(2025, 10, 2),
        ),
    }


def test_ticket_tailor_issued_tickets(cli, db, tmp_path):
    path = write(
        tmp_path / "issued-tickets.csv",
        [
            "Ticket ID,Order ID,Ticket type,Barcode,First name,Last name,Email,Phone number,"
            "Company,Job title,Purchase date,Checked in,Voided",
            "tt-1,or-1,Panel speaker,AB12,Grace,Hopper,grace.hopper@ucl.ac.uk,,UCL,Professor,"
            "01/10/2025 22:00,Yes,No",
            "tt-2,or-2,General,AB13,Tom,Baker,tom@camdengiving.org.uk,,Camden Giving,"
            "Grants Officer,02/10/2025 09:00,No,No",
            "tt-3,or-3,General,AB14,Ann,Lee,ann@example.org,,Kentish Town Bakery,Owner,"
            "03/10/2025 09:00,,Yes",
        ],
    )
    setup(cli)
    report, stored = imported(cli, db, path)
    assert report["not_attending"] == 2
    assert stored == {
        "Grace Hopper": GRACE,
        "Tom Baker": TOM_STAYED_AWAY,
        "Ann Lee": ("ann@example.org", "Kentish Town Bakery", "Owner", None),
    }
    assert roles(db) == {"Grace Hopper": "speaker"}


def test_list_presets_names_every_tool(cli):
    from partnercrm.importing import PRESETS
    from partnercrm.importing.columns import _PRESETS
    from partnercrm.importing.fields import PRESETS as TOOLS

    # the command line's choices and the layouts' hints name the same presets, in one order
    assert tuple(TOOLS) == PRESETS == tuple(p.name for p in _PRESETS)
    out = cli.ok("import", "attendees", "--list-presets").stdout
    for name in ("teams", "zoom", "zoom-webinar", "microsoft-forms", "tito", "meetup", "luma"):
        assert f"\n{name} " in f"\n{out}"
    assert "Microsoft Teams attendance report" in out
