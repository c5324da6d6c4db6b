"""The pipeline of warm conversations: stages, conversion, time to commitment, stale threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.dates import as_date
from partnercrm.reports.filters import (
    Filters,
    commitments_joined,
    conversations_joined,
    days_between,
    for_reports,
    live_commitment,
    live_conversation,
)
from partnercrm.reports.table import Table, percent, rate

STALE_DAYS = 30  # an open conversation with no touch in this many days is stale

STAGES = [s.value for s in m.Stage]
CLOSED_STAGES = (m.Stage.COMMITTED, m.Stage.DECLINED, m.Stage.PARKED)
ALL = "all"  # the key of the all-missions line

# percentiles as fractions (numerator, denominator) so the rank arithmetic stays in integers
MEDIAN = (1, 2)
P80 = (4, 5)


@dataclass
class PipelineLine:
    """The pipeline for one mission, or for all missions (mission == 'all')."""

    mission: str
    mission_name: str
    stages: dict[str, int]
    conversion_rate: float | None  # committed / (committed + declined + parked)
    commitments_timed: int  # conversations committed in the period (the population timed)
    median_days: float | None  # from a conversation's start to its commitment
    p80_days: float | None
    moved: int  # conversations that changed stage in the period

    @property
    def total(self) -> int:
        return sum(self.stages.values())

    @property
    def open(self) -> int:
        return sum(self.stages[s] for s in m.OPEN_STAGES)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mission": self.mission,
            "mission_name": self.mission_name,
            "stages": dict(self.stages),
            "total": self.total,
            "open": self.open,
            "conversion_rate": self.conversion_rate,
            "commitments_timed": self.commitments_timed,
            "median_days_to_commitment": self.median_days,
            "p80_days_to_commitment": self.p80_days,
            "moved_stage": self.moved,
        }


@dataclass
class Pipeline:
    """Warm conversations by stage, per mission and in total.

    Stage counts and the conversion rate cover conversations *started* in the period (a
    cohort, where each stands now); days to commitment cover conversations *committed* in the
    period; `moved` counts conversations that changed stage in the period. Without a period,
    all three are all-time figures.
    """

    filters: Filters
    total: PipelineLine
    missions: list[PipelineLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "total": self.total.as_dict(),
            "missions": [line.as_dict() for line in self.missions],
        }

    def tables(self) -> list[Table]:
        columns = (
            [("mission_name", "Mission")]
            + [(s, s.capitalize()) for s in STAGES]
            + [
                ("total", "Total"),
                ("conversion", "Conversion"),
                ("median_days", "Median days to commit"),
                ("p80_days", "80th pct days"),
                ("moved", "Moved stage"),
            ]
        )
        rows = []
        for line in [*self.missions, self.total]:
            rows.append(
                {
                    "mission": line.mission,
                    "mission_name": line.mission_name,
                    **line.stages,
                    "total": line.total,
                    "conversion": percent(line.conversion_rate),
                    "conversion_rate": line.conversion_rate,
                    "median_days": line.median_days,
                    "p80_days": line.p80_days,
                    "moved": line.moved,
                }
            )
        return [Table("pipeline", "Warm conversations by stage", columns, rows)]


def pipeline(session: Session, filters: Filters | None = None) -> Pipeline:
    """Conversations by stage per mission and in total, conversion rate and days to commitment.

    One statement, one pass over the conversations: each live conversation's facts (stage,
    started in the period, moved in the period, days to its commitment) are gathered once,
    then grouped in total and per mission for the counts, and ranked (ROW_NUMBER/COUNT
    windows) for the percentiles, which hand back at most four rows per mission (the two
    either side of each percentile). Stage changes are looked up only where needed: the
    commitment date of committed conversations, and whether a conversation moved.
    """
    for_reports(session)
    f = filters or Filters()
    missions = _missions(session, f)
    stage_counts: dict[Any, dict[str, int]] = {}
    moved: dict[Any, int] = {}
    ranks: dict[Any, tuple[int, dict[int, int]]] = {}
    for kind, grp, stage, cohort, moves, rn, n, days in session.execute(_pipeline_query(f)):
        key = ALL if grp == 0 else grp
        if kind == "n":
            stage_counts.setdefault(key, {})[stage] = int(cohort or 0)
            moved[key] = moved.get(key, 0) + int(moves or 0)
        else:
            ranks.setdefault(key, (n, {}))[1][rn] = days

    timing = {
        key: (n, _interpolate(values, n, MEDIAN), _interpolate(values, n, P80))
        for key, (n, values) in ranks.items()
    }

    def line(key: Any, mission_key: str, name: str) -> PipelineLine:
        counts = {s: stage_counts.get(key, {}).get(s, 0) for s in STAGES}
        closed = sum(counts[s] for s in CLOSED_STAGES)
        n, median, p80 = timing.get(key, (0, None, None))
        return PipelineLine(
            mission=mission_key,
            mission_name=name,
            stages=counts,
            conversion_rate=rate(counts[m.Stage.COMMITTED], closed),
            commitments_timed=n,
            median_days=median,
            p80_days=p80,
            moved=moved.get(key, 0),
        )

    return Pipeline(
        filters=f,
        total=line(ALL, ALL, "All missions"),
        missions=[line(mi.id, mi.key, mi.name) for mi in missions],
    )


def _pipeline_query(f: Filters) -> Any:
    """Rows ('n', group, stage, started in period, moved in period, -, -, -) and
    ('p', group, -, -, -, rank, count, days) where group 0 is all missions."""
    cm = m.conversation_mission
    facts = _facts(f)
    return union_all(
        _counts(f, facts, literal_column("0").label("grp"), by_mission=False),
        _counts(f, facts, cm.c.mission_id, by_mission=True),
        _around_percentiles(f, facts),
    )


def _mission_filter(f: Filters) -> list[Any]:
    cm = m.conversation_mission
    return [cm.c.mission_id == f.mission_id] if f.mission_id is not None else []


def _facts(f: Filters) -> Any:
    """Per live conversation: its stage, whether it started or moved in the period, and the
    days it took to commit (committed ones)."""
    c = m.Conversation
    sc = m.StageChange
    period = f.since is not None or f.until is not None
    if period:
        # the conversations with a move in the period: one set, probed per conversation
        moved_ids = select(sc.conversation_id).where(
            sc.from_stage.is_not(None), f.in_period(sc.changed_on, scan=True)
        )
        moved = case((c.id.in_(moved_ids), 1), else_=0)
    else:
        # every conversation starts 'initiated', so one in any other stage has moved; only
        # those back at 'initiated' need their stage changes looking at
        moved = case(
            (c.stage != m.Stage.INITIATED, 1),
            (
                exists().where(sc.conversation_id == c.id, sc.from_stage.is_not(None)),
                1,
            ),
            else_=0,
        )
    committed_on = (
        select(func.min(sc.changed_on))
        .where(
            sc.conversation_id == c.id,
            sc.to_stage == m.Stage.COMMITTED,
            f.in_period(sc.changed_on),
        )
        .scalar_subquery()
    )
    facts = (
        select(
            c.id,
            c.stage,
            case((f.in_period(c.started_on), 1), else_=0).label("cohort"),
            moved.label("moved"),
            # only committed conversations have a commitment date to look up
            case(
                (c.stage == m.Stage.COMMITTED, days_between(committed_on, c.started_on)),
            ).label("days"),
        )
        .where(live_conversation(f))
        .cte("facts")
    )
    return facts


def _counts(f: Filters, facts: Any, group: Any, *, by_mission: bool) -> Any:
    """('n', group, stage, started in period, moved in period, -, -, -) rows."""
    cm = m.conversation_mission
    q = select(
        literal_column("'n'").label("kind"),
        group,
        facts.c.stage,
        func.sum(facts.c.cohort),
        func.sum(facts.c.moved),
        cast(null(), Integer),
        cast(null(), Integer),
        cast(null(), Integer),
    )
    if by_mission:
        q = q.join(cm, cm.c.conversation_id == facts.c.id).where(*_mission_filter(f))
        return q.group_by(group, facts.c.stage)
    return q.group_by(facts.c.stage)


def _around_percentiles(f: Filters, facts: Any) -> Any:
    """('p', group, -, -, -, rank, count, days) rows: the days either side of the median and
    the 80th percentile of the days to commit, per group."""
    cm = m.conversation_mission
    mission_filter = _mission_filter(f)
    timed = union_all(
        select(literal_column("0").label("grp"), facts.c.days).where(facts.c.days.is_not(None)),
        select(cm.c.mission_id.label("grp"), facts.c.days)
        .join(cm, cm.c.conversation_id == facts.c.id)
        .where(facts.c.days.is_not(None), *mission_filter),
    ).subquery("timed")
    ranked = select(
        timed.c.grp,
        timed.c.days,
        func.row_number().over(partition_by=timed.c.grp, order_by=timed.c.days).label("rn"),
        func.count().over(partition_by=timed.c.grp).label("n"),
    ).subquery("ranked")
    wanted = []
    for num, den in (MEDIAN, P80):
        low = (ranked.c.n - 1) * num // den + 1  # 1-based rank at or below the percentile
        wanted += [ranked.c.rn == low, ranked.c.rn == low + 1]
    return select(
        literal_column("'p'"),
        ranked.c.grp,
        cast(null(), String),
        cast(null(), Integer),
        cast(null(), Integer),
        ranked.c.rn,
        ranked.c.n,
        ranked.c.days,
    ).where(or_(*wanted))


def stage_counts(session: Session, filters: Filters | None = None) -> dict[str, int]:
    """Conversations per stage now, every stage present (one GROUP BY: cheap for a dashboard).

    The same figures as `pipeline(...).total.stages`, without the per-mission lines, the
    percentiles and the moves.
    """
    for_reports(session)
    f = filters or Filters()
    c = m.Conversation
    counts = dict.fromkeys(STAGES, 0)
    q = (
        conversations_joined(c.stage, func.count())
        .where(live_conversation(f), f.in_period(c.started_on))
        .group_by(c.stage)
    )
    for stage, n in session.execute(q):
        counts[stage] = n
    return counts


def _missions(session: Session, f: Filters) -> list[m.Mission]:
    q = select(m.Mission).order_by(m.Mission.id)
    if f.mission_id is not None:
        q = q.where(m.Mission.id == f.mission_id)
    return list(session.scalars(q))


def _interpolate(values: dict[int, int], n: int, fraction: tuple[int, int]) -> float:
    num, den = fraction
    low = (n - 1) * num // den + 1
    share = ((n - 1) * num % den) / den
    below = values[low]
    above = values.get(low + 1, below)
    return round(below + share * (above - below), 1)


@dataclass
class StaleConversation:
    conversation_id: int
    organisation: str
    lead: str
    stage: str
    subject: str | None
    started_on: date
    last_touch: date
    days_since: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "organisation": self.organisation,
            "lead": self.lead,
            "stage": self.stage,
            "subject": self.subject,
            "started_on": self.started_on.isoformat(),
            "last_touch": self.last_touch.isoformat(),
            "days_since": self.days_since,
        }


@dataclass
class Stale:
    """Open conversations with no touch in `days` days, oldest first."""

    filters: Filters
    days: int
    today: date
    total: int  # how many are stale (rows may be fewer when a limit was given)
    rows: list[StaleConversation]

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "days": self.days,
            "today": self.today.isoformat(),
            "total": self.total,
            "conversations": [r.as_dict() for r in self.rows],
        }

    def tables(self) -> list[Table]:
        shown = "" if len(self.rows) == self.total else f" (oldest {len(self.rows)} shown)"
        return [
            Table(
                "stale",
                f"{self.total} open conversations untouched for {self.days}+ days{shown}",
                [
                    ("conversation_id", "ID"),
                    ("organisation", "Organisation"),
                    ("lead", "Lead"),
                    ("stage", "Stage"),
                    ("subject", "Subject"),
                    ("last_touch", "Last touch"),
                    ("days_since", "Days since"),
                ],
                [r.as_dict() for r in self.rows],
            )
        ]


def stale(
    session: Session,
    filters: Filters | None = None,
    *,
    days: int = STALE_DAYS,
    today: date | None = None,
    limit: int | None = None,
) -> Stale:
    """Open conversations whose last touch is `days` or more days ago, oldest first.

    Uses Conversation.last_touch_on (kept by the touchpoint service), so no aggregate over
    touchpoints is needed. The period filter does not apply: staleness is about today.
    """
    for_reports(session)
    f = filters or Filters()
    today = today or date.today()
    if days < 0:
        from partnercrm.errors import Invalid

        raise Invalid("days must be zero or more", field="days")
    c = m.Conversation
    where = (
        live_conversation(f)
        & c.stage.in_(m.OPEN_STAGES)
        & (c.last_touch_on <= today - timedelta(days=days))
    )
    total = session.scalar(conversations_joined(func.count()).where(where)) or 0
    q = (
        conversations_joined(
            c.id,
            m.Organisation.name,
            m.Colleague.name,
            c.stage,
            c.subject,
            c.started_on,
            c.last_touch_on,
            organisation=True,
        )
        .join(m.Colleague, m.Colleague.id == c.lead_id)
        .where(where)
        .order_by(c.last_touch_on, c.id)
    )
    if limit:
        q = q.limit(limit)
    rows = [
        StaleConversation(
            conversation_id=cid,
            organisation=org,
            lead=lead,
            stage=stage,
            subject=subject,
            started_on=started,
            last_touch=last,
            days_since=(today - last).days,
        )
        for cid, org, lead, stage, subject, started, last in session.execute(q)
    ]
    return Stale(filters=f, days=days, today=today, total=total, rows=rows)


@dataclass
class CommitmentDue:
    commitment_id: int
    organisation: str
    kind: str
    status: str
    due: date
    beneficiary: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "commitment_id": self.commitment_id,
            "organisation": self.organisation,
            "kind": self.kind,
            "status": self.status,
            "due": self.due.isoformat(),
            "beneficiary": self.beneficiary,
        }


def commitments_due(
    session: Session,
    start: date,
    end: date,
    filters: Filters | None = None,
    *,
    limit: int | None = None,
) -> list[CommitmentDue]:
    """Open commitments (agreed or in progress) due between `start` and `end` inclusive, soonest first.

    For the dashboard's "due this month": `commitments_due(s, first_of_month, last_of_month)`.
    """
    for_reports(session)
    f = filters or Filters()
    c = m.Commitment
    q = (
        commitments_joined(
            c.id,
            m.Organisation.name,
            c.kind,
            c.status,
            c.due_on,
            c.beneficiary,
            organisation=True,
        )
        .where(
            live_commitment(f),
            c.status.in_(m.OPEN_COMMITMENT_STATUSES),
            c.due_on >= start,
            c.due_on <= end,
        )
        .order_by(c.due_on, c.id)
    )
    if limit:
        q = q.limit(limit)
    return [
        CommitmentDue(
            commitment_id=cid,
            organisation=org,
            kind=kind,
            status=status,
            due=as_date(due),  # type: ignore[arg-type]
            beneficiary=beneficiary,
        )
        for cid, org, kind, status, due, beneficiary in session.execute(q)
    ]
