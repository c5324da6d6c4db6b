"""`partnercrm dashboard`: the summary `make run` prints, from the report functions."""

from __future__ import annotations

from datetime import date, timedelta


def test_dashboard_shows_my_steps_stale_and_due(cli):
    today = date.today()
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    cli.ok("partner", "add", "Roundhouse", "--sector", "culture")
    old = cli.ok(
        "conversation",
        "log",
        "Roundhouse",
        "--lead",
        "ruth",
        "--date",
        (today - timedelta(days=40)).isoformat(),
        "--subject",
        "the venue offer",
    ).stdout.strip()
    cli.ok(
        "step",
        "add",
        old,
        "Chase the venue offer",
        "--owner",
        "ruth",
        "--due",
        (today - timedelta(days=3)).isoformat(),
        "--yes",
    )
    fresh = cli.ok(
        "conversation", "log", "Roundhouse", "--lead", "ruth", "--ask", "hosting"
    ).stdout.strip()
    cli.ok(
        "commitment",
        "add",
        fresh,
        "--kind",
        "hosting",
        "--due",
        today.isoformat(),
        "--beneficiary",
        "Camden schools",
    )

    data = cli.json("dashboard", actor="Ruth Craven")
    assert data["colleague"] == "Ruth Craven"
    assert data["pipeline"]["initiated"] == 1 and data["pipeline"]["committed"] == 1
    assert [s["description"] for s in data["my_steps"]["overdue"]] == ["Chase the venue offer"]
    assert data["stale"]["total"] == 1
    assert [c["kind"] for c in data["commitments_due"]] == ["hosting"]

    text = cli.ok("dashboard", actor="Ruth Craven").stdout
    assert "Warm conversations: 1 open (initiated 1, exploring 0); committed 1" in text
    assert "3 days overdue" in text and "Chase the venue offer" in text
    assert "No touch in 30+ days: 1" in text


def test_dashboard_asks_who_you_are(cli):
    text = cli.ok("dashboard", actor="someone-unknown").stdout
    assert "'someone-unknown' is not one colleague's name. Say who you are with --as NAME" in text


def test_as_names_a_colleague_as_every_colleague_option_does(cli):
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    assert cli.json("dashboard", actor="ruth")["colleague"] == "Ruth Craven"
    assert cli.json("dashboard", actor="RUTH@camden.gov.uk")["colleague"] == "Ruth Craven"
    cli.ok("colleague", "add", "Ruth Smith", "--email", "ruth.smith@camden.gov.uk")
    assert cli.json("dashboard", actor="ruth")["colleague"] is None  # two Ruths: nobody
