"""The attendee import: read the file, check every row, match everyone, then write in bulk.

Nothing is written until every row has been read, checked and matched (so `--strict` and
`--dry-run` cost no writes and the report of a dry run is the real one). The writes then go
through SQLAlchemy Core in chunks inside the caller's transaction: one transaction, so a
killed import leaves the database as it was.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from partnercrm import history, outputs
from partnercrm import models as m
from partnercrm.csv_export import neutralise
from partnercrm.errors import Invalid, NotFound
from partnercrm.importing.bulk import CHUNK, BulkWriter, chunks, sqlite_datetime
from partnercrm.importing.columns import map_columns
from partnercrm.importing.matching import ON_EXISTING, Matching
from partnercrm.importing.organisations import FUZZY_THRESHOLD
from partnercrm.importing.plan import (
    LOOKUP_CHUNK,
    EventInfo,
    Interest,
    Plan,
    PlannedAttendance,
    plan_interest,
)
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.rows import Progress, RowReader
from partnercrm.importing.source import Table as SourceTable
from partnercrm.importing.source import read_table
from partnercrm.importing.values import (
    guess_sector,
    key_of,
)
from partnercrm.matching import name_key

SQLITE_CACHE_KB = 128_000
LAWFUL_BASIS = "legitimate_interests"
_TABLES = m.Base.metadata.tables


@dataclass
class NewEvent:
    """What --create-event needs when the event is not in the CRM yet."""

    kind: str
    held_on: date | str
    host: str | None = None


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
        self.event: EventInfo | None = None
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
        rows, bad = RowReader(self.s, table, cmap).read(report, self.progress)
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
        assert self.event is not None
        matching = Matching(
            self.s, self.event, self.on_existing, self.threshold, self.today, self.progress
        )
        rows = matching.drop_erased(rows, report)
        plan = Plan()
        matching.match(rows, plan, report)
        plan_interest(
            self.s, plan, report, self.event, lambda: self._lead(lead), self.today, follow_up_days
        )
        if dry_run:
            return report
        self._add_event()
        self._write(plan, report, table.name)
        return report

    # ----------------------------------------------------------------- event and lead
    def _event(self, given: str, create: NewEvent | None) -> EventInfo:
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
                return EventInfo(
                    None, given.strip(), parse_date(create.held_on, "event date"), None
                )
        else:
            try:
                found = events.find_event(self.s, given)
            except NotFound as exc:
                raise Invalid(
                    f"{exc}; to add it, give --create-event with --kind and --date", field="event"
                ) from exc
        return EventInfo(found.id, found.name, found.held_on, found.owner_id)

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
    # ----------------------------------------------------------------- writing
    def _write(self, plan: Plan, report: ImportReport, source_name: str) -> None:
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

    def _write_all(self, plan: Plan, report: ImportReport, source_name: str) -> None:
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

        def attendance_row(a: PlannedAttendance) -> dict[str, Any]:
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
        self, plan: Plan, person: Callable[[int], int], advance: Callable[[int], None]
    ) -> None:
        if not (plan.to_open or plan.to_touch):
            return
        assert self.event is not None and plan.lead_id is not None and plan.when is not None
        now = m.utcnow()
        stamp = {"version": 1, "created_at": now, "updated_at": now, "updated_by": self.actor}
        role_names = dict(self.s.execute(select(m.AmbassadorRole.id, m.AmbassadorRole.name)).all())
        mission_names = dict(self.s.execute(select(m.Mission.id, m.Mission.name)).all())
        when, event_name = plan.when, self.event.name

        def ask_words(group: Interest) -> str:
            if group.role_id is not None:
                return role_names[group.role_id]
            return ", ".join(mission_names[x] for x in sorted(group.missions)) or "the missions"

        def note(group: Interest) -> str:
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
