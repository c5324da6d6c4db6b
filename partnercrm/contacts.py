"""Contacts: people at partner organisations (personal data)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from partnercrm import models as m
from partnercrm.archive import set_archived  # noqa: F401  (found where the noun is)
from partnercrm.concurrency import check_version
from partnercrm.dates import parse_optional_date
from partnercrm.errors import Conflict, Invalid, ProbableDuplicate
from partnercrm.matching import find_one, name_key
from partnercrm.vocabulary import LawfulBasis

LAWFUL_BASES = tuple(b.value for b in LawfulBasis)


def normalise_email(email: str, field: str = "email") -> str:
    """Check an address (no network look-up) and return it normalised and lower-cased."""
    raw = (email or "").strip()
    if not raw:
        raise Invalid("the email address is empty", field=field)
    # imported when an address is checked: it costs a screen's start a tenth of its imports
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"the email address {raw!r} is not valid: {exc}", field=field) from exc
    return result.normalized.lower()


def email_digest(address: str) -> str:
    """A one-way digest of a normalised address: lets an erased person stay erased."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def is_erased(session: Session, address: str) -> bool:
    """True when this address belonged to someone whose data was erased."""
    digest = email_digest(address)
    return (
        session.scalar(select(m.ErasedEmail.id).where(m.ErasedEmail.digest == digest)) is not None
    )


def check_not_erased(session: Session, address: str, *, override: str | None = None) -> None:
    """Refuse an address whose person was erased, unless an admin overrides with a reason.

    The override is recorded in the history (who, when, why; never the address).
    """
    blocked = session.scalar(
        select(m.ErasedEmail).where(m.ErasedEmail.digest == email_digest(address))
    )
    if blocked is None:
        return
    reason = (override or "").strip()
    if not reason:
        raise ErasedAddress(
            f"{address} belonged to a person erased on {blocked.erased_at:%d %b %Y}; it cannot "
            "be added again unless an admin overrides the block, giving a reason",
            erased_at=blocked.erased_at,
        )
    from partnercrm import access, history

    access.require(session, "admin", "override the block on an erased person's address")
    history.record(
        session,
        "override_block",
        "erased_email",
        blocked.id,
        summary=f"the block on an erased address was overridden: {reason}"[:500],
    )


class ErasedAddress(Conflict):
    """The address belonged to an erased person (the block list)."""

    def __init__(self, message: str, erased_at: Any) -> None:
        super().__init__(message)
        self.erased_at = erased_at


def _check_basis(basis: str | None) -> str | None:
    if basis is None or basis == "":
        return None
    value = basis.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in LAWFUL_BASES:
        raise Invalid(
            f"lawful basis {basis!r} is not one of {', '.join(LAWFUL_BASES)}", field="lawful_basis"
        )
    return value


def email_owner(session: Session, address: str) -> m.Contact | None:
    """The contact holding this (normalised) address as main or secondary email."""
    found = session.scalar(select(m.Contact).where(m.Contact.email == address))
    if found:
        return found
    return session.scalar(
        select(m.Contact).join(m.ContactEmail).where(m.ContactEmail.email == address)
    )


def add_contact(
    session: Session,
    name: str,
    email: str | None,
    organisation: m.Organisation | None,
    *,
    job_title: str | None = None,
    phone: str | None = None,
    senior: bool = False,
    lawful_basis: str | None = "legitimate_interests",
    consent_source: str | None = None,
    consent_date: date | str | None = None,
    consent_expires: date | str | None = None,
    override_erasure: str | None = None,
    new: bool = False,
) -> m.Contact:
    """Add a contact; `override_erasure` is an admin's reason to re-add an erased address.

    One that looks like a stored contact is refused unless `new` says so.
    """
    name = (name or "").strip()
    if not name:
        raise Invalid("a contact needs a name", field="name")
    address = normalise_email(email) if email else None
    if address and (owner := email_owner(session, address)):
        raise Conflict(f"{address} already belongs to the contact {owner.name} (id {owner.id})")
    if address:
        check_not_erased(session, address, override=override_erasure)
    if not new:
        from partnercrm.dedupe import contact_lookalikes

        found = contact_lookalikes(
            session,
            name,
            email=address,
            phone=phone,
            organisation_id=organisation.id if organisation else None,
        )
        if found:
            raise ProbableDuplicate("contact", name, [_described(x) for x in found])
    contact = m.Contact(
        name=name,
        name_key=name_key(name),
        email=address,
        job_title=(job_title or "").strip() or None,
        phone=(phone or "").strip() or None,
        senior=senior,
        organisation=organisation,
        lawful_basis=_check_basis(lawful_basis),
        consent_source=consent_source,
        consent_date=parse_optional_date(consent_date, "consent date", field="consent_date")
        or date.today(),
        consent_expires=parse_optional_date(
            consent_expires, "consent expiry", field="consent_expires"
        ),
    )
    session.add(contact)
    session.flush()
    return contact


def _change_email(
    session: Session, contact: m.Contact, email: str, override_erasure: str | None
) -> None:
    """A new main address; the old one stays findable (and blocks a duplicate on the next
    import) as another address."""
    address = normalise_email(email)
    owner = email_owner(session, address)
    if owner is not None and owner.id != contact.id:
        raise Conflict(f"{address} already belongs to the contact {owner.name} (id {owner.id})")
    if owner is None:
        check_not_erased(session, address, override=override_erasure)
    if contact.email and contact.email != address:
        contact.other_emails = [e for e in contact.other_emails if e.email != address]
        session.flush()
        contact.other_emails.append(m.ContactEmail(email=contact.email))
    contact.email = address


def edit_contact(
    session: Session,
    contact: m.Contact,
    *,
    expected_version: int | None = None,
    clear_organisation: bool = False,
    override_erasure: str | None = None,
    **changes: Any,
) -> m.Contact:
    """Change the given fields; None means 'leave as it is', '' clears an optional one."""
    check_version(contact, expected_version)
    if changes.get("name") is not None:
        if not changes["name"].strip():
            raise Invalid("a contact needs a name", field="name")
        contact.name = changes["name"].strip()
        contact.name_key = name_key(contact.name)
    if changes.get("email") is not None and not changes["email"].strip():
        contact.email = None
    elif changes.get("email") is not None:
        _change_email(session, contact, changes["email"], override_erasure)
    for key in ("job_title", "phone", "consent_source"):
        if changes.get(key) is not None:
            setattr(contact, key, changes[key].strip() or None)
    if changes.get("senior") is not None:
        contact.senior = bool(changes["senior"])
    if changes.get("organisation") is not None:
        contact.organisation = changes["organisation"]
    elif clear_organisation:
        contact.organisation = None
    if changes.get("lawful_basis") is not None:
        contact.lawful_basis = _check_basis(changes["lawful_basis"])
    for key in ("consent_date", "consent_expires"):
        if changes.get(key) is not None:
            setattr(
                contact, key, parse_optional_date(changes[key], key.replace("_", " "), field=key)
            )
    session.flush()
    return contact


def find_contact(session: Session, text: str) -> m.Contact:
    """A contact by id, email (main or secondary) or name, case-insensitively."""
    given = text.strip()
    if given.isdigit():
        found = session.get(m.Contact, int(given))
        if found:
            return found
    if "@" in given:
        owner = email_owner(session, given.lower())
        if owner:
            return owner
    key = name_key(given)
    c = m.Contact
    live = c.erased_at.is_(None)
    return find_one(
        session,
        "contact",
        given,
        exact=select(c).where(live, or_(c.name_key == key, c.email == given.lower())),
        prefix=select(c).where(live, c.name_key.startswith(key, autoescape=True)),
        names=select(c.name).where(live),
    )


def list_contacts(
    session: Session,
    organisation: m.Organisation | None = None,
    *,
    include_archived: bool = False,
    limit: int | None = None,
) -> list[m.Contact]:
    q = (
        select(m.Contact)
        .options(selectinload(m.Contact.organisation), selectinload(m.Contact.other_emails))
        .where(m.Contact.erased_at.is_(None))
        .order_by(func.lower(m.Contact.name), m.Contact.id)
    )
    if organisation is not None:
        q = q.where(m.Contact.organisation_id == organisation.id)
    if not include_archived:
        q = q.where(m.Contact.archived.is_(False))
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def _described(contact: m.Contact) -> str:
    at = f" at {contact.organisation.name}" if contact.organisation else ""
    return f"{contact.name}{at} (id {contact.id})"


def contact_dict(contact: m.Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "other_emails": [e.email for e in contact.other_emails],
        "phone": contact.phone,
        "job_title": contact.job_title,
        "senior": contact.senior,
        "organisation": contact.organisation.name if contact.organisation else None,
        "lawful_basis": contact.lawful_basis,
        "consent_source": contact.consent_source,
        "consent_date": contact.consent_date.isoformat() if contact.consent_date else None,
        "consent_expires": contact.consent_expires.isoformat() if contact.consent_expires else None,
        "archived": contact.archived,
        "version": contact.version,
    }
