"""Warm conversations: threads with one organisation about one possible ask, and their touchpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from partnercrm import models as m
from partnercrm.archive import set_archived  # noqa: F401  (found where the noun is)
from partnercrm.colleagues import check_active
from partnercrm.concurrency import check_version
from partnercrm.dates import as_date, happened, today_of
from partnercrm.errors import Archived, Invalid, NotFound
from partnercrm.matching import get_by_id
from partnercrm.missions import check_offered

# which stages a conversation may move to from each stage ("committed" only via a commitment)
NEXT_STAGES: dict[str, set[str]] = {
    m.Stage.INITIATED: {m.Stage.EXPLORING, m.Stage.PARKED, m.Stage.DECLINED},
    m.Stage.EXPLORING: {m.Stage.INITIATED, m.Stage.PARKED, m.Stage.DECLINED},
    m.Stage.PARKED: {m.Stage.INITIATED, m.Stage.EXPLORING, m.Stage.DECLINED},
    m.Stage.DECLINED: {m.Stage.INITIATED, m.Stage.EXPLORING},
    m.Stage.COMMITTED: set(),
}


def next_stages(stage: str | None = None) -> list[str]:
    """The stages a conversation at `stage` can be moved to by hand, in pipeline order.

    With no stage, every stage some conversation can be moved to by hand (never committed:
    that comes from recording a commitment).
    """
    allowed = NEXT_STAGES[stage] if stage is not None else set().union(*NEXT_STAGES.values())
    return [s.value for s in m.Stage if s in allowed]


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


# A new conversation's rule, for every writer (this service, the attendee import, the scale
# generator): it starts `initiated` on its first day, which is also its last touch so far; that
# stage change is recorded with the day, and the day's contact is its first touchpoint.


def opening(on: date) -> dict[str, Any]:
    """A new conversation's own columns: initiated, started and last touched on `on`."""
    return {"stage": m.Stage.INITIATED.value, "started_on": on, "last_touch_on": on}


def first_stage_change(
    conversation_id: int, on: date, *, by: str | None, at: datetime
) -> dict[str, Any]:
    """The row of a new conversation's first stage change: to initiated, on its first day."""
    return {
        "conversation_id": conversation_id,
        "from_stage": None,
        "to_stage": m.Stage.INITIATED.value,
        "changed_on": on,
        "changed_at": at,
        "changed_by": by,
    }


def first_touchpoint(
    conversation_id: int,
    on: date,
    *,
    at: datetime,
    channel: str,
    colleague_id: int | None,
    contact_id: int | None,
    note: str | None,
) -> dict[str, Any]:
    """The row of a new conversation's first touchpoint: the conversation itself, that day."""
    return {
        "conversation_id": conversation_id,
        "happened_on": on,
        "channel": channel,
        "colleague_id": colleague_id,
        "contact_id": contact_id,
        "note": note,
        "created_at": at,
    }


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
    message_id: str | None = None,
) -> m.Conversation:
    """Start a warm conversation; its first touchpoint is the conversation itself."""
    if organisation.archived:
        # it would be hidden with the organisation from every list, brief and report
        raise Archived(f"{organisation.name} is archived; restore it first", organisation.id)
    check_active(lead, "lead")
    check_offered(missions)
    when = happened(on, "date", field="on", today=today_of(session))
    for contact in contacts:
        _check_contact(contact, organisation, field="contacts")
    role, kind = resolve_ask(session, ask)
    check_offered([role] if role else [], field="ask")
    check_subject_or_ask(subject, role or kind)
    conv = m.Conversation(
        organisation=organisation,
        lead=lead,
        ask_role=role,
        ask_kind=kind,
        subject=(subject or "").strip() or None,
        contacts=list(dict.fromkeys(contacts)),  # the same person named twice counts once
        missions=list(dict.fromkeys(missions)),
        **opening(when),
    )
    session.add(conv)
    session.flush()
    now = m.utcnow()
    session.add(
        m.StageChange(**first_stage_change(conv.id, when, by=session.info.get("actor"), at=now))
    )
    first = first_touchpoint(
        conv.id,
        when,
        at=now,
        channel=check_channel(channel),
        colleague_id=lead.id,
        contact_id=contacts[0].id if contacts else None,
        note=(note or "").strip() or None,
    )
    session.add(m.Touchpoint(**first, message_id=message_id))
    session.flush()
    return conv


def check_subject_or_ask(subject: str | None, ask: object) -> None:
    """A conversation is about something: it needs a subject, an ask, or both."""
    if not (subject or "").strip() and not ask:
        raise Invalid(
            "a conversation needs a subject or an ask (what it is about)", field="subject"
        )


def _check_contact(contact: m.Contact, organisation: m.Organisation, *, field: str) -> None:
    if contact.organisation_id not in (None, organisation.id):
        raise Invalid(
            f"{contact.name} is at {contact.organisation.name if contact.organisation else '?'}, "
            f"not {organisation.name}",
            field=field,
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
    message_id: str | None = None,
) -> m.Touchpoint:
    """Record one dated interaction; `message_id` names the email or meeting it was logged from."""
    when = happened(on, "date", field="on", today=today_of(session))
    if contact is not None:
        _check_contact(contact, conversation.organisation, field="contact")
    touch = m.Touchpoint(
        conversation_id=conversation.id,
        happened_on=when,
        channel=check_channel(channel),
        colleague=colleague,
        contact=contact,
        note=(note or "").strip() or None,
        message_id=message_id,
    )
    session.add(touch)
    if when > conversation.last_touch_on:
        conversation.last_touch_on = when
    session.flush()
    return touch


def edit_conversation(
    session: Session,
    conversation: m.Conversation,
    *,
    expected_version: int | None = None,
    subject: str | None = None,
    ask: str | None = None,
    lead: m.Colleague | None = None,
    missions: Sequence[m.Mission] | None = None,
    contacts: Sequence[m.Contact] | None = None,
    on: date | str | None = None,
) -> m.Conversation:
    """Change the given fields; None leaves a field as it is, '' clears the subject or the ask.

    A new start date moves the conversation's first stage and its first touchpoint (the
    conversation itself) with it.
    """
    check_version(conversation, expected_version)
    # one change, one history entry: nothing is written until every field is set
    with session.no_autoflush:
        if subject is not None:
            conversation.subject = subject.strip() or None
        if ask is not None:
            role, kind = resolve_ask(session, ask)
            check_offered([role] if role else [], already=[conversation.ask_role], field="ask")
            conversation.ask_role, conversation.ask_kind = role, kind
        if lead is not None:
            if lead is not conversation.lead:
                check_active(lead, "lead")
            conversation.lead = lead
        if missions is not None:
            check_offered(missions, already=conversation.missions)
            conversation.missions = list(dict.fromkeys(missions))
        if contacts is not None:
            for contact in contacts:
                _check_contact(contact, conversation.organisation, field="contacts")
            conversation.contacts = list(dict.fromkeys(contacts))
        check_subject_or_ask(conversation.subject, conversation.ask_role or conversation.ask_kind)
        if on is not None:
            _move_start(
                session, conversation, happened(on, "date", field="on", today=today_of(session))
            )
    session.flush()
    refresh_last_touch(session, conversation)
    session.flush()
    return conversation


def _move_start(session: Session, conversation: m.Conversation, when: date) -> None:
    old = conversation.started_on
    if when == old:
        return
    changes = stage_changes(session, conversation)
    later = [c for c in changes if c.from_stage is not None]
    if later and when > later[0].changed_on:
        raise Invalid(
            f"conversation {conversation.id} moved to {later[0].to_stage} on "
            f"{later[0].changed_on:%d %b %Y}; it cannot have started after that",
            field="on",
        )
    first_touch = session.scalar(
        conversation.touchpoints.select()
        .where(m.Touchpoint.archived.is_(False))
        .order_by(m.Touchpoint.happened_on, m.Touchpoint.id)
        .limit(1)
    )
    others = session.scalar(
        select(func.min(m.Touchpoint.happened_on)).where(
            m.Touchpoint.conversation_id == conversation.id,
            m.Touchpoint.archived.is_(False),
            m.Touchpoint.id != (first_touch.id if first_touch else None),
        )
    )
    if others is not None and when > others:
        raise Invalid(
            f"conversation {conversation.id} has a touchpoint on {others:%d %b %Y}; it cannot "
            f"have started after that ({when:%d %b %Y})",
            field="on",
        )
    conversation.started_on = when
    for change in changes:
        if change.from_stage is None and change.changed_on == old:
            change.changed_on = when
    if first_touch is not None and first_touch.happened_on == old:
        first_touch.happened_on = when


def refresh_last_touch(session: Session, conversation: m.Conversation) -> None:
    """Last touch from the touchpoints as they now stand (one edited or archived)."""
    latest = session.scalar(
        select(func.max(m.Touchpoint.happened_on)).where(
            m.Touchpoint.conversation_id == conversation.id, m.Touchpoint.archived.is_(False)
        )
    )
    latest = as_date(latest) or conversation.started_on
    if conversation.last_touch_on != latest:
        conversation.last_touch_on = latest


def get_touchpoint(session: Session, touchpoint_id: int | str) -> m.Touchpoint:
    return get_by_id(session, m.Touchpoint, "touchpoint", touchpoint_id)


def edit_touchpoint(
    session: Session,
    touchpoint: m.Touchpoint,
    *,
    expected_version: int | None = None,
    on: date | str | None = None,
    channel: str | None = None,
    note: str | None = None,
    contact: m.Contact | None = None,
    clear_contact: bool = False,
) -> m.Touchpoint:
    """Change the given fields of a touchpoint; None leaves a field as it is, '' clears the note."""
    check_version(touchpoint, expected_version)
    conversation = touchpoint.conversation
    _edit_touchpoint(
        touchpoint, conversation, on, channel, note, contact, clear_contact, today_of(session)
    )
    session.flush()
    refresh_last_touch(session, conversation)
    session.flush()
    return touchpoint


def _edit_touchpoint(
    touchpoint: m.Touchpoint,
    conversation: m.Conversation,
    on: date | str | None,
    channel: str | None,
    note: str | None,
    contact: m.Contact | None,
    clear_contact: bool,
    today: date | None = None,
) -> None:
    if on is not None:
        when = happened(on, "date", field="on", today=today)
        if when < conversation.started_on:
            raise Invalid(
                f"conversation {conversation.id} started on {conversation.started_on:%d %b %Y}; "
                f"a touchpoint in it cannot be dated before that ({when:%d %b %Y})",
                field="on",
            )
        touchpoint.happened_on = when
    if channel is not None:
        touchpoint.channel = check_channel(channel)
    if note is not None:
        touchpoint.note = note.strip() or None
    if contact is not None:
        _check_contact(contact, conversation.organisation, field="contact")
        touchpoint.contact = contact
    elif clear_contact:
        touchpoint.contact = None


def archive_touchpoint(
    session: Session, touchpoint: m.Touchpoint, *, expected_version: int | None = None
) -> m.Touchpoint:
    """Take a touchpoint logged by mistake out of its conversation; its history is kept."""
    check_version(touchpoint, expected_version)
    set_archived(session, touchpoint, True)
    refresh_last_touch(session, touchpoint.conversation)
    session.flush()
    return touchpoint


def touchpoint_dict(touchpoint: m.Touchpoint) -> dict[str, Any]:
    return {
        "id": touchpoint.id,
        "conversation_id": touchpoint.conversation_id,
        "date": touchpoint.happened_on.isoformat(),
        "channel": touchpoint.channel,
        "colleague": touchpoint.colleague.name if touchpoint.colleague else None,
        "contact": touchpoint.contact.name if touchpoint.contact else None,
        "note": touchpoint.note,
        "archived": touchpoint.archived,
        "version": touchpoint.version,
    }


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
            "a conversation becomes committed when a commitment is recorded for it",
            field="stage",
        )
    if not via_commitment and value not in NEXT_STAGES[conversation.stage]:
        raise Invalid(
            f"conversation {conversation.id} is {conversation.stage} and cannot move to {value}",
            field="stage",
        )
    when = happened(on, "date", field="on", today=today_of(session))
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
            field="on",
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
            .where(m.Touchpoint.archived.is_(False))
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
        "mission_names": [mi.name for mi in conv.missions],
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
    data["touchpoints"] = [touchpoint_dict(t) for t in touchpoints(session, conv)]
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
