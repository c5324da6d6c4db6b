"""Warm conversations: threads with one organisation about one possible ask, and their touchpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from partnercrm import models as m
from partnercrm.archive import set_archived  # noqa: F401  (found where the noun is)
from partnercrm.concurrency import check_version
from partnercrm.dates import happened, today_of
from partnercrm.errors import Invalid, NotFound
from partnercrm.matching import get_by_id

# which stages a conversation may move to from each stage ("committed" only via a commitment)
NEXT_STAGES: dict[str, set[str]] = {
    m.Stage.INITIATED: {m.Stage.EXPLORING, m.Stage.PARKED, m.Stage.DECLINED},
    m.Stage.EXPLORING: {m.Stage.INITIATED, m.Stage.PARKED, m.Stage.DECLINED},
    m.Stage.PARKED: {m.Stage.INITIATED, m.Stage.EXPLORING, m.Stage.DECLINED},
    m.Stage.DECLINED: {m.Stage.INITIATED, m.Stage.EXPLORING},
    m.Stage.COMMITTED: set(),
}


def check_channel(channel: str | None) -> str:
    value = (channel or "meeting").strip().lower()
    if value not in {c.value for c in m.Channel}:
        raise Invalid(
            f"channel {channel!r} is not one of {', '.join(c.value for c in m.Channel)}",
            field="channel",
        )
    return value


def resolve_ask(session: Session, ask: str | None) -> tuple[m.AmbassadorRole | None, str | None]:
    """An ask is an ambassador role (by key or name) or a kind of commitment."""
    if ask is None or not ask.strip():
        return None, None
    value = ask.strip().lower().replace(" ", "_").replace("-", "_")
    if value in {k.value for k in m.CommitmentKind}:
        return None, value
    from partnercrm.missions import find_role

    try:
        return find_role(session, ask), None
    except NotFound:
        kinds = ", ".join(k.value for k in m.CommitmentKind)
        roles = ", ".join(session.scalars(select(m.AmbassadorRole.key)))
        raise Invalid(
            f"the ask {ask!r} is neither an ambassador role ({roles}) nor a kind of commitment "
            f"({kinds})",
            field="ask",
        ) from None


def log_conversation(
    session: Session,
    organisation: m.Organisation,
    lead: m.Colleague,
    *,
    contacts: Sequence[m.Contact] = (),
    missions: Sequence[m.Mission] = (),
    ask: str | None = None,
    subject: str | None = None,
    on: date | str | None = None,
    note: str | None = None,
    channel: str = "meeting",
) -> m.Conversation:
    """Start a warm conversation; its first touchpoint is the conversation itself."""
    if organisation.archived:
        # it would be hidden with the organisation from every list, brief and report
        raise Invalid(
            f"{organisation.name} is archived; restore it first "
            f"(`partnercrm partner restore {organisation.id}`)",
            field="organisation",
        )
    when = happened(on, "date", today=today_of(session))
    for contact in contacts:
        _check_contact(contact, organisation)
    role, kind = resolve_ask(session, ask)
    check_subject_or_ask(subject, role or kind)
    conv = m.Conversation(
        organisation=organisation,
        lead=lead,
        ask_role=role,
        ask_kind=kind,
        subject=(subject or "").strip() or None,
        stage=m.Stage.INITIATED,
        started_on=when,
        last_touch_on=when,
        contacts=list(dict.fromkeys(contacts)),  # the same person named twice counts once
        missions=list(dict.fromkeys(missions)),
    )
    session.add(conv)
    session.flush()
    session.add(
        m.StageChange(
            conversation_id=conv.id,
            from_stage=None,
            to_stage=m.Stage.INITIATED,
            changed_on=when,
            changed_by=session.info.get("actor"),
        )
    )
    add_touchpoint(
        session,
        conv,
        on=when,
        channel=channel,
        note=note,
        colleague=lead,
        contact=contacts[0] if contacts else None,
    )
    return conv


def check_subject_or_ask(subject: str | None, ask: object) -> None:
    """A conversation is about something: it needs a subject, an ask, or both."""
    if not (subject or "").strip() and not ask:
        raise Invalid(
            "a conversation needs a subject or an ask (what it is about)", field="subject"
        )


def _check_contact(contact: m.Contact, organisation: m.Organisation) -> None:
    if contact.organisation_id not in (None, organisation.id):
        raise Invalid(
            f"{contact.name} is at {contact.organisation.name if contact.organisation else '?'}, "
            f"not {organisation.name}",
            field="with",
        )


def add_touchpoint(
    session: Session,
    conversation: m.Conversation,
    *,
    on: date | str | None = None,
    channel: str | None = "meeting",
    note: str | None = None,
    colleague: m.Colleague | None = None,
    contact: m.Contact | None = None,
) -> m.Touchpoint:
    when = happened(on, "date", today=today_of(session))
    if contact is not None:
        _check_contact(contact, conversation.organisation)
    touch = m.Touchpoint(
        conversation_id=conversation.id,
        happened_on=when,
        channel=check_channel(channel),
        colleague=colleague,
        contact=contact,
        note=(note or "").strip() or None,
    )
    session.add(touch)
    if when > conversation.last_touch_on:
        conversation.last_touch_on = when
    session.flush()
    return touch


def set_stage(
    session: Session,
    conversation: m.Conversation,
    stage: str,
    *,
    on: date | str | None = None,
    expected_version: int | None = None,
    via_commitment: bool = False,
) -> m.Conversation:
    """Move a conversation to `stage`, recording the date of the move."""
    check_version(conversation, expected_version)
    value = (stage or "").strip().lower()
    if value not in {s.value for s in m.Stage}:
        raise Invalid(
            f"stage {stage!r} is not one of {', '.join(s.value for s in m.Stage)}", field="stage"
        )
    if value == conversation.stage:
        return conversation
    if value == m.Stage.COMMITTED and not via_commitment:
        raise Invalid(
            "a conversation becomes committed when a commitment is recorded: "
            f"use `commitment add {conversation.id} --kind KIND`",
            field="stage",
        )
    if not via_commitment and value not in NEXT_STAGES[conversation.stage]:
        raise Invalid(
            f"conversation {conversation.id} is {conversation.stage} and cannot move to {value}",
            field="stage",
        )
    when = happened(on, "date", today=today_of(session))
    latest = session.scalar(
        select(func.max(m.StageChange.changed_on)).where(
            m.StageChange.conversation_id == conversation.id
        )
    )
    if latest is not None and when < latest:
        # stage dates measure time to commitment: they must run forwards
        raise Invalid(
            f"conversation {conversation.id} last changed stage on {latest:%d %b %Y}; "
            f"a move to {value} cannot be dated before that ({when:%d %b %Y})",
            field="date",
        )
    session.add(
        m.StageChange(
            conversation_id=conversation.id,
            from_stage=conversation.stage,
            to_stage=value,
            changed_on=when,
            changed_by=session.info.get("actor"),
        )
    )
    conversation.stage = value
    session.flush()
    return conversation


def get_conversation(session: Session, conversation_id: int | str) -> m.Conversation:
    return get_by_id(session, m.Conversation, "conversation", conversation_id)


def list_conversations(
    session: Session,
    *,
    organisation: m.Organisation | None = None,
    stage: str | None = None,
    lead: m.Colleague | None = None,
    mission: m.Mission | None = None,
    stale_days: int | None = None,
    include_closed: bool = False,
    today: date | None = None,
    limit: int | None = None,
) -> list[m.Conversation]:
    """Conversations, most recently touched first; open ones only unless a stage or include_closed."""
    c = m.Conversation
    q = (
        select(c)
        .options(
            selectinload(c.organisation),
            selectinload(c.lead),
            selectinload(c.ask_role),
            selectinload(c.missions),
            selectinload(c.contacts),
            selectinload(c.steps).selectinload(m.Step.owner),
        )
        .where(c.archived.is_(False))
        .order_by(c.last_touch_on.desc(), c.id.desc())
    )
    if organisation is not None:
        q = q.where(c.organisation_id == organisation.id)
    else:  # an archived organisation's conversations are hidden with it
        q = q.where(c.organisation_id.not_in(_archived_organisations()))
    if stage:
        value = stage.strip().lower()
        if value not in {s.value for s in m.Stage}:
            raise Invalid(
                f"stage {stage!r} is not one of {', '.join(s.value for s in m.Stage)}",
                field="stage",
            )
        q = q.where(c.stage == value)
    elif not include_closed:
        q = q.where(c.stage.in_(m.OPEN_STAGES))
    if lead is not None:
        q = q.where(c.lead_id == lead.id)
    if mission is not None:
        q = q.where(
            c.id.in_(
                select(m.conversation_mission.c.conversation_id).where(
                    m.conversation_mission.c.mission_id == mission.id
                )
            )
        )
    if stale_days is not None:
        cutoff = (today or date.today()) - timedelta(days=stale_days)
        q = (
            q.where(c.last_touch_on <= cutoff, c.stage.in_(m.OPEN_STAGES))
            .order_by(None)
            .order_by(c.last_touch_on, c.id)
        )
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def _archived_organisations() -> Any:
    return select(m.Organisation.id).where(m.Organisation.archived.is_(True))


def touchpoints(session: Session, conversation: m.Conversation) -> list[m.Touchpoint]:
    return list(
        session.scalars(
            conversation.touchpoints.select()
            .options(selectinload(m.Touchpoint.colleague), selectinload(m.Touchpoint.contact))
            .order_by(m.Touchpoint.happened_on.desc(), m.Touchpoint.id.desc())
        )
    )


def stage_changes(session: Session, conversation: m.Conversation) -> list[m.StageChange]:
    return list(
        session.scalars(
            conversation.stage_changes.select().order_by(m.StageChange.changed_on, m.StageChange.id)
        )
    )


def next_step(conversation: m.Conversation) -> m.Step | None:
    open_steps = [s for s in conversation.steps if s.done_on is None]
    return min(open_steps, key=lambda s: (s.due_on, s.id)) if open_steps else None


def conversation_dict(conv: m.Conversation) -> dict[str, Any]:
    step = next_step(conv)
    return {
        "id": conv.id,
        "organisation": conv.organisation.name,
        "lead": conv.lead.name,
        "stage": conv.stage,
        "ask": conv.ask,
        "subject": conv.subject,
        "missions": [mi.key for mi in conv.missions],
        "contacts": [c.name for c in conv.contacts],
        "started_on": conv.started_on.isoformat(),
        "last_touch": conv.last_touch_on.isoformat(),
        "next_step": (
            {
                "id": step.id,
                "description": step.description,
                "owner": step.owner.name,
                "due": step.due_on.isoformat(),
            }
            if step
            else None
        ),
        "version": conv.version,
    }


def conversation_detail(session: Session, conv: m.Conversation) -> dict[str, Any]:
    data = conversation_dict(conv)
    data["touchpoints"] = [
        {
            "id": t.id,
            "date": t.happened_on.isoformat(),
            "channel": t.channel,
            "colleague": t.colleague.name if t.colleague else None,
            "contact": t.contact.name if t.contact else None,
            "note": t.note,
        }
        for t in touchpoints(session, conv)
    ]
    data["steps"] = [
        {
            "id": s.id,
            "description": s.description,
            "owner": s.owner.name,
            "due": s.due_on.isoformat(),
            "done": s.done_on.isoformat() if s.done_on else None,
        }
        for s in conv.steps
    ]
    data["stage_history"] = [
        {"from": sc.from_stage, "to": sc.to_stage, "on": sc.changed_on.isoformat()}
        for sc in stage_changes(session, conv)
    ]
    return data
