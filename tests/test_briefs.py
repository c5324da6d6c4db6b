"""Brokerage briefs: what they hold, how they render, what they cost in SQL, and the CLI."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, insert

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    events,
    labels,
    missions,
    organisations,
    steps,
)
from partnercrm import models as m
from partnercrm.briefs import brief_dict, build_brief, queries, render_html, render_markdown
from partnercrm.briefs.event import organisations_at_event
from partnercrm.errors import Invalid

TODAY = date(2026, 11, 22)
SECTIONS = [
    "organisation",
    "glance",
    "contacts",
    "ambassadorships",
    "conversations",
    "commitments",
    "events",
    "asks",
    "watch_outs",
    "colleagues",
]


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def camden(db):
    """British Land with a history worth briefing on, two business peers, and a summit."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk", "Partnerships")
        jo = colleagues.add_colleague(s, "Jo Okafor", "jo@camden.gov.uk", "Inclusive Economy")
        sam = colleagues.add_colleague(s, "Sam Patel", "sam@camden.gov.uk", "Young People")
        bl = organisations.add_organisation(
            s,
            "British Land",
            "business",
            aliases=["BL"],
            anchor=True,
            ward="King's Cross",
            lead=ruth,
            website="https://www.britishland.com",
        )
        google = organisations.add_organisation(s, "Google", "business", anchor=True)
        arup = organisations.add_organisation(s, "Arup", "business")
        alice = contacts.add_contact(
            s, "Alice Ng", "alice@bl.example", bl, job_title="Head of Social Value", senior=True
        )
        bob = contacts.add_contact(
            s, "Bob Stone", "bob@bl.example", bl, job_title="Community Manager"
        )
        cara = contacts.add_contact(
            s, "Cara Wu", "cara@bl.example", bl, job_title="Chief Executive"
        )
        young, food = missions.find_mission(s, "young"), missions.find_mission(s, "food")

        placements = conversations.log_conversation(
            s,
            bl,
            ruth,
            contacts=[alice],
            missions=[young],
            ask="sponsorship",
            subject="Work placements at Regent's Place",
            on=ago(20),
        )
        steps.add_step(s, placements, "Send the placement brief", ruth, ago(3), confirm=True)
        content = conversations.log_conversation(
            s, bl, jo, contacts=[bob], ask="advocacy", subject="Share mission content", on=ago(100)
        )
        steps.add_step(
            s,
            content,
            "Follow up with their comms team",
            jo,
            TODAY + timedelta(days=10),
            confirm=True,
        )
        school = conversations.log_conversation(
            s, bl, sam, contacts=[bob], missions=[young], subject="Summer school", on=ago(400)
        )
        delivered = commitments.add_commitment(
            s,
            school,
            "opportunities",
            beneficiary="Regent High School",
            opportunities=20,
            due=ago(200),
            on=ago(380),
            confirm=True,
        )
        commitments.deliver(
            s,
            delivered,
            opportunities=22,
            people=22,
            hours=300,
            on=ago(210),
            story="Twenty-two Year 10 students spent a week at Regent's Place.",
        )
        foodbank = conversations.log_conversation(s, bl, sam, subject="Food bank", on=ago(90))
        commitments.add_commitment(
            s,
            foodbank,
            "sponsorship_financial",
            beneficiary="Camden Food Bank",
            gbp=15000,
            due=ago(10),
            on=ago(80),
            confirm=True,
        )
        mural = conversations.log_conversation(s, bl, jo, subject="Mural", on=ago(300))
        commitments.lapse(
            s,
            commitments.add_commitment(s, mural, "hosting", on=ago(290), nothing_promised=True),
            on=ago(150),
        )
        hidden = conversations.log_conversation(s, bl, jo, subject="Logged by mistake", on=ago(5))
        steps.add_step(s, hidden, "A step nobody should see", jo, ago(30), confirm=True)
        hidden.archived = True

        for peer in (google, arup):
            talk = conversations.log_conversation(s, peer, ruth, subject="Research", on=ago(50))
            commitments.add_commitment(s, talk, "research", on=ago(40), nothing_promised=True)
        ambassadors.enrol(
            s, bl, missions.find_role(s, "advocate"), mission=young, since=ago(300), status="active"
        )
        summit = events.add_event(s, "We Make Camden Summit 2026", "summit", ago(60), host=google)
        events.record_attendance(
            s, summit, cara, missions=[food], roles=[missions.find_role(s, "research")]
        )
        events.record_attendance(s, summit, alice, role="speaker")
        organisations.add_organisation(s, "Camden Giving", "vcs")
    return db


def brief_of(db, name, **kw):
    with db.reader() as s:
        org = organisations.find_organisation(s, name)
        if "for_colleague" in kw and isinstance(kw["for_colleague"], str):
            kw["for_colleague"] = colleagues.find_colleague(s, kw["for_colleague"])
        return build_brief(s, org, today=TODAY, **kw)


def test_brief_holds_each_section_the_issue_lists(camden):
    b = brief_of(camden, "BL", for_colleague="Ruth", meeting=TODAY + timedelta(days=2))
    data = brief_dict(b)
    assert list(data)[: len(SECTIONS)] == SECTIONS
    assert set(data) == {*SECTIONS, "prepared"}
    json.dumps(data)  # plain data all the way down

    org = data["organisation"]
    assert (org["name"], org["aliases"], org["sector"], org["anchor"], org["ward"]) == (
        "British Land",
        ["BL"],
        "business",
        True,
        "King's Cross",
    )
    assert org["stage"] == "grow" and org["lead"] == "Ruth Craven"

    g = data["glance"]
    # the archived conversation counts nowhere
    assert (g["conversations"], g["open_conversations"]) == (5, 2)
    assert (g["commitments_open"], g["commitments_delivered"], g["commitments_lapsed"]) == (1, 1, 1)
    assert g["first_contact"] == ago(400).isoformat() and g["last_contact"] == ago(20).isoformat()
    assert g["delivered"] == {"gbp": 0, "hours": 300, "opportunities": 22, "people": 22}

    assert [(p["name"], p["why"]) for p in data["contacts"]] == [
        ("Alice Ng", "senior"),
        ("Cara Wu", "senior"),
        ("Bob Stone", "recently engaged"),
    ]
    assert data["ambassadorships"] == [
        {
            "role": "advocate",
            "role_name": "Advocate/champion",
            "mission": "young_people",
            "mission_name": "Young people",
            "status": "active",
            "since": ago(300).isoformat(),
        }
    ]

    live = data["conversations"]
    assert [c["subject"] for c in live] == [
        "Work placements at Regent's Place",
        "Share mission content",
    ]
    assert live[0]["next_step"] == {
        "description": "Send the placement brief",
        "owner": "Ruth Craven",
        "due": ago(3).isoformat(),
        "overdue": True,
    }
    assert live[1]["next_step"]["overdue"] is False

    kinds = [(c["kind"], c["status"]) for c in data["commitments"]]
    assert kinds == [("sponsorship_financial", "agreed"), ("opportunities", "delivered")]
    assert data["commitments"][0]["overdue"] is True
    assert data["commitments"][1]["story"].startswith("Twenty-two Year 10")

    assert data["events"] == [
        {
            "name": "We Make Camden Summit 2026",
            "kind": "summit",
            "date": ago(60).isoformat(),
            "hosted": False,
            "people": ["Alice Ng (speaker)", "Cara Wu"],
            "others": 0,
        }
    ]

    by_name = {c["name"]: c for c in data["colleagues"]}
    assert by_name["Ruth Craven"]["is_lead"] and by_name["Ruth Craven"]["open_conversations"] == 1
    assert by_name["Sam Patel"]["conversations"] == 2
    assert data["prepared"] == {
        "on": TODAY.isoformat(),
        "for_colleague": "Ruth Craven",
        "meeting": (TODAY + timedelta(days=2)).isoformat(),
    }


def test_watch_outs_name_what_could_go_wrong_in_the_meeting(camden):
    b = brief_of(camden, "BL", for_colleague="Ruth")
    kinds = [w.kind for w in b.watch_outs]
    assert kinds == [
        "overdue_step",
        "overdue_commitment",
        "lapsed_commitment",
        "stale",
        "other_colleagues",
    ]
    texts = [w.text for w in b.watch_outs]
    assert "Send the placement brief" in texts[0] and "3 days ago" in texts[0]
    assert "Camden Food Bank" in texts[1]
    assert "Share mission content" in texts[3]
    # Ruth is reading it: the others with open conversations are named, she is not
    assert "Jo Okafor (1)" in texts[4] and "Ruth" not in texts[4]
    assert not any("nobody should see" in t for t in texts)
    # a meeting in twelve days brings the step due in ten into view
    later = brief_of(camden, "BL", meeting=TODAY + timedelta(days=12))
    due = [w.text for w in later.watch_outs if w.kind == "due_before_meeting"]
    assert len(due) == 1 and "Follow up with their comms team" in due[0]


def test_asks_are_ranked_with_reasons_in_the_partners_terms(camden):
    b = brief_of(camden, "BL")
    with camden.reader() as s:
        roles = {r.key: r for r in missions.list_roles(s)}
    assert [a.rank for a in b.asks] == [1, 2, 3]
    top = b.asks[0]
    # Cara said so at the summit, and two other businesses made research commitments
    assert top.role == "research" and top.mission == "food"
    assert any("Cara Wu expressed interest in this role" in w for w in top.why)
    # what she said about the role leads; the mission she named comes straight after it
    assert top.why[0].startswith("Cara Wu expressed interest in this role at ")
    assert top.why[1].startswith("Cara Wu showed interest in the Food mission at ")
    assert any("2 other businesses made research commitments" in w for w in top.why)
    assert "advocate" not in [a.role for a in b.asks]  # already held
    for a in b.asks:
        assert a.ask_of_partner == roles[a.role].ask_of_partner
        assert a.value_for_partner == roles[a.role].value_for_partner
        assert a.why


def test_asks_date_what_was_said_as_the_rest_of_the_brief_does(camden):
    """'(23 Sep)' in the brief's year, '(18 Oct 2025)' before it; the same in Markdown and HTML."""
    summit_day = ago(60)  # 23 Sep 2026, the brief's year
    top = brief_of(camden, "BL").asks[0]
    said = "at We Make Camden Summit 2026 (23 Sep)"
    assert top.why[0].endswith(said)
    assert top.why[1].endswith(f"{said}, with no commitment to it yet")
    assert not any(f"{summit_day:%Y}" in w.replace("Summit 2026", "") for w in top.why)
    html = render_html(brief_of(camden, "BL"))
    for text in (render_markdown(brief_of(camden, "BL")), html):
        assert f"Cara Wu expressed interest in this role {said}" in text
        assert f"Cara Wu showed interest in the Food mission {said}, with" in text
        assert "2026-09-23" not in text and "23 Sep 2026" not in text
    # interest shown in an earlier year keeps its year, as every other date does
    with camden.transaction() as s:
        bl = organisations.find_organisation(s, "BL")
        old = events.add_event(s, "Anchor Roundtable Autumn 2025", "roundtable", ago(400))
        dan = contacts.add_contact(s, "Dan Reyes", "dan@bl.example", bl)
        events.record_attendance(
            s,
            old,
            dan,
            missions=[missions.find_mission(s, "estates")],
            roles=[missions.find_role(s, "recognition")],
        )
    whys = [w for a in brief_of(camden, "BL").asks for w in a.why if "Dan Reyes" in w]
    assert whys and all(w.endswith("(18 Oct 2025)") or "(18 Oct 2025), with" in w for w in whys)


def test_a_partner_with_no_history_still_gets_a_useful_brief(camden):
    b = brief_of(camden, "Camden Giving")
    assert b.organisation.stage == "prospect" and b.conversations == [] and b.watch_outs == []
    assert [a.role for a in b.asks] == ["recognition", "advocate", "sponsorship"]
    text = render_markdown(b)
    assert "No conversations yet." in text
    assert "### 1. Invite them to take the Recognition of action role" in text
    assert "No conversations yet." in render_html(b)


def test_archived_organisations_get_no_brief_and_are_not_in_the_room(camden):
    with camden.transaction() as s:
        organisations.set_archived(s, organisations.find_organisation(s, "Google"), True)
    with camden.reader() as s:
        with pytest.raises(Invalid, match="Google is archived; restore it to brief on it$"):
            build_brief(s, organisations.find_organisation(s, "Google"), today=TODAY)
        summit = events.find_event(s, "summit")
        assert [o.name for o in organisations_at_event(s, summit)] == ["British Land"]
    # nor do archived peers count as "other businesses" behind an ask
    top = brief_of(camden, "BL").asks[0]
    assert any(
        "1 other business made research commitments (for example Arup)" in w for w in top.why
    )


def test_a_crowd_at_an_event_is_named_briefly_and_counted(db):
    with db.transaction() as s:
        org = organisations.add_organisation(s, "Crowded House", "culture")
        people = [
            contacts.add_contact(s, f"Person {c}", None, org, job_title="Officer", new=True)
            for c in "HGFEDCBA"
        ]
        boss = contacts.add_contact(s, "Zara Quinn", None, org, job_title="Chief Executive")
        summit = events.add_event(s, "Summit", "summit", ago(30))
        for person in people:
            events.record_attendance(s, summit, person)
        events.record_attendance(s, summit, boss, role="speaker")
        for k in range(7):
            roundtable = events.add_event(s, f"Roundtable {k}", "roundtable", ago(40 + 10 * k))
            events.record_attendance(s, roundtable, boss)
        org_id = org.id
    with db.reader() as s:
        b = build_brief(s, s.get(m.Organisation, org_id), today=TODAY)
    assert len(b.events) == 6 and b.glance.events == 8
    seen = b.events[0]
    assert seen.people == [
        "Zara Quinn (speaker)",
        "Person A",
        "Person B",
        "Person C",
        "Person D",
        "Person E",
    ]
    assert seen.others == 3
    assert b.glance.contacts == 9
    # a chief executive counts as senior even unflagged; then the most recently engaged
    assert [(p.name, p.why) for p in b.contacts][:2] == [
        ("Zara Quinn", "senior"),
        ("Person A", "recently engaged"),
    ]
    assert "and 3 more" in render_markdown(b) and "and 3 more" in render_html(b)
    assert "…and 2 more events." in render_markdown(b)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data.strip())
            self._in_h2 = False


def test_html_is_one_self_contained_escaped_page(db):
    hostile = "<script>alert(1)</script>"
    with db.transaction() as s:
        lead = colleagues.add_colleague(s, "Ruth <b>Craven</b>", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, hostile, "business", lead=lead)
        org.website = "javascript:alert(1)"  # as if it came in around the service's check
        conv = conversations.log_conversation(
            s, org, lead, subject='"><img src=x onerror=alert(2)>', on=ago(3)
        )
        steps.add_step(s, conv, "<iframe src=//evil>", lead, ago(1), confirm=True)
    with db.reader() as s:
        page = render_html(build_brief(s, s.get(m.Organisation, org.id), today=TODAY))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower() and "<iframe" not in page and "<img" not in page
    assert "Ruth &lt;b&gt;Craven&lt;/b&gt;" in page
    assert (
        'href="javascript' not in page.lower() and "javascript:alert(1)" in page
    )  # shown, not linked

    parsed = _Page()
    parsed.feed(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("html") == tags.count("body") == tags.count("style") == 1
    assert not any(t in ("script", "link", "img", "iframe") for t in tags)
    assert not any(
        "src" in attrs or (t == "a" and attrs.get("href", "").startswith(("javascript", "data")))
        for t, attrs in parsed.tags
    )
    assert "@import" not in page and "url(" not in page  # nothing fetched over the network
    assert "@page" in page and "@media print" in page
    assert parsed.h2[:3] == ["The ask", "Watch-outs", "Key people"]


def test_html_links_a_real_website(camden):
    page = render_html(brief_of(camden, "BL"))
    assert '<a href="https://www.britishland.com"' in page


def test_markdown_has_tables_and_no_empty_sections(camden):
    with camden.transaction() as s:
        org = organisations.find_organisation(s, "BL")
        organisations.add_alias(s, org, "BL | Regent's Place *North*")
    text = render_markdown(brief_of(camden, "BL"))
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## At a glance",
        "## The ask",
        "## Watch-outs",
        "## Key people",
        "## Ambassador roles",
        "## Live conversations",
        "## Commitments",
        "## Events (last three years)",
        "## Colleagues in contact",
    ]
    for block in re.split(r"^## .*$", text, flags=re.M)[1:]:
        assert block.strip(), "a section with nothing in it"
    # every table row has as many cells as its header
    for table in re.findall(r"((?:^\|.*\|\n)+)", text, flags=re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table
    assert r"BL \| Regent's Place \*North\*" in text
    assert "> Twenty-two Year 10 students" in text


def _bulk_history(s, org: m.Organisation, lead: m.Colleague, n: int) -> None:
    """`n` conversations with touchpoints, steps and commitments, inserted in bulk."""
    contact = contacts.add_contact(s, f"Person at {org.name}", None, org, job_title="Director")
    mission = missions.find_mission(s, "food")
    stages = ["initiated", "exploring", "committed", "parked", "declined"]
    rows = [
        {
            "organisation_id": org.id,
            "lead_id": lead.id,
            "ask_kind": "hosting",
            "subject": f"Thread {i}",
            "stage": stages[i % 5],
            "started_on": ago(1000 - i),
            "last_touch_on": ago(900 - i),
            "archived": i % 50 == 10,
        }
        for i in range(n)
    ]
    ids = s.scalars(
        insert(m.Conversation).returning(m.Conversation.id, sort_by_parameter_order=True), rows
    ).all()
    s.execute(
        insert(m.conversation_contact),
        [{"conversation_id": i, "contact_id": contact.id} for i in ids],
    )
    s.execute(
        insert(m.conversation_mission),
        [{"conversation_id": i, "mission_id": mission.id} for i in ids],
    )
    s.execute(
        insert(m.Touchpoint),
        [
            {
                "conversation_id": i,
                "happened_on": ago(900 - k),
                "channel": "meeting",
                "colleague_id": lead.id,
                "contact_id": contact.id,
            }
            for k, i in enumerate(ids)
            for _ in range(2)
        ],
    )
    s.execute(
        insert(m.Step),
        [
            {
                "conversation_id": i,
                "description": f"Step {k}",
                "owner_id": lead.id,
                "due_on": ago(k % 40 - 20),
                "done_on": ago(1) if k % 3 == 0 else None,
            }
            for k, i in enumerate(ids)
        ],
    )
    committed = [i for k, i in enumerate(ids) if stages[k % 5] == "committed"]
    statuses = ["agreed", "in_progress", "delivered", "lapsed"]
    commitment_ids = s.scalars(
        insert(m.Commitment).returning(m.Commitment.id, sort_by_parameter_order=True),
        [
            {
                "organisation_id": org.id,
                "conversation_id": i,
                "kind": "hosting",
                "status": statuses[k % 4],
                "agreed_on": ago(800 - k),
                "due_on": ago(k % 30 - 10),
                "closed_on": ago(700 - k) if statuses[k % 4] in ("delivered", "lapsed") else None,
            }
            for k, i in enumerate(committed)
        ],
    ).all()
    deliveries = [
        {
            "commitment_id": c,
            "delivered_on": ago(700 - k),
            "people": 3,
            "gbp": 100,
            "story": f"Story {k}",
        }
        for k, c in enumerate(commitment_ids)
        if statuses[k % 4] == "delivered"
    ]
    if deliveries:
        s.execute(insert(m.Delivery), deliveries)


def test_statements_per_brief_do_not_grow_with_history(db):
    with db.transaction() as s:
        lead = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        small = organisations.add_organisation(s, "Small History", "culture", lead=lead)
        big = organisations.add_organisation(s, "Long History", "culture", lead=lead)
        _bulk_history(s, small, lead, 5)
        _bulk_history(s, big, lead, 500)
        ids = {"small": small.id, "big": big.id}

    def statements(org_id: int) -> tuple[int, object]:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        queries._sectors.clear()  # count the sector's statement too: the cold case
        with db.reader() as s:
            org = s.get(m.Organisation, org_id)
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                made = build_brief(s, org, today=TODAY)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), made

    n_small, small_brief = statements(ids["small"])
    n_big, big_brief = statements(ids["big"])
    # the histories really differ in size, and the brief shows it
    assert small_brief.glance.conversations == 5
    assert big_brief.glance.conversations == 490 and big_brief.glance.open_conversations == 190
    assert len(big_brief.conversations) == 8 and big_brief.glance.commitments_delivered == 25
    print(f"statements per brief: {n_small} (5 conversations), {n_big} (500)")
    assert n_small == n_big
    # each statement is a round trip to PostgreSQL, so there collections join their statement
    assert n_big <= (20 if db.engine.dialect.name == "postgresql" else 24)


# ---------------------------------------------------------------- the command


def test_cli_brief_prints_markdown_when_piped_and_json_on_request(camden, cli):
    out = cli.ok("brief", "BL").stdout
    assert out.startswith("# Brief: British Land\n")
    data = json.loads(cli.ok("brief", "british land", "--format", "json").stdout)
    assert list(data)[: len(SECTIONS)] == SECTIONS
    assert (
        json.loads(cli.ok("brief", "BL", "--json").stdout)["organisation"]["name"] == "British Land"
    )
    text = cli.ok("brief", "BL", "--format", "text", "--meeting", "24/11/2026").stdout
    assert "THE ASK" in text and "Tuesday 24 November 2026" in text


def test_cli_terminal_brief_dates_as_the_markdown_does(camden, cli):
    """On a terminal as on paper: the summit is '23 Sep' in the brief's year, in its events
    table and in the ask's reasons alike."""
    text = " ".join(cli.ok("brief", "BL", "--format", "text").stdout.split())
    summit = labels.day(ago(60), date.today())
    assert f"at We Make Camden Summit 2026 ({summit})" in text
    assert f"{summit} We Make Camden Summit 2026" in text
    markdown = cli.ok("brief", "BL", "--format", "md").stdout
    assert f"| {summit} | We Make Camden Summit 2026" in markdown


def test_cli_brief_writes_a_file_in_the_format_its_name_says(camden, cli, tmp_path):
    target = tmp_path / "bl.html"
    result = cli.ok("brief", "BL", "--out", str(target), "--for", "Ruth")
    assert result.stdout == ""
    page = target.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "for Ruth Craven" in page


def test_cli_event_writes_a_brief_per_organisation_and_an_index(camden, cli, tmp_path):
    out = tmp_path / "room"
    result = cli.ok("brief", "--event", "summit", "--out-dir", str(out))
    assert "Wrote 2 briefs for We Make Camden Summit 2026" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "british-land.html",
        "google.html",
        "index.html",
    ]
    index = (out / "index.html").read_text("utf-8")
    assert '<a href="british-land.html">British Land</a>' in index
    cli.ok("brief", "--event", "summit", "--out-dir", str(tmp_path / "md"), "--format", "md")
    assert "[Google](<google.md>)" in (tmp_path / "md" / "index.md").read_text("utf-8")


REFUSALS = [
    ((), 2, "name an organisation"),
    (("--event", "summit"), 2, "--event needs --out-dir"),
    (("BL", "--event", "summit", "--out-dir", "x"), 2, "either ORG or --event"),
    (("--event", "summit", "--out-dir", "x", "--format", "json"), 2, "md or html"),
    (("Nobody Ltd",), 1, "no organisation matches 'Nobody Ltd'"),
    (("BL", "--meeting", "soonish"), 1, "meeting date 'soonish' is not a date"),
]


def test_cli_brief_refuses_with_one_sentence(camden, cli):
    for args, code, message in REFUSALS:
        result = cli("brief", *args)
        assert result.exit_code == code, args
        assert message in result.stderr, args
        assert "Traceback" not in result.output


def test_peer_evidence_is_current_after_a_commitment_is_recorded(db):
    """A brief read, then a commitment recorded, then a brief again: the peers are counted anew."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        alpha = organisations.add_organisation(s, "Alpha Ltd", "business")
        beta = organisations.add_organisation(s, "Beta Ltd", "business")
        talk = conversations.log_conversation(s, beta, ruth, on=ago(30), subject="a first talk")
        commitments.add_commitment(s, talk, "research", on=ago(20), nothing_promised=True)
        alpha_id = alpha.id

    def peer_reasons() -> list[str]:
        with db.reader() as s:
            brief = brief_dict(build_brief(s, s.get(m.Organisation, alpha_id), today=TODAY))
        return [w for a in brief["asks"] for w in a["why"] if "made research commitments" in w]

    assert peer_reasons() == ["1 other business made research commitments (for example Beta Ltd)"]
    with db.transaction() as s:
        talk = conversations.log_conversation(
            s, s.get(m.Organisation, alpha_id), ruth, on=ago(10), subject="a first talk"
        )
        commitments.add_commitment(s, talk, "research", on=ago(5), nothing_promised=True)
    assert peer_reasons() == ["1 other business made research commitments (for example Beta Ltd)"]
