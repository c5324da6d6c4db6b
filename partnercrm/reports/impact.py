"""Impact: what commitments promised and delivered, per mission and in total, and the stories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import extract, func, literal_column, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.dates import as_date
from partnercrm.reports.filters import Filters, commitments_joined, for_reports, live_commitment
from partnercrm.reports.table import Table, money, number

ALL = "all"
MEASURES = ("opportunities", "people", "gbp", "hours")
STATUSES = [s.value for s in m.CommitmentStatus]


@dataclass
class Measures:
    opportunities: int | float = 0
    people: int | float = 0
    gbp: int | float = 0
    hours: int | float = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in MEASURES}


@dataclass
class ImpactLine:
    """Promised (commitments agreed in the period) and delivered (deliveries in the period)."""

    mission: str
    mission_name: str
    commitments: int
    statuses: dict[str, int]
    promised: Measures
    delivered: Measures
    deliveries: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "mission": self.mission,
            "mission_name": self.mission_name,
            "commitments": self.commitments,
            "statuses": dict(self.statuses),
            "promised": self.promised.as_dict(),
            "delivered": self.delivered.as_dict(),
            "deliveries": self.deliveries,
        }


@dataclass
class Story:
    delivered_on: date
    organisation: str
    commitment_id: int
    kind: str
    missions: list[str]
    story: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered_on": self.delivered_on.isoformat(),
            "organisation": self.organisation,
            "commitment_id": self.commitment_id,
            "kind": self.kind,
            "missions": list(self.missions),
            "story": self.story,
        }


@dataclass
class MonthDelivered:
    year: int
    month: int
    delivered: Measures

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.label, **self.delivered.as_dict()}


@dataclass
class Impact:
    """What partners promised and delivered, per mission and in total, with the stories.

    Promised figures cover commitments agreed in the period; delivered figures cover
    deliveries recorded in the period (whenever their commitment was agreed). A commitment
    for two missions counts in both missions' lines, once in the total.
    """

    filters: Filters
    total: ImpactLine
    missions: list[ImpactLine] = field(default_factory=list)
    by_month: list[MonthDelivered] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    stories_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "total": self.total.as_dict(),
            "missions": [line.as_dict() for line in self.missions],
            "by_month": [month.as_dict() for month in self.by_month],
            "stories_total": self.stories_total,
            "stories": [s.as_dict() for s in self.stories],
        }

    def tables(self) -> list[Table]:
        columns = [("mission_name", "Mission"), ("commitments", "Commitments")]
        columns += [(s, s.replace("_", " ").capitalize()) for s in STATUSES]
        for measure in MEASURES:
            label = "GBP" if measure == "gbp" else measure.capitalize()
            columns += [
                (f"promised_{measure}", f"{label} promised"),
                (f"delivered_{measure}", f"{label} delivered"),
            ]
        rows = []
        for line in [*self.missions, self.total]:
            row: dict[str, Any] = {
                "mission": line.mission,
                "mission_name": line.mission_name,
                "commitments": line.commitments,
                **line.statuses,
            }
            for measure in MEASURES:
                promised = getattr(line.promised, measure)
                delivered = getattr(line.delivered, measure)
                row[f"promised_{measure}"] = promised
                row[f"delivered_{measure}"] = delivered
                show = money if measure == "gbp" else _figure
                row[f"{measure}_text"] = f"{show(delivered)} of {show(promised)}"
            rows.append(row)
        shown = (
            ""
            if len(self.stories) == self.stories_total
            else f" (newest {len(self.stories)} of {self.stories_total})"
        )
        return [
            Table(
                "impact",
                "Delivered of promised, per mission",
                columns,
                rows,
                text_columns=[
                    ("mission_name", "Mission"),
                    ("commitments", "Commitments"),
                    ("delivered", "Delivered"),
                    ("lapsed", "Lapsed"),
                    ("opportunities_text", "Opportunities"),
                    ("people_text", "People"),
                    ("gbp_text", "GBP"),
                    ("hours_text", "Hours"),
                ],
            ),
            Table(
                "impact_by_month",
                "Delivered, month by month",
                [
                    ("month", "Month"),
                    ("opportunities", "Opportunities"),
                    ("people", "People"),
                    ("gbp", "GBP"),
                    ("hours", "Hours"),
                ],
                [month.as_dict() for month in self.by_month],
            ),
            Table(
                "stories",
                f"Stories, newest first{shown}",
                [
                    ("delivered_on", "Date"),
                    ("organisation", "Organisation"),
                    ("missions", "Missions"),
                    ("story", "Story"),
                ],
                [s.as_dict() for s in self.stories],
            ),
        ]

    def headline(self) -> str:
        d = self.total.delivered
        return (
            f"{d.opportunities:,} opportunities, {d.people:,} people, {money(d.gbp)} and "
            f"{d.hours:,} hours delivered"
        )


def _figure(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def impact(session: Session, filters: Filters | None = None, *, stories: int = 20) -> Impact:
    """Per mission and in total: commitments by status, promised and delivered opportunities,
    people, GBP and hours; deliveries month by month; the newest `stories` stories."""
    for_reports(session)
    f = filters or Filters()
    total, lines = _lines(session, f)
    stories_total, told_stories = _stories(session, f, stories)
    return Impact(
        filters=f,
        total=total,
        missions=lines,
        by_month=_by_month(session, f),
        stories=told_stories,
        stories_total=stories_total,
    )


def _promised_query(f: Filters, group: Any, joined: bool) -> Any:
    """(group, status, count, promised sums) for commitments agreed in the period."""
    c, cm, scope = m.Commitment, m.commitment_mission, live_commitment(f)
    q = commitments_joined(
        group,
        c.status,
        func.count(),
        func.sum(c.promised_opportunities),
        func.sum(c.promised_people),
        func.sum(c.promised_gbp),
        func.sum(c.promised_hours),
    ).where(scope, f.in_period(c.agreed_on))
    if joined:
        q = q.join(cm, cm.c.commitment_id == c.id)
        if f.mission_id is not None:
            q = q.where(cm.c.mission_id == f.mission_id)
    return q.group_by(group, c.status) if joined else q.group_by(c.status)


def _delivered_sums(f: Filters, *columns: Any) -> Any:
    """Deliveries in the period: `columns`, then opportunities, people, £ and hours summed."""
    c, d = m.Commitment, m.Delivery
    return (
        commitments_joined(
            *columns,
            func.sum(d.opportunities),
            func.sum(d.people),
            func.sum(d.gbp),
            func.sum(d.hours),
        )
        .join(d, d.commitment_id == c.id)
        .where(live_commitment(f), f.in_period(d.delivered_on))
    )


def _delivered_query(f: Filters, group: Any, joined: bool) -> Any:
    """(group, count, delivered sums) for deliveries in the period."""
    c, cm = m.Commitment, m.commitment_mission
    q = _delivered_sums(f, group, func.count())
    if joined:
        q = q.join(cm, cm.c.commitment_id == c.id)
        if f.mission_id is not None:
            q = q.where(cm.c.mission_id == f.mission_id)
    return q.group_by(group) if joined else q


def _lines(session: Session, f: Filters) -> tuple[ImpactLine, list[ImpactLine]]:
    """The all-missions line and one line a mission: statuses, promised and delivered."""
    cm = m.commitment_mission

    everything: Any = literal_column("0")
    promised_rows = [*session.execute(_promised_query(f, everything.label("g"), False))]
    promised_rows += [*session.execute(_promised_query(f, cm.c.mission_id, True))]
    delivered_rows = [*session.execute(_delivered_query(f, everything.label("g"), False))]
    delivered_rows += [*session.execute(_delivered_query(f, cm.c.mission_id, True))]
    # the all-missions group is 0; mission ids start at 1
    statuses: dict[Any, dict[str, int]] = {}
    promised: dict[Any, Measures] = {}
    for group, status, n, opps, people, gbp, hours in promised_rows:
        statuses.setdefault(group, {s: 0 for s in STATUSES})[status] = n
        sums = promised.setdefault(group, Measures())
        sums.opportunities += number(opps)
        sums.people += number(people)
        sums.gbp += number(gbp)
        sums.hours += number(hours)
    done: dict[Any, tuple[int, Measures]] = {
        group: (n, Measures(number(o), number(p), number(g), number(h)))
        for group, n, o, p, g, h in delivered_rows
    }

    def line(group: Any, key: str, name: str) -> ImpactLine:
        counts = statuses.get(group, {s: 0 for s in STATUSES})
        n_deliveries, sums = done.get(group, (0, Measures()))
        return ImpactLine(
            mission=key,
            mission_name=name,
            commitments=sum(counts.values()),
            statuses=counts,
            promised=promised.get(group, Measures()),
            delivered=sums,
            deliveries=n_deliveries,
        )

    mission_q = select(m.Mission.id, m.Mission.key, m.Mission.name).order_by(m.Mission.id)
    if f.mission_id is not None:
        mission_q = mission_q.where(m.Mission.id == f.mission_id)
    lines = [line(mid, key, name) for mid, key, name in session.execute(mission_q)]
    return line(0, ALL, "All missions"), lines


def _by_month(session: Session, f: Filters) -> list[MonthDelivered]:
    """What was delivered, month by month."""
    d = m.Delivery
    year, month = extract("year", d.delivered_on), extract("month", d.delivered_on)
    month_rows = session.execute(
        _delivered_sums(f, year, month).group_by(year, month).order_by(year, month)
    )
    return [
        MonthDelivered(int(y), int(mo), Measures(number(o), number(p), number(g), number(h)))
        for y, mo, o, p, g, h in month_rows
    ]


def _stories(session: Session, f: Filters, stories: int) -> tuple[int, list[Story]]:
    """How many deliveries in the period tell a story, and the newest `stories` of them."""
    c, d, cm, scope = m.Commitment, m.Delivery, m.commitment_mission, live_commitment(f)
    told = scope & d.story.is_not(None) & f.in_period(d.delivered_on)
    stories_total = (
        session.scalar(
            commitments_joined(func.count()).join(d, d.commitment_id == c.id).where(told)
        )
        or 0
    )
    story_rows = session.execute(
        commitments_joined(
            d.delivered_on, m.Organisation.name, c.id, c.kind, d.story, organisation=True
        )
        .join(d, d.commitment_id == c.id)
        .where(told)
        .order_by(d.delivered_on.desc(), d.id.desc())
        .limit(stories)
    ).all()
    mission_keys: dict[int, list[str]] = {}
    if story_rows:
        for cid, key in session.execute(
            select(cm.c.commitment_id, m.Mission.key)
            .join(m.Mission, m.Mission.id == cm.c.mission_id)
            .where(cm.c.commitment_id.in_({row[2] for row in story_rows}))
            .order_by(m.Mission.id)
        ):
            mission_keys.setdefault(cid, []).append(key)
    told_stories = [
        Story(as_date(on), org, cid, kind, mission_keys.get(cid, []), story)  # type: ignore[arg-type]
        for on, org, cid, kind, story in story_rows
    ]
    return stories_total, told_stories
