"""Personal-data rights (UK GDPR): subject access, erasure, and retention review.

A person is named in free text in two ways: by full name, email address or phone number
anywhere, and by a first name or surname alone in records about them (their touchpoints,
and the conversations, steps and stories they take part in). Both are found the same way
for an export and for an erasure, so what an export shows is what an erasure removes.

Erasure writes through Core, not the ORM: the audit trail then records that an erasure
happened (who and when, by `history.record`) and never what was erased, which an ORM flush
would otherwise copy into the history as "changed from ... to ...".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Text, cast, delete, false, func, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload

from partnercrm import access, chain, contacts, history
from partnercrm import models as m
from partnercrm.contacts import email_digest
from partnercrm.errors import Invalid
from partnercrm.matching import name_key

ERASED = "[erased]"
MIN_WEAK_TERM = 3  # a first name or surname shorter than this is too common to replace alone


def erased_name(contact_id: int) -> str:
    return f"Erased person #{contact_id}"


# --- how a person is named --------------------------------------------------------------


@dataclass
class Naming:
    """The words that name one person: `strong` anywhere, `weak` only in records about them."""

    strong: list[str]
    weak: list[str]
    sqlite: bool = True
    # their phone numbers in E.164, found in text in any common form ("07700900123",
    # "+44 7700 900123", "(07700) 900 123")
    phones: list[str] = field(default_factory=list)

    def pattern(self, about_them: bool) -> re.Pattern[str] | None:
        terms = self.strong + (self.weak if about_them else [])
        if not terms:
            return None
        alternatives = "|".join(
            r"\s+".join(re.escape(word) for word in term.split())
            for term in sorted(set(terms), key=len, reverse=True)
        )
        return re.compile(rf"(?<![\w.+-])(?:{alternatives})(?!\w)", re.IGNORECASE)

    def scrub(self, text: str | None, about_them: bool) -> str | None:
        """`text` with every mention replaced by [erased]; None when it does not name them."""
        if not text:
            return None
        pattern = self.pattern(about_them)
        if pattern is None:
            return None
        new = self._scrub_phones(pattern.sub(ERASED, text))
        return new if new != text else None

    def _scrub_phones(self, text: str) -> str:
        if not self.phones or not any(ch.isdigit() for ch in text):
            return text
        import phonenumbers

        kept, last = [], 0
        for match in phonenumbers.PhoneNumberMatcher(
            text, PHONE_REGION, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if number in self.phones:
                kept += [text[last : match.start], ERASED]
                last = match.end
        return "".join(kept) + text[last:] if kept else text

    def sql_filter(self, column: Any, *, json_text: bool = False) -> ColumnElement[bool]:
        """A cheap SQL pre-filter: the column contains one of the strong terms, in any case.

        SQLite's LIKE ignores ASCII case by itself (and is twice as fast without lower());
        PostgreSQL's ILIKE ignores case. Non-ASCII letters get their cased forms spelled out.
        """
        variants: set[str] = set()
        for term in self.strong:
            variants.add(term)
            if not term.isascii():
                variants.update({term.lower(), term.upper(), term.title()})
            if json_text:  # JSON stores non-ASCII as \\uXXXX escapes
                variants.add(json.dumps(term)[1:-1])
        # a phone in any form keeps its last four digits together: the text is then read
        variants.update(number[-4:] for number in self.phones)
        if self.sqlite:
            clauses = [column.contains(v, autoescape=True) for v in variants]
        else:
            clauses = [column.icontains(v, autoescape=True) for v in variants]
        return or_(*clauses) if clauses else or_(false())


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _emails(contact: m.Contact) -> list[str]:
    return [e for e in [contact.email, *(x.email for x in contact.other_emails)] if e]


def naming(contact: m.Contact, where: Footprint | None = None, *, sqlite: bool = True) -> Naming:
    """The words naming the person, including those of records merged into theirs."""
    people = [(contact.name, _emails(contact), contact.phone)]
    for earlier in where.earlier if where else []:
        people.append((earlier.get("name") or "", earlier.get("emails", []), earlier.get("phone")))
    for snapshot in where.merged if where else []:
        emails = [snapshot.get("email"), *snapshot.get("other_emails", [])]
        people.append((snapshot.get("name") or "", [e for e in emails if e], snapshot.get("phone")))
    strong: list[str] = []
    weak: list[str] = []
    phones: list[str] = []
    for name, emails, phone in people:
        name = name.strip()
        if len(name) >= MIN_WEAK_TERM:
            strong += name_forms(name)
        strong += emails
        strong += [p for p in map(local_part, emails) if p]
        if phone and sum(ch.isdigit() for ch in phone) >= 6:
            strong.append(phone.strip())
            phones += [e164] if (e164 := phone_e164(phone)) else []
        words = [w for w in re.split(r"\s+", name) if len(w) >= MIN_WEAK_TERM]
        weak += [w for w in words if w.lower() != name.lower()]
    return Naming(
        strong=list(dict.fromkeys(strong)),
        weak=list(dict.fromkeys(weak)),
        sqlite=sqlite,
        phones=list(dict.fromkeys(phones)),
    )


PHONE_REGION = "GB"
# the local parts of shared mailboxes name nobody
SHARED_MAILBOXES = {
    "admin",
    "contact",
    "enquiries",
    "events",
    "hello",
    "info",
    "mail",
    "office",
    "partnerships",
    "reception",
    "sales",
    "support",
    "team",
}


def name_forms(name: str) -> list[str]:
    """A full name as people write it: 'Ada King Lovelace', 'Ada Lovelace', 'Lovelace, Ada',
    'A. Lovelace', 'A Lovelace'."""
    words = name.split()
    forms = [name]
    if len(words) >= 2:
        first, last = words[0], words[-1]
        forms += [f"{first} {last}", f"{last}, {first}"]
        if len(last) >= MIN_WEAK_TERM and first[0].isalpha():
            forms += [f"{first[0]}. {last}", f"{first[0]} {last}"]
    return list(dict.fromkeys(forms))


def local_part(email: str) -> str | None:
    """The part before the @, when it is specific enough to name a person ('ada.lovelace')."""
    local = email.split("@", 1)[0]
    if len(local) < 4 or local.lower() in SHARED_MAILBOXES:
        return None
    return local


def phone_e164(phone: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- the records about a person ---------------------------------------------------------


@dataclass
class Footprint:
    """The ids of records about one person (not those that merely mention them)."""

    conversation_ids: set[int] = field(default_factory=set)
    touchpoint_ids: set[int] = field(default_factory=set)
    step_ids: set[int] = field(default_factory=set)
    delivery_ids: set[int] = field(default_factory=set)
    attendance_ids: set[int] = field(default_factory=set)
    email_ids: set[int] = field(default_factory=set)
    # contact records merged into this one (their ids and their details as they were)
    merged_ids: set[int] = field(default_factory=set)
    merged: list[dict[str, Any]] = field(default_factory=list)
    # names, addresses and phones the person had before, as the history recorded them
    earlier: list[dict[str, Any]] = field(default_factory=list)

    def by_entity(self, contact_id: int) -> dict[str, set[int]]:
        return {
            "contact": {contact_id} | self.merged_ids,
            "contact_email": self.email_ids,
            "attendance": self.attendance_ids,
            "conversation": self.conversation_ids,
            "touchpoint": self.touchpoint_ids,
            "step": self.step_ids,
            "delivery": self.delivery_ids,
        }


def _merged_into(session: Session, contact_id: int) -> list[dict[str, Any]]:
    """Snapshots of the contacts merged into this one, and into those, and so on."""
    found: list[dict[str, Any]] = []
    todo, seen = [contact_id], {contact_id}
    while todo:
        rows = session.scalars(
            select(m.HistoryEntry.changes).where(
                m.HistoryEntry.action == "merge",
                m.HistoryEntry.entity == "contact",
                m.HistoryEntry.entity_id.in_(todo),
            )
        ).all()
        todo = []
        for changes in rows:
            snapshot = (changes or {}).get("merged")
            if isinstance(snapshot, dict) and isinstance(snapshot.get("id"), int):
                if snapshot["id"] not in seen:
                    seen.add(snapshot["id"])
                    todo.append(snapshot["id"])
                    found.append(snapshot)
    return found


def _earlier_details(session: Session, contact_ids: set[int]) -> list[dict[str, Any]]:
    """Every name, address and phone the history shows these contacts holding."""
    h = m.HistoryEntry
    found: list[dict[str, Any]] = []
    rows = session.scalars(
        select(h.changes).where(
            h.entity == "contact", h.entity_id.in_(contact_ids), h.action.in_(("create", "update"))
        )
    )
    for changes in rows:
        if not isinstance(changes, dict):
            continue
        values = {
            key: [v for v in pair if isinstance(v, str) and v != ERASED]
            for key, pair in changes.items()
            if key in ("name", "email", "phone") and isinstance(pair, list)
        }
        for name in values.get("name", []):
            found.append({"name": name})
        found.append({"emails": values.get("email", [])})
        for phone in values.get("phone", []):
            found.append({"phone": phone})
    return found


def footprint(session: Session, contact: m.Contact) -> Footprint:
    cid = contact.id
    conv_ids = set(
        session.scalars(
            select(m.conversation_contact.c.conversation_id).where(
                m.conversation_contact.c.contact_id == cid
            )
        )
    )
    conv_ids |= set(
        session.scalars(
            select(m.Touchpoint.conversation_id).where(m.Touchpoint.contact_id == cid).distinct()
        )
    )
    touch_ids = set(
        session.scalars(
            select(m.Touchpoint.id).where(
                or_(m.Touchpoint.contact_id == cid, m.Touchpoint.conversation_id.in_(conv_ids))
            )
        )
    )
    step_ids = set(session.scalars(select(m.Step.id).where(m.Step.conversation_id.in_(conv_ids))))
    merged = _merged_into(session, cid)
    delivery_ids = set(
        session.scalars(
            select(m.Delivery.id)
            .join(m.Commitment, m.Commitment.id == m.Delivery.commitment_id)
            .where(m.Commitment.conversation_id.in_(conv_ids))
        )
    )
    return Footprint(
        earlier=_earlier_details(session, {cid} | {snap["id"] for snap in merged}),
        conversation_ids=conv_ids,
        touchpoint_ids=touch_ids,
        step_ids=step_ids,
        delivery_ids=delivery_ids,
        attendance_ids=set(
            session.scalars(select(m.Attendance.id).where(m.Attendance.contact_id == cid))
        ),
        email_ids={e.id for e in contact.other_emails},
        merged_ids={snap["id"] for snap in merged},
        merged=merged,
    )


# free-text columns that may name a person: (model, column, entity in the footprint or None)
FREE_TEXT: list[tuple[type[m.Base], str, str | None]] = [
    (m.Conversation, "subject", "conversation"),
    (m.Touchpoint, "note", "touchpoint"),
    (m.Step, "description", "step"),
    (m.Delivery, "story", "delivery"),
    (m.Commitment, "beneficiary", None),
    (m.Organisation, "notes", None),
]


@dataclass
class Mention:
    """One free-text field that names the person, as it is and as it would be once erased."""

    entity: str
    id: int
    field: str
    text: str
    erased: str

    def as_dict(self) -> dict[str, Any]:
        return {"record": self.entity, "id": self.id, "field": self.field, "text": self.text}

    def passage(self) -> dict[str, Any]:
        """The passage as it is and as an erasure leaves it, for a person to review."""
        return {**self.as_dict(), "erased": self.erased}


def mentions(session: Session, contact: m.Contact, where: Footprint | None = None) -> list[Mention]:
    """Every free-text field that names the person, in the records above."""
    where = where or footprint(session, contact)
    who = naming(contact, where, sqlite=_is_sqlite(session))
    about = where.by_entity(contact.id)
    found: list[Mention] = []
    for model, column_name, entity in FREE_TEXT:
        column = getattr(model, column_name)
        ids = about.get(entity or "", set())
        condition = who.sql_filter(column)
        if ids:
            condition = or_(condition, model.id.in_(ids))  # type: ignore[attr-defined]
        rows = session.execute(
            select(model.id, column).where(column.is_not(None), condition)  # type: ignore[attr-defined]
        ).all()
        for row_id, text in rows:
            erased = who.scrub(text, about_them=row_id in ids)
            if erased is not None:
                found.append(Mention(model.__tablename__, row_id, column_name, text, erased))
    return found


def _history_rows(
    session: Session, contact: m.Contact, who: Naming, where: Footprint
) -> list[m.HistoryEntry]:
    h = m.HistoryEntry
    about = [
        (h.entity == entity) & h.entity_id.in_(ids)
        for entity, ids in where.by_entity(contact.id).items()
        if ids
    ]
    named = or_(who.sql_filter(h.summary), who.sql_filter(cast(h.changes, Text), json_text=True))
    q = select(h).where(or_(named, *about)).order_by(h.at, h.id)
    return list(session.scalars(q))


def _is_own(entry: m.HistoryEntry, contact_id: int, where: Footprint) -> bool:
    """An entry about the person's own record (their contact row or one of their addresses)."""
    return (entry.entity == "contact" and entry.entity_id in {contact_id} | where.merged_ids) or (
        entry.entity == "contact_email" and entry.entity_id in where.email_ids
    )


def _scrub_value(value: Any, who: Naming, about_them: bool) -> Any:
    if isinstance(value, str):
        scrubbed = who.scrub(value, about_them)
        return value if scrubbed is None else scrubbed
    if isinstance(value, list):
        return [_scrub_value(v, who, about_them) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, who, about_them) for k, v in value.items()}
    return value


def _blank_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_blank_value(v) for v in value]
    return None if value is None else ERASED


def _scrubbed_entry(
    entry: m.HistoryEntry, contact: m.Contact, who: Naming, where: Footprint
) -> tuple[str | None, dict[str, Any] | None]:
    """The summary and changes of a history entry with the person taken out."""
    if _is_own(entry, contact.id, where):
        changes = None
        if entry.changes:
            changes = {k: _blank_value(v) for k, v in entry.changes.items()}
            if entry.entity == "contact" and "id" in entry.changes:
                changes["id"] = entry.changes["id"]
        summary: str | None = erased_name(contact.id) if entry.entity == "contact" else ERASED
        if entry.action == "export":  # says what was done, not about whom
            summary = entry.summary
        return summary, changes
    about_them = entry.entity_id in where.by_entity(contact.id).get(entry.entity, set())
    return (
        _scrub_value(entry.summary, who, about_them),
        _scrub_value(entry.changes, who, about_them),
    )


# --- subject access -----------------------------------------------------------------------


def subject_access(session: Session, contact: m.Contact) -> dict[str, Any]:
    """Everything held about one person, as one JSON-ready document; the export is logged."""
    access.require(session, "privacy", "export a person's data (subject access)")
    if contact.erased_at is not None:
        raise Invalid(
            f"contact {contact.id} was erased on {contact.erased_at:%d %b %Y}; "
            "no personal data about them is held"
        )
    where = footprint(session, contact)
    who = naming(contact, where, sqlite=_is_sqlite(session))
    found = mentions(session, contact, where)
    conversations, touchpoints = _conversations_and_touchpoints(session, contact, where, found)
    attendances = session.scalars(
        select(m.Attendance)
        .options(
            selectinload(m.Attendance.event),
            selectinload(m.Attendance.organisation),
            selectinload(m.Attendance.interest_missions),
            selectinload(m.Attendance.interest_roles),
        )
        .where(m.Attendance.contact_id == contact.id)
    ).all()
    entries = _history_rows(session, contact, who, where)
    participant = {
        cid
        for cid in session.scalars(
            select(m.conversation_contact.c.conversation_id).where(
                m.conversation_contact.c.contact_id == contact.id
            )
        )
    }
    document = {
        "subject_access_export": {
            "generated_at": m.utcnow().isoformat(),
            "generated_by": history.actor_of(session),
            "contact_id": contact.id,
        },
        "contact": _contact_fields(contact),
        "attendances": [
            _attendance_dict(a) for a in sorted(attendances, key=lambda a: (a.event.held_on, a.id))
        ],
        "conversations": [_conversation_dict(c, participant) for c in conversations],
        "touchpoints": [_touchpoint_dict(t, contact) for t in touchpoints],
        "other_mentions": [
            x.as_dict() for x in found if x.entity not in ("conversation", "touchpoint")
        ],
        "history": [_history_dict(h) for h in entries],
    }
    history.record(
        session,
        "export",
        "contact",
        contact.id,
        organisation_id=contact.organisation_id,
        summary="subject access export",
    )
    return document


def _conversations_and_touchpoints(
    session: Session, contact: m.Contact, where: Footprint, found: list[Any]
) -> tuple[Sequence[m.Conversation], Sequence[m.Touchpoint]]:
    """The conversations and touchpoints that are about the person: theirs, or naming them."""
    named_conversations = {x.id for x in found if x.entity == "conversation"}
    named_touchpoints = {x.id for x in found if x.entity == "touchpoint"}
    # a conversation one of whose touchpoints names them is part of what is held about them
    named_conversations |= set(
        session.scalars(
            select(m.Touchpoint.conversation_id).where(m.Touchpoint.id.in_(named_touchpoints))
        )
    )
    conv_ids = where.conversation_ids | named_conversations
    conversations = session.scalars(
        select(m.Conversation)
        .options(selectinload(m.Conversation.organisation), selectinload(m.Conversation.lead))
        .where(m.Conversation.id.in_(conv_ids))
        .order_by(m.Conversation.started_on, m.Conversation.id)
    ).all()
    touchpoints = session.scalars(
        select(m.Touchpoint)
        .options(selectinload(m.Touchpoint.colleague))
        .where(
            or_(
                m.Touchpoint.contact_id == contact.id,
                m.Touchpoint.id.in_(named_touchpoints),
            )
        )
        .order_by(m.Touchpoint.happened_on, m.Touchpoint.id)
    ).all()
    return conversations, touchpoints


def _attendance_dict(a: m.Attendance) -> dict[str, Any]:
    return {
        "event": a.event.name,
        "date": a.event.held_on.isoformat(),
        "role": a.role,
        "organisation": a.organisation.name if a.organisation else None,
        "interest_missions": [mi.key for mi in a.interest_missions],
        "interest_roles": [r.key for r in a.interest_roles],
        "registered_at": a.registered_at.isoformat() if a.registered_at else None,
    }


def _conversation_dict(c: m.Conversation, participant: set[int]) -> dict[str, Any]:
    return {
        "id": c.id,
        "organisation": c.organisation.name,
        "lead": c.lead.name,
        "subject": c.subject,
        "stage": c.stage,
        "started_on": c.started_on.isoformat(),
        "last_touch": c.last_touch_on.isoformat(),
        "how": "took part" if c.id in participant else "named in it",
    }


def _touchpoint_dict(t: m.Touchpoint, contact: m.Contact) -> dict[str, Any]:
    return {
        "id": t.id,
        "conversation_id": t.conversation_id,
        "date": t.happened_on.isoformat(),
        "channel": t.channel,
        "colleague": t.colleague.name if t.colleague else None,
        "with_them": t.contact_id == contact.id,
        "note": t.note,
    }


def _history_dict(h: m.HistoryEntry) -> dict[str, Any]:
    return {
        "at": h.at.isoformat(),
        "actor": h.actor,
        "action": h.action,
        "entity": h.entity,
        "entity_id": h.entity_id,
        "summary": h.summary,
        "changes": h.changes,
    }


def _contact_fields(contact: m.Contact) -> dict[str, Any]:
    """The contact as `contacts.contact_dict` shows it, and when and by whom it was changed."""
    fields = contacts.contact_dict(contact)
    del fields["version"]
    return {
        **fields,
        "created_at": contact.created_at.isoformat() if contact.created_at else None,
        "updated_at": contact.updated_at.isoformat() if contact.updated_at else None,
        "updated_by": contact.updated_by,
    }


# --- erasure ------------------------------------------------------------------------------


@dataclass
class Erasure:
    """What an erasure changes (or, on a dry run, would change), in counts: never the data."""

    contact_id: int
    dry_run: bool
    addresses: int = 0
    free_text: dict[str, int] = field(default_factory=dict)
    history_entries: int = 0
    attendances_kept: int = 0
    conversations_kept: int = 0
    # each passage that changes: free text and history summaries, before and after
    passages: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "passages": self.passages,
            "contact_id": self.contact_id,
            "dry_run": self.dry_run,
            "addresses_blocked": self.addresses,
            "free_text_changed": self.free_text,
            "history_entries_cleaned": self.history_entries,
            "attendances_kept": self.attendances_kept,
            "conversations_kept": self.conversations_kept,
        }


def _preview(
    contact: m.Contact,
    dry_run: bool,
    addresses: list[str],
    where: Footprint,
    who: Naming,
    found: list[Any],
    entries: Sequence[m.HistoryEntry],
) -> Erasure:
    """What an erasure changes: counts, and each passage before and after."""
    result = Erasure(
        contact_id=contact.id,
        dry_run=dry_run,
        addresses=len(addresses),
        history_entries=len(entries),
        attendances_kept=len(where.attendance_ids),
        conversations_kept=len(where.conversation_ids),
    )
    for x in found:
        result.free_text[f"{x.entity}.{x.field}"] = (
            result.free_text.get(f"{x.entity}.{x.field}", 0) + 1
        )
    result.passages = [x.passage() for x in found]
    for entry in entries:
        summary, _ = _scrubbed_entry(entry, contact, who, where)
        if entry.summary and summary != entry.summary:
            result.passages.append(
                {
                    "record": "history",
                    "id": entry.id,
                    "field": "summary",
                    "text": entry.summary,
                    "erased": summary,
                }
            )
    return result


def _forget_addresses(session: Session, contact: m.Contact, addresses: list[str], now: Any) -> None:
    """Keep only digests of the addresses (so an import cannot bring them back)."""
    known = set(
        session.scalars(
            select(m.ErasedEmail.digest).where(
                m.ErasedEmail.digest.in_([email_digest(a) for a in addresses])
            )
        )
    )
    digests = [d for d in dict.fromkeys(email_digest(a) for a in addresses) if d not in known]
    if digests:
        session.execute(insert(m.ErasedEmail), [{"digest": d, "erased_at": now} for d in digests])
    ce = m.Base.metadata.tables["contact_email"]
    session.execute(delete(ce).where(ce.c.contact_id == contact.id))


def _blank_contact(session: Session, contact: m.Contact, now: Any, actor: str | None) -> str:
    """The contact becomes "Erased person #id" with nothing personal left; returns that name."""
    c = m.Base.metadata.tables["contact"]
    placeholder = erased_name(contact.id)
    session.execute(
        update(c)
        .where(c.c.id == contact.id)
        .values(
            name=placeholder,
            name_key=name_key(placeholder),
            email=None,
            phone=None,
            job_title=None,
            senior=False,
            lawful_basis=None,
            consent_source=None,
            consent_date=None,
            consent_expires=None,
            erased_at=now,
            **m.changed(c, now, actor),
        )
    )
    return placeholder


def erase(session: Session, contact: m.Contact, *, dry_run: bool = False) -> Erasure:
    """Remove one person's personal data everywhere it is held, keeping anonymous counts.

    The contact becomes "Erased person #id" with no email, phone or title; every free-text
    field and history entry that names them has the name, addresses and phone replaced by
    [erased]; digests of their addresses stop an import bringing them back. Attendances and
    conversations stay, so an event still had N attendees. The erasure itself is recorded:
    who and when, not what.
    """
    if not dry_run:
        access.require(session, "privacy", "erase personal data")
    if contact.erased_at is not None:
        raise Invalid(f"contact {contact.id} was already erased on {contact.erased_at:%d %b %Y}")
    session.flush()  # anything pending goes out first, so nothing stale is written back later
    where = footprint(session, contact)
    who = naming(contact, where, sqlite=_is_sqlite(session))
    found = mentions(session, contact, where)
    entries = _history_rows(session, contact, who, where)
    addresses = _emails(contact)
    result = _preview(contact, dry_run, addresses, where, who, found, entries)
    if dry_run:
        return result

    if _is_sqlite(session):
        # overwritten pages are zeroed, so the old text does not linger in free space
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    now, actor = m.utcnow(), history.actor_of(session)
    for x in found:
        table = m.Base.metadata.tables[x.entity]
        values: dict[str, Any] = {x.field: x.erased}
        if "version" in table.c:  # anyone holding an old copy gets a conflict, not a revert
            values.update(m.changed(table, now, actor))
        session.execute(update(table).where(table.c.id == x.id).values(**values))
    redacted = redact_history(
        session, [(entry, *_scrubbed_entry(entry, contact, who, where)) for entry in entries]
    )
    _scrub_import_runs(session, who)
    _forget_addresses(session, contact, addresses, now)
    placeholder = _blank_contact(session, contact, now, actor)
    history.record(
        session,
        "erase",
        "contact",
        contact.id,
        organisation_id=contact.organisation_id,
        summary=placeholder,
        changes={chain.REDACTED_KEY: redacted},
    )
    forget_search_terms(session, {"contact", *(x.entity for x in found)})
    session.expire_all()  # no loaded object still holds the old text
    return result


def reapply_erasures(
    session: Session, erased: dict[int, datetime], digests: dict[str, datetime]
) -> int:
    """Erase again, in a restored copy, everyone erased in the database it replaces.

    `erased` maps contact ids to when they were erased, `digests` the blocked addresses;
    returns how many people had come back with the copy and were erased again.
    """
    count = 0
    for contact_id in sorted(erased):
        contact = session.get(m.Contact, contact_id)
        if contact is not None and contact.erased_at is None:
            erase(session, contact)
            count += 1
    known = set(session.scalars(select(m.ErasedEmail.digest)))
    missing = [
        {"digest": d, "erased_at": at} for d, at in sorted(digests.items()) if d not in known
    ]
    if missing:
        session.execute(insert(m.ErasedEmail), missing)
    return count


def redact_history(
    session: Session, replacements: list[tuple[m.HistoryEntry, Any, Any]]
) -> dict[str, dict[str, str]]:
    """Replace the summary and changes of history entries, keeping the chain verifiable.

    Returns what the redacting entry must list: entry id -> each redacted value's new digest.
    """
    h = m.Base.metadata.tables["history"]
    listed: dict[str, dict[str, str]] = {}
    for entry, summary, changes in replacements:
        kept = chain.redaction(entry, summary, changes)
        session.execute(
            update(h)
            .where(h.c.id == entry.id)
            .values(summary=summary, changes=changes, redacted=kept)
        )
        if kept and entry.seq is not None:
            listed[str(entry.id)] = chain.authorisation(entry.seq, kept, summary, changes)
    return listed


def _scrub_import_runs(session: Session, who: Naming) -> None:
    r = m.Base.metadata.tables["import_run"]
    rows = session.execute(
        select(r.c.id, r.c.summary).where(who.sql_filter(cast(r.c.summary, Text), json_text=True))
    ).all()
    for run_id, summary in rows:
        session.execute(
            update(r).where(r.c.id == run_id).values(summary=_scrub_value(summary, who, False))
        )


def forget_search_terms(session: Session, changed: set[str]) -> None:
    """SQLite full-text indexes keep deleted words until their segments merge: merge the
    indexes of the tables whose text changed (search_<table>, where the search module made one).
    """
    if not _is_sqlite(session):
        return
    conn = session.connection()
    tables = set(
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        ).scalars()
    )
    for table in sorted(tables & {f"search_{entity}" for entity in changed}):
        conn.exec_driver_sql(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')


# --- retention ----------------------------------------------------------------------------


@dataclass
class StaleContact:
    """A contact with no touchpoint or attendance for the retention period."""

    id: int
    name: str
    organisation: str | None
    last_seen: date | None
    added: date
    archived: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "organisation": self.organisation,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "added": self.added.isoformat(),
            "archived": self.archived,
        }


def stale_contacts(
    session: Session, years: int, *, today: date | None = None
) -> list[StaleContact]:
    """Contacts not seen (touchpoint, conversation they are in, or event) in `years` years.

    A contact whose details were obtained within the period (consent date, else when the
    record was made) is not stale: there has not been time. Archived contacts are included
    (retention applies to them too); erased ones are not.
    """
    if years < 1:
        raise Invalid("the retention period must be at least one year", field="years")
    cutoff = (today or date.today()) - relativedelta(years=years)
    cutoff_at = datetime.combine(cutoff, time.min, tzinfo=UTC)
    c, t, a, e = m.Contact, m.Touchpoint, m.Attendance, m.Event
    cc, conv = m.conversation_contact, m.Conversation
    touched = (
        select(t.contact_id.label("cid"), func.max(t.happened_on).label("last"))
        .where(t.contact_id.is_not(None))
        .group_by(t.contact_id)
        .subquery()
    )
    talked = (
        select(cc.c.contact_id.label("cid"), func.max(conv.last_touch_on).label("last"))
        .join(conv, conv.id == cc.c.conversation_id)
        .group_by(cc.c.contact_id)
        .subquery()
    )
    attended = (
        select(a.contact_id.label("cid"), func.max(e.held_on).label("last"))
        .join(e, e.id == a.event_id)
        .group_by(a.contact_id)
        .subquery()
    )
    q = (
        select(c, touched.c.last, talked.c.last, attended.c.last)
        .options(selectinload(c.organisation))
        .outerjoin(touched, touched.c.cid == c.id)
        .outerjoin(talked, talked.c.cid == c.id)
        .outerjoin(attended, attended.c.cid == c.id)
        .where(
            c.erased_at.is_(None),
            # when their details were obtained counts as seeing them
            or_(c.consent_date < cutoff, c.consent_date.is_(None) & (c.created_at < cutoff_at)),
            *[
                or_(col.is_(None), col < cutoff)
                for col in (touched.c.last, talked.c.last, attended.c.last)
            ],
        )
        .order_by(func.lower(c.name), c.id)
    )
    out = []
    for contact, *lasts in session.execute(q):
        seen = [_as_date(x) for x in lasts if x is not None]
        out.append(
            StaleContact(
                id=contact.id,
                name=contact.name,
                organisation=contact.organisation.name if contact.organisation else None,
                last_seen=max(seen) if seen else None,
                added=contact.consent_date or contact.created_at.date(),
                archived=contact.archived,
            )
        )
    out.sort(key=lambda s: (s.last_seen or s.added, s.name.lower()))
    return out


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
