"""Reading attendee files as people export them, and finding the columns: no database needed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnercrm.contacts import normalise_email
from partnercrm.errors import Invalid
from partnercrm.importing import map_columns, parse_map_option, read_table
from partnercrm.importing.organisations import core_key
from partnercrm.importing.values import (
    DateReader,
    EmailReader,
    InterestReader,
    attendance_role,
    is_attending,
    month_first_in,
)

DATA = Path(__file__).parent / "data"
HEADER = "First Name,Last Name,Email,Company,Job Title"
ROWS = ["Zoë,Brontë,zoe@example.org,Café Olé Ltd,Head of Things", "Tom,Baker,tom@example.org,UCL,"]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows_of(path: Path, **kw: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    table = read_table(path, **kw)
    return table.header, list(table.rows), table.encoding


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "windows-1252")],
)
def test_text_encodings_are_recognised(tmp_path, encoding, expected):
    path = write(tmp_path, "a.csv", "\r\n".join([HEADER, *ROWS]) + "\r\n", encoding)
    header, rows, found = rows_of(path)
    assert found == expected
    assert header == ["First Name", "Last Name", "Email", "Company", "Job Title"]
    assert rows[0] == (2, ["Zoë", "Brontë", "zoe@example.org", "Café Olé Ltd", "Head of Things"])


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path):
    # Excel's "Unicode text" save: UTF-16 little-endian with a BOM, tab-separated
    text = "\r\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS]) + "\r\n"
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    header, rows, found = rows_of(path)
    assert found == "utf-16"
    assert header[2] == "Email"
    assert rows[0][1][3] == "Café Olé Ltd"


def test_utf16_without_a_bom(tmp_path):
    text = "\n".join(line.replace(",", "\t") for line in [HEADER, *ROWS])
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-16-le"))
    header, rows, found = rows_of(path)
    assert found == "utf-16-le"
    assert rows[1][1][:2] == ["Tom", "Baker"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_is_sniffed_from_the_header(tmp_path, delimiter):
    # a comma inside a quoted value must not win over the real delimiter
    lines = [
        HEADER.replace(",", delimiter),
        delimiter.join(["Ann", "Lee", "ann@example.org", '"Smith, Jones & Co"', "CEO"]),
    ]
    header, rows, _ = rows_of(write(tmp_path, "a.csv", "\n".join(lines)))
    assert len(header) == 5
    assert rows[0][1][3] == "Smith, Jones & Co"


def test_quoted_newlines_keep_line_numbers_of_the_file(tmp_path):
    text = (
        HEADER
        + "\n"
        + 'Ann,Lee,ann@example.org,"Two\nLine Org",CEO\n'
        + "\n"  # a blank row
        + "Bob,Ray,bob@example.org,Org,CTO\n"
    )
    _, rows, _ = rows_of(write(tmp_path, "a.csv", text))
    numbered = [(line, cells[0]) for line, cells in rows if any(cells)]
    assert numbered == [(2, "Ann"), (5, "Bob")]
    assert rows[0][1][3] == "Two\nLine Org"


def test_trailing_empty_columns_and_title_rows_above_the_header(tmp_path):
    text = "Attendee summary report,,,,,,\n,,,,,,\n" + HEADER + ",,\n" + ROWS[0] + ",,\n"
    table = read_table(write(tmp_path, "a.csv", text))
    assert table.header == ["First Name", "Last Name", "Email", "Company", "Job Title"]
    rows = list(table.rows)
    assert rows[0][0] == 4
    assert table.notes == ["skipped 1 line(s) above the header"]


def test_xlsx_first_sheet_or_the_one_named(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Summary"
    first.append(["Event", "We Make Camden Summit"])
    sheet = book.create_sheet("Attendees")
    sheet.append(["Full Name", "E-mail", "Organisation", "Phone", "Registration Date"])
    sheet.append(
        ["Ada Lovelace", "ada@ucl.ac.uk", "UCL", 7700900123, datetime(2024, 3, 12, 10, 15)]
    )
    path = tmp_path / "people.xlsx"
    book.save(path)

    table = read_table(path, sheet="Attendees")
    assert table.encoding == "xlsx"
    assert list(table.rows) == [
        (2, ["Ada Lovelace", "ada@ucl.ac.uk", "UCL", "7700900123", "2024-03-12 10:15:00"])
    ]
    with pytest.raises(Invalid, match="has no sheet 'Nope'; it has 'Summary', 'Attendees'"):
        read_table(path, sheet="Nope")
    # without --sheet the first sheet is read; it has no header we know, so its first row is one
    assert read_table(path).header == ["Event", "We Make Camden Summit"]


def test_eventbrite_uk_and_us_layouts_map_without_flags():
    uk = read_table(DATA / "eventbrite_uk.csv")
    cmap = map_columns(uk.header)
    assert cmap.layout == "eventbrite-uk" and not cmap.month_first
    assert cmap.mapped["Surname"] == "last_name"
    assert cmap.mapped["Company"] == "organisation"
    assert cmap.mapped["Ticket type"] == "role"
    assert cmap.mapped["Attendee status"] == "status"
    assert cmap.mapped["Order date"] == "registered_at"
    assert cmap.mapped["Mobile phone"] == "phone"
    assert cmap.mapped["Which missions would you like to contribute to?"] == "interest_missions"
    assert (
        cmap.mapped["Would you like to become a Missions Ambassador? Which role(s)?"]
        == "interest_roles"
    )
    assert "Order #" in cmap.ignored and "Work postcode" in cmap.ignored
    assert cmap.unmapped == []

    us = map_columns(read_table(DATA / "eventbrite_us.csv").header)
    assert us.layout == "eventbrite-us" and us.month_first
    assert us.mapped["Last Name"] == "last_name"
    assert us.mapped["Cell Phone"] == "phone"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("EMAIL", "email"),
        ("Organisation", "organisation"),
        ("Organization", "organisation"),
        ("Employer", "organisation"),
        ("Full Name", "full_name"),
        ("Name", "full_name"),
        ("Telephone", "phone"),
        ("Position", "job_title"),
        ("Registration date", "registered_at"),
    ],
)
def test_common_header_variants(header, field):
    cmap = map_columns(["First Name", header] if field != "full_name" else [header, "Email"])
    assert cmap.mapped[header] == field


def test_map_overrides_and_unmapped_columns_are_listed():
    header = ["Delegate", "Contact", "Firm", "Dietary needs"]
    with pytest.raises(Invalid, match="no column holds an email or a name"):
        map_columns(header)
    cmap = map_columns(
        header,
        overrides=parse_map_option(["Delegate=full_name", "contact=email", "Firm=organisation"]),
    )
    assert cmap.mapped == {"Delegate": "full_name", "Contact": "email", "Firm": "organisation"}
    assert cmap.unmapped == ["Dietary needs"]
    with pytest.raises(Invalid, match="'nickname' is not one of first_name"):
        parse_map_option(["Delegate=nickname"])
    with pytest.raises(Invalid, match="the file has no column 'Nope'"):
        map_columns(header, overrides={"Nope": "email"})
    # a forced `ignore` drops a column the names would have mapped
    ignored = map_columns(["Name", "Email", "Company"], overrides={"Company": "ignore"})
    assert "organisation" not in ignored.indexes and ignored.ignored == ["Company"]


def test_preset_forces_a_layout():
    header = ["First Name", "Last Name", "Email", "Company", "Organisation"]
    assert map_columns(header, preset="eventbrite-us").month_first
    # the Eventbrite preset knows only Eventbrite's names
    assert "Organisation" in map_columns(header, preset="eventbrite").unmapped
    with pytest.raises(Invalid, match="preset 'whova' is not one of"):
        map_columns(header, preset="whova")


ADDRESSES = [
    "Ada.Lovelace@UCL.ac.uk",
    "o'brien+events@example.co.uk",
    "a.b-c_d@sub.example.org",
    "user@EXAMPLE.COM",
    "x@b.test",
    "no-at-sign.example.org",
    "two@@example.org",
    "trailing.@example.org",
    ".lead@example.org",
    "a..b@example.org",
    "bad@-example.org",
    "name@example",
    "münchen@example.de",
    "user@bücher.example",
    '"quoted"@example.org',
    "spaces in@example.org",
    "a@" + "x" * 250 + ".com",
    "user@123.456",
    "",
]


def test_fast_email_reader_agrees_with_the_contact_service():
    read = EmailReader()
    for address in ADDRESSES:
        try:
            expected = normalise_email(address)
        except Invalid:
            expected = None
        got, error = read(address)
        assert got == expected, address
        assert (error is None) == (expected is not None), address


def test_dates_day_first_month_first_and_iso():
    uk = DateReader(month_first=False)
    assert uk("12/03/2024 10:15") == datetime(2024, 3, 12, 10, 15, tzinfo=UTC)
    # summer time: 10:15 in London is 09:15 UTC
    assert uk("12/07/2024 10:15") == datetime(2024, 7, 12, 9, 15, tzinfo=UTC)
    assert uk("2024-03-12T10:15:00+00:00") == datetime(2024, 3, 12, 10, 15, tzinfo=UTC)
    assert uk("12 March 2024") == datetime(2024, 3, 12, 0, 0, tzinfo=UTC)
    assert uk("31/02/2024") is None and uk("not a date") is None
    us = DateReader(month_first=True)
    assert us("03/14/2024 02:30 PM") == datetime(2024, 3, 14, 14, 30, tzinfo=UTC)
    assert month_first_in(["03/04/2024", "03/14/2024"], default=False) is True
    assert month_first_in(["03/04/2024", "14/03/2024"], default=True) is False
    assert month_first_in(["03/04/2024"], default=True) is True
    # a 12-hour clock with no day above 12 is a US export
    assert month_first_in(["10/1/25, 2:00:00 PM"], default=False) is True
    assert month_first_in(["13/1/25, 2:00:00 PM"], default=False) is False


def test_interest_cells_name_missions_or_roles_by_key_or_name():
    roles = InterestReader(
        "ambassador role",
        [
            (1, "recognition", "Recognition of action"),
            (2, "advocate", "Advocate/champion"),
            (3, "sponsorship", "Sponsorship"),
            (4, "research", "Research, learning & evaluation"),
        ],
    )
    assert roles("Research, learning & evaluation, Sponsorship") == ((4, 3), None)
    assert roles("Advocate / champion; advocate | RECOGNITION") == ((2, 1), None)
    assert roles("N/A") == ((), None)
    assert roles("Sponsorship, Space travel") == ((), "Space travel")
    # options worded the form's own way: the start of a name, or a name and more words
    assert roles("Research; Sponsorship (financial or in kind)") == ((4, 3), None)
    missions = InterestReader(
        "mission",
        [
            (1, "young_people", "Young people"),
            (2, "food", "Food"),
            (3, "estates", "Estates and neighbourhoods"),
            (4, "young_carers", "Young carers"),
        ],
    )
    assert missions("Food security, Estates") == ((2, 3), None)
    assert missions("Young") == ((), "Young")  # fits two missions, so neither


def test_ticket_types_statuses_and_name_keys():
    assert attendance_role("Speaker pass") == "speaker"
    assert attendance_role("Host organisation") == "host"
    assert attendance_role("Early Bird") == "attendee"
    assert is_attending("Checked In") and is_attending("")
    assert not is_attending("Cancelled") and not is_attending("Refunded")
    assert not is_attending("Not Attending")
    assert core_key("the arsenal fc ltd") == "arsenal fc"


def test_the_delimiter_is_the_tables_not_the_title_lines(tmp_path):
    text = (
        "Report: Camden Summit, 1 October 2025, all tickets\n"
        "\n"
        "Full Name;Email;Organisation\n"
        "Ada Lovelace;ada@ucl.ac.uk;UCL, Bloomsbury\n"
    )
    table = read_table(write(tmp_path, "a.csv", text))
    assert table.delimiter == ";"
    assert table.header == ["Full Name", "Email", "Organisation"]
    assert list(table.rows) == [(4, ["Ada Lovelace", "ada@ucl.ac.uk", "UCL, Bloomsbury"])]
    assert table.notes == ["skipped 1 line(s) above the header"]


def test_a_report_footer_ends_the_table(tmp_path):
    text = (
        "Full Name,Email,Organisation\n"
        "Ada Lovelace,ada@ucl.ac.uk,UCL\n"
        "\n"
        '"Confidential Information - Do Not Distribute"\n'
        '"Generated By:  Ruth Craven  08/10/2025 09:13"\n'
        '"London Borough of Camden"\n'
    )
    table = read_table(write(tmp_path, "a.csv", text))
    rows = [r for r in table.rows if any(r[1])]
    assert rows == [(2, ["Ada Lovelace", "ada@ucl.ac.uk", "UCL"])]
    assert table.notes[-1].startswith("the table ends at line 4")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Hopper, Grace", "Grace Hopper"),
        ("Tom Baker (Guest)", "Tom Baker"),
        ("Grace Hopper (Grace)", "Grace Hopper"),
        ("van der Berg, Anna", "Anna van der Berg"),
        ("Ada Lovelace", "Ada Lovelace"),
    ],
)
def test_names_as_people_write_them(given, stored):
    from partnercrm.importing.values import person_name

    assert person_name("", "", given) == stored


def test_a_timezone_word_keeps_iso_order():
    uk = DateReader(month_first=False)
    assert uk("2025-10-01 22:00:51 UTC") == datetime(2025, 10, 1, 22, 0, 51, tzinfo=UTC)
    assert uk("2025-10-01 22:00:51 +0100") == datetime(2025, 10, 1, 21, 0, 51, tzinfo=UTC)
    assert uk("2025-10-01T22:00:51.000Z") == datetime(2025, 10, 1, 22, 0, 51, tzinfo=UTC)
    # slash dates stay day first
    assert uk("01/10/2025 22:00").date().month == 10


@pytest.mark.parametrize(
    ("header", "value", "attending"),
    [
        ("Attendee Status", "Attending", True),
        ("Attendee Status", "Cancelled", False),
        ("approval_status", "waitlist", False),
        ("approval_status", "pending_approval", False),
        ("Participant Status", "No-show", False),
        ("RSVP", "No", False),
        ("RSVP", "Yes", True),
        ("Attended", "No", False),
        ("Attended", "Yes", True),
        ("Attended", "", True),
        ("Order cancelled", "Yes", False),
        ("Order cancelled", "", True),
        ("Void Status", "void", False),
        ("Status", "Absent", False),
    ],
)
def test_status_columns_of_every_kind(header, value, attending):
    from partnercrm.importing.values import status_reader

    assert status_reader(header)(value) is attending


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("first_name", "first_name"),
        ("FIRST NAME", "first_name"),
        ("Account Name", "organisation"),
        ("Current Employer", "organisation"),
        ("What organisation are you from?", "organisation"),
        ("Ticket Company Name", "organisation"),
        ("Your email address", "email"),
        ("User Email", "email"),
        ("Ticket Email", "email"),
        ("Name (Original Name)", "full_name"),
        ("approval_status", "status"),
        ("RSVPed on", "registered_at"),
    ],
)
def test_headers_by_meaning(header, field):
    cmap = map_columns([header, "Email" if field != "email" else "Name"])
    assert cmap.mapped[header] == field
