"""What every report can be narrowed to, and the SQL that narrows it.

A report takes a `Filters` (mission, sector, period, lead colleague). The scope helpers here
add the matching WHERE clauses so each report states its figures over the same population:
archived organisations and archived conversations never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, exists, func, null, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from partnercrm import models as m
from partnercrm.dates import parse_optional_date
from partnercrm.errors import Invalid


@dataclass(frozen=True)
class Filters:
    """Narrow a report: one mission, one sector, a period (inclusive dates), one lead colleague."""

    mission_id: int | None = None
    mission: str | None = None  # the mission's key, for people and for JSON
    sector: str | None = None
    since: date | None = None
    until: date | None = None
    lead_id: int | None = None
    lead: str | None = None  # the colleague's name

    @classmethod
    def resolve(
        cls,
        session: Session,
        *,
        mission: str | None = None,
        sector: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        lead: str | None = None,
    ) -> Filters:
        """Filters from what a person typed: a mission key or name, a sector, dates, a colleague."""
        from partnercrm.colleagues import find_colleague
        from partnercrm.missions import find_mission
        from partnercrm.organisations import check_sector

        found_mission = find_mission(session, mission) if mission else None
        found_lead = find_colleague(session, lead) if lead else None
        start = parse_optional_date(since, "since", field="since")
        end = parse_optional_date(until, "until", field="until")
        if start and end and start > end:
            raise Invalid(
                f"the start {start:%d/%m/%Y} is after the end {end:%d/%m/%Y}", field="since"
            )
        return cls(
            mission_id=found_mission.id if found_mission else None,
            mission=found_mission.key if found_mission else None,
            sector=check_sector(sector) if sector else None,
            since=start,
            until=end,
            lead_id=found_lead.id if found_lead else None,
            lead=found_lead.name if found_lead else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "mission": self.mission,
            "sector": self.sector,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "lead": self.lead,
        }

    def describe(self) -> str:
        """The filters in words, for a report's heading ('' when there are none)."""
        parts = []
        if self.mission:
            parts.append(f"mission {self.mission}")
        if self.sector:
            parts.append(f"sector {self.sector.replace('_', ' ')}")
        if self.lead:
            parts.append(f"led by {self.lead}")
        if self.since or self.until:
            parts.append(period_words(self.since, self.until))
        return "; ".join(parts)

    def in_period(self, column: Any, *, scan: bool = False) -> ColumnElement[bool]:
        """`column` (a date) falls inside the period; true when there is no period.

        `scan`: compare coalesce(column, NULL), which no index serves, where the query reads
        most of the table anyway: SQLite would otherwise walk the date's index for a period
        of a year and fetch a third of the rows at random (4 times slower than reading the
        table in order at 200,000 conversations).
        """
        if scan:
            column = func.coalesce(column, null())
        conditions = []
        if self.since is not None:
            conditions.append(column >= self.since)
        if self.until is not None:
            conditions.append(column <= self.until)
        return and_(True, *conditions)


def for_reports(session: Session) -> None:
    """Ready the transaction for report queries: on PostgreSQL, switch JIT compilation off.

    The planner's cost estimates for these grouped queries pass jit_above_cost, and compiling
    them took longer (1.6 s at 200,000 conversations) than running them (under 1 s); JIT pays
    off only for queries that run for many seconds. SET LOCAL lasts to the end of the
    transaction, so nothing else the session does is affected.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def period_words(since: date | None, until: date | None) -> str:
    if since and until:
        return f"{since:%d %b %Y} to {until:%d %b %Y}"
    if since:
        return f"since {since:%d %b %Y}"
    if until:
        return f"up to {until:%d %b %Y}"
    return "all time"


def archived_organisations() -> Any:
    """The ids of archived organisations: few, so `NOT IN` them is a cheap set lookup."""
    return select(m.Organisation.id).where(m.Organisation.archived.is_(True))


def organisations_in_sector(sector: str) -> Any:
    return select(m.Organisation.id).where(m.Organisation.sector == sector)


def live_conversation(f: Filters) -> ColumnElement[bool]:
    """The conversations a report counts: not archived, organisation not archived, in scope.

    Organisation conditions are subqueries on the organisation id (no join), so a report
    over every conversation does not look each organisation up. The period is not applied
    here: each report says which date the period is about.
    """
    c = m.Conversation
    conditions: list[Any] = [
        c.archived.is_(False),
        c.organisation_id.not_in(archived_organisations()),
    ]
    if f.sector:
        conditions.append(c.organisation_id.in_(organisations_in_sector(f.sector)))
    if f.lead_id is not None:
        conditions.append(c.lead_id == f.lead_id)
    if f.mission_id is not None:
        conditions.append(conversation_has_mission(f.mission_id))
    return and_(*conditions)


def in_scope_conversation(column: Any, f: Filters) -> ColumnElement[bool]:
    """`column`, a conversation id on a child table (touchpoint, step), names a conversation
    the report counts. No join: without filters the archived conversations are a small set to
    leave out; with filters the conversations in scope are the set to keep."""
    c = m.Conversation
    kept: ColumnElement[bool]
    if f.sector is None and f.lead_id is None and f.mission_id is None:
        kept = column.not_in(
            select(c.id).where(
                or_(c.archived.is_(True), c.organisation_id.in_(archived_organisations()))
            )
        )
    else:
        kept = column.in_(select(c.id).where(live_conversation(f)))
    return kept


def conversation_has_mission(mission_id: int) -> ColumnElement[bool]:
    # an alias, so the EXISTS keeps its own FROM when the outer query joins the same table
    cm = m.conversation_mission.alias("scope_mission")
    return exists().where(cm.c.conversation_id == m.Conversation.id, cm.c.mission_id == mission_id)


def live_commitment(f: Filters) -> ColumnElement[bool]:
    """The commitments a report counts: organisation and conversation (if any) not archived.

    No join is needed. The lead of a commitment is its conversation's lead.
    """
    c = m.Commitment
    archived_conversations = select(m.Conversation.id).where(m.Conversation.archived.is_(True))
    conditions: list[Any] = [
        c.organisation_id.not_in(archived_organisations()),
        or_(c.conversation_id.is_(None), c.conversation_id.not_in(archived_conversations)),
    ]
    if f.sector:
        conditions.append(c.organisation_id.in_(organisations_in_sector(f.sector)))
    if f.lead_id is not None:
        conditions.append(
            c.conversation_id.in_(
                select(m.Conversation.id).where(m.Conversation.lead_id == f.lead_id)
            )
        )
    if f.mission_id is not None:
        cm = m.commitment_mission.alias("scope_mission")
        conditions.append(
            exists().where(cm.c.commitment_id == c.id, cm.c.mission_id == f.mission_id)
        )
    return and_(*conditions)


def commitments_joined(*columns: Any, organisation: bool = False) -> Any:
    """SELECT columns FROM commitment (joined to its organisation when `organisation`)."""
    c = m.Commitment
    q = select(*columns).select_from(c)
    if organisation:
        q = q.join(m.Organisation, m.Organisation.id == c.organisation_id)
    return q


def conversations_joined(*columns: Any, organisation: bool = False) -> Any:
    """SELECT columns FROM conversation (joined to its organisation when `organisation`)."""
    q = select(*columns).select_from(m.Conversation)
    if organisation:
        q = q.join(m.Organisation, m.Organisation.id == m.Conversation.organisation_id)
    return q


class days_between(FunctionElement[int]):
    """Whole days from `earlier` to `later` (two DATE columns), on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    # SQLite keeps dates as ISO text; julianday() turns them into day numbers
    later, earlier = list(element.clauses)
    return (
        f"CAST(ROUND(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)})) AS INTEGER)"
    )
