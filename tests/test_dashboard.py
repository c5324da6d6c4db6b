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


def test_acting_as_someone_who_is_not_a_colleague_is_refused(cli):
    # (a database with no colleagues at all is being set up: its login is on the record)
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    result = cli("dashboard", actor="someone-unknown")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: 'someone-unknown' is not a colleague in this database: act as an existing "
        "colleague (their name or email)"
    )


def test_as_names_a_colleague_as_every_colleague_option_does(cli):
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    assert cli.json("dashboard", actor="ruth")["colleague"] == "Ruth Craven"
    assert cli.json("dashboard", actor="RUTH@camden.gov.uk")["colleague"] == "Ruth Craven"
    cli.ok("colleague", "add", "Ruth Smith", "--email", "ruth.smith@camden.gov.uk")
    two_ruths = cli("dashboard", actor="ruth")
    assert two_ruths.exit_code == 1 and "'ruth' names more than one colleague" in two_ruths.stderr


def test_one_read_model_decides_stale_this_month_and_open(db):
    """`reports.dashboard` is what the CLI and the TUI render: the rules live there once."""
    from partnercrm import colleagues, commitments, conversations, organisations, reports, steps

    today = date(2026, 2, 14)
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        edge = conversations.log_conversation(
            s, org, ruth, on=today - timedelta(days=30), subject="a first talk"
        )
        conversations.log_conversation(
            s, org, ruth, on=today - timedelta(days=29), subject="a first talk"
        )
        conversations.set_stage(s, edge, "exploring", on=today - timedelta(days=30))
        steps.add_step(
            s, edge, "This week's last day", ruth, today + timedelta(days=6), confirm=True
        )
        steps.add_step(s, edge, "Next week", ruth, today + timedelta(days=7), confirm=True)
        for due in (date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 1)):
            conv = conversations.log_conversation(
                s, org, ruth, on=date(2026, 1, 1), subject="a first talk"
            )
            commitments.add_commitment(
                s,
                conv,
                "hosting",
                due=due,
                on=date(2026, 1, 1),
                confirm=True,
                nothing_promised=True,
            )
        conversations.add_touchpoint(s, conv, on=today)
    with db.reader() as s:
        board = reports.dashboard(s, ruth, today)
        assert board.stale_days == reports.STALE_DAYS == 30
        assert [r.conversation_id for r in board.stale.rows] == [edge.id]  # 30 days, not 29
        assert board.month == (date(2026, 2, 1), date(2026, 2, 28))
        assert [c.due for c in board.commitments_due] == [date(2026, 2, 1), date(2026, 2, 28)]
        assert board.open_conversations == 2  # one initiated, one exploring; four committed
        assert [x.description for x in board.my_steps.this_week] == ["This week's last day"]
        only = reports.dashboard(s, None, today, parts=["stale"], limit=1)
        assert (only.stale.total, only.pipeline, only.my_steps) == (1, {}, None)


def test_stale_is_one_number_wherever_it_is_shown():
    """The dashboard, the stale report (library and command line) and the digest's cold
    conversations: one `reports.STALE_DAYS`. The CLI spells its default out, so `--help`
    loads no SQLAlchemy; this says when the two part."""
    import inspect

    from cli.report import stale_
    from partnercrm import digest, reports

    days = next(p for p in stale_.params if p.name == "days")
    assert days.default == reports.STALE_DAYS
    assert inspect.signature(reports.stale).parameters["days"].default == reports.STALE_DAYS
    assert digest.COLD_DAYS == reports.STALE_DAYS


def test_counts_by_stage_read_one_index_not_every_conversation(db):
    """The dashboard's stage counts and its count of stale conversations read the
    conversations' (stage, archived, organisation, last touch) index alone: at 200,000
    conversations, looking up every row to see it is not archived took most of their time."""
    import pytest
    from sqlalchemy import event

    from partnercrm import reports

    if not db.is_sqlite:
        pytest.skip("the plan is SQLite's (EXPLAIN QUERY PLAN)")
    counted: list[tuple[str, tuple]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT count(") or "count(*)" in statement.split("FROM")[0]:
            counted.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.reader() as s, s.begin():
            reports.dashboard(s, None, date.today(), parts=("pipeline", "stale"), limit=50)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(counted) == 2  # the counts by stage, and the stale total
    with db.engine.connect() as conn:
        for statement, parameters in counted:
            plan = " ".join(
                str(row[-1])
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert "COVERING INDEX ix_conversation_stage_live" in plan, plan
