"""The team's own spreadsheets: partners, contacts and a conversation log, brought in once.

A team adopting the CRM starts from its Excel tracker. `import_sheet(session, FILE, kind)`
reads it the way the attendee import reads an export (the table found inside the file, headers
by meaning, `column_map` for the rest), checks every row against the rules of its kind, then
writes row by row through the library's own functions, each row in a savepoint so that a row
the database refuses is rejected alone. A dry run does the same work and undoes it, so its
report is the real one; `strict` writes nothing if any row is bad; a file whose every row is
bad writes nothing. Importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Unpack

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.concurrency import one_import_at_a_time
from partnercrm.errors import Conflict, Invalid, NotFound
from partnercrm.importing.columns import ColumnMap
from partnercrm.importing.options import RunOptions, begin_report, keep_rejects, run_options
from partnercrm.importing.organisations import OrganisationMatcher
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.rows import BadRow
from partnercrm.importing.source import Table, read_table
from partnercrm.importing.tracker_columns import (
    FOLLOW_UP_DAYS,
    KINDS,
    SPLIT,
    YES,
    loose_sector,
    loose_stage,
    map_sheet,
    sheet_header_score,
)
from partnercrm.importing.values import (
    LOCAL_TIME,
    DateReader,
    EmailReader,
    clean,
    guess_sector,
    written_name,
)
from partnercrm.matching import name_key


@dataclass
class _Row:
    line: int
    cells: list[str]
    values: dict[str, str] = field(default_factory=dict)


def _rows(table: Table, cmap: ColumnMap) -> list[_Row]:
    """The filled rows of the table, each with its values by field."""
    width = len(table.header)
    rows: list[_Row] = []
    for line, cells in table.rows:
        if not "".join(cells).strip():
            continue
        padded = (cells + [""] * width)[:width]
        values = {f: clean(padded[idx[0]]) for f, idx in cmap.indexes.items()}
        rows.append(_Row(line, cells, values))
    return rows


def _has_nul(row: _Row) -> bool:
    return any("\x00" in c for c in row.cells)


def _binary(row: _Row, header: list[str]) -> Rejection:
    at = next(i for i, c in enumerate(row.cells) if "\x00" in c)
    column = header[at] if at < len(header) else f"column {at + 1}"
    return Rejection(row.line, column, "", "the cell holds a NUL byte (binary data)")


def import_sheet(
    session: Session,
    source: str | Path,
    kind: str,
    *,
    column_map: dict[str, str] | None = None,
    sheet: str | None = None,
    **given: Unpack[RunOptions],
) -> ImportReport:
    """Import the team's own partners, contacts or conversation log and say what happened."""
    from partnercrm.importing.write import check_rejects

    options = run_options("import_sheet", given)
    if kind not in KINDS:
        raise Invalid(f"{kind!r} is not one of {', '.join(KINDS)}", field="kind")
    # before anything is read
    check_rejects(session, source, options["rejects"], options["replace_rejects"])
    one_import_at_a_time(session)  # before anything is read: what the last import added counts
    table = read_table(source, sheet=sheet, score=sheet_header_score(kind))
    cmap = map_sheet(kind, table.header, column_map)
    report = begin_report(source, table, cmap, options, kind=kind)
    rows = _rows(table, cmap)
    # binary data in a cell (a NUL byte) rejects that row, not the import
    binary = [(r.line, r.cells, [_binary(r, table.header)]) for r in rows if _has_nul(r)]
    rows = [r for r in rows if not _has_nul(r)]
    report.rows = len(rows) + len(binary)
    report.notes.extend(n for n in table.notes if n not in report.notes)
    sheet_import = _SheetImport(
        session, kind, cmap, report, options["fuzzy_threshold"], options["today"] or date.today()
    )
    checked = sheet_import.check(rows)
    bad = binary + [(r.line, r.cells, problems) for r, problems in checked if problems]
    if options["strict"] and bad:
        report.imported = False
        report.rows_rejected = len(bad)
        for _, _, problems in bad:
            report.rejected.extend(problems)
        report.notes.append(f"strict: nothing imported because {len(bad)} row(s) are bad")
        keep_rejects(session, options, table, bad, report)
        return report
    savepoint = session.begin_nested()
    bad += sheet_import.write_all([r for r, problems in checked if not problems])
    bad.sort(key=lambda b: b[0])
    for _, _, problems in bad:
        report.rejected.extend(problems)
    report.rows_rejected = len(bad)
    keep_rejects(session, options, table, bad, report)
    if bad and len(bad) == len(rows) + len(binary):
        savepoint.rollback()
        first = bad[0][2][0]
        raise Invalid(
            f"every row of {table.name} was rejected ({len(bad)}), so nothing was imported; "
            f"the first: line {first.line}, {first.column} {first.value!r}: {first.reason}",
            field="file",
        )
    if options["dry_run"]:
        savepoint.rollback()  # the report is the real one; nothing stays
    else:
        savepoint.commit()
    return report


class _SheetImport:
    """The rules and writes of one kind of sheet, row by row."""

    def __init__(
        self,
        session: Session,
        kind: str,
        cmap: ColumnMap,
        report: ImportReport,
        threshold: float,
        today: date,
    ) -> None:
        self.s = session
        self.kind = kind
        self.cmap = cmap
        self.report = report
        self.today = today
        self.emails = EmailReader()
        self.dates = DateReader()
        self.matcher = OrganisationMatcher(session, threshold)
        self.created: dict[int, m.Organisation] = {}  # the matcher's new refs, once added
        self.source = f"{Path(report.source).name} (team tracker)"[:300]

    def column(self, name: str) -> str:
        idx = self.cmap.first(name)
        return self.cmap.header[idx] if idx is not None else name

    # ------------------------------------------------------------ checking
    def check(self, rows: list[_Row]) -> list[tuple[_Row, list[Rejection]]]:
        rules = {"partners": self._check_partner, "contacts": self._check_contact}.get(
            self.kind, self._check_conversation
        )
        return [(r, rules(r)) for r in rows]

    def _problem(self, r: _Row, name: str, reason: str) -> Rejection:
        return Rejection(r.line, self.column(name), r.values.get(name, ""), reason)

    def _check_partner(self, r: _Row) -> list[Rejection]:
        v = r.values
        problems = []
        if not name_key(v.get("organisation", "")):
            problems.append(self._problem(r, "organisation", "no organisation name"))
        if v.get("sector") and loose_sector(v["sector"]) is None:
            problems.append(self._problem(r, "sector", "not a sector the CRM knows"))
        if v.get("lead"):
            problems += self._colleague_problem(r, "lead")
        return problems

    def _check_contact(self, r: _Row) -> list[Rejection]:
        v = r.values
        problems = []
        if not self._name(v):
            problems.append(self._problem(r, "full_name", "no name"))
        if v.get("email") and self.emails(v["email"])[1]:
            problems.append(
                self._problem(r, "email", f"invalid email: {self.emails(v['email'])[1]}")
            )
        if v.get("lawful_basis") and _basis(v["lawful_basis"]) is None:
            problems.append(self._problem(r, "lawful_basis", "not a lawful basis the CRM knows"))
        return problems

    def _check_conversation(self, r: _Row) -> list[Rejection]:
        v = r.values
        problems = []
        if not name_key(v.get("organisation", "")):
            problems.append(self._problem(r, "organisation", "no organisation name"))
        when = self._date(v.get("date", ""))
        if v.get("date") and when is None:
            problems.append(self._problem(r, "date", "the date cannot be read"))
        elif when is not None and when > self.today:
            problems.append(
                self._problem(r, "date", "a conversation cannot be dated in the future")
            )
        if v.get("due") and self._date(v["due"]) is None:
            problems.append(self._problem(r, "due", "the date cannot be read"))
        if v.get("stage") and loose_stage(v["stage"]) is None:
            problems.append(self._problem(r, "stage", "not a stage the CRM knows"))
        if v.get("colleague"):
            problems += self._colleague_problem(r, "colleague")
        for name in ("missions", "ask"):
            if v.get(name):
                try:
                    self._missions(v[name]) if name == "missions" else self._ask(v[name])
                except (Invalid, NotFound) as exc:
                    problems.append(self._problem(r, name, str(exc)))
        return problems

    def _colleague_problem(self, r: _Row, name: str) -> list[Rejection]:
        from partnercrm import colleagues

        try:
            colleagues.find_colleague(self.s, r.values[name])
        except (NotFound, Invalid) as exc:
            return [self._problem(r, name, str(exc))]
        return []

    # ------------------------------------------------------------ reading values
    @staticmethod
    def _name(v: dict[str, str]) -> str:
        joined = " ".join(f"{v.get('first_name', '')} {v.get('last_name', '')}".split())
        return joined or written_name(v.get("full_name", ""))

    def _date(self, raw: str) -> date | None:
        if not raw:
            return None
        moment = self.dates(raw)
        return moment.astimezone(LOCAL_TIME).date() if moment is not None else None

    def _missions(self, raw: str) -> list[m.Mission]:
        from partnercrm.missions import find_mission

        return [find_mission(self.s, part.strip()) for part in SPLIT.split(raw) if part.strip()]

    def _ask(self, raw: str) -> tuple[m.AmbassadorRole | None, str | None]:
        from partnercrm.conversations import resolve_ask

        return resolve_ask(self.s, raw)

    def _organisation(self, given: str, **details: Any) -> m.Organisation:
        """The organisation a name means (exact, alias, or a close spelling), else a new one
        (with `details`, the keywords of `organisations.add_organisation`)."""
        from partnercrm import organisations

        found = self.matcher.resolve([(given, 1)])[given]
        if found.ref < 0:
            if found.ref in self.created:
                return self.created[found.ref]
            sector = details.pop("sector", None) or guess_sector(found.matched)
            # the matcher has compared the name with every stored one already
            org = organisations.add_organisation(self.s, found.matched, sector, new=True, **details)
            self.created[found.ref] = org
            for alias in org.aliases:
                self.matcher.remember(found.ref, alias.alias, canonical=False)
            self.report.organisations_created += 1
            self.report.organisations_new.append(org.name)
            return org
        stored = self.s.get(m.Organisation, found.ref)
        assert stored is not None
        self.report.organisations_matched += 1
        if found.how == "fuzzy":
            self.report.fuzzy.append(
                {"given": given, "matched": found.matched, "score": found.score}
            )
        return stored

    def _conflict(self, r: _Row, what: str, name: str, stored: Any, given: Any) -> None:
        conflict = {"line": r.line, "contact": what, "email": None, "field": name}
        self.report.conflicts.append({**conflict, "stored": stored, "given": given})

    # ------------------------------------------------------------ writing
    def write_all(self, rows: list[_Row]) -> list[BadRow]:
        """Write each good row in a savepoint of its own; the rows the database refuses."""
        refused: list[BadRow] = []
        column = self.cmap.header[0] if self.cmap.header else ""
        for row in rows:
            try:
                with self.s.begin_nested():
                    self.write(row)
            except (Invalid, Conflict, NotFound) as exc:
                refused.append((row.line, row.cells, [Rejection(row.line, column, "", str(exc))]))
        return refused

    def write(self, r: _Row) -> None:
        {"partners": self._write_partner, "contacts": self._write_contact}.get(
            self.kind, self._write_conversation
        )(r)

    def _write_partner(self, r: _Row) -> None:
        from partnercrm import colleagues, organisations

        v = r.values
        sector = loose_sector(v["sector"]) if v.get("sector") else None
        lead = colleagues.find_colleague(self.s, v["lead"]) if v.get("lead") else None
        anchor = v.get("anchor", "").strip().lower() in YES
        aliases = [a.strip() for a in SPLIT.split(v.get("aliases", "")) if a.strip()]
        created = self.report.organisations_created
        org = self._organisation(
            v["organisation"],
            sector=sector,
            aliases=aliases,
            anchor=anchor,
            ward=v.get("ward") or None,
            lead=lead,
            website=v.get("website") or None,
            notes=v.get("notes") or None,
        )
        if self.report.organisations_created > created:
            return
        changes: dict[str, Any] = {}
        for name, value in (
            ("ward", v.get("ward")),
            ("website", v.get("website")),
            ("notes", v.get("notes")),
        ):
            if not value:
                continue
            stored = getattr(org, name)
            if not stored:
                changes[name] = value
            elif name_key(stored) != name_key(value) and name != "website":
                self._conflict(r, org.name, name, stored, value)
        if lead is not None and org.lead_id is None:
            changes["lead"] = lead
        if anchor and not org.anchor:
            changes["anchor"] = True
        if sector is not None and sector != org.sector:
            self._conflict(r, org.name, "sector", org.sector, sector)
        known = {a.alias_key for a in org.aliases} | {org.name_key}
        new_aliases = [a for a in aliases if name_key(a) not in known]
        if changes or new_aliases:
            organisations.edit_organisation(self.s, org, add_aliases=new_aliases, **changes)
            for alias in new_aliases:
                self.matcher.remember(org.id, alias, canonical=False)
            self.report.organisations_updated += 1

    def _write_contact(self, r: _Row) -> None:
        from partnercrm import contacts

        v = r.values
        name = self._name(v)
        email = self.emails(v["email"])[0] if v.get("email") else None
        org = self._organisation(v["organisation"]) if v.get("organisation") else None
        contact = self._find_contact(name, email, org)
        basis = _basis(v["lawful_basis"]) if v.get("lawful_basis") else None
        if contact is None:
            contacts.add_contact(
                self.s,
                name,
                email,
                org,
                job_title=v.get("job_title") or None,
                phone=v.get("phone") or None,
                lawful_basis=basis or "legitimate_interests",
                consent_source=(v.get("source") or self.source)[:300],
                consent_date=self.today,
                new=True,  # matched by email, then by name at the organisation, already
            )
            self.report.contacts_created += 1
            return
        self.report.contacts_matched += 1
        changes: dict[str, Any] = {}
        for field_name, value in (("job_title", v.get("job_title")), ("phone", v.get("phone"))):
            stored = getattr(contact, field_name)
            if value and not stored:
                changes[field_name] = value
            elif value and stored and name_key(value) != name_key(stored):
                self._conflict(r, contact.name, field_name, stored, value)
        if org is not None and contact.organisation_id is None:
            changes["organisation"] = org
        elif org is not None and contact.organisation_id != org.id:
            self._conflict(
                r,
                contact.name,
                "organisation",
                contact.organisation.name if contact.organisation else None,
                org.name,
            )
        if email and not contact.email:
            changes["email"] = email
        if changes:
            contacts.edit_contact(self.s, contact, **changes)
            self.report.contacts_updated += 1

    def _find_contact(
        self, name: str, email: str | None, org: m.Organisation | None
    ) -> m.Contact | None:
        from partnercrm import contacts

        if email:
            found = contacts.email_owner(self.s, email)
            if found is not None:
                return found
        key = name_key(name)
        query = select(m.Contact).where(m.Contact.name_key == key, m.Contact.erased_at.is_(None))
        if org is not None:
            query = query.where(m.Contact.organisation_id == org.id)
        else:
            query = query.where(m.Contact.organisation_id.is_(None))
        if email:
            query = query.where(m.Contact.email.is_(None))
        found_all = self.s.scalars(query).all()
        return found_all[0] if len(found_all) == 1 else None

    def _write_conversation(self, r: _Row) -> None:
        from partnercrm import colleagues, conversations

        v = r.values
        org = self._organisation(v["organisation"])
        when = self._date(v.get("date", "")) or self.today
        lead = (
            colleagues.find_colleague(self.s, v["colleague"])
            if v.get("colleague")
            else colleagues.colleague_for_actor(self.s)
        )
        if lead is None:
            raise Invalid(
                "no colleague for this conversation: fill in the colleague column",
                field="colleague",
            )
        people = self._people(v.get("contacts", ""), org, when)
        missions = self._missions(v["missions"]) if v.get("missions") else []
        role, kind = self._ask(v["ask"]) if v.get("ask") else (None, None)
        note = v.get("note") or None
        conversation = self._conversation_for(org, role, kind)
        existed, changed = conversation is not None, False
        if conversation is None:
            conversation = conversations.log_conversation(
                self.s,
                org,
                lead,
                contacts=people,
                missions=missions,
                ask=v.get("ask") or None,
                # a conversation is about something: a row without an ask is about its note
                subject=None if v.get("ask") else (note or "From the team's tracker")[:300],
                on=when,
                note=note,
                channel=_channel(v.get("channel", "")),
            )
            self.report.conversations_opened += 1
            self.report.touchpoints_added += 1
        else:
            for person in people:
                if person not in conversation.contacts:
                    conversation.contacts.append(person)
                    changed = True
            for mission in missions:
                if mission not in conversation.missions:
                    conversation.missions.append(mission)
                    changed = True
            if not self._has_touchpoint(conversation, when, note):
                conversations.add_touchpoint(
                    self.s,
                    conversation,
                    on=when,
                    channel=_channel(v.get("channel", "")),
                    note=note,
                    colleague=lead,
                    contact=people[0] if people else None,
                )
                self.report.touchpoints_added += 1
                changed = True
        changed = self._move_on(r, conversation, when, lead) or changed
        if existed and changed:
            self.report.conversations_touched += 1

    def _move_on(
        self, r: _Row, conversation: m.Conversation, when: date, lead: m.Colleague
    ) -> bool:
        """The stage a row gives its conversation, and its next step; whether either changed."""
        from partnercrm import conversations, steps

        v, org, changed = r.values, conversation.organisation, False
        stage = loose_stage(v["stage"]) if v.get("stage") else None
        if stage == m.Stage.COMMITTED:
            self.report.notes.append(
                f"line {r.line}: {org.name} is committed in the sheet; a conversation becomes "
                "committed when its commitment is recorded, so it is exploring until then"
            )
            stage = m.Stage.EXPLORING.value
        if (
            stage
            and stage != conversation.stage
            and stage in conversations.NEXT_STAGES.get(conversation.stage, set())
        ):
            conversations.set_stage(self.s, conversation, stage, on=when)
            changed = True
        if v.get("next_step"):
            due = self._date(v.get("due", "")) or when + timedelta(days=FOLLOW_UP_DAYS)
            open_steps = {
                name_key(s.description)
                for s in self.s.scalars(
                    select(m.Step).where(m.Step.conversation_id == conversation.id)
                )
            }
            if name_key(v["next_step"]) not in open_steps:
                # the sheet set it when it was written: a date since past is kept as it is
                steps.add_step(self.s, conversation, v["next_step"], lead, due, confirm=True)
                self.report.steps_created += 1
                changed = True
        return changed

    def _people(self, cell: str, org: m.Organisation, when: date) -> list[m.Contact]:
        """The people a contacts cell names (by email or name at the organisation); a name the
        CRM does not know yet becomes a contact there."""
        from partnercrm import contacts

        people = []
        for part in SPLIT.split(cell):
            text = re.sub(r"\(.*?\)", "", part).strip()
            if not text:
                continue
            email = self.emails(text)[0] if "@" in text else None
            person = self._find_contact(text if email is None else "", email, org)
            if person is None and email is None:
                person = contacts.add_contact(
                    self.s,
                    written_name(text),
                    None,
                    org,
                    consent_source=self.source,
                    consent_date=when,
                    new=True,
                )
                self.report.contacts_created += 1
            if person is not None:
                people.append(person)
        return people

    def _conversation_for(
        self, org: m.Organisation, role: m.AmbassadorRole | None, kind: str | None
    ) -> m.Conversation | None:
        """The conversation with this organisation about this ask: an open one first."""
        c = m.Conversation
        found = self.s.scalars(
            select(c)
            .where(
                c.organisation_id == org.id,
                c.ask_role_id.is_(None) if role is None else c.ask_role_id == role.id,
                c.ask_kind.is_(None) if kind is None else c.ask_kind == kind,
                c.archived.is_(False),
            )
            .order_by(c.stage.in_(list(m.OPEN_STAGES)).desc(), c.last_touch_on.desc(), c.id.desc())
        ).first()
        return found

    def _has_touchpoint(self, conversation: m.Conversation, when: date, note: str | None) -> bool:
        t = m.Touchpoint
        notes = self.s.scalars(
            select(t.note).where(t.conversation_id == conversation.id, t.happened_on == when)
        ).all()
        return any(name_key(n or "") == name_key(note or "") for n in notes)


def _basis(text: str) -> str | None:
    from partnercrm.contacts import LAWFUL_BASES

    key = name_key(text)
    for basis in LAWFUL_BASES:
        words = basis.replace("_", " ")
        if key == words or key.rstrip("s") == words.rstrip("s") or key.startswith(words[:8]):
            return basis
    return None


def _channel(text: str) -> str:
    key = name_key(text)
    for channel in m.Channel:
        if channel.value in key:
            return channel.value
    if any(w in key for w in ("phone", "teams", "zoom", "video")):
        return m.Channel.CALL.value
    return m.Channel.MEETING.value
