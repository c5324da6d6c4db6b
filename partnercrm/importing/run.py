"""The attendee import: read the file, check every row, match everyone, then write in bulk.

Nothing is written until every row has been read, checked and matched (so `strict` and
`dry_run` cost no writes and the report of a dry run is the real one). The writes then go
through SQLAlchemy Core in chunks inside the caller's transaction: one transaction, so a
killed import leaves the database as it was.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Unpack

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.orm import Session

from partnercrm import history
from partnercrm import models as m
from partnercrm.bulk import BulkWriter, sqlite_datetime
from partnercrm.concurrency import one_import_at_a_time
from partnercrm.errors import Invalid, NotFound
from partnercrm.importing.columns import map_columns
from partnercrm.importing.matching import ON_EXISTING, Matching
from partnercrm.importing.options import RunOptions, begin_report, keep_rejects, run_options
from partnercrm.importing.plan import (
    EventInfo,
    Plan,
    plan_interest,
)
from partnercrm.importing.report import ImportReport
from partnercrm.importing.rows import Progress, RowReader
from partnercrm.importing.source import read_table
from partnercrm.importing.values import (
    key_of,
)
from partnercrm.importing.write import Writer, check_rejects
from partnercrm.matching import name_key

SQLITE_CACHE_KB = 128_000
_TABLES = m.Base.metadata.tables


@dataclass
class NewEvent:
    """What adding the event needs when it is not in the CRM yet (`create_event`)."""

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
    progress: Progress | None = None,
    **given: Unpack[RunOptions],
) -> ImportReport:
    """Import an attendee export for `event` and return what happened.

    Pass a session that has not been used yet: the import first records itself as running
    in a short transaction of its own (so dedupe does not merge under it), then does all its
    work in `session`, whose transaction the caller commits. On an error the session is
    rolled back and the run is recorded as failed.
    """
    options = run_options("import_attendees", given)
    if on_existing not in ON_EXISTING:
        raise Invalid(
            f"stored contacts are filled, updated or skipped ({', '.join(ON_EXISTING)}), "
            f"not {on_existing!r}",
            field="on_existing",
        )
    if follow_up_days < 0:
        raise Invalid("the days to a follow-up cannot be negative", field="follow_up_days")
    # before anything is read
    check_rejects(session, source, options["rejects"], options["replace_rejects"])
    run_id = None if options["dry_run"] else _start_run(session, str(source))
    one_import_at_a_time(session)  # before anything is read: what the last import added counts
    # the import makes a few hundred thousand small objects and frees none of them until it
    # ends; the cyclic collector would scan them all again and again (a third of the time)
    collecting = gc.isenabled()
    gc.disable()
    try:
        today = options["today"] or date.today()
        job = _Import(session, on_existing, options["fuzzy_threshold"], today, progress)
        report = job.run(
            source,
            options,
            event=event,
            create_event=create_event,
            preset=preset,
            column_map=column_map,
            sheet=sheet,
            lead=lead,
            follow_up_days=follow_up_days,
        )
        if run_id is not None:
            _record_run(session, run_id, report, job.event.id if job.event else None)
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


def _record_run(session: Session, run_id: int, report: ImportReport, event_id: int | None) -> None:
    """The run's outcome, in the import's own transaction."""
    report.import_run = run_id
    session.execute(
        update(m.ImportRun)
        .where(m.ImportRun.id == run_id)
        .values(
            status="done" if report.imported else "failed",
            finished_at=m.utcnow(),
            event_id=event_id,
            summary=report.summary(),
        )
    )


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
        options: RunOptions,
        *,
        event: str,
        create_event: NewEvent | None,
        preset: str | None,
        column_map: dict[str, str] | None,
        sheet: str | None,
        lead: str | None,
        follow_up_days: int,
    ) -> ImportReport:
        table = read_table(source, sheet=sheet)
        cmap = map_columns(table.header, preset=preset, overrides=column_map)
        self.event = self._event(event, create_event)
        report = begin_report(source, table, cmap, options, event=self.event.name)
        if "organisation" not in cmap.indexes:
            report.notes.insert(
                0, "no column holds an organisation: people are imported without one"
            )
        rows, bad = RowReader(self.s, table, cmap).read(report, self.progress)
        report.notes.extend(n for n in table.notes if n not in report.notes)  # the table's end
        if report.anonymous:
            report.notes.append(f"{report.anonymous} anonymous answer(s) left out: not people")
        keep_rejects(self.s, options, table, bad, report)
        if bad and not rows:
            first = bad[0][2][0]
            raise Invalid(
                f"every row of {table.name} was rejected ({len(bad)}), so nothing was imported; "
                f"the first: line {first.line}, {first.column} {first.value!r}: {first.reason}",
                field="file",
            )
        if options["strict"] and bad:
            report.imported = False
            report.notes.append(f"strict: nothing imported because {len(bad)} row(s) are bad")
            return report
        assert self.event is not None
        matching = Matching(
            self.s, self.event, self.on_existing, self.threshold, self.today, self.progress
        )
        rows = matching.drop_colleagues(matching.drop_erased(rows, report), report)
        if report.colleagues:
            report.notes.append(f"{report.colleagues} colleague(s) left out: not partner contacts")
        plan = Plan()
        matching.match(rows, plan, report)
        plan_interest(
            self.s, plan, report, self.event, lambda: self._lead(lead), self.today, follow_up_days
        )
        if options["dry_run"]:
            return report
        self._add_event()
        Writer(self.s, self.bulk, self.event, self.progress).write(plan, report, table.name)
        return report

    # ----------------------------------------------------------------- event and lead
    def _event(self, given: str, create: NewEvent | None) -> EventInfo:
        """The event, found now; one to add (`create_event`) is checked now and added at write
        time."""
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
                    f"{exc}; it can be added with a kind and a date", field="event"
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
