"""The rows of an attendee file: each one read into values, then checked by a table of rules.

A row is padded to the header's width, its fields taken with one itemgetter, a blank or
anonymous value taken from a spare column, and each value read once (emails, dates and
interest are cached: a 100,000-row export repeats them). Then every rule in `RULES` has its
say; a row any rule objects to is rejected with each objection (line, column, value, reason),
and the others become `AttendeeRow`s for matching.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm import stored_text
from partnercrm.importing.columns import ColumnMap
from partnercrm.importing.fields import FIELDS
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.source import Table
from partnercrm.importing.values import (
    DateReader,
    EmailReader,
    InterestReader,
    attendance_role,
    clean,
    key_of,
    month_first_in,
    person_name,
    status_reader,
)

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 2000
# numeric dates are read day first unless these first rows show a month-first file
DATE_ORDER_SAMPLE = 5000
# what Microsoft Forms writes for the email and name of an anonymous answer
ANONYMOUS = "anonymous"
# the fields read from every row, in the order the itemgetter returns them (status and
# interest columns may be several, and are read on their own)
_FIELDS = tuple(
    f for f in FIELDS if f not in ("status", "interest_missions", "interest_roles", "ignore")
)
# stored lengths: a longer value is a row to fix, not one to cut short
_LIMITS = (
    ("full_name", stored_text.limit(m.Contact.name)),
    ("organisation", stored_text.limit(m.Organisation.name)),
    ("job_title", stored_text.limit(m.Contact.job_title)),
    ("phone", stored_text.limit(m.Contact.phone)),
)
# a rejected row: its line, its cells as read, and every objection to it
BadRow = tuple[int, list[str], list[Rejection]]


@dataclass(slots=True)
class AttendeeRow:
    """One person as a good row gives them, ready to match."""

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
class Reading:
    """A row's values as read, before any rule has looked at them."""

    line: int
    extra: str  # the first filled cell past the header's last column, if any
    nul: int | None  # the first column holding a NUL byte, if any
    name: str
    raw_email: str
    email: str | None
    email_error: str | None
    organisation: str
    job_title: str
    phone: str
    ticket: str
    raw_date: str
    registered_at: datetime | None
    unknown: list[tuple[int, str, str]] = field(default_factory=list)  # (column, value, what)


@dataclass
class Columns:
    """What the rules need to name a column: the header, and where each field is."""

    header: list[str]
    at: dict[str, int | None]
    # a file with no email column (Meetup) is of people known by name and organisation
    emails_given: bool

    def name(self, *fields: str, default: str | None = None) -> str:
        """The header of the first of these fields the file has, else `default` (else the
        first field's own name)."""
        for f in fields:
            at = self.at.get(f)
            if at is not None:
                return self.header[at]
        return default if default is not None else fields[0]


Rule = Callable[[Reading, Columns], Sequence[Rejection]]
_FINE: Sequence[Rejection] = ()


def _extra_cells(r: Reading, c: Columns) -> Sequence[Rejection]:
    if not r.extra:
        return _FINE
    reason = "the row has more cells than the header has columns"
    return [Rejection(r.line, f"column {len(c.header) + 1}", r.extra, reason)]


def _nul_byte(r: Reading, c: Columns) -> Sequence[Rejection]:
    # a NUL byte is a sign of binary data in the cell, not text someone typed
    if r.nul is None:
        return _FINE
    column = c.header[r.nul] if r.nul < len(c.header) else f"column {r.nul + 1}"
    return [Rejection(r.line, column, "", "the cell holds a NUL byte (binary data)")]


def _no_name(r: Reading, c: Columns) -> Sequence[Rejection]:
    if r.name:
        return _FINE
    column = c.name("full_name", "first_name", "email", default=c.header[0])
    return [Rejection(r.line, column, "", "no name")]


def _invalid_email(r: Reading, c: Columns) -> Sequence[Rejection]:
    if r.email_error is None:
        return _FINE
    return [Rejection(r.line, c.name("email"), r.raw_email, f"invalid email: {r.email_error}")]


def _organisation_without_letters(r: Reading, c: Columns) -> Sequence[Rejection]:
    if not r.organisation or key_of(r.organisation):
        return _FINE
    reason = "the organisation name has no letters or digits"
    return [Rejection(r.line, c.name("organisation"), r.organisation, reason)]


def _unrecognisable(r: Reading, c: Columns) -> Sequence[Rejection]:
    if r.raw_email or r.organisation or not r.name or not c.emails_given:
        return _FINE
    reason = "no email and no organisation: the person could not be recognised again"
    return [Rejection(r.line, c.name("email"), "", reason)]


def _unknown_interest(r: Reading, c: Columns) -> Sequence[Rejection]:
    # only a column the user mapped to interest fails loudly; others keep a note
    return [
        Rejection(r.line, c.header[at], value, f"unknown {what}") for at, value, what in r.unknown
    ]


_NAME_MAX, _ORGANISATION_MAX, _JOB_MAX, _PHONE_MAX = (limit for _, limit in _LIMITS)


def _too_long(r: Reading, c: Columns) -> Sequence[Rejection]:
    if (
        len(r.name) <= _NAME_MAX
        and len(r.organisation) <= _ORGANISATION_MAX
        and len(r.job_title) <= _JOB_MAX
        and len(r.phone) <= _PHONE_MAX
    ):
        return _FINE
    values = (r.name, r.organisation, r.job_title, r.phone)
    return [
        Rejection(
            r.line,
            c.name(field_name, "first_name", default=c.header[0]),
            v[:60] + "…",
            f"longer than {limit} characters",
        )
        for v, (field_name, limit) in zip(values, _LIMITS, strict=True)
        if len(v) > limit
    ]


def _unreadable_date(r: Reading, c: Columns) -> Sequence[Rejection]:
    if not r.raw_date or r.registered_at is not None:
        return _FINE
    return [Rejection(r.line, c.name("registered_at"), r.raw_date, "the date cannot be read")]


# every rule a row must pass, in the order its objections are listed
RULES: tuple[Rule, ...] = (
    _nul_byte,
    _extra_cells,
    _no_name,
    _invalid_email,
    _organisation_without_letters,
    _unrecognisable,
    _unknown_interest,
    _too_long,
    _unreadable_date,
)


class RowReader:
    """Reads a table's rows into `AttendeeRow`s and the rows the rules reject."""

    def __init__(self, session: Session, table: Table, cmap: ColumnMap) -> None:
        self.table = table
        self.cmap = cmap
        header = table.header
        self.width = len(header)
        at = {f: cmap.first(f) for f in _FIELDS}
        self.columns = Columns(list(header), at, at["email"] is not None)
        # every field read with one itemgetter; a missing column reads the blank cell at `width`
        self.fetch = operator.itemgetter(*(self.width if at[f] is None else at[f] for f in _FIELDS))
        self.spares = [(_FIELDS.index(f), cmap.spare[f]) for f in _FIELDS if f in cmap.spare]
        self.status = [(i, status_reader(header[i])) for i in cmap.indexes.get("status", [])]
        self.emails = EmailReader()
        self.missions = InterestReader(
            "mission", session.execute(select(m.Mission.id, m.Mission.key, m.Mission.name))
        )
        self.roles = InterestReader(
            "ambassador role",
            session.execute(
                select(m.AmbassadorRole.id, m.AmbassadorRole.key, m.AmbassadorRole.name)
            ),
        )
        self.interest = [
            (i, self.missions, "mission") for i in cmap.indexes.get("interest_missions", [])
        ]
        self.interest += [
            (i, self.roles, "ambassador role") for i in cmap.indexes.get("interest_roles", [])
        ]
        self.dates = DateReader(cmap.month_first)

    def read(
        self, report: ImportReport, progress: Progress
    ) -> tuple[list[AttendeeRow], list[BadRow]]:
        """Every row read and checked; counts (rows, anonymous, rejected) go on the report."""
        source = iter(self.table.rows)
        head = list(itertools.islice(source, DATE_ORDER_SAMPLE))
        date_at = self.columns.at["registered_at"]
        if date_at is not None:
            self.dates.month_first = month_first_in(
                (cells[date_at] for _, cells in head if len(cells) > date_at),
                self.cmap.month_first,
            )
        good: list[AttendeeRow] = []
        bad: list[BadRow] = []
        total = max(self.table.size_hint, 1)
        for n, (line, cells) in enumerate(itertools.chain(head, source), 1):
            if n % PROGRESS_EVERY == 0:
                progress("reading", min(line, total), total)
            if not "".join(cells).strip():
                continue  # blank rows, and rows of empty trailing columns
            report.rows += 1
            row = self._row(line, cells)
            if row is None:
                report.anonymous += 1  # an anonymous form answer is not a person
                continue
            reading, padded, found, answers = row
            problems = [p for rule in RULES for p in rule(reading, self.columns)]
            if problems:
                bad.append((line, cells, problems))
                report.rejected.extend(problems)
                continue
            good.append(self._attendee(reading, padded, found, answers))
        report.rows_rejected = len(bad)
        progress("reading", total, total)
        return good, bad

    def _row(
        self, line: int, cells: list[str]
    ) -> tuple[Reading, list[str], tuple[list[int], list[int]], list[str]] | None:
        """A row's values (None for an anonymous answer), its padded cells, the missions and
        roles it names, and the interest answers that name neither."""
        width = self.width
        extra = ""
        nul = None
        if not "".join(cells).isprintable():
            # stored without control or bidi characters
            nul = next((i for i, c in enumerate(cells) if "\x00" in c), None)
            cells = [stored_text.clean(c, multiline=True) for c in cells]
        if len(cells) > width:
            extra = next((c for c in cells[width:] if c.strip()), "")
            padded = cells[:width]
            padded.append("")
        else:
            padded = cells + [""] * (width + 1 - len(cells))
        values = self.fetch(padded)
        if self.spares:
            values = _with_spares(values, padded, self.spares)
        first, last, full, raw_email, organisation, job_title, phone, ticket, raw_date = values
        name = person_name(first, last, full)
        raw_email = raw_email.strip()
        if ANONYMOUS in (raw_email.lower(), name.lower()):
            return None
        email, error = self.emails(raw_email) if raw_email else (None, None)
        raw_date = raw_date.strip()
        reading = Reading(
            line=line,
            extra=extra,
            nul=nul,
            name=name,
            raw_email=raw_email,
            email=email,
            email_error=error,
            organisation=clean(organisation),
            job_title=job_title,
            phone=phone,
            ticket=ticket,
            raw_date=raw_date,
            registered_at=self.dates(raw_date) if raw_date else None,
        )
        missions: list[int] = []
        roles: list[int] = []
        answers: list[str] = []
        for i, reader, what in self.interest:
            value = padded[i].strip()
            if not value:
                continue
            ids, unknown = reader(value)
            if unknown is None:
                (missions if reader is self.missions else roles).extend(ids)
            elif i in self.cmap.forced:
                reading.unknown.append((i, value, f"{what} {unknown!r}"))
            else:
                # what an answer names is interest; the rest is kept, never held against the
                # person: "Yes", "maybe later", "happy to help with food"
                ids, rest = reader.partly(value)
                (missions if reader is self.missions else roles).extend(ids)
                if rest:
                    answers.append(f"{self.table.header[i]}: {rest if ids else clean(value)}")
        return reading, padded, (missions, roles), answers

    def _attending(self, padded: list[str]) -> bool:
        """Whether every status column says the person came."""
        for i, read in self.status:
            if not read(padded[i]):
                return False
        return True

    def _attendee(
        self,
        r: Reading,
        padded: list[str],
        found: tuple[list[int], list[int]],
        answers: list[str],
    ) -> AttendeeRow:
        missions, roles = found
        return AttendeeRow(
            line=r.line,
            name=r.name,
            key=key_of(r.name),
            email=r.email,
            organisation=r.organisation,
            job_title=clean(r.job_title) or None,
            phone=clean(r.phone) or None,
            role=attendance_role(r.ticket),
            attending=self._attending(padded),
            registered_at=r.registered_at,
            missions=tuple(dict.fromkeys(missions)) if missions else (),
            roles=tuple(dict.fromkeys(roles)) if roles else (),
            note="; ".join(answers)[:2000] if answers else None,
        )


def _with_spares(
    values: tuple[str, ...], cells: list[str], spares: Iterable[tuple[int, list[int]]]
) -> tuple[str, ...]:
    """The row's values with a blank or anonymous one taken from a spare column instead."""
    changed = list(values)
    for at, columns in spares:
        if changed[at].strip().lower() in ("", ANONYMOUS):
            for i in columns:
                if i < len(cells) and cells[i].strip().lower() not in ("", ANONYMOUS):
                    changed[at] = cells[i]
                    break
    return tuple(changed)
