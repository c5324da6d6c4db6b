"""Merging a duplicate into the record to keep, so a partner's history is whole again.

Everything that hangs off the other record moves to the kept one; the other's name stays as
an alias (organisations) or its address as a secondary email (contacts); blank fields are
filled from the other and differing ones reported; one "merge" entry in the history says
what moved and holds the other record as it was. Then the other record is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from partnercrm import access, history
from partnercrm import models as m
from partnercrm.errors import Conflict, Invalid

IMPORT_LOCK_HOURS = 2

# every reference to an organisation, as (table, column): these move to the kept record
ORGANISATION_REFERENCES = [
    (m.Contact, "organisation_id"),
    (m.Conversation, "organisation_id"),
    (m.Commitment, "organisation_id"),
    (m.Ambassadorship, "organisation_id"),
    (m.Attendance, "organisation_id"),
    (m.Event, "host_id"),
]
MOVED_LABEL = {
    "contact": "contacts",
    "conversation": "conversations",
    "commitment": "commitments",
    "ambassadorship": "ambassador roles",
    "attendance": "event attendances",
    "event.host_id": "events hosted",
}
ORGANISATION_FIELDS = ["sector", "ward", "website", "lead_id", "anchor", "notes"]
CONTACT_FIELDS = [
    "phone",
    "job_title",
    "organisation_id",
    "senior",
    "lawful_basis",
    "consent_source",
    "consent_date",
    "consent_expires",
]


@dataclass
class MergeReport:
    """What a merge did (or, with dry_run, would do)."""

    entity: str
    keep_id: int
    keep_name: str
    other_id: int
    other_name: str
    moved: dict[str, int] = field(default_factory=dict)
    filled: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, list[Any]] = field(default_factory=dict)
    kept_as: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "keep": {"id": self.keep_id, "name": self.keep_name},
            "other": {"id": self.other_id, "name": self.other_name},
            "moved": self.moved,
            "filled": {k: _plain(v) for k, v in self.filled.items()},
            "conflicts": {k: [_plain(x) for x in v] for k, v in self.conflicts.items()},
            "kept_as": self.kept_as,
            "dry_run": self.dry_run,
        }


def _plain(value: Any) -> Any:
    return history._jsonable(value)


def running_import(session: Session) -> m.ImportRun | None:
    """An import started in the last IMPORT_LOCK_HOURS hours and not finished, if any."""
    since = m.utcnow() - timedelta(hours=IMPORT_LOCK_HOURS)
    return session.scalar(
        select(m.ImportRun)
        .where(m.ImportRun.status == "running", m.ImportRun.started_at > since)
        .order_by(m.ImportRun.started_at.desc())
        .limit(1)
    )


def _refuse(entity: str, keep: Any, other: Any) -> None:
    if keep.id == other.id:
        raise Invalid(f"cannot merge the {entity} {keep.name} (id {keep.id}) into itself")
    run = running_import(session=_session_of(keep))
    if run is not None:
        who = f" by {run.actor}" if run.actor else ""
        raise Conflict(
            f"an import of {run.source} is running (started {run.started_at:%d %b %H:%M}{who}); "
            "merge when it has finished, so it does not add to a record being removed"
        )


def _session_of(obj: Any) -> Session:
    from sqlalchemy.orm import object_session

    s = object_session(obj)
    assert s is not None
    return s


def _snapshot(obj: Any) -> dict[str, Any]:
    return {
        c.key: _plain(getattr(obj, c.key))
        for c in obj.__table__.columns
        if c.key not in ("name_key", "alias_key")
    }


def _fill(keep: Any, other: Any, names: list[str], report: MergeReport) -> None:
    for name in names:
        mine, theirs = getattr(keep, name), getattr(other, name)
        if theirs in (None, "", False):
            continue
        if mine in (None, "", False):
            setattr(keep, name, theirs)
            report.filled[name] = theirs
        elif mine != theirs and not _same_phone(name, mine, theirs):
            report.conflicts[name] = [mine, theirs]


def _same_phone(name: str, mine: Any, theirs: Any) -> bool:
    """'020 7946 0001' and '+44 20 7946 0001' are one number, not a conflict."""
    from partnercrm.dedupe import phone_digits

    return (
        name == "phone" and bool(phone_digits(mine)) and phone_digits(mine) == phone_digits(theirs)
    )


def _drop_decisions(session: Session, other_id: int, report: MergeReport) -> None:
    """'Not a duplicate' decisions about the record merged away go with it."""
    decisions = session.execute(
        delete(m.NotDuplicate).where(
            m.NotDuplicate.entity == report.entity,
            or_(m.NotDuplicate.low_id == other_id, m.NotDuplicate.high_id == other_id),
        )
    ).rowcount  # type: ignore[attr-defined]
    if decisions:
        report.moved["'not a duplicate' decisions (dropped)"] = decisions


def _ids(session: Session, column: Any, value: int) -> list[int]:
    table = column.class_
    return list(session.scalars(select(table.id).where(column == value).order_by(table.id)))


def merge_organisations(
    session: Session, keep: m.Organisation, other: m.Organisation, *, dry_run: bool = False
) -> MergeReport:
    """Merge `other` into `keep`: move everything, keep its names as aliases, remove it."""
    _refuse("organisation", keep, other)
    if not dry_run:
        access.require(session, "admin", "merge records")
    report = MergeReport("organisation", keep.id, keep.name, other.id, other.name, dry_run=dry_run)
    _in_savepoint(session, lambda: _merge_organisations(session, keep, other, report), dry_run)
    return report


def _in_savepoint(session: Session, merge: Callable[[], None], dry_run: bool) -> None:
    """Run a merge in a savepoint: kept, or (a dry run, or a failure) undone without a trace."""
    savepoint = session.begin_nested()
    try:
        merge()
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        session.expire_all()
    else:
        savepoint.commit()


def _merge_organisations(
    session: Session, keep: m.Organisation, other: m.Organisation, report: MergeReport
) -> None:
    from partnercrm import organisations

    snapshot = _snapshot(other)
    snapshot["aliases"] = [a.alias for a in other.aliases]
    moved_ids: dict[str, list[int]] = {}
    for model, col in ORGANISATION_REFERENCES:
        column = getattr(model, col)
        ids = _ids(session, column, other.id)
        if not ids:
            continue
        values: dict[str, Any] = {col: keep.id}
        if issubclass(model, m.Versioned):
            values["version"] = model.version + 1  # type: ignore[attr-defined]
        session.execute(update(model).where(column == other.id).values(**values))
        label = model.__tablename__ + ("" if col == "organisation_id" else f".{col}")
        moved_ids[label] = ids
        report.moved[MOVED_LABEL[label]] = len(ids)
    # what hangs off the moved conversations moves with them
    conv_ids = moved_ids.get("conversation", [])
    if conv_ids:
        for model in (m.Touchpoint, m.Step, m.StageChange):
            n = session.scalar(
                select(func.count()).select_from(model).where(model.conversation_id.in_(conv_ids))
            )
            if n:
                report.moved[f"{model.__tablename__}s (with their conversations)"] = n
    _drop_decisions(session, other.id, report)

    _fill(keep, other, ORGANISATION_FIELDS[:-1], report)
    if other.notes and other.notes != keep.notes:
        if keep.notes:
            keep.notes = f"{keep.notes}\n\n(from {other.name}, merged) {other.notes}"
            report.filled["notes"] = "appended"
        else:
            keep.notes = other.notes
            report.filled["notes"] = other.notes
    names = [other.name, *(a.alias for a in other.aliases)]
    # collections loaded before the moves are stale: reload them, so deleting `other` does
    # not set the moved contacts' organisation to nothing
    session.flush()
    session.expire(keep, ["contacts"])
    session.expire(other)
    session.delete(other)
    session.flush()
    for alias in names:
        before = len(keep.aliases)
        organisations.add_alias(session, keep, alias)
        if len(keep.aliases) > before:
            report.kept_as.append(alias)
    session.flush()
    _record_merge(session, keep.id, keep.id, keep.name, report, snapshot, moved_ids)


def _record_merge(
    session: Session,
    keep_id: int,
    organisation_id: int | None,
    keep_name: str,
    report: MergeReport,
    snapshot: dict[str, Any],
    moved: dict[str, list[int]],
) -> None:
    """One history entry for a merge: what the merged record was, and what moved and filled."""
    added = "aliases_added" if report.entity == "organisation" else "emails_added"
    history.record(
        session,
        "merge",
        report.entity,
        keep_id,
        organisation_id=organisation_id,
        summary=f"merged {report.other_name} (id {report.other_id}) into {keep_name}",
        changes={
            "merged": snapshot,
            "moved": moved,
            "filled": {k: _plain(v) for k, v in report.filled.items()},
            "conflicts": {k: [_plain(x) for x in v] for k, v in report.conflicts.items()},
            added: report.kept_as,
        },
    )


def merge_contacts(
    session: Session, keep: m.Contact, other: m.Contact, *, dry_run: bool = False
) -> MergeReport:
    """Merge `other` into `keep`: move conversations, touchpoints and attendance, keep its emails."""
    _refuse("contact", keep, other)
    if not dry_run:
        access.require(session, "admin", "merge records")
    for c in (keep, other):
        if c.erased_at is not None:
            raise Invalid(f"the contact {c.id} was erased; erased people cannot be merged")
    report = MergeReport("contact", keep.id, keep.name, other.id, other.name, dry_run=dry_run)
    _in_savepoint(session, lambda: _merge_contacts(session, keep, other, report), dry_run)
    return report


def _merge_contacts(
    session: Session, keep: m.Contact, other: m.Contact, report: MergeReport
) -> None:
    snapshot = _snapshot(other)
    snapshot["other_emails"] = [e.email for e in other.other_emails]
    move = _ContactMove(session, keep, other, report)
    move.conversations()
    move.touchpoints()
    move.attendances()
    _drop_decisions(session, other.id, report)

    _fill(keep, other, CONTACT_FIELDS, report)
    _move_emails(session, keep, other, report)
    _record_merge(session, keep.id, keep.organisation_id, keep.name, report, snapshot, move.moved)


@dataclass
class _ContactMove:
    """What hangs off the contact `other` moves to `keep`; `moved` keeps the ids, by table."""

    session: Session
    keep: m.Contact
    other: m.Contact
    report: MergeReport
    moved: dict[str, list[int]] = field(default_factory=dict)

    def conversations(self) -> None:
        """Conversations `other` is in: the kept contact may already be in some of them."""
        session, keep, other, report = self.session, self.keep, self.other, self.report
        cc = m.conversation_contact
        theirs = set(
            session.scalars(select(cc.c.conversation_id).where(cc.c.contact_id == other.id))
        )
        mine = set(session.scalars(select(cc.c.conversation_id).where(cc.c.contact_id == keep.id)))
        if theirs:
            session.execute(delete(cc).where(cc.c.contact_id == other.id))
            new = sorted(theirs - mine)
            if new:
                session.execute(
                    insert(cc), [{"conversation_id": c, "contact_id": keep.id} for c in new]
                )
            self.moved["conversation_contact"] = sorted(theirs)
            report.moved["conversations"] = len(theirs)
            if theirs & mine:
                report.moved["conversations both were in"] = len(theirs & mine)

    def touchpoints(self) -> None:
        touch_ids = _ids(self.session, m.Touchpoint.contact_id, self.other.id)
        if touch_ids:
            self.session.execute(
                update(m.Touchpoint)
                .where(m.Touchpoint.contact_id == self.other.id)
                .values(contact_id=self.keep.id)
            )
            self.moved["touchpoint"] = touch_ids
            self.report.moved["touchpoints"] = len(touch_ids)

    def attendances(self) -> None:
        """One row per (event, contact): where both came, the interest is folded together."""
        session, keep, other, report = self.session, self.keep, self.other, self.report
        attended = {
            a.event_id: a
            for a in session.scalars(select(m.Attendance).where(m.Attendance.contact_id == keep.id))
        }
        for att in list(
            session.scalars(select(m.Attendance).where(m.Attendance.contact_id == other.id))
        ):
            self.moved.setdefault("attendance", []).append(att.id)
            report.moved["event attendances"] = report.moved.get("event attendances", 0) + 1
            same = attended.get(att.event_id)
            if same is None:
                att.contact_id = keep.id
                continue
            _fold_attendance(att, into=same)
            folded = "attendances folded into the same event"
            report.moved[folded] = report.moved.get(folded, 0) + 1
            session.delete(att)
        session.flush()


def _fold_attendance(att: m.Attendance, *, into: m.Attendance) -> None:
    """Two attendances of one person at one event become one: interests joined, the higher role."""
    same = into
    rank = {r.value: i for i, r in enumerate(m.AttendanceRole)}
    for mission in att.interest_missions:
        if mission not in same.interest_missions:
            same.interest_missions.append(mission)
    for role in att.interest_roles:
        if role not in same.interest_roles:
            same.interest_roles.append(role)
    if rank.get(att.role, 0) > rank.get(same.role, 0):
        same.role = att.role
    if same.registered_at is None:
        same.registered_at = att.registered_at


def _move_emails(session: Session, keep: m.Contact, other: m.Contact, report: MergeReport) -> None:
    """`other`'s addresses become the kept contact's (its main one if it has none); `other` goes."""
    addresses = [a for a in [other.email, *(e.email for e in other.other_emails)] if a]
    session.delete(other)
    session.flush()
    have = {keep.email, *(e.email for e in keep.other_emails)}
    for address in addresses:
        if address in have:
            continue
        if keep.email is None:
            keep.email = address
            report.filled["email"] = address
        else:
            keep.other_emails.append(m.ContactEmail(email=address))
            report.kept_as.append(address)
        have.add(address)
    session.flush()


def merge(
    session: Session, entity: str, keep_id: int, other_id: int, *, dry_run: bool = False
) -> MergeReport:
    """Merge record `other_id` into `keep_id`; `entity` is 'organisation' or 'contact'."""
    from partnercrm.dedupe import check_entity
    from partnercrm.errors import NotFound

    entity = check_entity(entity)
    model = m.Organisation if entity == "organisation" else m.Contact
    keep, other = session.get(model, keep_id), session.get(model, other_id)
    for ident, record in ((keep_id, keep), (other_id, other)):
        if record is None:
            raise NotFound(entity, str(ident))
    if entity == "organisation":
        return merge_organisations(session, keep, other, dry_run=dry_run)  # type: ignore[arg-type]
    return merge_contacts(session, keep, other, dry_run=dry_run)  # type: ignore[arg-type]
