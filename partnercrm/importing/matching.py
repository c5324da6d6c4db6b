"""Who each row is: organisations by name, alias or a close spelling, people by email, else by
name at their organisation (or by name alone in a file without emails), and this event's
attendances already recorded. Fills the `Plan`; writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.bulk import chunks
from partnercrm.contacts import email_digest
from partnercrm.importing.organisations import OrganisationMatch, OrganisationMatcher
from partnercrm.importing.plan import (
    LOOKUP_CHUNK,
    EventInfo,
    Interest,
    Plan,
    PlannedAttendance,
    PlannedContact,
)
from partnercrm.importing.report import ImportReport
from partnercrm.importing.rows import PROGRESS_EVERY, AttendeeRow, Progress
from partnercrm.importing.values import key_of
from partnercrm.matching import name_key

ON_EXISTING = ("fill", "update", "skip")
# a table this small is read whole rather than looked up piecemeal
FULL_SCAN_ROWS = 20_000


class Matching:
    """Matches good rows against the CRM and fills the plan."""

    def __init__(
        self,
        session: Session,
        event: EventInfo,
        on_existing: str,
        threshold: float,
        today: date,
        progress: Progress,
    ) -> None:
        self.s = session
        self.event = event
        self.on_existing = on_existing
        self.threshold = threshold
        self.today = today
        self.progress = progress

    def drop_erased(self, rows: list[AttendeeRow], report: ImportReport) -> list[AttendeeRow]:
        """Leave out people whose data was erased: an import must not bring them back."""
        stored = self.s.scalar(select(func.count()).select_from(m.ErasedEmail))
        if not stored:
            return rows
        digests = {email_digest(e): e for e in {r.email for r in rows if r.email}}
        if stored <= FULL_SCAN_ROWS:
            erased_digests = set(self.s.scalars(select(m.ErasedEmail.digest))) & digests.keys()
        else:
            erased_digests = set()
            for chunk in chunks(list(digests), LOOKUP_CHUNK):
                erased_digests.update(
                    self.s.scalars(
                        select(m.ErasedEmail.digest).where(m.ErasedEmail.digest.in_(chunk))
                    )
                )
        if not erased_digests:
            return rows
        erased = {digests[d] for d in erased_digests}
        report.erased = [r.line for r in rows if r.email in erased]
        return [r for r in rows if r.email not in erased]

    def drop_colleagues(self, rows: list[AttendeeRow], report: ImportReport) -> list[AttendeeRow]:
        """Leave out the council's own colleagues (a Teams organiser, a Zoom host): they are
        not partner contacts."""
        emails = {e.lower() for e in self.s.scalars(select(m.Colleague.email)) if e}
        if not emails:
            return rows
        kept = [r for r in rows if r.email not in emails]
        report.colleagues = len(rows) - len(kept)
        return kept

    def match(self, rows: list[AttendeeRow], plan: Plan, report: ImportReport) -> None:
        """Who each row is and what it adds: the plan's contacts, changes and attendances."""
        orgs = self._organisations(rows, plan, report)
        # contacts: by email (main or secondary), then by name at the organisation
        known = self._contacts_by_email({r.email for r in rows if r.email})
        # a stored contact by name matters only to a row whose email is new or missing
        wanted = {
            (ref, r.key)
            for r in rows
            if r.organisation
            and (r.email is None or r.email not in known)
            and (ref := orgs[r.organisation].ref) > 0
        }
        # people with neither (a Meetup list) are known by name alone, among contacts with neither
        unplaced = {r.key for r in rows if not r.organisation and r.email is None}
        by_name = self._contacts_by_name(wanted, {c.ref: c for c in known.values()})
        by_name.update(self._contacts_by_name_alone(unplaced))
        self._stored_attendances, self._interests = self._attendances()
        self._attended: dict[int, int] = {}  # contact ref -> index in plan.attendances
        new_by_email: dict[str, PlannedContact] = {}
        new_by_name: dict[tuple[int | None, str], PlannedContact] = {}
        matched: set[int] = set()
        total = len(rows)
        for n, r in enumerate(rows, 1):
            if n % PROGRESS_EVERY == 0:
                self.progress("matching", n, total)
            org_ref = orgs[r.organisation].ref if r.organisation else None
            contact: PlannedContact | None = None
            if r.email is not None:
                contact = known.get(r.email) or new_by_email.get(r.email)
            else:
                candidates = by_name.get((org_ref, r.key), [])
                if len(candidates) == 1:
                    contact = candidates[0]
                else:
                    contact = new_by_name.get((org_ref, r.key))
            if contact is None:
                contact = self._new_contact(r, org_ref, plan)
                twins = [c for c in by_name.get((org_ref, r.key), []) if c.email != r.email]
                twin_new = new_by_name.get((org_ref, r.key))
                if twin_new is not None and twin_new.email != r.email:
                    twins.append(twin_new)
                if org_ref is not None and twins:
                    report.probable_duplicates.append(
                        _duplicate(r, orgs[r.organisation].matched, twins)
                    )
                if r.email is not None:
                    new_by_email[r.email] = contact
                new_by_name.setdefault((org_ref, r.key), contact)
            else:
                if contact.ref > 0:
                    matched.add(contact.ref)
                self._merge(contact, r, org_ref, plan, report)
            if r.attending:
                self._attend(r, contact, org_ref, plan, report)
            else:
                report.not_attending += 1
        report.contacts_created = len(plan.new_contacts)
        report.contacts_matched = len(matched)
        report.contacts_updated = len(plan.updates)
        self.progress("matching", total, total)

    def _organisations(
        self, rows: list[AttendeeRow], plan: Plan, report: ImportReport
    ) -> dict[str, OrganisationMatch]:
        """Each distinct spelling of an organisation resolved once."""
        counts: dict[str, int] = {}
        for r in rows:
            if r.organisation:
                counts[r.organisation] = counts.get(r.organisation, 0) + 1
        matcher = OrganisationMatcher(self.s, self.threshold)
        orgs = matcher.resolve(counts.items())
        plan.new_orgs = matcher.new
        plan.org_names = matcher.names
        report.organisations_matched = len({o.ref for o in orgs.values() if o.ref > 0})
        report.organisations_created = len(matcher.new)
        report.organisations_new = [name for name, _ in matcher.new.values()]
        report.fuzzy = sorted(
            (
                {"given": given, "matched": o.matched, "score": o.score}
                for given, o in orgs.items()
                if o.how == "fuzzy"
            ),
            key=lambda f: f["given"].lower(),
        )
        return orgs

    def _new_contact(self, r: AttendeeRow, org_ref: int | None, plan: Plan) -> PlannedContact:
        contact = PlannedContact(
            ref=-(len(plan.new_contacts) + 1),
            name=r.name,
            key=r.key,
            email=r.email,
            organisation_id=org_ref,
            job_title=r.job_title,
            phone=r.phone,
            consent_date=r.registered_at.date() if r.registered_at else self.today,
        )
        plan.new_contacts.append(contact)
        return contact

    def _attend(
        self,
        r: AttendeeRow,
        contact: PlannedContact,
        org_ref: int | None,
        plan: Plan,
        report: ImportReport,
    ) -> None:
        """Record that the row's person came (once per person), with the interest they gave."""
        org_for_attendance = org_ref if org_ref is not None else contact.organisation_id
        stored = self._stored_attendances
        if contact.ref > 0 and contact.ref in stored:
            attendance_id = stored[contact.ref]
            report.attendances_existing += 1
            have = self._interests.setdefault(attendance_id, (set(), set()))
            self._add_interest(plan, ("old", attendance_id), r, org_for_attendance, contact, have)
            return
        if contact.ref in self._attended:
            report.attendances_existing += 1
            index = self._attended[contact.ref]
            attendance = plan.attendances[index]
        else:
            index = self._attended[contact.ref] = len(plan.attendances)
            attendance = PlannedAttendance(
                contact, org_for_attendance, r.role, r.registered_at, note=r.note
            )
            plan.attendances.append(attendance)
            report.attendances_created += 1
        if r.missions or r.roles:
            if attendance.interest is None:
                attendance.interest = (set(), set())
            self._add_interest(
                plan, ("new", index), r, org_for_attendance, contact, attendance.interest
            )

    def _merge(
        self,
        contact: PlannedContact,
        r: AttendeeRow,
        org_ref: int | None,
        plan: Plan,
        report: ImportReport,
    ) -> None:
        """Bring a row's values into a contact: fill blanks; report or apply the differences."""
        stored = contact.ref > 0
        policy = self.on_existing if stored else "fill"
        if policy == "skip" and stored:
            return
        # the common case, a row saying what is stored, costs four comparisons
        differs: list[tuple[str, Any, Any]] = []
        if r.name != contact.name and r.key != contact.key:
            differs.append(("name", contact.name, r.name))
        if r.job_title is not None and r.job_title != contact.job_title:
            if contact.job_title is None:
                self._change(contact, "job_title", None, r.job_title, plan)
            elif key_of(r.job_title) != key_of(contact.job_title):
                differs.append(("job_title", contact.job_title, r.job_title))
        if r.phone is not None and r.phone != contact.phone:
            if contact.phone is None:
                self._change(contact, "phone", None, r.phone, plan)
            elif _digits(r.phone) != _digits(contact.phone):
                differs.append(("phone", contact.phone, r.phone))
        if org_ref is not None and org_ref != contact.organisation_id:
            if contact.organisation_id is None:
                self._change(contact, "organisation", None, org_ref, plan)
            else:
                differs.append(("organisation", contact.organisation_id, org_ref))
        for name, old, new in differs:
            if policy == "update":
                self._change(contact, name, old, new, plan)
            else:
                report.conflicts.append(
                    {
                        "line": r.line,
                        "contact": contact.name,
                        "email": contact.email,
                        "field": name,
                        "stored": plan.org_name(old) if name == "organisation" else old,
                        "given": plan.org_name(new) if name == "organisation" else new,
                    }
                )

    def _change(self, contact: PlannedContact, name: str, old: Any, new: Any, plan: Plan) -> None:
        if name == "organisation":
            contact.organisation_id = new
        else:
            setattr(contact, name, new)
            if name == "name":
                contact.key = name_key(new)
        if contact.ref > 0:
            if contact.changes is None:
                contact.changes = {}
                plan.updates.append(contact)
            first = contact.changes.get(name, [old, new])[0]
            contact.changes[name] = [first, new]

    def _add_interest(
        self,
        plan: Plan,
        attendance: tuple[str, int],
        r: AttendeeRow,
        org_ref: int | None,
        contact: PlannedContact,
        stored: tuple[set[int], set[int]],
    ) -> None:
        """Record the interest a row adds to an attendance, and what it asks of the organisation."""
        if not (r.missions or r.roles):
            return
        have_missions, have_roles = stored
        new_missions = [x for x in r.missions if x not in have_missions]
        new_roles = [x for x in r.roles if x not in have_roles]
        if not (new_missions or new_roles):
            return
        have_missions.update(new_missions)
        have_roles.update(new_roles)
        if attendance[0] == "old":
            plan.old_interest.append((attendance[1], new_missions, new_roles))
        plan.interest_rows += 1
        if org_ref is None:
            return
        # each role ticked is an ask; missions alone make one conversation without an ask
        asks: Sequence[int | None] = new_roles or ([None] if new_missions and not r.roles else [])
        for role_id in asks:
            group = plan.interest.get((org_ref, role_id))
            if group is None:
                group = plan.interest[(org_ref, role_id)] = Interest(org_ref, role_id)
            if contact.ref not in group.contacts:
                group.contacts.append(contact.ref)
                group.people.append(contact.name)
            group.missions.update(r.missions)
            group.lines.append(r.line)

    def _contacts_by_email(self, emails: set[str]) -> dict[str, PlannedContact]:
        c = m.Contact
        columns = _COLUMNS
        found: dict[str, PlannedContact] = {}
        stored = self.s.scalar(select(func.count()).select_from(m.Contact)) or 0
        # one pass over the table beats a thousand IN lists when the file is most of it
        if stored <= max(FULL_SCAN_ROWS, 3 * len(emails)):
            queries: Iterable[Any] = [select(*columns).where(c.email.is_not(None))]
        else:
            queries = (
                select(*columns).where(c.email.in_(chunk))
                for chunk in chunks(sorted(emails), LOOKUP_CHUNK)
            )
        conn = self.s.connection()
        for query in queries:
            for row in conn.execute(query):
                if row.email in emails:
                    found[row.email] = _stored(row)
        secondary: dict[int, list[str]] = {}
        for chunk in chunks(sorted(emails - found.keys()), LOOKUP_CHUNK):
            for contact_id, address in self.s.execute(
                select(m.ContactEmail.contact_id, m.ContactEmail.email).where(
                    m.ContactEmail.email.in_(chunk)
                )
            ):
                secondary.setdefault(contact_id, []).append(address)
        for chunk in chunks(sorted(secondary), LOOKUP_CHUNK):
            for row in self.s.execute(select(*columns).where(c.id.in_(chunk))):
                contact = _stored(row)
                for address in secondary[row.id]:
                    found[address] = contact
        return found

    def _contacts_by_name_alone(
        self, keys: set[str]
    ) -> dict[tuple[int | None, str], list[PlannedContact]]:
        """Stored contacts with no organisation and no email, by name key."""
        c = m.Contact
        columns = _COLUMNS
        found: dict[tuple[int | None, str], list[PlannedContact]] = {}
        for chunk in chunks(sorted(keys), LOOKUP_CHUNK):
            for row in self.s.execute(
                select(*columns).where(
                    c.name_key.in_(chunk),
                    c.organisation_id.is_(None),
                    c.email.is_(None),
                    c.erased_at.is_(None),
                )
            ):
                found.setdefault((None, row.name_key), []).append(_stored(row))
        return found

    def _contacts_by_name(
        self, wanted: set[tuple[int, str]], known: dict[int, PlannedContact]
    ) -> dict[tuple[int | None, str], list[PlannedContact]]:
        """Stored contacts by (organisation, name key), for the pairs in `wanted`."""
        c = m.Contact
        columns = _COLUMNS
        found: dict[tuple[int | None, str], list[PlannedContact]] = {}
        conn = self.s.connection()
        for chunk in chunks(sorted({org for org, _ in wanted}), LOOKUP_CHUNK):
            for row in conn.execute(
                select(*columns).where(c.organisation_id.in_(chunk), c.erased_at.is_(None))
            ):
                pair = (row.organisation_id, row.name_key)
                if pair in wanted:
                    contact = known.get(row.id) or _stored(row)
                    found.setdefault(pair, []).append(contact)
        return found

    def _attendances(self) -> tuple[dict[int, int], dict[int, tuple[set[int], set[int]]]]:
        """This event's attendances (contact id -> attendance id) and the interest they hold."""
        assert self.event is not None
        if self.event.id is None:
            return {}, {}
        a = m.Attendance
        conn = self.s.connection()
        attendances = dict(
            conn.execute(select(a.contact_id, a.id).where(a.event_id == self.event.id)).all()
        )
        interests: dict[int, tuple[set[int], set[int]]] = {}
        for table, column, slot in (
            (m.attendance_mission, "mission_id", 0),
            (m.attendance_role, "role_id", 1),
        ):
            for attendance_id, value in conn.execute(
                select(table.c.attendance_id, table.c[column])
                .join(a, a.id == table.c.attendance_id)
                .where(a.event_id == self.event.id)
            ):
                interests.setdefault(attendance_id, (set(), set()))[slot].add(value)
        return attendances, interests


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _duplicate(r: AttendeeRow, organisation: str, twins: list[PlannedContact]) -> dict[str, Any]:
    """A new person with the same name as another at the same organisation, for the report."""
    return {
        "line": r.line,
        "name": r.name,
        "email": r.email,
        "organisation": organisation,
        "existing": [
            {"id": t.ref if t.ref > 0 else None, "name": t.name, "email": t.email} for t in twins
        ],
    }


# the columns a stored contact is read with, and the contact as the import sees it
_COLUMNS = (
    m.Contact.id,
    m.Contact.name,
    m.Contact.name_key,
    m.Contact.email,
    m.Contact.organisation_id,
    m.Contact.job_title,
    m.Contact.phone,
)


def _stored(row: Any) -> PlannedContact:
    return PlannedContact(
        row.id, row.name, row.name_key, row.email, row.organisation_id, row.job_title, row.phone
    )
