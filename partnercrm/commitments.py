"""Commitments: what warm conversations convert into, and what they deliver."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from partnercrm import keywords, labels
from partnercrm import models as m
from partnercrm.concurrency import check_version
from partnercrm.conversations import set_stage
from partnercrm.dates import check_due, happened, parse_optional_date, today_of
from partnercrm.errors import Invalid
from partnercrm.matching import get_by_id
from partnercrm.missions import check_offered


def check_kind(kind: str) -> str:
    value = (kind or "").strip().lower().replace(" ", "_").replace("-", "_")
    if value not in {k.value for k in m.CommitmentKind}:
        raise Invalid(
            f"commitment kind {kind!r} is not one of {', '.join(k.value for k in m.CommitmentKind)}",
            field="kind",
        )
    return value


# the largest figure stored: well inside the columns (money to 12 digits, counts to 2**31)
LARGEST = Decimal(1_000_000_000)


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise Invalid(f"{field} {value!r} is not a number", field=field)
    if amount < 0:
        raise Invalid(f"{field} cannot be negative (got {value})", field=field)
    if amount > LARGEST:
        raise Invalid(f"{field} {value!r} is too large (over {LARGEST:,})", field=field)
    return amount


def _count(value: Any, field: str) -> int | None:
    amount = _amount(value, field)
    if amount is None:
        return None
    if amount != amount.to_integral_value():
        raise Invalid(f"{field} must be a whole number (got {value})", field=field)
    return int(amount)


# a delivery's figures, each with how it is read (in the order mistakes are reported)
DELIVERY_FIGURES: dict[str, Callable[[Any, str], Any]] = {
    "opportunities": _count,
    "people": _count,
    "gbp": _amount,
    "hours": _amount,
}


def suggested_kind(conversation: m.Conversation) -> str | None:
    """The kind of commitment a conversation's ask points at: its kind, else its role's first."""
    if conversation.ask_kind is not None:
        return conversation.ask_kind
    role = conversation.ask_role
    if role is not None and role.commitment_kinds:
        return role.commitment_kinds.split()[0]
    return None


class Promise(TypedDict, total=False):
    """What a commitment promises, and when: the keywords of add_commitment and edit_commitment."""

    beneficiary: str | None
    gbp: Any  # money, hours: a number or its text ('5,000'); opportunities, people: whole
    hours: Any
    opportunities: Any
    people: Any
    due: date | str | None
    on: date | str | None  # the day it was agreed
    nothing_promised: bool  # kept although it promises nothing
    confirm: bool  # a due date already past, or over five years ahead, is meant


def add_commitment(
    session: Session,
    conversation: m.Conversation,
    kind: str,
    *,
    missions: Sequence[m.Mission] = (),
    **promise: Unpack[Promise],
) -> m.Commitment:
    """Record what a conversation converted into; the conversation moves to `committed`.

    It must promise something: a figure, a beneficiary, or a kind not measured in numbers
    (recognition, advocacy); else `nothing_promised` says so. A due date already past, or
    over five years ahead, needs `confirm`.
    """
    keywords.check(Promise, promise, "add_commitment")
    agreed = happened(promise.get("on"), "agreed date", field="on", today=today_of(session))
    due_on = parse_optional_date(
        promise.get("due"), "due date", field="due", today=today_of(session), future=True
    )
    check_due_after_agreed(due_on, agreed)
    check_due(due_on, confirm=promise.get("confirm", False), today=today_of(session))
    check_offered(missions)
    commitment = m.Commitment(
        organisation_id=conversation.organisation_id,
        conversation=conversation,
        kind=check_kind(kind),
        missions=list(dict.fromkeys(missions)) or list(conversation.missions),
        beneficiary=(promise.get("beneficiary") or "").strip() or None,
        promised_gbp=_amount(promise.get("gbp"), "gbp"),
        promised_hours=_amount(promise.get("hours"), "hours"),
        promised_opportunities=_count(promise.get("opportunities"), "opportunities"),
        promised_people=_count(promise.get("people"), "people"),
        due_on=due_on,
        status=m.CommitmentStatus.AGREED,
        agreed_on=agreed,
    )
    check_promise(commitment, nothing_promised=promise.get("nothing_promised", False))
    session.add(commitment)
    set_stage(session, conversation, m.Stage.COMMITTED, on=agreed, via_commitment=True)
    session.flush()
    return commitment


# kinds whose worth is not counted: a logo and a story, content shared
UNMEASURED_KINDS = (m.CommitmentKind.RECOGNITION, m.CommitmentKind.ADVOCACY)
PROMISED = ("promised_gbp", "promised_hours", "promised_opportunities", "promised_people")


def promises_something(commitment: m.Commitment) -> bool:
    """A figure, a beneficiary, or a kind not counted in numbers."""
    return bool(
        commitment.kind in UNMEASURED_KINDS
        or commitment.beneficiary
        or any(getattr(commitment, f) for f in PROMISED)
    )


def check_promise(commitment: m.Commitment, *, nothing_promised: bool = False) -> None:
    """A commitment promises a figure, a beneficiary, or is of a kind not counted in numbers."""
    if nothing_promised or promises_something(commitment):
        return
    raise Invalid(
        f"a commitment of the kind {commitment.kind.replace('_', ' ')} needs something promised: "
        "a figure (money, hours, opportunities or people) or a beneficiary; or say that nothing "
        "was promised",
        field="nothing_promised",
    )


def check_delivery(delivery: m.Delivery) -> None:
    """A delivery records something: at least one figure, or a story."""
    if delivery.story or any(
        getattr(delivery, f) for f in ("opportunities", "people", "gbp", "hours")
    ):
        return
    raise Invalid(
        "a delivery needs at least one figure (opportunities, people, money or hours) or a story",
        field="story",
    )


def edit_commitment(
    session: Session,
    commitment: m.Commitment,
    *,
    expected_version: int | None = None,
    kind: str | None = None,
    missions: Sequence[m.Mission] | None = None,
    **promise: Unpack[Promise],
) -> m.Commitment:
    """Change the given fields; None leaves a field as it is, '' clears a figure, the beneficiary
    or the due date. A new agreed date moves the conversation's move to committed with it.

    An edit that takes away everything promised needs `nothing_promised`, as `add_commitment`
    does; a due date changed to one already past, or over five years ahead, needs `confirm`.
    """
    keywords.check(Promise, promise, "edit_commitment")
    check_version(commitment, expected_version)
    had_promise = promises_something(commitment)
    old_due = commitment.due_on
    with session.no_autoflush:  # one change, one history entry
        _edit_commitment(session, commitment, kind, missions, promise)
        if commitment.due_on is not None and commitment.due_on != old_due:
            check_due(
                commitment.due_on, confirm=promise.get("confirm", False), today=today_of(session)
            )
        figures = {
            "promised_gbp": (promise.get("gbp"), _amount, "gbp"),
            "promised_hours": (promise.get("hours"), _amount, "hours"),
            "promised_opportunities": (promise.get("opportunities"), _count, "opportunities"),
            "promised_people": (promise.get("people"), _count, "people"),
        }
        for column, (value, read, field) in figures.items():
            if value is not None:
                setattr(commitment, column, read(value, field))
        if had_promise:
            check_promise(commitment, nothing_promised=promise.get("nothing_promised", False))
    session.flush()
    return commitment


def _edit_commitment(
    session: Session,
    commitment: m.Commitment,
    kind: str | None,
    missions: Sequence[m.Mission] | None,
    promise: Promise,
) -> None:
    beneficiary, on, due = promise.get("beneficiary"), promise.get("on"), promise.get("due")
    if kind is not None:
        commitment.kind = check_kind(kind)
    if missions is not None:
        check_offered(missions, already=commitment.missions)
        commitment.missions = list(dict.fromkeys(missions))
    if beneficiary is not None:
        commitment.beneficiary = beneficiary.strip() or None
    if on is not None:
        _move_agreed(
            session,
            commitment,
            happened(on, "agreed date", field="on", today=today_of(session)),
        )
    if due is not None:
        commitment.due_on = parse_optional_date(
            due, "due date", field="due", today=today_of(session), future=True
        )
    check_due_after_agreed(commitment.due_on, commitment.agreed_on)


def check_due_after_agreed(due: date | None, agreed: date) -> None:
    """A commitment falls due on or after the day it was agreed."""
    # a due date typed without a year is never before today (parse_date's `future`), so one
    # before the agreed date was typed with its year: a slip said, not stored
    if due is not None and due < agreed:
        raise Invalid(
            f"the due date {due:%d %b %Y} is before the commitment was agreed ({agreed:%d %b %Y})",
            field="due",
        )


def _move_agreed(session: Session, commitment: m.Commitment, when: date) -> None:
    old = commitment.agreed_on
    if when == old:
        return
    first = min((d.delivered_on for d in commitment.deliveries), default=commitment.closed_on)
    if first is not None and when > first:
        raise Invalid(
            f"commitment {commitment.id} delivered or closed on {first:%d %b %Y}; it cannot "
            f"have been agreed after that ({when:%d %b %Y})",
            field="on",
        )
    conversation = commitment.conversation
    if conversation is not None:
        from partnercrm.conversations import stage_changes

        changes = stage_changes(session, conversation)
        for i, change in enumerate(changes):
            if change.to_stage != m.Stage.COMMITTED or change.changed_on != old:
                continue
            before = changes[i - 1].changed_on if i else conversation.started_on
            if when < before:
                raise Invalid(
                    f"conversation {conversation.id} last changed stage on {before:%d %b %Y}; "
                    f"the commitment cannot have been agreed before that ({when:%d %b %Y})",
                    field="on",
                )
            change.changed_on = when
    commitment.agreed_on = when


def get_delivery(
    session: Session, commitment: m.Commitment, delivery_id: int | str | None = None
) -> m.Delivery:
    """One of a commitment's deliveries: the one with `delivery_id`, else the latest."""
    if not commitment.deliveries:
        raise Invalid(f"commitment {commitment.id} has no delivery recorded", field="delivery_id")
    if delivery_id is None:
        return max(commitment.deliveries, key=lambda d: (d.delivered_on, d.id))
    found = get_by_id(session, m.Delivery, "delivery", delivery_id)
    if found.commitment_id != commitment.id:
        raise Invalid(
            f"delivery {found.id} belongs to commitment {found.commitment_id}, not {commitment.id}",
            field="delivery_id",
        )
    return found


class Delivered(TypedDict, total=False):
    """What a delivery records: the keywords of deliver and edit_delivery."""

    opportunities: Any  # opportunities, people: whole numbers; money, hours: a number
    people: Any
    gbp: Any
    hours: Any
    story: str | None
    on: date | str | None  # the day it was delivered


def edit_delivery(
    session: Session,
    delivery: m.Delivery,
    *,
    expected_version: int | None = None,
    **delivered: Unpack[Delivered],
) -> m.Delivery:
    """Correct what a delivery recorded; None leaves a field as it is, '' clears it."""
    keywords.check(Delivered, delivered, "edit_delivery")
    check_version(delivery, expected_version)
    for field, read in DELIVERY_FIGURES.items():
        value = delivered.get(field)
        if value is not None:
            setattr(delivery, field, read(value, field))
    story, on = delivered.get("story"), delivered.get("on")
    if story is not None:
        delivery.story = story.strip() or None
    check_delivery(delivery)
    commitment = delivery.commitment
    if on is not None:
        when = _not_before_agreed(
            commitment, happened(on, "delivery date", field="on", today=today_of(session))
        )
        if commitment.closed_on == delivery.delivered_on and delivery is _latest(commitment):
            commitment.closed_on = when
        delivery.delivered_on = when
    session.flush()
    return delivery


def _latest(commitment: m.Commitment) -> m.Delivery | None:
    return max(commitment.deliveries, key=lambda d: (d.delivered_on, d.id), default=None)


def undeliver(
    session: Session, commitment: m.Commitment, *, expected_version: int | None = None
) -> m.Commitment:
    """A delivery recorded by mistake: the commitment is in progress again.

    Its latest delivery is removed from the record (the history keeps what it said).
    """
    check_version(commitment, expected_version)
    if commitment.status != m.CommitmentStatus.DELIVERED:
        raise Invalid(
            f"commitment {commitment.id} is {labels.status(commitment.status)}, not delivered; nothing to undo",
            field="status",
        )
    latest = _latest(commitment)
    if latest is not None:
        commitment.deliveries.remove(latest)
        session.delete(latest)
    commitment.status = m.CommitmentStatus.IN_PROGRESS
    commitment.closed_on = None
    session.flush()
    return commitment


def get_commitment(session: Session, commitment_id: int | str) -> m.Commitment:
    return get_by_id(session, m.Commitment, "commitment", commitment_id)


def start(session: Session, commitment: m.Commitment) -> m.Commitment:
    """Mark an agreed commitment as in progress."""
    _must_be_open(commitment, "start")
    commitment.status = m.CommitmentStatus.IN_PROGRESS
    session.flush()
    return commitment


def deliver(
    session: Session,
    commitment: m.Commitment,
    *,
    partial: bool = False,
    expected_version: int | None = None,
    **delivered: Unpack[Delivered],
) -> m.Delivery:
    """Record what a commitment delivered; it becomes delivered unless `partial`."""
    keywords.check(Delivered, delivered, "deliver")
    check_version(commitment, expected_version)
    _must_be_open(commitment, "deliver")
    on = delivered.get("on")
    when = _not_before_agreed(
        commitment, happened(on, "delivery date", field="on", today=today_of(session))
    )
    delivery = m.Delivery(
        commitment=commitment,
        delivered_on=when,
        **{f: read(delivered.get(f), f) for f, read in DELIVERY_FIGURES.items()},
        story=(delivered.get("story") or "").strip() or None,
        recorded_by=session.info.get("actor"),
    )
    check_delivery(delivery)
    session.add(delivery)
    if partial:
        commitment.status = m.CommitmentStatus.IN_PROGRESS
    else:
        commitment.status = m.CommitmentStatus.DELIVERED
        commitment.closed_on = when
    session.flush()
    return delivery


def lapse(session: Session, commitment: m.Commitment, on: date | str | None = None) -> m.Commitment:
    """The commitment will not be delivered."""
    _must_be_open(commitment, "lapse")
    commitment.closed_on = _not_before_agreed(
        commitment, happened(on, "date", field="on", today=today_of(session))
    )
    commitment.status = m.CommitmentStatus.LAPSED
    session.flush()
    return commitment


def _not_before_agreed(commitment: m.Commitment, when: date) -> date:
    if when < commitment.agreed_on:
        raise Invalid(
            f"{when:%d %b %Y} is before commitment {commitment.id} was agreed "
            f"({commitment.agreed_on:%d %b %Y})",
            field="date",
        )
    return when


def _must_be_open(commitment: m.Commitment, verb: str) -> None:
    if commitment.status == m.CommitmentStatus.DELIVERED:
        # a delivery recorded by mistake is corrected, not worked around
        raise Invalid(
            f"commitment {commitment.id} is already delivered; if that delivery was recorded by "
            f"mistake, undo the delivery first (the commitment goes back to in progress), "
            f"then {verb} it",
            field="status",
        )
    if commitment.status not in m.OPEN_COMMITMENT_STATUSES:
        raise Invalid(
            f"commitment {commitment.id} is already {labels.status(commitment.status)}; cannot {verb} it",
            field="status",
        )


def list_commitments(
    session: Session,
    *,
    status: str | None = None,
    mission: m.Mission | None = None,
    organisation: m.Organisation | None = None,
    limit: int | None = None,
) -> list[m.Commitment]:
    c = m.Commitment
    q = (
        select(c)
        .join(m.Organisation)
        .options(
            selectinload(c.organisation),
            selectinload(c.missions),
            selectinload(c.deliveries),
        )
        .order_by(c.agreed_on.desc(), c.id.desc())
    )
    if status:
        value = status.strip().lower()
        if value == "open":
            q = q.where(c.status.in_(m.OPEN_COMMITMENT_STATUSES))
        elif value in {s.value for s in m.CommitmentStatus}:
            q = q.where(c.status == value)
        else:
            raise Invalid(
                f"status {status!r} is not one of open, "
                + ", ".join(s.value for s in m.CommitmentStatus),
                field="status",
            )
    if mission is not None:
        q = q.where(
            c.id.in_(
                select(m.commitment_mission.c.commitment_id).where(
                    m.commitment_mission.c.mission_id == mission.id
                )
            )
        )
    if organisation is not None:
        q = q.where(c.organisation_id == organisation.id)
    else:
        q = q.where(m.Organisation.archived.is_(False))
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def _num(value: Decimal | int | None) -> float | int | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def delivered_totals(commitment: m.Commitment) -> dict[str, Any]:
    totals: dict[str, Any] = {"opportunities": 0, "people": 0, "gbp": 0, "hours": 0}
    for d in commitment.deliveries:
        for key in totals:
            totals[key] += getattr(d, key) or 0
    return {k: _num(v) for k, v in totals.items()}


def figures_text(values: dict[str, Any]) -> str:
    """Promised or delivered figures in a few words: '£5,000, 12 opps, 30 people' ('' if none)."""
    parts = []
    if values.get("gbp"):
        parts.append(f"£{values['gbp']:,.2f}".removesuffix(".00"))
    if values.get("hours"):
        parts.append(f"{values['hours']} h")
    if values.get("opportunities"):
        parts.append(f"{values['opportunities']} opps")
    if values.get("people"):
        parts.append(f"{values['people']} people")
    return ", ".join(parts)


def commitment_dict(commitment: m.Commitment) -> dict[str, Any]:
    return {
        "id": commitment.id,
        "organisation": commitment.organisation.name,
        "conversation_id": commitment.conversation_id,
        "kind": commitment.kind,
        "missions": [mi.key for mi in commitment.missions],
        "mission_names": [mi.name for mi in commitment.missions],
        "beneficiary": commitment.beneficiary,
        "status": commitment.status,
        "agreed_on": commitment.agreed_on.isoformat(),
        "due": commitment.due_on.isoformat() if commitment.due_on else None,
        "closed_on": commitment.closed_on.isoformat() if commitment.closed_on else None,
        "promised": {
            "gbp": _num(commitment.promised_gbp),
            "hours": _num(commitment.promised_hours),
            "opportunities": commitment.promised_opportunities,
            "people": commitment.promised_people,
        },
        "delivered": delivered_totals(commitment),
        "stories": [d.story for d in commitment.deliveries if d.story],
        "deliveries": [delivery_dict(d) for d in commitment.deliveries],
        "version": commitment.version,
    }


def delivery_dict(delivery: m.Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "commitment_id": delivery.commitment_id,
        "date": delivery.delivered_on.isoformat(),
        "opportunities": delivery.opportunities,
        "people": delivery.people,
        "gbp": _num(delivery.gbp),
        "hours": _num(delivery.hours),
        "story": delivery.story,
        "version": delivery.version,
    }
