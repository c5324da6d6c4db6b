"""Recording captured emails and meetings as touchpoints on partners' warm conversations.

For each item: its addresses are matched to contacts (main or secondary email) and colleagues;
each partner organisation among the contacts gets one touchpoint on its open warm conversation
(the one a colleague on the message leads, else the most recently touched), or a new
conversation when it has none. The touchpoint keeps the Message-ID, so logging the same item
again finds it and changes nothing. Each item is recorded in a savepoint of its own: one that
fails is reported and undone, and the others stand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import colleagues, contacts, conversations
from partnercrm import models as m
from partnercrm.capture.items import Address, Captured, Unreadable, clean_subject, first_lines
from partnercrm.dedupe import WEBMAIL
from partnercrm.errors import Invalid, PartnerCRMError

DEFAULT_BODY_LINES = 3

# what happened to one organisation on one message
LOGGED, OPENED, ALREADY, NOT_OPENED, REFUSED = (
    "logged",
    "opened",
    "already logged",
    "no open conversation",
    "refused",
)


@dataclass
class OrganisationOutcome:
    organisation_id: int
    organisation: str
    action: str  # LOGGED, OPENED, ALREADY, NOT_OPENED or REFUSED
    conversation_id: int | None = None
    touchpoint_id: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisation_id": self.organisation_id,
            "organisation": self.organisation,
            "action": self.action,
            "conversation_id": self.conversation_id,
            "touchpoint_id": self.touchpoint_id,
            "reason": self.reason,
        }


@dataclass
class MessageOutcome:
    source: str
    status: str  # "matched", "unmatched", "skipped" or "unreadable"
    message_id: str | None = None
    on: date | None = None
    subject: str = ""
    reason: str | None = None
    organisations: list[OrganisationOutcome] = field(default_factory=list)
    contacts_added: list[str] = field(default_factory=list)  # "Name <address>"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "message_id": self.message_id,
            "date": self.on.isoformat() if self.on else None,
            "subject": self.subject,
            "reason": self.reason,
            "organisations": [o.as_dict() for o in self.organisations],
            "contacts_added": self.contacts_added,
        }


@dataclass
class CaptureReport:
    channel: str
    dry_run: bool
    messages: list[MessageOutcome] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for msg in self.messages for o in msg.organisations if o.action == action)

    def status_count(self, status: str) -> int:
        return sum(1 for msg in self.messages if msg.status == status)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "messages": len(self.messages),
            "touchpoints": self.count(LOGGED) + self.count(OPENED),
            "conversations_opened": self.count(OPENED),
            "already_logged": self.count(ALREADY),
            "not_opened": self.count(NOT_OPENED),
            "refused": self.count(REFUSED),
            "unmatched": self.status_count("unmatched"),
            "skipped": self.status_count("skipped"),
            "unreadable": self.status_count("unreadable"),
            "contacts_added": sum(len(msg.contacts_added) for msg in self.messages),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "dry_run": self.dry_run,
            "totals": self.totals,
            "messages": [msg.as_dict() for msg in self.messages],
        }


@dataclass
class _People:
    """The message's addresses matched: colleagues, contacts by organisation, and the rest."""

    colleagues: list[m.Colleague] = field(default_factory=list)
    by_org: dict[int, list[m.Contact]] = field(default_factory=dict)
    orgs: dict[int, m.Organisation] = field(default_factory=dict)
    unknown: list[Address] = field(default_factory=list)


def log_captured(
    session: Session,
    items: Iterable[Captured | Unreadable],
    *,
    channel: str = "email",
    open_conversations: bool = True,
    add_contacts: bool = False,
    body_lines: int = DEFAULT_BODY_LINES,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[MessageOutcome], None] | None = None,
) -> CaptureReport:
    """Record each item as touchpoints (see the module's docstring); a dry run changes nothing."""
    if body_lines < 0:
        raise Invalid("the number of body lines must be zero or more", field="body_lines")
    today = today or date.today()
    report = CaptureReport(channel=channel, dry_run=dry_run)
    recorder = _Recorder(session, open_conversations, add_contacts, body_lines, today)
    outer = session.begin_nested()  # a dry run is undone as one piece at the end
    try:
        for item in items:
            outcome = recorder.record(item)
            report.messages.append(outcome)
            if progress is not None:
                progress(outcome)
    except BaseException:
        outer.rollback()
        raise
    if dry_run:
        outer.rollback()
        session.expire_all()
    else:
        outer.commit()
    return report


class _Recorder:
    def __init__(
        self, session: Session, open_new: bool, add_contacts: bool, body_lines: int, today: date
    ) -> None:
        self.session, self.open_new, self.add_contacts = session, open_new, add_contacts
        self.body_lines, self.today = body_lines, today
        self._domains: dict[str, set[int]] | None = None
        # read once per run rather than per message (a shared mailbox holds thousands); what
        # a failed message's savepoint undid is forgotten with `_forget()`
        self._colleagues: dict[str, m.Colleague] | None = None
        self._owners: dict[str, m.Contact | None] = {}
        self._open: dict[int, list[m.Conversation]] = {}

    def _forget(self) -> None:
        self._owners.clear()
        self._open.clear()

    def record(self, item: Captured | Unreadable) -> MessageOutcome:
        if isinstance(item, Unreadable):
            return MessageOutcome(item.source, "unreadable", reason=item.reason)
        outcome = MessageOutcome(
            item.source, "matched", message_id=item.message_id, on=item.on, subject=item.subject
        )
        if item.is_future(self.today):
            outcome.status, outcome.reason = "skipped", "it is dated in the future"
            return outcome
        savepoint = self.session.begin_nested()
        try:
            people = self._match(item, outcome)
            if not people.orgs:
                outcome.status = "unmatched"
                outcome.reason = _unmatched_reason(people, self.partner_at)
            for org_id, org in people.orgs.items():
                outcome.organisations.append(self._touch(item, org, people, people.by_org[org_id]))
        except PartnerCRMError as exc:
            savepoint.rollback()
            self._forget()
            outcome.status, outcome.reason = "skipped", str(exc)
            outcome.organisations, outcome.contacts_added = [], []
            return outcome
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        return outcome

    # --- who is on it ---------------------------------------------------------------------

    def _match(self, item: Captured, outcome: MessageOutcome) -> _People:
        people = _People()
        for person in item.people:
            try:
                address = contacts.normalise_email(person.email)
            except Invalid:
                continue
            colleague = self.colleague_at(address)
            if colleague is not None:
                if colleague not in people.colleagues:
                    people.colleagues.append(colleague)
                continue
            if address not in self._owners:
                self._owners[address] = contacts.email_owner(self.session, address)
            contact = self._owners[address]
            if contact is None and self.add_contacts:
                contact = self._new_contact(person._replace(email=address), item, outcome)
                self._owners[address] = contact
            if contact is None or contact.erased_at is not None:
                people.unknown.append(person._replace(email=address))
                continue
            org = contact.organisation
            if org is None:
                continue
            people.orgs.setdefault(org.id, org)
            found = people.by_org.setdefault(org.id, [])
            if contact not in found:
                found.append(contact)
        return people

    def colleague_at(self, address: str) -> m.Colleague | None:
        if self._colleagues is None:
            self._colleagues = {c.email: c for c in self.session.scalars(select(m.Colleague))}
        return self._colleagues.get(address)

    def _new_contact(
        self, person: Address, item: Captured, outcome: MessageOutcome
    ) -> m.Contact | None:
        """An unknown sender or recipient at a known partner's domain, added as a contact."""
        domain = person.email.rsplit("@", 1)[-1]
        owners = self.domains().get(domain, set())
        if len(owners) != 1 or contacts.is_erased(self.session, person.email):
            return None  # no partner, several (which one?), or a person who asked to be erased
        org = self.session.get(m.Organisation, next(iter(owners)))
        if org is None or org.archived:
            return None
        name = person.name or _name_from_address(person.email)
        kind = "meeting" if item.channel == "meeting" else "email"
        contact = contacts.add_contact(
            self.session,
            name,
            person.email,
            org,
            lawful_basis="legitimate_interests",  # as the attendee import records them
            consent_source=f"{kind} of {item.on:%d %b %Y}: {clean_subject(item.subject)}"[:300],
            consent_date=item.on,
        )
        outcome.contacts_added.append(f"{contact.name} <{person.email}> at {org.name}")
        return contact

    def domains(self) -> dict[str, set[int]]:
        """Email domain -> the live organisations whose contacts or website use it.

        Webmail and the council's own domains (its colleagues') never name a partner.
        """
        if self._domains is not None:
            return self._domains
        found: dict[str, set[int]] = {}
        own = {
            email.rsplit("@", 1)[-1] for email in self.session.scalars(select(m.Colleague.email))
        }
        live = m.Organisation.archived.is_(False)
        rows = list(
            self.session.execute(
                select(m.Contact.email, m.Contact.organisation_id)
                .join(m.Organisation, m.Organisation.id == m.Contact.organisation_id)
                .where(live, m.Contact.email.is_not(None), m.Contact.erased_at.is_(None))
            )
        ) + list(
            self.session.execute(
                select(m.ContactEmail.email, m.Contact.organisation_id)
                .join(m.Contact, m.Contact.id == m.ContactEmail.contact_id)
                .join(m.Organisation, m.Organisation.id == m.Contact.organisation_id)
                .where(live, m.Contact.erased_at.is_(None))
            )
        )
        for email, org_id in rows:
            if org_id is not None:
                found.setdefault(str(email).rsplit("@", 1)[-1], set()).add(org_id)
        for website, org_id in self.session.execute(
            select(m.Organisation.website, m.Organisation.id).where(
                live, m.Organisation.website.is_not(None)
            )
        ):
            site = str(website)
            host = str(urlsplit(site if "//" in site else f"//{site}").hostname or "").lower()
            if host:
                found.setdefault(host.removeprefix("www."), set()).add(org_id)
        self._domains = {d: ids for d, ids in found.items() if d not in WEBMAIL and d not in own}
        return self._domains

    def partner_at(self, domain: str) -> str | None:
        """The name of the one live partner using this email domain, if there is one."""
        owners = self.domains().get(domain, set())
        org = self.session.get(m.Organisation, next(iter(owners))) if len(owners) == 1 else None
        return org.name if org is not None else None

    # --- the touchpoint -------------------------------------------------------------------

    def _touch(
        self, item: Captured, org: m.Organisation, people: _People, org_contacts: list[m.Contact]
    ) -> OrganisationOutcome:
        outcome = OrganisationOutcome(org.id, org.name, LOGGED)
        already = self.session.execute(
            select(m.Touchpoint.id, m.Touchpoint.conversation_id)
            .join(m.Conversation, m.Conversation.id == m.Touchpoint.conversation_id)
            .where(
                m.Conversation.organisation_id == org.id,
                m.Touchpoint.message_id == item.message_id,
            )
        ).first()
        if already is not None:
            outcome.action = ALREADY
            outcome.touchpoint_id, outcome.conversation_id = already.id, already.conversation_id
            return outcome
        if org.archived:
            outcome.action, outcome.reason = REFUSED, f"{org.name} is archived"
            return outcome
        colleague = people.colleagues[0] if people.colleagues else None
        note = self._note(item, people.colleagues, org_contacts)
        conversation = self._open_conversation(org, people.colleagues)
        if conversation is None:
            if not self.open_new:
                outcome.action = NOT_OPENED
                return outcome
            lead = colleague or org.lead or colleagues.colleague_for_actor(self.session)
            if lead is None:
                outcome.action = REFUSED
                outcome.reason = (
                    f"no colleague is on it and {org.name} has no relationship lead "
                    "to lead a new conversation"
                )
                return outcome
            conversation = conversations.log_conversation(
                self.session,
                org,
                lead,
                contacts=org_contacts,
                subject=clean_subject(item.subject)[:300] or "(no subject)",
                on=item.on,
                note=note,
                channel=item.channel,
                message_id=item.message_id,
            )
            self._open.setdefault(org.id, []).append(conversation)
            outcome.action = OPENED
            outcome.conversation_id = conversation.id
            outcome.touchpoint_id = self._touchpoint_id(conversation, item.message_id)
            return outcome
        touch = conversations.add_touchpoint(
            self.session,
            conversation,
            on=item.on,
            channel=item.channel,
            note=note,
            colleague=colleague,
            contact=org_contacts[0] if org_contacts else None,
            message_id=item.message_id,
        )
        for contact in org_contacts:  # who took part joins the conversation
            if contact not in conversation.contacts:
                conversation.contacts.append(contact)
        outcome.conversation_id, outcome.touchpoint_id = conversation.id, touch.id
        return outcome

    def _open_conversation(
        self, org: m.Organisation, on_it: list[m.Colleague]
    ) -> m.Conversation | None:
        """The organisation's open warm conversation: one led by a colleague on the message,
        else the most recently touched."""
        if org.id not in self._open:
            self._open[org.id] = conversations.list_conversations(self.session, organisation=org)
        # as list_conversations orders them: most recently touched first
        open_ones = sorted(self._open[org.id], key=lambda c: (c.last_touch_on, c.id), reverse=True)
        for conversation in open_ones:
            if conversation.lead in on_it:
                return conversation
        return open_ones[0] if open_ones else None

    def _touchpoint_id(self, conversation: m.Conversation, message_id: str) -> int | None:
        return self.session.scalar(
            select(m.Touchpoint.id).where(
                m.Touchpoint.conversation_id == conversation.id,
                m.Touchpoint.message_id == message_id,
            )
        )

    def _note(self, item: Captured, on_it: list[m.Colleague], org_contacts: list[m.Contact]) -> str:
        """Subject, who took part (the people the CRM knows), and the first lines of the body."""
        kind = "Meeting" if item.channel == "meeting" else "Email"
        lines = [f"{kind}: {item.subject or '(no subject)'}"]
        names = [c.name for c in org_contacts] + [c.name for c in on_it]
        if names:
            lines.append("With " + ", ".join(names))
        lines.extend(first_lines(item.body, self.body_lines))
        return "\n".join(lines)


def _unmatched_reason(people: _People, partner_at: Callable[[str], str | None]) -> str:
    """Why no partner matched; names an unknown address at a partner's domain, if any."""
    if not people.unknown:
        return "no address on it belongs to a partner contact"
    shown = ", ".join(p.email for p in people.unknown[:3])
    more = f" and {len(people.unknown) - 3} more" if len(people.unknown) > 3 else ""
    reason = f"no address on it belongs to a partner contact ({shown}{more})"
    for person in people.unknown:
        org = partner_at(person.email.rsplit("@", 1)[-1])
        if org:
            return f"{reason}; {person.email} is at {org}'s domain but is not a contact"
    return reason


def _name_from_address(address: str) -> str:
    """'jane.doe@x' -> 'Jane Doe': a name to correct later, better than none."""
    local = address.split("@", 1)[0]
    words = [w for w in local.replace("_", ".").replace("-", ".").split(".") if w]
    return " ".join(w.capitalize() for w in words) or local
