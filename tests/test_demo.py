"""The demo data set: what it loads, that it loads once, and that it shows every stage and status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from partnercrm import (
    commitments,
    conversations,
    demo,
    events,
    organisations,
    steps,
)
from partnercrm import models as m
from partnercrm.database import open_database
from tests.conftest import BACKENDS, fresh_database_url

TODAY = date(2026, 3, 2)

# under pytest-xdist (`make test`) these tests run on one worker, so `loaded` is loaded once
pytestmark = pytest.mark.xdist_group("demo")


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory, sqlite_template):
    """The demo loaded once per backend on TODAY by "tester", for the tests that read it (a
    load takes seconds); (the database, what the load returned)."""
    folder = tmp_path_factory.mktemp("demo")
    with fresh_database_url(request.param, folder, sqlite_template) as url:
        database = open_database(url, actor="tester")
        with database.transaction() as s:
            summary = demo.load_demo(s, today=TODAY)
        yield database, summary
        database.dispose()


@pytest.fixture
def db(loaded):
    return loaded[0]


def test_demo_loads_the_reports_partners_and_a_year_of_work(loaded) -> None:
    db, summary = loaded
    assert summary["already_loaded"] is False
    with db.reader() as s:
        assert summary["organisations"] == _count(s, m.Organisation) == len(demo.PARTNERS)
        assert summary["colleagues"] == _count(s, m.Colleague) == len(demo.COLLEAGUES)
        assert summary["conversations"] == _count(s, m.Conversation) == len(demo.THREADS)
        assert summary["contacts"] == _count(s, m.Contact) >= 40
        assert summary["touchpoints"] == _count(s, m.Touchpoint) > summary["conversations"]
        assert summary["attendances"] == _count(s, m.Attendance) > 50
        ucl = organisations.find_organisation(s, "University College London")
        assert ucl.name == "UCL" and ucl.anchor and ucl.sector == "higher_education"
        assert organisations.find_organisation(s, "arsenal fc").name == "Arsenal F.C."
        # three summits with their hosts, and roundtables twice a year since 2023
        summits = {e["name"]: e["host"] for e in events.list_events(s) if e["kind"] == "summit"}
        assert summits == {
            "We Make Camden Summit 2022": "UCL",
            "We Make Camden Summit 2023": "Wellcome Collection",
            "We Make Camden Summit 2024": "University of London Senate House",
        }
        roundtables = [e for e in events.list_events(s) if e["kind"] == "roundtable"]
        assert len(roundtables) == 6  # spring and autumn 2023, 2024, 2025; spring 2026 not yet
        assert all(date.fromisoformat(e["date"]) <= TODAY for e in roundtables)
        summit = events.event_detail(s, events.find_event(s, "We Make Camden Summit 2024"))
        keen = {i["organisation"] for i in summit["interest"] if i["roles"]}
        assert keen == set(demo.SUMMIT_2024_INTEREST)
        # every conversation's last touch is its latest touchpoint
        latest = dict(
            s.execute(
                select(m.Touchpoint.conversation_id, func.max(m.Touchpoint.happened_on)).group_by(
                    m.Touchpoint.conversation_id
                )
            ).all()
        )
        for conv in s.scalars(select(m.Conversation)):
            assert conv.last_touch_on == latest[conv.id]
            assert conv.last_touch_on <= TODAY


def test_demo_has_every_stage_and_status(db) -> None:
    with db.reader() as s:
        orgs = {o.name: o.id for o in s.scalars(select(m.Organisation))}
        stages = organisations.relationship_stages(s, list(orgs.values()))
        by_name = {name: stages[i].value for name, i in orgs.items()}
        assert set(by_name.values()) == {st.value for st in m.RelationshipStage}
        assert by_name["Camden Giving"] == "sustain"
        assert by_name["Google"] == "grow"
        assert by_name["Francis Crick Institute"] == "convert"
        assert by_name["Phoenix Court Works"] == "initiate"
        assert by_name["Meta"] == "prospect"
        assert {c.stage for c in s.scalars(select(m.Conversation))} == {st.value for st in m.Stage}
        assert {c.status for c in s.scalars(select(m.Commitment))} == {
            st.value for st in m.CommitmentStatus
        }
        assert {a.status for a in s.scalars(select(m.Ambassadorship))} == {
            st.value for st in m.AmbassadorStatus
        }
        # committed conversations carry the date of that move; delivered ones have stories
        google = organisations.find_organisation(s, "Google")
        ai = [
            c
            for c in commitments.list_commitments(s, organisation=google)
            if c.kind == "sponsorship_in_kind"
        ]
        assert ai[0].status == "in_progress" and ai[0].deliveries[0].story
        conv = conversations.get_conversation(s, ai[0].conversation_id)
        moves = [(sc.to_stage, sc.changed_on) for sc in conversations.stage_changes(s, conv)]
        assert moves[0][0] == "initiated" and moves[-1] == ("committed", ai[0].agreed_on)
        stories = [d.story for d in s.scalars(select(m.Delivery)) if d.story]
        assert any("Euston Tower" in story for story in stories)
        assert any("Hilgrove" in story for story in stories)


def test_steps_are_overdue_and_due_this_week_relative_to_today(db) -> None:
    with db.reader() as s:
        overdue = steps.list_steps(s, overdue=True, today=TODAY)
        this_week = steps.list_steps(s, due_before=TODAY + timedelta(days=7), today=TODAY)
        assert len(overdue) >= 3
        assert len([st for st in this_week if st.due_on >= TODAY]) >= 3
        assert s.scalar(select(func.count()).where(m.Step.done_on.is_not(None))) >= 3


def test_running_the_demo_twice_adds_nothing(db) -> None:
    with db.reader() as s:
        before = {name: _count(s, model) for name, model in demo._COUNTED.items()}
        history = _count(s, m.HistoryEntry)
    with db.transaction() as s:
        again = demo.load_demo(s)
    assert again["already_loaded"] is True
    assert all(again[name] == 0 for name in demo._COUNTED)
    with db.reader() as s:
        assert {name: _count(s, model) for name, model in demo._COUNTED.items()} == before
        assert _count(s, m.HistoryEntry) == history


def test_demo_is_recorded_in_the_audit_trail_as_the_acting_user(db) -> None:
    with db.reader() as s:
        actors = set(
            s.scalars(
                select(m.HistoryEntry.actor).where(m.HistoryEntry.entity != "mission").distinct()
            )
        )
        created = s.scalar(
            select(func.count()).where(
                m.HistoryEntry.entity == "organisation", m.HistoryEntry.action == "create"
            )
        )
    assert actors <= {"tester", "tests"}  # "tests" made the template's missions and roles
    assert "tester" in actors
    assert created == len(demo.PARTNERS)


def test_the_demo_command_loads_once_and_says_so(cli) -> None:
    first = cli.ok("demo")
    assert first.stdout.startswith("Loaded: 7 colleagues, 20 organisations")
    again = cli.json("demo")
    assert again["already_loaded"] is True and again["organisations"] == 0
    partners = cli.json("partner", "list")
    assert len(partners) == len(demo.PARTNERS)
    shown = cli.json("partner", "show", "University College London")
    assert shown["name"] == "UCL" and shown["stage"] == "grow"


def test_make_run_acting_as_the_demo_lead_loads_a_new_database_then_acts_as_her(cli) -> None:
    # `make run` sets PARTNERCRM_USER to the demo's lead before the demo has made her
    first = cli("demo", actor="Ruth Craven")
    assert first.exit_code == 0, first.output + first.stderr
    assert first.stdout.startswith("Loaded: 7 colleagues")
    shown = cli.json("dashboard", actor="Ruth Craven")
    assert shown["acting_as"] == "Ruth Craven"
    refused = cli("dashboard", actor="Nobody Atall")
    assert refused.exit_code == 1
    assert "'Nobody Atall' is not a colleague in this database" in refused.stderr
