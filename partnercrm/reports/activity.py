"""Who is doing what: activity per colleague, overdue steps by owner, a colleague's steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.dates import as_date
from partnercrm.reports.filters import (
    Filters,
    commitments_joined,
    conversations_joined,
    for_reports,
    in_scope_conversation,
    live_commitment,
    live_conversation,
)
from partnercrm.reports.table import Table


def _scanned(column: Any) -> Any:
    """`column` as an expression (column + 0), so SQLite reads the table in order rather than
    walking the column's index and fetching every row at random (twice as fast at 200,000
    conversations); PostgreSQL hashes either way."""
    return (column + literal_column("0")).label(column.key)


def _count_if(condition: Any) -> Any:
    """COUNT of the rows meeting `condition` (SUM of a CASE: the same on every database)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass
class ColleagueActivity:
    colleague_id: int
    colleague: str
    conversations_started: int  # conversations they lead, started in the period
    open_conversations: int  # conversations they lead that are open now
    touchpoints: int  # touchpoints they took part in, in the period
    steps_done: int  # steps they own, done in the period
    steps_overdue: int  # steps they own, open and past due today
    commitments: int  # commitments agreed in the period from conversations they lead

    def as_dict(self) -> dict[str, Any]:
        return {
            "colleague_id": self.colleague_id,
            "colleague": self.colleague,
            "conversations_started": self.conversations_started,
            "open_conversations": self.open_conversations,
            "touchpoints": self.touchpoints,
            "steps_done": self.steps_done,
            "steps_overdue": self.steps_overdue,
            "commitments": self.commitments,
        }


@dataclass
class Activity:
    """Per colleague: conversations led, touchpoints, steps done and overdue, commitments."""

    filters: Filters
    today: date
    colleagues: list[ColleagueActivity] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "today": self.today.isoformat(),
            "colleagues": [c.as_dict() for c in self.colleagues],
        }

    def tables(self) -> list[Table]:
        return [
            Table(
                "activity",
                "Activity per colleague",
                [
                    ("colleague", "Colleague"),
                    ("conversations_started", "Conversations started"),
                    ("open_conversations", "Open now"),
                    ("touchpoints", "Touchpoints"),
                    ("steps_done", "Steps done"),
                    ("steps_overdue", "Steps overdue"),
                    ("commitments", "Commitments"),
                ],
                [c.as_dict() for c in self.colleagues],
            )
        ]


def _by_colleague(session: Session, f: Filters, today: date) -> tuple[Any, Any, Any, Any]:
    """Four grouped counts by colleague id: conversations led (started, open), touchpoints,
    steps (done, overdue) and commitments converted."""
    c = m.Conversation
    scope = live_conversation(f)
    lead = _scanned(c.lead_id)
    led = {
        lead_id: (started, open_now)
        for lead_id, started, open_now in session.execute(
            conversations_joined(
                lead,
                _count_if(f.in_period(c.started_on)),
                _count_if(c.stage.in_(m.OPEN_STAGES)),
            )
            .where(scope)
            .group_by(lead)
        )
    }
    t = m.Touchpoint
    toucher = _scanned(t.colleague_id)
    touches: dict[int, int] = dict(
        session.execute(
            select(toucher, func.count())
            .where(
                in_scope_conversation(t.conversation_id, f),
                toucher.is_not(None),
                t.archived.is_(False),
                f.in_period(t.happened_on, scan=True),
            )
            .group_by(toucher)
        ).all()
    )
    s = m.Step
    owner = _scanned(s.owner_id)
    step_counts = {
        owner_id: (done, overdue)
        for owner_id, done, overdue in session.execute(
            select(
                owner,
                _count_if(and_(s.done_on.is_not(None), f.in_period(s.done_on))),
                _count_if(and_(s.done_on.is_(None), s.due_on < today)),
            )
            .where(in_scope_conversation(s.conversation_id, f))
            .group_by(owner)
        )
    }
    cm = m.Commitment
    converted = dict(
        session.execute(
            commitments_joined(c.lead_id, func.count())
            .join(c, c.id == cm.conversation_id)
            .where(live_commitment(f), f.in_period(cm.agreed_on))
            .group_by(c.lead_id)
        ).all()
    )
    return led, touches, step_counts, converted


def activity(
    session: Session, filters: Filters | None = None, *, today: date | None = None
) -> Activity:
    """Per colleague, in the period: conversations started, touchpoints, steps done, commitments
    converted; and now: open conversations and overdue steps.

    The lead filter keeps one colleague. Mission and sector narrow every count to conversations
    (and commitments) in scope. Four grouped queries, merged by colleague id.
    """
    for_reports(session)
    f = filters or Filters()
    today = today or date.today()
    led, touches, step_counts, converted = _by_colleague(session, f, today)

    people_q = select(m.Colleague.id, m.Colleague.name, m.Colleague.archived)
    if f.lead_id is not None:
        people_q = people_q.where(m.Colleague.id == f.lead_id)
    rows = []
    for cid, name, archived in session.execute(people_q):
        started, open_now = led.get(cid, (0, 0))
        done, overdue = step_counts.get(cid, (0, 0))
        line = ColleagueActivity(
            colleague_id=cid,
            colleague=name,
            conversations_started=int(started),
            open_conversations=int(open_now),
            touchpoints=touches.get(cid, 0),
            steps_done=int(done),
            steps_overdue=int(overdue),
            commitments=converted.get(cid, 0),
        )
        busy = any(v for k, v in line.as_dict().items() if k not in ("colleague_id", "colleague"))
        if busy or not archived:  # archived colleagues only while they still have figures
            rows.append(line)
    rows.sort(key=lambda r: r.colleague.casefold())
    return Activity(filters=f, today=today, colleagues=rows)


@dataclass
class StepLine:
    """One open step, with where it belongs."""

    step_id: int
    description: str
    owner: str
    organisation: str
    conversation_id: int
    due: date
    days_overdue: int  # 0 when not yet due
    organisation_id: int = 0
    subject: str | None = None  # the conversation's
    ask: str | None = None  # the conversation's ask: a role's key or a commitment kind

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "description": self.description,
            "owner": self.owner,
            "organisation": self.organisation,
            "conversation_id": self.conversation_id,
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
        }


@dataclass
class OwnerOverdue:
    owner_id: int
    owner: str
    steps: int
    oldest_due: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner_id": self.owner_id,
            "owner": self.owner,
            "steps": self.steps,
            "oldest_due": self.oldest_due.isoformat(),
        }


@dataclass
class Overdue:
    """Open steps past their due date, by owner."""

    filters: Filters
    today: date
    total: int
    owners: list[OwnerOverdue]
    steps: list[StepLine]  # by owner, then oldest first (may be limited)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "today": self.today.isoformat(),
            "total": self.total,
            "owners": [o.as_dict() for o in self.owners],
            "steps": [s.as_dict() for s in self.steps],
        }

    def tables(self) -> list[Table]:
        shown = "" if len(self.steps) == self.total else f" ({len(self.steps)} shown)"
        return [
            Table(
                "overdue",
                f"{self.total} overdue steps{shown}",
                [
                    ("owner", "Owner"),
                    ("step_id", "Step"),
                    ("description", "What"),
                    ("organisation", "Organisation"),
                    ("conversation_id", "Conversation"),
                    ("due", "Due"),
                    ("days_overdue", "Days overdue"),
                ],
                [s.as_dict() for s in self.steps],
            ),
            Table(
                "overdue_by_owner",
                "Overdue steps by owner",
                [("owner", "Owner"), ("steps", "Overdue steps"), ("oldest_due", "Oldest due")],
                [o.as_dict() for o in self.owners],
            ),
        ]


def _open_steps_query(f: Filters) -> Any:
    s, c = m.Step, m.Conversation
    return (
        select(
            s.id.label("step_id"),
            s.description,
            m.Colleague.name.label("owner"),
            m.Organisation.name.label("organisation"),
            s.conversation_id,
            s.due_on,
            c.organisation_id,
            c.subject,
            func.coalesce(m.AmbassadorRole.key, c.ask_kind).label("ask"),
        )
        .select_from(s)
        .join(c, c.id == s.conversation_id)
        .join(m.Organisation, m.Organisation.id == c.organisation_id)
        .join(m.Colleague, m.Colleague.id == s.owner_id)
        .outerjoin(m.AmbassadorRole, m.AmbassadorRole.id == c.ask_role_id)
        .where(in_scope_conversation(s.conversation_id, _without_lead(f)), s.done_on.is_(None))
    )


def _without_lead(f: Filters) -> Filters:
    # for steps, "lead" means the step's owner, not the conversation's lead
    from dataclasses import replace

    return replace(f, lead_id=None, lead=None)


def _step_lines(rows: Any, today: date) -> list[StepLine]:
    lines = []
    for row in rows:
        due = as_date(row.due_on) or today
        lines.append(
            StepLine(
                step_id=row.step_id,
                description=row.description,
                owner=row.owner,
                organisation=row.organisation,
                conversation_id=row.conversation_id,
                due=due,
                days_overdue=max(0, (today - due).days),
                organisation_id=row.organisation_id,
                subject=row.subject,
                ask=row.ask,
            )
        )
    return lines


def overdue(
    session: Session,
    filters: Filters | None = None,
    *,
    today: date | None = None,
    limit: int | None = None,
) -> Overdue:
    """Open steps due before today, grouped by owner (most overdue owners first).

    The lead filter here means the step's owner. Steps of archived conversations or
    organisations are not counted.
    """
    for_reports(session)
    f = filters or Filters()
    today = today or date.today()
    s = m.Step
    where = [s.due_on < today]
    if f.lead_id is not None:
        where.append(s.owner_id == f.lead_id)
    owner_rows = session.execute(
        select(s.owner_id, m.Colleague.name, func.count(), func.min(s.due_on))
        .select_from(s)
        .join(m.Colleague, m.Colleague.id == s.owner_id)
        .where(
            in_scope_conversation(s.conversation_id, _without_lead(f)),
            s.done_on.is_(None),
            *where,
        )
        .group_by(s.owner_id, m.Colleague.name)
    ).all()
    owners = sorted(
        (OwnerOverdue(oid, name, n, as_date(oldest)) for oid, name, n, oldest in owner_rows),  # type: ignore[arg-type]
        key=lambda o: (-o.steps, o.owner.casefold()),
    )
    q = _open_steps_query(f).where(*where).order_by(m.Colleague.name, s.due_on, s.id)
    if limit:
        q = q.limit(limit)
    return Overdue(
        filters=f,
        today=today,
        total=sum(o.steps for o in owners),
        owners=owners,
        steps=_step_lines(session.execute(q), today),
    )


@dataclass
class ColleagueSteps:
    """A colleague's open steps: overdue first, then those due in the coming week."""

    colleague_id: int
    today: date
    overdue: list[StepLine]
    this_week: list[StepLine]  # due from today to today + 6 days
    later: list[StepLine] = field(default_factory=list)  # only when asked for

    def as_dict(self) -> dict[str, Any]:
        return {
            "colleague_id": self.colleague_id,
            "today": self.today.isoformat(),
            "overdue": [s.as_dict() for s in self.overdue],
            "this_week": [s.as_dict() for s in self.this_week],
        }


def steps_for(
    session: Session,
    colleague_id: int,
    *,
    today: date | None = None,
    days: int = 7,
    limit: int | None = None,
    later: bool = False,
) -> ColleagueSteps:
    """The open steps a colleague owns: overdue (oldest first), then due within `days` days.

    With `later`, also the rest of them (due after that), soonest first.
    """
    for_reports(session)
    today = today or date.today()
    s = m.Step
    base = _open_steps_query(Filters()).where(s.owner_id == colleague_id)
    late = base.where(s.due_on < today).order_by(s.due_on, s.id)
    soon = base.where(s.due_on >= today, s.due_on < today + timedelta(days=days)).order_by(
        s.due_on, s.id
    )
    rest = base.where(s.due_on >= today + timedelta(days=days)).order_by(s.due_on, s.id)
    if limit:
        late, soon, rest = late.limit(limit), soon.limit(limit), rest.limit(limit)
    return ColleagueSteps(
        colleague_id=colleague_id,
        today=today,
        overdue=_step_lines(session.execute(late), today),
        this_week=_step_lines(session.execute(soon), today),
        later=_step_lines(session.execute(rest), today) if later else [],
    )
