"""Steps: the next actions that move a warm conversation on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from partnercrm import models as m
from partnercrm.colleagues import check_active
from partnercrm.concurrency import check_version
from partnercrm.dates import check_due, happened, parse_date, today_of
from partnercrm.errors import Invalid
from partnercrm.matching import get_by_id


def add_step(
    session: Session,
    conversation: m.Conversation,
    description: str,
    owner: m.Colleague,
    due: date | str,
    *,
    confirm: bool = False,
) -> m.Step:
    """A next step; a due date already past, or over five years ahead, needs `confirm`."""
    text = (description or "").strip()
    if not text:
        raise Invalid("a step needs a description of what to do", field="description")
    check_active(owner, "owner")
    today = today_of(session)
    due_on = check_due(
        parse_date(due, "due date", field="due", today=today, future=True),
        confirm=confirm,
        today=today,
    )
    step = m.Step(conversation=conversation, description=text, owner=owner, due_on=due_on)
    session.add(step)
    session.flush()
    return step


def edit_step(
    session: Session,
    step: m.Step,
    *,
    expected_version: int | None = None,
    description: str | None = None,
    owner: m.Colleague | None = None,
    due: date | str | None = None,
    confirm: bool = False,
) -> m.Step:
    """Change what a step says, who owns it or when it is due; None leaves a field as it is.

    A due date already past, or over five years ahead, needs `confirm`.
    """
    check_version(step, expected_version)
    if description is not None:
        text = description.strip()
        if not text:
            raise Invalid("a step needs a description of what to do", field="description")
        step.description = text
    if owner is not None:
        if owner is not step.owner:
            check_active(owner, "owner")
        step.owner = owner
    if due is not None:
        new_due = parse_date(due, "due date", field="due", today=today_of(session), future=True)
        if new_due != step.due_on:  # an overdue step whose words change is not asked about
            check_due(new_due, confirm=confirm, today=today_of(session))
        step.due_on = new_due
    session.flush()
    return step


def reopen_step(session: Session, step: m.Step, *, expected_version: int | None = None) -> m.Step:
    """A step marked done by mistake is open again."""
    check_version(step, expected_version)
    if step.done_on is None:
        raise Invalid(f"step {step.id} is not done; nothing to reopen", field="done")
    step.done_on = None
    session.flush()
    return step


def get_step(session: Session, step_id: int | str) -> m.Step:
    return get_by_id(session, m.Step, "step", step_id)


def complete_step(
    session: Session,
    step: m.Step,
    on: date | str | None = None,
    *,
    expected_version: int | None = None,
) -> m.Step:
    """Mark a step done (on `on`, default today)."""
    check_version(step, expected_version)
    if step.done_on is not None and on is None:
        raise Invalid(
            f"step {step.id} was already done on {step.done_on:%d %b %Y}; give a date to correct it",
            field="on",
        )
    step.done_on = happened(on, "done date", field="on", today=today_of(session))
    session.flush()
    return step


def list_steps(
    session: Session,
    *,
    owner: m.Colleague | None = None,
    overdue: bool = False,
    include_done: bool = False,
    due_before: date | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> list[m.Step]:
    """Open steps, soonest due first (overdue ones therefore first)."""
    today = today or date.today()
    s = m.Step
    q = (
        select(s)
        .join(m.Conversation)
        .options(
            selectinload(s.owner),
            selectinload(s.conversation).selectinload(m.Conversation.organisation),
        )
        .where(
            m.Conversation.archived.is_(False),
            m.Conversation.organisation_id.not_in(
                select(m.Organisation.id).where(m.Organisation.archived.is_(True))
            ),
        )
        .order_by(s.due_on, s.id)
    )
    if not include_done:
        q = q.where(s.done_on.is_(None))
    if owner is not None:
        q = q.where(s.owner_id == owner.id)
    if overdue:
        q = q.where(s.due_on < today, s.done_on.is_(None))
    if due_before is not None:
        q = q.where(s.due_on < due_before)
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def step_dict(step: m.Step, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    return {
        "id": step.id,
        "description": step.description,
        "owner": step.owner.name,
        "due": step.due_on.isoformat(),
        "done": step.done_on.isoformat() if step.done_on else None,
        "overdue": step.done_on is None and step.due_on < today,
        "conversation_id": step.conversation_id,
        "organisation": step.conversation.organisation.name,
        "version": step.version,
    }
