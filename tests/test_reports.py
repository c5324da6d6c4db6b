"""Reports: a small data set built by hand through the services, and the exact figures of each report.

The data (today is 10 June 2025):

conversation  organisation   lead  missions              story
c1            Acme           Ana   diversity             1 Jan -> committed 11 Jan (10 days); delivered twice
c2            Uni (anchor)   Ben   diversity, young      1 Jan -> committed 1 Feb (31 days); GBP 5,000 promised, due 30 Jun
c3            Uni            Ben   young                 1 Feb -> exploring 10 Feb -> declined 1 Mar
c4            Charity        Ana   food                  1 Mar -> parked 1 Apr
c5            Acme           Ana   food                  1 Apr -> exploring 15 Apr; touched 10 May (open)
c6            Charity        Ben   -                     1 May (open, never touched again)
c7            Acme           Ben   young                 1 Feb -> committed 2 Apr (60 days); lapsed 1 Jun
c8            Gone (archived organisation): committed and delivered; must never count
c9            Acme (archived conversation): must never count
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from partnercrm import ambassadors, colleagues, commitments, conversations, missions, organisations
from partnercrm import steps as step_service
from partnercrm.csv_export import csv_text, neutralise
from partnercrm.reports import (
    Filters,
    activity,
    commitments_due,
    coverage,
    impact,
    overdue,
    pipeline,
    sectors,
    stage_counts,
    stale,
    steps_for,
)

TODAY = date(2025, 6, 10)


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def known(db):
    """The data set above, committed; returns the ids the tests need."""
    with db.transaction() as s:
        ana = colleagues.add_colleague(s, "Ana Lead", "ana@camden.gov.uk")
        ben = colleagues.add_colleague(s, "Ben Owner", "ben@camden.gov.uk")
        mi = {x.key: x for x in missions.list_missions(s)}
        role = {x.key: x for x in missions.list_roles(s)}
        acme = organisations.add_organisation(s, "Acme", "business", lead=ana)
        uni = organisations.add_organisation(s, "Uni", "higher_education", anchor=True, lead=ben)
        charity = organisations.add_organisation(s, "Charity", "vcs")
        gone = organisations.add_organisation(s, "Gone", "business", lead=ana)

        def talk(org, lead, ms, on):
            return conversations.log_conversation(
                s, org, lead, missions=ms, on=d(on), subject="a first talk"
            )

        c1 = talk(acme, ana, [mi["diversity"]], "2025-01-01")
        k1 = commitments.add_commitment(
            s,
            c1,
            "opportunities",
            opportunities=10,
            people=20,
            due=d("2025-06-30"),
            on=d("2025-01-11"),
            confirm=True,
        )
        commitments.deliver(
            s,
            k1,
            opportunities=4,
            people=8,
            partial=True,
            on=d("2025-03-01"),
            story="Four placements =SUM(A1)",
        )
        commitments.deliver(
            s,
            k1,
            opportunities=5,
            people=9,
            gbp="250.50",
            hours=12,
            on=d("2025-05-01"),
            story="Nine more young people",
        )

        c2 = talk(uni, ben, [mi["diversity"], mi["young_people"]], "2025-01-01")
        k2 = commitments.add_commitment(
            s,
            c2,
            "sponsorship_financial",
            gbp=5000,
            due=d("2025-06-30"),
            on=d("2025-02-01"),
            confirm=True,
        )

        c3 = talk(uni, ben, [mi["young_people"]], "2025-02-01")
        conversations.set_stage(s, c3, "exploring", on=d("2025-02-10"))
        conversations.set_stage(s, c3, "declined", on=d("2025-03-01"))

        c4 = talk(charity, ana, [mi["food"]], "2025-03-01")
        conversations.set_stage(s, c4, "parked", on=d("2025-04-01"))

        c5 = talk(acme, ana, [mi["food"]], "2025-04-01")
        conversations.set_stage(s, c5, "exploring", on=d("2025-04-15"))
        conversations.add_touchpoint(s, c5, on=d("2025-05-10"), channel="call", colleague=ana)

        c6 = talk(charity, ben, [], "2025-05-01")

        c7 = talk(acme, ben, [mi["young_people"]], "2025-02-01")
        k3 = commitments.add_commitment(
            s, c7, "hosting", people=30, due=d("2025-06-15"), on=d("2025-04-02"), confirm=True
        )
        commitments.lapse(s, k3, on=d("2025-06-01"))

        c8 = talk(gone, ana, [mi["diversity"]], "2025-01-01")
        k8 = commitments.add_commitment(
            s,
            c8,
            "opportunities",
            opportunities=100,
            due=d("2025-06-20"),
            on=d("2025-01-05"),
            confirm=True,
        )
        commitments.deliver(
            s,
            k8,
            opportunities=100,
            people=100,
            gbp=100,
            on=d("2025-03-01"),
            story="Archived story",
        )
        c9 = talk(acme, ana, [mi["diversity"]], "2025-03-01")
        k9 = commitments.add_commitment(
            s,
            c9,
            "recognition",
            due=d("2025-06-25"),
            on=d("2025-03-05"),
            confirm=True,
            nothing_promised=True,
        )
        commitments.deliver(s, k9, people=7, on=d("2025-03-20"), story="Archived thread")

        s1 = step_service.add_step(s, c5, "Send the proposal", ana, d("2025-05-20"), confirm=True)
        s2 = step_service.add_step(s, c5, "Book the site visit", ben, d("2025-06-01"), confirm=True)
        s3 = step_service.add_step(s, c6, "Call back", ana, d("2025-06-12"), confirm=True)
        s4 = step_service.add_step(s, c1, "Thank them", ana, d("2025-01-20"), confirm=True)
        step_service.complete_step(s, s4, on=d("2025-01-15"))
        step_service.add_step(s, c8, "Archived step", ana, d("2025-02-01"), confirm=True)
        step_service.add_step(s, c9, "Archived thread step", ana, d("2025-02-01"), confirm=True)
        s6 = step_service.add_step(s, c4, "Write up", ben, d("2025-03-15"), confirm=True)
        step_service.complete_step(s, s6, on=d("2025-03-20"))

        ambassadors.enrol(
            s,
            acme,
            role["recognition"],
            mission=mi["diversity"],
            status="active",
            since=d("2025-02-01"),
        )
        ambassadors.enrol(
            s,
            uni,
            role["research"],
            mission=mi["diversity"],
            status="active",
            since=d("2025-02-01"),
        )
        ambassadors.enrol(
            s,
            uni,
            role["advocate"],
            mission=mi["young_people"],
            status="onboarding",
            since=d("2025-03-01"),
        )
        ambassadors.enrol(s, charity, role["advocate"], status="active", since=d("2025-03-01"))
        ambassadors.enrol(
            s, gone, role["sponsorship"], mission=mi["food"], status="active", since=d("2025-03-01")
        )
        ended = ambassadors.enrol(
            s, acme, role["sponsorship"], mission=mi["food"], status="active", since=d("2025-01-01")
        )
        ambassadors.set_status(s, ended, "ended", on=d("2025-04-01"))

        organisations.set_archived(s, gone, True)
        conversations.set_archived(s, c9, True)
        ids = {
            "ana": ana.id,
            "ben": ben.id,
            "k2": k2.id,
            "s1": s1.id,
            "s2": s2.id,
            "s3": s3.id,
            "c5": c5.id,
            "c6": c6.id,
            "young_people": mi["young_people"].id,
        }
    return ids


def read(db, report, *args, **kw):
    with db.reader() as s, s.begin():
        return report(s, *args, **kw)


# pipeline ---------------------------------------------------------------------------------


def test_pipeline_all_time(db, known):
    p = read(db, pipeline)
    assert p.total.stages == {
        "initiated": 1,
        "exploring": 1,
        "committed": 3,
        "parked": 1,
        "declined": 1,
    }
    assert (p.total.total, p.total.open) == (7, 2)
    assert p.total.conversion_rate == 0.6  # 3 / (3 + 1 + 1)
    assert p.total.commitments_timed == 3
    assert (p.total.median_days, p.total.p80_days) == (31.0, 48.4)  # 10, 31, 60 days
    assert p.total.moved == 6
    assert read(db, stage_counts) == p.total.stages
    by = {line.mission: line for line in p.missions}
    assert list(by) == ["diversity", "young_people", "food", "estates"]
    assert by["diversity"].stages["committed"] == 2 and by["diversity"].total == 2
    assert (by["diversity"].median_days, by["diversity"].p80_days) == (20.5, 26.8)
    assert by["diversity"].conversion_rate == 1.0
    young = by["young_people"]
    assert (young.stages["committed"], young.stages["declined"], young.total) == (2, 1, 3)
    assert young.conversion_rate == 0.6667
    assert (young.median_days, young.p80_days, young.moved) == (45.5, 54.2, 3)
    food = by["food"]
    assert (food.stages["parked"], food.stages["exploring"]) == (1, 1)
    assert (food.conversion_rate, food.median_days, food.moved) == (0.0, None, 2)
    assert (by["estates"].total, by["estates"].conversion_rate) == (0, None)


def test_pipeline_in_a_period(db, known):
    p = read(db, pipeline, Filters(since=d("2025-02-01"), until=d("2025-03-31")))
    # started in Feb-Mar: c3 (declined), c4 (parked), c7 (committed)
    assert p.total.stages == {
        "initiated": 0,
        "exploring": 0,
        "committed": 1,
        "parked": 1,
        "declined": 1,
    }
    assert p.total.conversion_rate == 0.3333
    # committed in Feb-Mar: c2 only (31 days); moved in Feb-Mar: c2, c3
    assert (p.total.commitments_timed, p.total.median_days, p.total.p80_days) == (1, 31.0, 31.0)
    assert p.total.moved == 2


def test_pipeline_by_sector_lead_and_mission(db, known):
    assert read(db, pipeline, Filters(sector="higher_education")).total.stages == {
        "initiated": 0,
        "exploring": 0,
        "committed": 1,
        "parked": 0,
        "declined": 1,
    }
    ben = read(db, pipeline, Filters(lead_id=known["ben"], lead="Ben Owner")).total
    assert (ben.total, ben.stages["committed"], ben.median_days) == (4, 2, 45.5)
    young = read(db, pipeline, Filters(mission_id=known["young_people"], mission="young_people"))
    assert [line.mission for line in young.missions] == ["young_people"]
    assert young.total.stages == young.missions[0].stages


# coverage ---------------------------------------------------------------------------------


def test_coverage_matrix_and_gaps(db, known):
    c = read(db, coverage)
    assert [k for k, _ in c.missions] == ["diversity", "young_people", "food", "estates", "any"]
    assert [k for k, _ in c.roles] == ["recognition", "advocate", "sponsorship", "research"]
    assert (
        c.cell("diversity", "recognition").active,
        c.cell("diversity", "recognition").organisations,
    ) == (1, ["Acme"])
    assert c.cell("diversity", "research").organisations == ["Uni"]
    onboarding = c.cell("young_people", "advocate")
    assert (onboarding.active, onboarding.coming, onboarding.gap) == (0, 1, True)
    assert c.cell("any", "advocate").organisations == ["Charity"]
    # Gone is archived and Acme's sponsorship ended: food has no sponsor
    assert c.cell("food", "sponsorship").active == 0
    assert len(c.gaps) == 14
    assert ("diversity", "advocate") in {(g.mission, g.role) for g in c.gaps}
    only = read(db, coverage, Filters(sector="higher_education"))
    assert [(x.mission, x.role) for x in only.cells if x.active] == [("diversity", "research")]


# impact -----------------------------------------------------------------------------------


def test_impact_promised_delivered_and_stories(db, known):
    i = read(db, impact)
    t = i.total
    assert t.commitments == 3
    assert t.statuses == {"agreed": 1, "in_progress": 0, "delivered": 1, "lapsed": 1}
    assert t.promised.as_dict() == {"opportunities": 10, "people": 50, "gbp": 5000, "hours": 0}
    assert t.delivered.as_dict() == {"opportunities": 9, "people": 17, "gbp": 250.5, "hours": 12}
    assert t.deliveries == 2
    by = {line.mission: line for line in i.missions}
    assert by["diversity"].commitments == 2
    assert by["diversity"].promised.as_dict() == {
        "opportunities": 10,
        "people": 20,
        "gbp": 5000,
        "hours": 0,
    }
    assert by["diversity"].delivered.as_dict() == t.delivered.as_dict()
    assert by["young_people"].statuses == {
        "agreed": 1,
        "in_progress": 0,
        "delivered": 0,
        "lapsed": 1,
    }
    assert by["young_people"].promised.people == 30
    assert by["young_people"].delivered.as_dict() == {
        "opportunities": 0,
        "people": 0,
        "gbp": 0,
        "hours": 0,
    }
    assert [(x.label, x.delivered.as_dict()) for x in i.by_month] == [
        ("2025-03", {"opportunities": 4, "people": 8, "gbp": 0, "hours": 0}),
        ("2025-05", {"opportunities": 5, "people": 9, "gbp": 250.5, "hours": 12}),
    ]
    assert [s.story for s in i.stories] == ["Nine more young people", "Four placements =SUM(A1)"]
    assert i.stories[0].missions == ["diversity"] and i.stories_total == 2


def test_impact_in_a_period(db, known):
    i = read(db, impact, Filters(since=d("2025-04-01")), stories=1)
    assert i.total.commitments == 1 and i.total.promised.people == 30  # c7, agreed 2 Apr
    assert i.total.delivered.as_dict() == {
        "opportunities": 5,
        "people": 9,
        "gbp": 250.5,
        "hours": 12,
    }
    assert (len(i.stories), i.stories_total) == (1, 1)


# activity, stale, overdue, steps, commitments due -----------------------------------------


def test_activity_per_colleague(db, known):
    a = read(db, activity, today=TODAY)
    assert [c.as_dict() for c in a.colleagues] == [
        {
            "colleague_id": known["ana"],
            "colleague": "Ana Lead",
            "conversations_started": 3,
            "open_conversations": 1,
            "touchpoints": 4,
            "steps_done": 1,
            "steps_overdue": 1,
            "commitments": 1,
        },
        {
            "colleague_id": known["ben"],
            "colleague": "Ben Owner",
            "conversations_started": 4,
            "open_conversations": 1,
            "touchpoints": 4,
            "steps_done": 1,
            "steps_overdue": 1,
            "commitments": 2,
        },
    ]
    spring = read(db, activity, Filters(since=d("2025-03-01"), until=d("2025-05-31")), today=TODAY)
    ana = spring.colleagues[0]
    assert (ana.conversations_started, ana.touchpoints, ana.steps_done, ana.commitments) == (
        2,
        3,
        0,
        0,
    )


def test_stale_oldest_first(db, known):
    s = read(db, stale, today=TODAY)
    assert s.total == 2
    assert [(r.conversation_id, r.days_since) for r in s.rows] == [
        (known["c6"], 40),
        (known["c5"], 31),
    ]
    assert read(db, stale, days=35, today=TODAY).total == 1
    assert read(db, stale, Filters(lead_id=known["ana"]), today=TODAY).total == 1
    limited = read(db, stale, today=TODAY, limit=1)
    assert (limited.total, len(limited.rows)) == (2, 1)


def test_overdue_by_owner(db, known):
    o = read(db, overdue, today=TODAY)
    assert o.total == 2
    assert [(x.owner, x.steps, x.oldest_due) for x in o.owners] == [
        ("Ana Lead", 1, d("2025-05-20")),
        ("Ben Owner", 1, d("2025-06-01")),
    ]
    assert [(x.step_id, x.days_overdue) for x in o.steps] == [(known["s1"], 21), (known["s2"], 9)]
    assert read(db, overdue, Filters(lead_id=known["ben"]), today=TODAY).total == 1


def test_steps_for_a_colleague_and_commitments_due(db, known):
    mine = read(db, steps_for, known["ana"], today=TODAY)
    assert [x.step_id for x in mine.overdue] == [known["s1"]]
    assert [x.step_id for x in mine.this_week] == [known["s3"]]
    due = read(db, commitments_due, d("2025-06-01"), d("2025-06-30"))
    # k1 delivered, k3 lapsed, k8 archived organisation, k9 archived conversation
    assert [(x.commitment_id, x.due) for x in due] == [(known["k2"], d("2025-06-30"))]


# sectors ----------------------------------------------------------------------------------


def test_sectors_and_anchors(db, known):
    r = read(db, sectors)
    by = {line.sector: line.as_dict() for line in r.sectors}
    assert by["business"] == {
        "sector": "business",
        "anchor": None,
        "label": "Business",
        "organisations": 1,
        "anchors": 0,
        "open_conversations": 1,
        "partners_committed": 1,
        "commitments": 2,
        "delivered": 1,
        "delivered_gbp": 250.5,
        "delivered_people": 17,
    }
    assert (by["higher_education"]["anchors"], by["higher_education"]["commitments"]) == (1, 1)
    assert (by["vcs"]["organisations"], by["vcs"]["open_conversations"]) == (1, 1)
    assert by["culture"]["organisations"] == 0
    anchor, other = r.anchors
    assert (anchor.organisations, anchor.commitments, anchor.delivered) == (1, 1, 0)
    assert (other.organisations, other.open_conversations, other.commitments) == (2, 2, 2)
    assert (
        r.total.organisations,
        r.total.partners_committed,
        r.total.commitments,
        r.total.delivered_people,
    ) == (3, 2, 3, 17)
    diversity = read(db, sectors, Filters(mission_id=1, mission="diversity"))
    assert (
        diversity.total.organisations,
        diversity.total.commitments,
        diversity.total.open_conversations,
    ) == (2, 2, 0)


# the CLI ----------------------------------------------------------------------------------


def test_cli_reports_text_json_and_csv(cli, known):
    data = cli.json("report", "pipeline")
    assert data["total"]["conversion_rate"] == 0.6
    assert data["total"]["median_days_to_commitment"] == 31.0
    text = cli.ok("report", "pipeline", "--since", "1/2/2025", "--until", "31/3/2025").stdout
    assert "01 Feb 2025 to 31 Mar 2025" in text and "33%" in text
    rows = list(
        csv.reader(io.StringIO(cli.ok("report", "stale", "--as-of", "10/06/2025", "--csv").stdout))
    )
    assert rows[0] == ["ID", "Organisation", "Lead", "Stage", "Subject", "Last touch", "Days since"]
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [
        (str(known["c6"]), "Charity", "40"),
        (str(known["c5"]), "Acme", "31"),
    ]
    stories = list(
        csv.reader(
            io.StringIO(cli.ok("report", "impact", "--csv", "--csv-table", "stories").stdout)
        )
    )
    assert stories[2][3] == "Four placements =SUM(A1)"  # not at the start: left alone
    coverage_text = cli.ok("report", "coverage", "--mission", "diversity").stdout
    assert (
        "1: Acme" in coverage_text
        and "2 gaps: Diversity × Advocate/champion; Diversity × Sponsorship" in coverage_text
    )
    for name in ("activity", "overdue", "sectors", "impact"):
        assert cli.ok("report", name, "--lead", "ana").stdout.strip()
        cli.json("report", name)


def test_cli_report_errors_are_one_sentence(cli):
    bad = cli("report", "pipeline", "--mission", "moonshots")
    assert bad.exit_code == 1 and "moonshots" in bad.stderr and "Traceback" not in bad.output
    backwards = cli("report", "impact", "--since", "1/5/2025", "--until", "1/4/2025")
    assert backwards.exit_code == 1
    assert "the start 01/05/2025 is after the end 01/04/2025" in backwards.stderr


def test_cli_csv_neutralises_a_hostile_organisation(cli):
    cli.ok("colleague", "add", "Ana Lead", "--email", "ana@camden.gov.uk")
    hostile = '=HYPERLINK("http://x","y")'
    cli.ok("partner", "add", hostile, "--sector", "business")
    cli.ok(
        "conversation",
        "log",
        hostile,
        "--lead",
        "ana",
        "--date",
        "1/1/2025",
        "--subject",
        "@SUM(1+1)",
    )
    out = cli.ok("report", "stale", "--as-of", "10/06/2025", "--csv").stdout
    row = list(csv.reader(io.StringIO(out)))[1]
    assert row[1] == "'" + hostile and row[4] == "'@SUM(1+1)"


# CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://x","y")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "\n=1",
        "=cmd|' /C calc'!A0",
    ],
)
def test_neutralise_prefixes_formula_triggers(hostile):
    assert neutralise(hostile) == "'" + hostile
    parsed = list(csv.reader(io.StringIO(csv_text([("v", hostile)], [{"v": hostile}]))))
    assert parsed == [["'" + hostile], ["'" + hostile]]  # the header is data too


def test_neutralise_leaves_safe_values_and_numbers():
    assert neutralise("Acme = good") == "Acme = good"
    assert neutralise(-5) == "-5" and neutralise(2.5) == "2.5"
    assert neutralise(None) == "" and neutralise(True) == "yes"
    assert neutralise(date(2025, 6, 10)) == "2025-06-10"
    assert neutralise(["a", "=b"]) == "a; =b"
    assert neutralise(["=a", "b"]) == "'=a; b"


# the HTML pack ----------------------------------------------------------------------------


def test_pack_is_self_contained_escaped_and_has_the_charts(db, known, tmp_path):
    from partnercrm.reports.pack import write_pack

    with db.transaction() as s:
        hostile = organisations.add_organisation(s, "<script>alert(1)</script> Ltd", "culture")
        role = missions.find_role(s, "sponsorship")
        ambassadors.enrol(
            s,
            hostile,
            role,
            mission=missions.find_mission(s, "food"),
            status="active",
            since=d("2025-05-01"),
        )
    with db.reader() as s, s.begin():
        written = write_pack(s, tmp_path / "pack", title="Scrutiny & review", today=TODAY)
    page = written.index.read_text(encoding="utf-8")
    assert "<script" not in page and "javascript:" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in page
    assert "Scrutiny &amp; review" in page
    # nothing fetched from anywhere: no stylesheet links, no external src or url()
    assert "<link" not in page and 'src="' not in page and "url(" not in page
    assert page.count("<svg") == 5  # funnel, heat map, two impact bar charts, sectors
    assert "@page { size: A4" in page and "@media print" in page
    assert "Four placements =SUM(A1)" in page and "Archived story" not in page
    names = sorted(p.name for p in written.csv_files)
    assert names == [
        "activity.csv",
        "coverage.csv",
        "impact.csv",
        "impact_by_month.csv",
        "overdue.csv",
        "overdue_by_owner.csv",
        "pipeline.csv",
        "sectors.csv",
        "stale.csv",
        "stories.csv",
    ]
    pipeline_rows = list(
        csv.DictReader(
            io.StringIO((tmp_path / "pack" / "pipeline.csv").read_text(encoding="utf-8-sig"))
        )
    )
    assert pipeline_rows[-1]["Mission"] == "All missions" and pipeline_rows[-1]["Total"] == "7"


def test_cli_pack_writes_the_directory(cli, known, tmp_path):
    out = tmp_path / "committee"
    result = cli.ok(
        "report", "pack", "--out", str(out), "--since", "1/1/2025", "--as-of", "10/06/2025"
    )
    assert "index.html" in result.stdout and "10 CSV files" in result.stdout
    assert "01 Jan 2025" in (out / "index.html").read_text(encoding="utf-8")


def test_reports_and_pack_on_an_empty_database(db, tmp_path):
    from partnercrm.reports.pack import write_pack

    p = read(db, pipeline)
    assert p.total.total == 0 and p.total.conversion_rate is None and p.total.median_days is None
    assert read(db, impact).total.delivered.as_dict() == {
        "opportunities": 0,
        "people": 0,
        "gbp": 0,
        "hours": 0,
    }
    assert len(read(db, coverage).gaps) == 16
    assert read(db, sectors).total.organisations == 0  # type: ignore[union-attr]
    assert read(db, stale, today=TODAY).total == 0
    with db.reader() as s, s.begin():
        page = write_pack(s, tmp_path / "empty", today=TODAY).index.read_text(encoding="utf-8")
    assert "Nothing delivered in this period" in page and "No stories recorded" in page


def test_a_colleagues_steps_overdue_this_week_and_later(db):
    """My work groups by these: the week is today and the six days after it."""
    from partnercrm import reports

    today = date(2026, 2, 14)
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture")
        conv = conversations.log_conversation(
            s, org, ruth, subject="Summit venue", ask="hosting", on=date(2026, 1, 1)
        )
        for days in (-1, 0, 6, 7, 30):
            step_service.add_step(
                s, conv, f"in {days}", ruth, today + timedelta(days=days), confirm=True
            )
    with db.reader() as s:
        mine = reports.steps_for(s, ruth.id, today=today, later=True)
        groups = [[x.description for x in g] for g in (mine.overdue, mine.this_week, mine.later)]
        assert groups == [["in -1"], ["in 0", "in 6"], ["in 7", "in 30"]]
        line = mine.later[0]
        assert (line.organisation_id, line.subject, line.ask) == (org.id, "Summit venue", "hosting")
        assert reports.steps_for(s, ruth.id, today=today).later == []
