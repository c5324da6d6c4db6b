"""The choices forms offer, read through partnercrm's services as (label, value) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    labels,
    missions,
    organisations,
)
from partnercrm import models as m

Options = list[tuple[str, Any]]


class Stored(Protocol):
    """A record a form acts on: its id, and the version it had when the form read it."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=Stored)


def versioned_options(
    found: Sequence[R], title: Callable[[R], str]
) -> tuple[Options, dict[int, int]]:
    """Each record as a choice, and the version it was read at (a save over a change is refused)."""
    return [(title(r), r.id) for r in found], {r.id: r.version for r in found}


def label(value: str) -> str:
    """A stored code in words, from partnercrm.labels: 'sponsorship_in_kind' is 'in-kind sponsorship'."""
    return labels.label(value)


def sectors() -> Options:
    return labels.choices("sector")


def channels() -> Options:
    return labels.choices("channel")


def kinds() -> Options:
    return labels.choices("kind")


def colleague_options(session: Session, keep: Iterable[int | None] = ()) -> Options:
    """Colleagues still here; one in `keep` (a record's lead who has left) stays a choice."""
    kept = {k for k in keep if k is not None}
    return [
        (c.name + (" (left)" if c.archived else ""), c.id)
        for c in colleagues.list_colleagues(session, include_archived=bool(kept))
        if not c.archived or c.id in kept
    ]


def me(session: Session) -> int | None:
    """The acting colleague's id, when `--as` names a colleague."""
    found = colleagues.colleague_for_actor(session)
    return found.id if found else None


def mission_options(session: Session, keep: Iterable[int | None] = ()) -> Options:
    """Missions offered for new records; a retired one in `keep` (already chosen) stays."""
    return _offered(missions.list_missions(session), keep)


def role_options(session: Session, keep: Iterable[int | None] = ()) -> Options:
    """Ambassador roles offered for new records; a retired one in `keep` stays."""
    return _offered(missions.list_roles(session), keep)


def _offered(found: Iterable[m.Mission | m.AmbassadorRole], keep: Iterable[int | None]) -> Options:
    kept = set(keep)
    return [
        (r.name + (" (retired)" if r.retired else ""), r.id)
        for r in found
        if not r.retired or r.id in kept
    ]


def ask_options(session: Session, keep: str | None = None) -> Options:
    """An ask is an ambassador role or a kind of commitment (a retired role only as `keep`)."""
    roles = [
        (f"role: {r.name}", r.key)
        for r in missions.list_roles(session)
        if not r.retired or r.key == keep
    ]
    return roles + [(f"commitment: {text}", value) for text, value in kinds()]


def organisation(session: Session, organisation_id: int) -> m.Organisation:
    return organisations.find_organisation(session, str(organisation_id))


def contact_options(session: Session, org: m.Organisation) -> Options:
    return [
        (f"{c.name}" + (f" ({c.job_title})" if c.job_title else ""), c.id)
        for c in contacts.list_contacts(session, org)
    ]


def conversation_title(conv: m.Conversation) -> str:
    about = conv.subject or (label(conv.ask) if conv.ask else "no ask yet")
    return f"#{conv.id} {about} · {labels.label(conv.stage, 'stage')} · {conv.lead.name}"


def conversation_options(session: Session, org: m.Organisation, *, open_only: bool) -> Options:
    found = conversations.list_conversations(
        session, organisation=org, include_closed=not open_only
    )
    return [(conversation_title(c), c.id) for c in found]


def open_step_options(session: Session, org: m.Organisation) -> tuple[Options, dict[int, int]]:
    """Open steps of the organisation's conversations, with the version each was read at."""
    found = conversations.list_conversations(session, organisation=org, include_closed=True)
    steps = sorted(
        (s for c in found for s in c.steps if s.done_on is None), key=lambda s: (s.due_on, s.id)
    )
    return versioned_options(
        steps, lambda s: f"{s.description} · due {labels.day(s.due_on)} · {s.owner.name}"
    )


def open_commitment_options(
    session: Session, org: m.Organisation
) -> tuple[Options, dict[int, int]]:
    return versioned_options(
        commitments.list_commitments(session, organisation=org, status="open"),
        lambda c: (
            f"#{c.id} {label(c.kind)}"
            + (f" for {c.beneficiary}" if c.beneficiary else "")
            + f" · {label(c.status)}"
        ),
    )


def ambassadorship_options(session: Session, org: m.Organisation) -> tuple[Options, dict[int, int]]:
    found = [
        a
        for a in ambassadors.list_ambassadorships(session, organisation=org)
        if a.status != m.AmbassadorStatus.ENDED
    ]
    return versioned_options(
        found,
        lambda a: (
            f"#{a.id} {a.role.name}"
            + (f" · {a.mission.name}" if a.mission else "")
            + f" · {labels.label(a.status, 'ambassador_status')}"
        ),
    )


def colleague(session: Session, colleague_id: int | None) -> m.Colleague | None:
    return session.get(m.Colleague, colleague_id) if colleague_id else None


def chosen(session: Session, model: type[Any], ids: list[int]) -> list[Any]:
    """The records a form's ticked list names, in the order given."""
    return [session.get(model, i) for i in ids]
