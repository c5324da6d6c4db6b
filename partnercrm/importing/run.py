"""The attendee import: read the file, check every row, match everyone, then write in bulk.

Nothing is written until every row has been read, checked and matched (so `--strict` and
`--dry-run` cost no writes and the report of a dry run is the real one). The writes then go
through SQLAlchemy Core in chunks inside the caller's transaction: one transaction, so a
killed import leaves the database as it was.
"""

from __future__ import annotations

import csv
import gc
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from partnercrm import history, outputs
from partnercrm import models as m
from partnercrm.contacts import email_digest
from partnercrm.csv_export import neutralise
from partnercrm.errors import Invalid, NotFound
from partnercrm.importing.bulk import CHUNK, BulkWriter, chunks, sqlite_datetime
from partnercrm.importing.columns import ColumnMap, map_columns
from partnercrm.importing.organisations import FUZZY_THRESHOLD, OrganisationMatcher
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.source import Table as SourceTable
from partnercrm.importing.source import read_table
from partnercrm.importing.values import (
    DateReader,
    EmailReader,
    InterestReader,
    attendance_role,
    clean,
    guess_sector,
    key_of,
    month_first_in,
    person_name,
    status_reader,
)
from partnercrm.matching import name_key

Progress = Callable[[str, int, int], None]
ON_EXISTING = ("fill", "update", "skip")
LOOKUP_CHUNK = 900
# a table this small is read whole rather than looked up piecemeal
FULL_SCAN_ROWS = 20_000
SQLITE_CACHE_KB = 128_000
PROGRESS_EVERY = 2000
# numeric dates are read day first unless these first rows show a month-first file
DATE_ORDER_SAMPLE = 5000
LAWFUL_BASIS = "legitimate_interests"
# what Microsoft Forms writes for the email and name of an anonymous answer
_ANONYMOUS = "anonymous"
_TABLES = m.Base.metadata.tables


@dataclass
class NewEvent:
    """What --create-event needs when the event is not in the CRM yet."""

    kind: str
    held_on: date | str
    host: str | None = None


@dataclass(slots=True)
class _Row:
    line: int
    name: str
    key: str
    email: str | None
    organisation: str
    job_title: str | None
    phone: str | None
    role: str
    attending: bool
    registered_at: datetime | None
    missions: tuple[int, ...]
    roles: tuple[int, ...]
    note: str | None = None


@dataclass(slots=True)
class _Contact:
    """A contact as the import sees it: stored (id > 0) or to be created (ref < 0)."""

    ref: int
    name: str
    key: str
    email: str | None
    organisation_id: int | None
    job_title: str | None
    phone: str | None
    consent_date: date | None = None
    changes: dict[str, list[Any]] | None = None


@dataclass(slots=True)
class _Attendance:
    """An attendance to record: who, for which organisation, and any interest (missions, roles)."""

    contact: _Contact
    organisation_ref: int | None
    role: str
    registered_at: datetime | None
    interest: tuple[set[int], set[int]] | None = None
    note: str | None = None


@dataclass
class _Interest:
    """Interest one organisation expressed in one ask (a role, or None for missions only)."""

    organisation_ref: int
    role_id: int | None
    contacts: list[int] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    missions: set[int] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)


@dataclass
class _EventInfo:
    id: int | None
    name: str
    held_on: date
    owner_id: int | None


def import_attendees(
    session: Session,
    source: str | Path,
    *,
    event: str,
    create_event: NewEvent | None = None,
    preset: str | None = None,
    column_map: dict[str, str] | None = None,
    sheet: str | None = None,
    lead: str | None = None,
    follow_up_days: int = 14,
    on_existing: str = "fill",
    dry_run: bool = False,
    strict: bool = False,
    rejects: str | Path | None = None,
    replace_rejects: bool = False,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an attendee export for `event` and return what happened.

    Pass a session that has not been used yet: the import first records itself as running
    in a short transaction of its own (so dedupe does not merge under it), then does all its
    work in `session`, whose transaction the caller commits. On an error the session is
    rolled back and the run is recorded as failed.
    """
    if on_existing not in ON_EXISTING:
        raise Invalid(f"--on-existing must be one of {', '.join(ON_EXISTING)}", field="on_existing")
    if follow_up_days < 0:
        raise Invalid("--follow-up-days cannot be negative", field="follow_up_days")
    if rejects is not None and Path(rejects).resolve() == Path(source).resolve():
        raise Invalid(
            "--rejects names the file being imported; give another file name", field="rejects"
        )
    if rejects is not None:  # refused before anything is read or written
        outputs.check_target(rejects, force=replace_rejects, database=session, field="rejects")
    run_id = None if dry_run else _start_run(session, str(source))
    # the import makes a few hundred thousand small objects and frees none of them until it
    # ends; the cyclic collector would scan them all again and again (a third of the time)
    collecting = gc.isenabled()
    gc.disable()
    try:
        job = _Import(session, on_existing, fuzzy_threshold, today or date.today(), progress)
        report = job.run(
            source,
            event=event,
            create_event=create_event,
            preset=preset,
            column_map=column_map,
            sheet=sheet,
            lead=lead,
            follow_up_days=follow_up_days,
            dry_run=dry_run,
            strict=strict,
            rejects=rejects,
            replace_rejects=replace_rejects,
        )
        if run_id is not None:
            report.import_run = run_id
            session.execute(
                update(m.ImportRun)
                .where(m.ImportRun.id == run_id)
                .values(
                    status="done" if report.imported else "failed",
                    finished_at=m.utcnow(),
                    event_id=job.event.id if job.event else None,
                    summary=report.summary(),
                )
            )
        return report
    except BaseException as exc:
        if run_id is not None:
            session.rollback()
            _finish_run(session, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
        raise
    finally:
        # a long-lived process (the TUI) should not keep one file's names in memory
        key_of.cache_clear()
        sqlite_datetime.cache_clear()
        if collecting:
            gc.enable()


def _side_session(session: Session) -> Session:
    side = Session(bind=session.get_bind())
    side.info.update(session.info)
    return side


def _start_run(session: Session, source: str) -> int:
    with _side_session(session) as side, side.begin():
        run = m.ImportRun(source=source[-500:], actor=history.actor_of(session), status="running")
        side.add(run)
        side.flush()
        return run.id


def _finish_run(session: Session, run_id: int, status: str, summary: dict[str, Any]) -> None:
    try:
        with _side_session(session) as side, side.begin():
            side.execute(
                update(m.ImportRun)
                .where(m.ImportRun.id == run_id)
                .values(status=status, finished_at=m.utcnow(), summary=summary)
            )
    except Exception:  # noqa: BLE001 - the original error matters more; dedupe ages this run out
        pass


class _Import:
    def __init__(
        self,
        session: Session,
        on_existing: str,
        threshold: float,
        today: date,
        progress: Progress | None,
    ) -> None:
        self.s = session
        self.on_existing = on_existing
        self.threshold = threshold
        self.today = today
        self.progress = progress or (lambda phase, done, total: None)
        self.actor = history.actor_of(session)
        self.bulk = BulkWriter(session, self.actor)
        self.event: _EventInfo | None = None
        self._create_event: tuple[str, NewEvent] | None = None

    # ----------------------------------------------------------------- the whole import
    def run(
        self,
        source: str | Path,
        *,
        event: str,
        create_event: NewEvent | None,
        preset: str | None,
        column_map: dict[str, str] | None,
        sheet: str | None,
        lead: str | None,
        follow_up_days: int,
        dry_run: bool,
        strict: bool,
        rejects: str | Path | None,
        replace_rejects: bool = False,
    ) -> ImportReport:
        table = read_table(source, sheet=sheet)
        cmap = map_columns(table.header, preset=preset, overrides=column_map)
        self.event = self._event(event, create_event)
        report = ImportReport(
            source=str(source),
            event=self.event.name,
            dry_run=dry_run,
            strict=strict,
            encoding=table.encoding,
            delimiter=table.delimiter,
            columns=cmap.as_dict(),
            notes=list(table.notes),
        )
        if "organisation" not in cmap.indexes:
            report.notes.insert(
                0, "no column holds an organisation: people are imported without one"
            )
        rows, bad = self._read_rows(table, cmap, report)
        report.notes.extend(n for n in table.notes if n not in report.notes)  # the table's end
        if report.anonymous:
            report.notes.append(f"{report.anonymous} anonymous answer(s) left out: not people")
        if rejects is not None:
            _write_rejects(Path(rejects), table, bad, self.s, replace_rejects)
            report.rejects_file = str(rejects) if bad else None
        if bad and not rows:
            first = bad[0][2][0]
            raise Invalid(
                f"every row of {table.name} was rejected ({len(bad)}), so nothing was imported; "
                f"the first: line {first.line}, {first.column} {first.value!r}: {first.reason}",
                field="file",
            )
        if strict and bad:
            report.imported = False
            report.notes.append(f"--strict: nothing imported because {len(bad)} row(s) are bad")
            return report
        rows = self._drop_erased(rows, report)
        plan = _Plan()
        self._match(rows, plan, report)
        self._plan_interest(plan, report, lead, follow_up_days)
        if dry_run:
            return report
        self._add_event()
        self._write(plan, report, table.name)
        return report

    # ----------------------------------------------------------------- event and lead
    def _event(self, given: str, create: NewEvent | None) -> _EventInfo:
        """The event, found now; one --create-event adds is checked now and added at write time."""
        from partnercrm import events, organisations
        from partnercrm.dates import parse_date

        found: m.Event | None
        if create is not None:
            found = self.s.scalar(select(m.Event).where(m.Event.name_key == name_key(given)))
            if found is None:
                events.check_kind(create.kind)
                if create.host:
                    organisations.find_organisation(self.s, create.host)
                if not given.strip():
                    raise Invalid("an event needs a name", field="event")
                self._create_event = (given, create)
                return _EventInfo(
                    None, given.strip(), parse_date(create.held_on, "event date"), None
                )
        else:
            try:
                found = events.find_event(self.s, given)
            except NotFound as exc:
                raise Invalid(
                    f"{exc}; to add it, give --create-event with --kind and --date", field="event"
                ) from exc
        return _EventInfo(found.id, found.name, found.held_on, found.owner_id)

    def _add_event(self) -> None:
        from partnercrm import events, organisations

        assert self.event is not None
        if self._create_event is None:
            return
        given, create = self._create_event
        host = organisations.find_organisation(self.s, create.host) if create.host else None
        added = events.add_event(self.s, given, create.kind, create.held_on, host=host)
        self.event.id = added.id

    def _lead(self, lead: str | None) -> int | None:
        from partnercrm import colleagues

        if lead:
            return colleagues.find_colleague(self.s, lead).id
        assert self.event is not None
        if self.event.owner_id is not None:
            return self.event.owner_id
        me = colleagues.colleague_for_actor(self.s)
        return me.id if me else None

    # ----------------------------------------------------------------- reading and checking
    def _read_rows(
        self, table: SourceTable, cmap: ColumnMap, report: ImportReport
    ) -> tuple[list[_Row], list[tuple[int, list[str], list[Rejection]]]]:
        header = table.header
        width = len(header)
        idx = {
            f: cmap.first(f)
            for f in (
                "first_name",
                "last_name",
                "full_name",
                "email",
                "organisation",
                "job_title",
                "phone",
                "role",
                "registered_at",
            )
        }
        mission_cols = cmap.indexes.get("interest_missions", [])
        role_cols = cmap.indexes.get("interest_roles", [])
        emails = EmailReader()
        missions = InterestReader(
            "mission", self.s.execute(select(m.Mission.id, m.Mission.key, m.Mission.name))
        )
        roles = InterestReader(
            "ambassador role",
            self.s.execute(
                select(m.AmbassadorRole.id, m.AmbassadorRole.key, m.AmbassadorRole.name)
            ),
        )
        date_col = idx["registered_at"]
        month_first = cmap.month_first
        source = iter(table.rows)
        head = list(itertools.islice(source, DATE_ORDER_SAMPLE))
        if date_col is not None:
            month_first = month_first_in(
                (cells[date_col] for _, cells in head if len(cells) > date_col), month_first
            )
        dates = DateReader(month_first)

        # every field read with one itemgetter; a missing column reads the blank cell at `width`
        names = (
            "first_name",
            "last_name",
            "full_name",
            "email",
            "organisation",
            "job_title",
            "phone",
            "role",
            "registered_at",
        )
        fetch = operator.itemgetter(*(width if idx[f] is None else idx[f] for f in names))
        interest_cols = [(i, missions, "mission") for i in mission_cols] + [
            (i, roles, "ambassador role") for i in role_cols
        ]
        spares = [(names.index(f), cmap.spare[f]) for f in names if f in cmap.spare]
        status_cols = [(i, status_reader(header[i])) for i in cmap.indexes.get("status", [])]
        # a file with no email column (Meetup) is of people known by name and organisation
        emails_given = idx["email"] is not None
        good: list[_Row] = []
        bad: list[tuple[int, list[str], list[Rejection]]] = []
        total = max(table.size_hint, 1)
        for n, (line, cells) in enumerate(itertools.chain(head, source), 1):
            if n % PROGRESS_EVERY == 0:
                self.progress("reading", min(line, total), total)
            if not "".join(cells).strip():
                continue  # blank rows, and rows of empty trailing columns
            report.rows += 1
            problems: list[Rejection] = []
            if len(cells) > width:
                extra = [c for c in cells[width:] if c.strip()]
                if extra:
                    problems.append(
                        Rejection(
                            line,
                            f"column {width + 1}",
                            extra[0],
                            "the row has more cells than the header has columns",
                        )
                    )
                padded = cells[:width]
                padded.append("")
            else:
                padded = cells + [""] * (width + 1 - len(cells))
            values = fetch(padded)
            if spares:
                values = _with_spares(values, padded, spares)
            (
                first,
                last,
                full,
                raw_email,
                organisation,
                job_title,
                phone,
                ticket,
                raw_date,
            ) = values
            name = person_name(first, last, full)
            if _ANONYMOUS in (raw_email.strip().lower(), name.lower()):
                report.anonymous += 1  # an anonymous form answer is not a person
                continue
            if not name:
                column = header[
                    next(
                        i
                        for i in (idx["full_name"], idx["first_name"], idx["email"], 0)
                        if i is not None
                    )
                ]
                problems.append(Rejection(line, column, "", "no name"))
            raw_email = raw_email.strip()
            email = None
            if raw_email:
                email, error = emails(raw_email)
                if error:
                    problems.append(
                        Rejection(
                            line,
                            header[idx["email"]],
                            raw_email,  # type: ignore[index]
                            f"invalid email: {error}",
                        )
                    )
            organisation = clean(organisation)
            if organisation and not key_of(organisation):
                problems.append(
                    Rejection(
                        line,
                        header[idx["organisation"]],
                        organisation,  # type: ignore[index]
                        "the organisation name has no letters or digits",
                    )
                )
                organisation = ""
            if not raw_email and not organisation and name and emails_given:
                column = header[idx["email"]] if idx["email"] is not None else "email"
                problems.append(
                    Rejection(
                        line,
                        column,
                        "",
                        "no email and no organisation: the person could not be recognised again",
                    )
                )
            found_missions: list[int] = []
            found_roles: list[int] = []
            answers: list[str] = []
            for i, reader, what in interest_cols:
                value = padded[i].strip()
                if value:
                    ids, unknown = reader(value)
                    if unknown is None:
                        (found_missions if reader is missions else found_roles).extend(ids)
                    elif i in cmap.forced:
                        problems.append(
                            Rejection(line, header[i], value, f"unknown {what} {unknown!r}")
                        )
                    else:
                        # an answer that names no mission or role is kept, never held against
                        # the person: "Yes", "maybe later", "happy to help with food"
                        answers.append(f"{header[i]}: {clean(value)}")
            for field_name, value, limit in (
                ("full_name", name, 200),
                ("organisation", organisation, 300),
                ("job_title", job_title, 200),
                ("phone", phone, 60),
            ):
                if len(value) > limit:
                    at = idx[field_name]
                    column = header[at] if at is not None else header[idx["first_name"] or 0]
                    problems.append(
                        Rejection(line, column, value[:60] + "…", f"longer than {limit} characters")
                    )
            registered_at = None
            raw_date = raw_date.strip()
            if raw_date:
                registered_at = dates(raw_date)
                if registered_at is None:
                    problems.append(
                        Rejection(
                            line,
                            header[date_col],
                            raw_date,  # type: ignore[index]
                            "the date cannot be read",
                        )
                    )
            if problems:
                bad.append((line, cells, problems))
                report.rejected.extend(problems)
                continue
            good.append(
                _Row(
                    line=line,
                    name=name,
                    key=key_of(name),
                    email=email,
                    organisation=organisation,
                    job_title=clean(job_title) or None,
                    phone=clean(phone) or None,
                    role=attendance_role(ticket),
                    attending=all(read(padded[i]) for i, read in status_cols),
                    registered_at=registered_at,
                    missions=tuple(dict.fromkeys(found_missions)) if found_missions else (),
                    roles=tuple(dict.fromkeys(found_roles)) if found_roles else (),
                    note="; ".join(answers)[:2000] if answers else None,
                )
            )
        report.rows_rejected = len(bad)
        self.progress("reading", total, total)
        return good, bad

    def _drop_erased(self, rows: list[_Row], report: ImportReport) -> list[_Row]:
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

    # ----------------------------------------------------------------- matching
    def _match(self, rows: list[_Row], plan: _Plan, report: ImportReport) -> None:
        s = self.s
        # organisations: each distinct spelling once
        counts: dict[str, int] = {}
        for r in rows:
            if r.organisation:
                counts[r.organisation] = counts.get(r.organisation, 0) + 1
        matcher = OrganisationMatcher(s, self.threshold)
        orgs = matcher.resolve(counts.items())
        plan.new_orgs = matcher.new
        plan.org_names = matcher.names
        matched_orgs = {o.ref for o in orgs.values() if o.ref > 0}
        report.organisations_matched = len(matched_orgs)
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
        attendances, interests = self._attendances()
        new_by_email: dict[str, _Contact] = {}
        new_by_name: dict[tuple[int | None, str], _Contact] = {}
        matched: set[int] = set()
        attended: dict[int, int] = {}  # contact ref -> index in plan.attendances or -(id)
        total = len(rows)
        for n, r in enumerate(rows, 1):
            if n % PROGRESS_EVERY == 0:
                self.progress("matching", n, total)
            org_ref = orgs[r.organisation].ref if r.organisation else None
            contact: _Contact | None = None
            if r.email is not None:
                contact = known.get(r.email) or new_by_email.get(r.email)
            else:
                candidates = by_name.get((org_ref, r.key), [])
                if len(candidates) == 1:
                    contact = candidates[0]
                else:
                    contact = new_by_name.get((org_ref, r.key))
            if contact is None:
                contact = _Contact(
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
                twins = [c for c in by_name.get((org_ref, r.key), []) if c.email != r.email]
                twin_new = new_by_name.get((org_ref, r.key))
                if twin_new is not None and twin_new.email != r.email:
                    twins.append(twin_new)
                if org_ref is not None and twins:
                    report.probable_duplicates.append(
                        {
                            "line": r.line,
                            "name": r.name,
                            "email": r.email,
                            "organisation": orgs[r.organisation].matched,
                            "existing": [
                                {
                                    "id": t.ref if t.ref > 0 else None,
                                    "name": t.name,
                                    "email": t.email,
                                }
                                for t in twins
                            ],
                        }
                    )
                if r.email is not None:
                    new_by_email[r.email] = contact
                new_by_name.setdefault((org_ref, r.key), contact)
            else:
                if contact.ref > 0:
                    matched.add(contact.ref)
                self._merge(contact, r, org_ref, plan, report)

            if not r.attending:
                report.not_attending += 1
                continue
            org_for_attendance = org_ref if org_ref is not None else contact.organisation_id
            if contact.ref > 0 and contact.ref in attendances:
                attendance_id = attendances[contact.ref]
                report.attendances_existing += 1
                self._add_interest(
                    plan,
                    ("old", attendance_id),
                    r,
                    org_for_attendance,
                    contact,
                    interests.setdefault(attendance_id, (set(), set())),
                )
            elif contact.ref in attended:
                report.attendances_existing += 1
                index = attended[contact.ref]
                attendance = plan.attendances[index]
                if r.missions or r.roles:
                    if attendance.interest is None:
                        attendance.interest = (set(), set())
                    self._add_interest(
                        plan, ("new", index), r, org_for_attendance, contact, attendance.interest
                    )
            else:
                attended[contact.ref] = len(plan.attendances)
                attendance = _Attendance(
                    contact, org_for_attendance, r.role, r.registered_at, note=r.note
                )
                plan.attendances.append(attendance)
                report.attendances_created += 1
                if r.missions or r.roles:
                    attendance.interest = (set(), set())
                    self._add_interest(
                        plan,
                        ("new", attended[contact.ref]),
                        r,
                        org_for_attendance,
                        contact,
                        attendance.interest,
                    )
        report.contacts_created = len(plan.new_contacts)
        report.contacts_matched = len(matched)
        report.contacts_updated = len(plan.updates)
        self.progress("matching", total, total)

    def _merge(
        self, contact: _Contact, r: _Row, org_ref: int | None, plan: _Plan, report: ImportReport
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

    def _change(self, contact: _Contact, name: str, old: Any, new: Any, plan: _Plan) -> None:
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
        plan: _Plan,
        attendance: tuple[str, int],
        r: _Row,
        org_ref: int | None,
        contact: _Contact,
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
                group = plan.interest[(org_ref, role_id)] = _Interest(org_ref, role_id)
            if contact.ref not in group.contacts:
                group.contacts.append(contact.ref)
                group.people.append(contact.name)
            group.missions.update(r.missions)
            group.lines.append(r.line)

    def _contacts_by_email(self, emails: set[str]) -> dict[str, _Contact]:
        c = m.Contact
        columns = (c.id, c.name, c.name_key, c.email, c.organisation_id, c.job_title, c.phone)
        found: dict[str, _Contact] = {}
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
                    found[row.email] = _Contact(
                        row.id,
                        row.name,
                        row.name_key,
                        row.email,
                        row.organisation_id,
                        row.job_title,
                        row.phone,
                    )
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
                contact = _Contact(
                    row.id,
                    row.name,
                    row.name_key,
                    row.email,
                    row.organisation_id,
                    row.job_title,
                    row.phone,
                )
                for address in secondary[row.id]:
                    found[address] = contact
        return found

    def _contacts_by_name_alone(
        self, keys: set[str]
    ) -> dict[tuple[int | None, str], list[_Contact]]:
        """Stored contacts with no organisation and no email, by name key."""
        c = m.Contact
        columns = (c.id, c.name, c.name_key, c.email, c.organisation_id, c.job_title, c.phone)
        found: dict[tuple[int | None, str], list[_Contact]] = {}
        for chunk in chunks(sorted(keys), LOOKUP_CHUNK):
            for row in self.s.execute(
                select(*columns).where(
                    c.name_key.in_(chunk),
                    c.organisation_id.is_(None),
                    c.email.is_(None),
                    c.erased_at.is_(None),
                )
            ):
                found.setdefault((None, row.name_key), []).append(
                    _Contact(row.id, row.name, row.name_key, None, None, row.job_title, row.phone)
                )
        return found

    def _contacts_by_name(
        self, wanted: set[tuple[int, str]], known: dict[int, _Contact]
    ) -> dict[tuple[int | None, str], list[_Contact]]:
        """Stored contacts by (organisation, name key), for the pairs in `wanted`."""
        c = m.Contact
        columns = (c.id, c.name, c.name_key, c.email, c.organisation_id, c.job_title, c.phone)
        found: dict[tuple[int | None, str], list[_Contact]] = {}
        conn = self.s.connection()
        for chunk in chunks(sorted({org for org, _ in wanted}), LOOKUP_CHUNK):
            for row in conn.execute(
                select(*columns).where(c.organisation_id.in_(chunk), c.erased_at.is_(None))
            ):
                pair = (row.organisation_id, row.name_key)
                if pair in wanted:
                    contact = known.get(row.id) or _Contact(
                        row.id,
                        row.name,
                        row.name_key,
                        row.email,
                        row.organisation_id,
                        row.job_title,
                        row.phone,
                    )
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

    # ----------------------------------------------------------------- interest
    def _plan_interest(
        self, plan: _Plan, report: ImportReport, lead: str | None, follow_up_days: int
    ) -> None:
        assert self.event is not None
        report.interest_added = plan.interest_rows
        if not plan.interest:
            return
        plan.lead_id = self._lead(lead)
        if plan.lead_id is None:
            lines = sorted({line for g in plan.interest.values() for line in g.lines})
            shown = ", ".join(str(x) for x in lines[:5]) + (" …" if len(lines) > 5 else "")
            raise Invalid(
                f"rows on lines {shown} express interest, and a warm conversation needs a lead: "
                "give --lead COLLEAGUE or set the event's owner",
                field="lead",
            )
        plan.when = min(self.event.held_on, self.today)
        plan.due = self.event.held_on + timedelta(days=follow_up_days)
        existing = self._open_conversations({ref for ref, _ in plan.interest if ref > 0})
        for key, group in plan.interest.items():
            conversation = existing.get(key)
            if conversation is None:
                plan.to_open.append(group)
            else:
                plan.to_touch.append((conversation, group))
        report.conversations_opened = len(plan.to_open)
        report.conversations_touched = len(plan.to_touch)
        report.touchpoints_added = len(plan.to_open) + len(plan.to_touch)
        open_steps = self._conversations_with_open_steps([c for c, _ in plan.to_touch])
        plan.step_for_touched = [c for c, _ in plan.to_touch if c not in open_steps]
        report.steps_created = len(plan.to_open) + len(plan.step_for_touched)

    def _open_conversations(self, org_ids: set[int]) -> dict[tuple[int, int | None], int]:
        c = m.Conversation
        found: dict[tuple[int, int | None], int] = {}
        for chunk in chunks(sorted(org_ids), LOOKUP_CHUNK):
            for ident, org_id, role_id, kind in self.s.execute(
                select(c.id, c.organisation_id, c.ask_role_id, c.ask_kind)
                .where(
                    c.organisation_id.in_(chunk),
                    c.stage.in_(list(m.OPEN_STAGES)),
                    c.archived.is_(False),
                )
                .order_by(c.last_touch_on.desc(), c.id.desc())
            ):
                if role_id is None and kind is not None:
                    continue  # an ask of a kind of commitment is a different ask
                found.setdefault((org_id, role_id), ident)
        return found

    def _conversations_with_open_steps(self, ids: list[int]) -> set[int]:
        found: set[int] = set()
        for chunk in chunks(sorted(set(ids)), LOOKUP_CHUNK):
            found.update(
                self.s.scalars(
                    select(m.Step.conversation_id).where(
                        m.Step.conversation_id.in_(chunk), m.Step.done_on.is_(None)
                    )
                )
            )
        return found

    # ----------------------------------------------------------------- writing
    def _write(self, plan: _Plan, report: ImportReport, source_name: str) -> None:
        sqlite = self.s.get_bind().dialect.name == "sqlite"
        if sqlite:
            # SQLite's default 2 MB page cache makes every index insert a disk read at this
            # size; a bigger cache for the length of the import more than halves the writes
            before = self.s.scalar(text("PRAGMA cache_size"))
            self.s.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}"))
        try:
            self._write_all(plan, report, source_name)
        finally:
            if sqlite:
                self.s.execute(text(f"PRAGMA cache_size = {int(before)}"))

    def _write_all(self, plan: _Plan, report: ImportReport, source_name: str) -> None:
        assert self.event is not None and self.event.id is not None
        now = m.utcnow()
        stamp = {"version": 1, "created_at": now, "updated_at": now, "updated_by": self.actor}
        total = (
            len(plan.new_orgs)
            + len(plan.new_contacts)
            + len(plan.updates)
            + len(plan.attendances)
            + len(plan.to_open)
            + len(plan.to_touch)
        )
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            self.progress("writing", done, total)

        # organisations
        org_refs = list(plan.new_orgs)
        org_ids = self.bulk.insert_indexed(
            _TABLES["organisation"],
            len(org_refs),
            (
                {
                    "name": plan.new_orgs[ref][0],
                    "name_key": plan.new_orgs[ref][1],
                    "sector": guess_sector(plan.new_orgs[ref][0]),
                    "anchor": False,
                    "archived": False,
                    **stamp,
                }
                for ref in org_refs
            ),
            advance,
        )
        real_org = dict(zip(org_refs, org_ids, strict=True))
        plan.real_org = real_org
        self.bulk.history(
            {
                "action": "create",
                "entity": "organisation",
                "entity_id": real_org[ref],
                "organisation_id": real_org[ref],
                "summary": plan.new_orgs[ref][0],
                "changes": None,
            }
            for ref in org_refs
        )

        def org(ref: int | None) -> int | None:
            return real_org[ref] if ref is not None and ref < 0 else ref

        # contacts
        consent_source = f"{self.event.name} registration"[:300]
        contact_ids = self.bulk.insert_indexed(
            _TABLES["contact"],
            len(plan.new_contacts),
            (
                {
                    "name": c.name,
                    "name_key": c.key,
                    "email": c.email,
                    "phone": c.phone,
                    "job_title": c.job_title,
                    "senior": False,
                    "organisation_id": org(c.organisation_id),
                    "lawful_basis": LAWFUL_BASIS,
                    "consent_source": consent_source,
                    "consent_date": c.consent_date,
                    "archived": False,
                    **stamp,
                }
                for c in plan.new_contacts
            ),
            advance,
        )
        real_contact = {
            c.ref: ident for c, ident in zip(plan.new_contacts, contact_ids, strict=True)
        }
        self.bulk.history(
            {
                "action": "create",
                "entity": "contact",
                "entity_id": real_contact[c.ref],
                "organisation_id": org(c.organisation_id),
                "summary": c.name,
                "changes": None,
            }
            for c in plan.new_contacts
        )

        def person(ref: int) -> int:
            return real_contact[ref] if ref < 0 else ref

        # changes to stored contacts
        if plan.updates:
            t = _TABLES["contact"]
            statement = (
                update(t)
                .where(t.c.id == bindparam("b_id"))
                .values(
                    name=bindparam("b_name"),
                    name_key=bindparam("b_key"),
                    job_title=bindparam("b_job"),
                    phone=bindparam("b_phone"),
                    organisation_id=bindparam("b_org"),
                    version=t.c.version + 1,
                    updated_at=now,
                    updated_by=self.actor,
                )
            )
            for chunk in chunks(plan.updates, CHUNK):
                self.s.execute(
                    statement,
                    [
                        {
                            "b_id": c.ref,
                            "b_name": c.name,
                            "b_key": c.key,
                            "b_job": c.job_title,
                            "b_phone": c.phone,
                            "b_org": org(c.organisation_id),
                        }
                        for c in chunk
                    ],
                )
                advance(len(chunk))
            self.bulk.history(
                {
                    "action": "update",
                    "entity": "contact",
                    "entity_id": c.ref,
                    "organisation_id": org(c.organisation_id),
                    "summary": c.name,
                    "changes": {
                        k: [
                            plan.org_name(v[0]) if k == "organisation" else v[0],
                            plan.org_name(v[1]) if k == "organisation" else v[1],
                        ]
                        for k, v in (c.changes or {}).items()
                    },
                }
                for c in plan.updates
            )

        # attendances: those with interest need their ids back
        event_id = self.event.id

        def attendance_row(a: _Attendance) -> dict[str, Any]:
            return {
                "event_id": event_id,
                "contact_id": person(a.contact.ref),
                "organisation_id": org(a.organisation_ref),
                "role": a.role,
                "registered_at": a.registered_at,
                "note": a.note,
            }

        plain = (attendance_row(a) for a in plan.attendances if a.interest is None)
        for chunk in chunks(plain, CHUNK):
            self.bulk.execute_many(_TABLES["attendance"], chunk)
            advance(len(chunk))
        with_interest = [a for a in plan.attendances if a.interest is not None]
        interest_ids = self.bulk.insert(
            _TABLES["attendance"],
            len(with_interest),
            (attendance_row(a) for a in with_interest),
            advance,
        )
        mission_links: list[dict[str, int]] = []
        role_links: list[dict[str, int]] = []
        for a, attendance_id in zip(with_interest, interest_ids, strict=True):
            assert a.interest is not None
            given_missions, given_roles = a.interest
            mission_links += [
                {"attendance_id": attendance_id, "mission_id": x} for x in sorted(given_missions)
            ]
            role_links += [
                {"attendance_id": attendance_id, "role_id": x} for x in sorted(given_roles)
            ]
        for attendance_id, new_missions, new_roles in plan.old_interest:
            mission_links += [
                {"attendance_id": attendance_id, "mission_id": x} for x in new_missions
            ]
            role_links += [{"attendance_id": attendance_id, "role_id": x} for x in new_roles]
        for table, links in (
            (m.attendance_mission, mission_links),
            (m.attendance_role, role_links),
        ):
            for chunk in chunks(links, CHUNK):
                self.bulk.execute_many(table, chunk)

        self._write_conversations(plan, person, advance)
        if not report.changed:
            return  # a re-import that changed nothing leaves no mark in the audit trail
        history.record(
            self.s,
            "import",
            "event",
            event_id,
            organisation_id=None,
            summary=(
                f"imported {source_name}: {report.contacts_created} contacts and "
                f"{report.organisations_created} organisations created, "
                f"{report.attendances_created} attendances"
            )[:500],
        )

    def _write_conversations(
        self, plan: _Plan, person: Callable[[int], int], advance: Callable[[int], None]
    ) -> None:
        if not (plan.to_open or plan.to_touch):
            return
        assert self.event is not None and plan.lead_id is not None and plan.when is not None
        now = m.utcnow()
        stamp = {"version": 1, "created_at": now, "updated_at": now, "updated_by": self.actor}
        role_names = dict(self.s.execute(select(m.AmbassadorRole.id, m.AmbassadorRole.name)).all())
        mission_names = dict(self.s.execute(select(m.Mission.id, m.Mission.name)).all())
        when, event_name = plan.when, self.event.name

        def ask_words(group: _Interest) -> str:
            if group.role_id is not None:
                return role_names[group.role_id]
            return ", ".join(mission_names[x] for x in sorted(group.missions)) or "the missions"

        def note(group: _Interest) -> str:
            people = ", ".join(group.people[:5])
            if len(group.people) > 5:
                people += f" and {len(group.people) - 5} more"
            text = f"Interest in {ask_words(group)} expressed at {event_name} by {people}"
            if group.role_id is not None and group.missions:
                text += "; missions: " + ", ".join(mission_names[x] for x in sorted(group.missions))
            return text

        opened = self.bulk.insert(
            _TABLES["conversation"],
            len(plan.to_open),
            (
                {
                    "organisation_id": plan.real(g.organisation_ref),
                    "lead_id": plan.lead_id,
                    "ask_role_id": g.role_id,
                    "ask_kind": None,
                    "subject": f"Interest expressed at {event_name}"[:300],
                    "stage": m.Stage.INITIATED.value,
                    "started_on": when,
                    "last_touch_on": when,
                    "archived": False,
                    **stamp,
                }
                for g in plan.to_open
            ),
            advance,
        )
        touched = [c for c, _ in plan.to_touch]
        groups = list(plan.to_open) + [g for _, g in plan.to_touch]
        conversation_ids = list(opened) + touched
        if opened:
            self.bulk.execute_many(
                _TABLES["stage_change"],
                [
                    {
                        "conversation_id": ident,
                        "from_stage": None,
                        "to_stage": m.Stage.INITIATED.value,
                        "changed_on": when,
                        "changed_at": now,
                        "changed_by": self.actor,
                    }
                    for ident in opened
                ],
            )
        touch_ids = self.bulk.insert(
            _TABLES["touchpoint"],
            len(conversation_ids),
            (
                {
                    "conversation_id": ident,
                    "happened_on": when,
                    "channel": m.Channel.EVENT.value,
                    "colleague_id": plan.lead_id,
                    "contact_id": person(g.contacts[0]),
                    "note": note(g),
                    "created_at": now,
                }
                for ident, g in zip(conversation_ids, groups, strict=True)
            ),
            None,
        )
        if touched:
            t = _TABLES["conversation"]
            self.s.execute(
                update(t)
                .where(t.c.id == bindparam("b_id"), t.c.last_touch_on < when)
                .values(
                    last_touch_on=when,
                    version=t.c.version + 1,
                    updated_at=now,
                    updated_by=self.actor,
                ),
                [{"b_id": ident} for ident in touched],
            )
            advance(len(touched))
        step_for = list(opened) + plan.step_for_touched
        group_of = dict(zip(conversation_ids, groups, strict=True))
        step_ids = self.bulk.insert(
            _TABLES["step"],
            len(step_for),
            (
                {
                    "conversation_id": ident,
                    "owner_id": plan.lead_id,
                    "due_on": plan.due,
                    "done_on": None,
                    "description": f"Follow up the interest in "
                    f"{ask_words(group_of[ident])} expressed at {event_name}",
                    **stamp,
                }
                for ident in step_for
            ),
            None,
        )
        # people and missions on each conversation, without repeating what is there
        have_people, have_missions = self._conversation_links(touched)
        people_links, mission_links = [], []
        for ident, g in zip(conversation_ids, groups, strict=True):
            for ref in g.contacts:
                if (ident, person(ref)) not in have_people:
                    have_people.add((ident, person(ref)))
                    people_links.append({"conversation_id": ident, "contact_id": person(ref)})
            for mission_id in sorted(g.missions):
                if (ident, mission_id) not in have_missions:
                    have_missions.add((ident, mission_id))
                    mission_links.append({"conversation_id": ident, "mission_id": mission_id})
        for table, links in (
            (m.conversation_contact, people_links),
            (m.conversation_mission, mission_links),
        ):
            for chunk in chunks(links, CHUNK):
                self.bulk.execute_many(table, chunk)
        org_of = {ident: plan.real(g.organisation_ref) for ident, g in group_of.items()}
        self.bulk.history(
            [
                *(
                    {
                        "action": "create",
                        "entity": "conversation",
                        "entity_id": ident,
                        "organisation_id": org_of[ident],
                        "summary": f"Interest expressed at {event_name}",
                        "changes": None,
                    }
                    for ident in opened
                ),
                *(
                    {
                        "action": "create",
                        "entity": "touchpoint",
                        "entity_id": touch,
                        "organisation_id": org_of[ident],
                        "summary": note(group_of[ident])[:200],
                        "changes": None,
                    }
                    for touch, ident in zip(touch_ids, conversation_ids, strict=True)
                ),
                *(
                    {
                        "action": "create",
                        "entity": "step",
                        "entity_id": step,
                        "organisation_id": org_of[ident],
                        "summary": "Follow up",
                        "changes": None,
                    }
                    for step, ident in zip(step_ids, step_for, strict=True)
                ),
            ]
        )

    def _conversation_links(
        self, ids: list[int]
    ) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        people: set[tuple[int, int]] = set()
        missions: set[tuple[int, int]] = set()
        for chunk in chunks(sorted(set(ids)), LOOKUP_CHUNK):
            cc, cm = m.conversation_contact, m.conversation_mission
            people.update(
                self.s.execute(
                    select(cc.c.conversation_id, cc.c.contact_id).where(
                        cc.c.conversation_id.in_(chunk)
                    )
                )
            )
            missions.update(
                self.s.execute(
                    select(cm.c.conversation_id, cm.c.mission_id).where(
                        cm.c.conversation_id.in_(chunk)
                    )
                )
            )
        return people, missions


@dataclass
class _Plan:
    """Everything the import will write, decided before it writes anything."""

    new_orgs: dict[int, tuple[str, str]] = field(default_factory=dict)
    org_names: dict[int, str] = field(default_factory=dict)
    real_org: dict[int, int] = field(default_factory=dict)
    new_contacts: list[_Contact] = field(default_factory=list)
    updates: list[_Contact] = field(default_factory=list)
    attendances: list[_Attendance] = field(default_factory=list)
    old_interest: list[tuple[int, list[int], list[int]]] = field(default_factory=list)
    interest_rows: int = 0
    interest: dict[tuple[int, int | None], _Interest] = field(default_factory=dict)
    lead_id: int | None = None
    when: date | None = None
    due: date | None = None
    to_open: list[_Interest] = field(default_factory=list)
    to_touch: list[tuple[int, _Interest]] = field(default_factory=list)
    step_for_touched: list[int] = field(default_factory=list)

    def org_name(self, ref: int | None) -> str | None:
        if ref is None:
            return None
        if ref in self.new_orgs:
            return self.new_orgs[ref][0]
        return self.org_names.get(ref, str(ref))

    def real(self, ref: int) -> int:
        return self.real_org[ref] if ref < 0 else ref


def _with_spares(
    values: tuple[str, ...], cells: list[str], spares: list[tuple[int, list[int]]]
) -> tuple[str, ...]:
    """The row's values with a blank or anonymous one taken from a spare column instead."""
    changed = list(values)
    for at, columns in spares:
        if changed[at].strip().lower() in ("", _ANONYMOUS):
            for i in columns:
                if i < len(cells) and cells[i].strip().lower() not in ("", _ANONYMOUS):
                    changed[at] = cells[i]
                    break
    return tuple(changed)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _write_rejects(
    path: Path,
    table: SourceTable,
    bad: Sequence[tuple[int, list[str], list[Rejection]]],
    session: Session,
    force: bool,
) -> None:
    """The rejected rows in the input's own columns plus `reason`, ready to fix and import again."""
    header = [h for h in table.header]
    width = len(header)
    keep_reason = "reason" in (h.strip().lower() for h in header)
    out_header = header if keep_reason else [*header, "reason"]
    reason_at = [h.strip().lower() for h in out_header].index("reason")
    with outputs.open_output(
        path, force=force, database=session, field="rejects", encoding="utf-8-sig", newline=""
    ) as handle:
        writer = csv.writer(handle)
        # the header is the input's own text too: neutralised like every cell
        writer.writerow([neutralise(h) for h in out_header])
        for _line, cells, problems in bad:
            row = (list(cells) + [""] * width)[:width]
            if not keep_reason:
                row.append("")
            row[reason_at] = "; ".join(f"{p.column}: {p.reason}" for p in problems)
            # safe to open in a spreadsheet; the importer reads the quote back off
            writer.writerow([neutralise(cell) for cell in row])
