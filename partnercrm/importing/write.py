"""Writing an attendee import's plan in bulk: SQLAlchemy Core in chunks, inside the caller's
transaction, with the audit trail written alongside (one history row per record created).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from partnercrm import history, outputs, stored_text
from partnercrm import models as m
from partnercrm.bulk import CHUNK, BulkWriter, chunks
from partnercrm.conversations import first_stage_change, first_touchpoint, opening
from partnercrm.csv_export import neutralise
from partnercrm.errors import Invalid
from partnercrm.importing.plan import LOOKUP_CHUNK, EventInfo, Interest, Plan, PlannedAttendance
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.rows import Progress
from partnercrm.importing.source import Table as SourceTable
from partnercrm.importing.values import guess_sector

SQLITE_CACHE_KB = 128_000
LAWFUL_BASIS = "legitimate_interests"
_TABLES = m.Base.metadata.tables


class Writer:
    """Writes one import's plan for one event."""

    def __init__(
        self, session: Session, bulk: BulkWriter, event: EventInfo, progress: Progress
    ) -> None:
        self.s = session
        self.bulk = bulk
        self.actor = bulk.actor
        self.event = event
        self.progress = progress

    def write(self, plan: Plan, report: ImportReport, source_name: str) -> None:
        """Write the plan: organisations, contacts, changes, attendances, interest, conversations."""
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
        assert self.event.id is not None
        self.stamp = self.bulk.stamp()
        self.total = (
            len(plan.new_orgs)
            + len(plan.new_contacts)
            + len(plan.updates)
            + len(plan.attendances)
            + len(plan.to_open)
            + len(plan.to_touch)
        )
        self.done = 0
        self._organisations(plan)
        self._contacts(plan)
        self._updates(plan)
        self._attendances(plan)
        self._write_conversations(plan, self.person, self.advance)
        if not report.changed:
            return  # a re-import that changed nothing leaves no mark in the audit trail
        history.record(
            self.s,
            "import",
            "event",
            self.event.id,
            organisation_id=None,
            summary=(
                f"imported {source_name}: {report.contacts_created} contacts and "
                f"{report.organisations_created} organisations created, "
                f"{report.attendances_created} attendances"
            )[:500],
        )

    def advance(self, n: int) -> None:
        self.done += n
        self.progress("writing", self.done, self.total)

    def org(self, ref: int | None) -> int | None:
        """The id of a stored or just-written organisation."""
        return self.real_org[ref] if ref is not None and ref < 0 else ref

    def person(self, ref: int) -> int:
        """The id of a stored or just-written contact."""
        return self.real_contact[ref] if ref < 0 else ref

    def _organisations(self, plan: Plan) -> None:
        org_refs = list(plan.new_orgs)
        org_ids = self.bulk.insert(
            _TABLES["organisation"],
            len(org_refs),
            (
                {
                    "name": plan.new_orgs[ref][0],
                    "name_key": plan.new_orgs[ref][1],
                    "sector": guess_sector(plan.new_orgs[ref][0]),
                    "anchor": False,
                    "archived": False,
                    **self.stamp,
                }
                for ref in org_refs
            ),
            self.advance,
        )
        self.real_org = plan.real_org = dict(zip(org_refs, org_ids, strict=True))
        self.bulk.history(
            {
                "action": "create",
                "entity": "organisation",
                "entity_id": self.real_org[ref],
                "organisation_id": self.real_org[ref],
                "summary": plan.new_orgs[ref][0],
                "changes": None,
            }
            for ref in org_refs
        )

    def _contacts(self, plan: Plan) -> None:
        consent_source = f"{self.event.name} registration"[:300]
        contact_ids = self.bulk.insert(
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
                    "organisation_id": self.org(c.organisation_id),
                    "lawful_basis": LAWFUL_BASIS,
                    "consent_source": consent_source,
                    "consent_date": c.consent_date,
                    "archived": False,
                    **self.stamp,
                }
                for c in plan.new_contacts
            ),
            self.advance,
        )
        self.real_contact = {
            c.ref: ident for c, ident in zip(plan.new_contacts, contact_ids, strict=True)
        }
        self.bulk.history(
            {
                "action": "create",
                "entity": "contact",
                "entity_id": self.real_contact[c.ref],
                "organisation_id": self.org(c.organisation_id),
                "summary": c.name,
                "changes": None,
            }
            for c in plan.new_contacts
        )

    def _updates(self, plan: Plan) -> None:
        """Changes to stored contacts."""
        if not plan.updates:
            return
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
                **self.bulk.changed(t),
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
                        "b_org": self.org(c.organisation_id),
                    }
                    for c in chunk
                ],
            )
            self.advance(len(chunk))
        self.bulk.history(
            {
                "action": "update",
                "entity": "contact",
                "entity_id": c.ref,
                "organisation_id": self.org(c.organisation_id),
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

    def _attendance_row(self, a: PlannedAttendance) -> dict[str, Any]:
        return {
            "event_id": self.event.id,
            "contact_id": self.person(a.contact.ref),
            "organisation_id": self.org(a.organisation_ref),
            "role": a.role,
            "registered_at": a.registered_at,
            "note": a.note,
        }

    def _attendances(self, plan: Plan) -> None:
        """Attendances, and the missions and roles people showed interest in."""
        plain = (self._attendance_row(a) for a in plan.attendances if a.interest is None)
        for chunk in chunks(plain, CHUNK):
            self.bulk.execute_many(_TABLES["attendance"], chunk)
            self.advance(len(chunk))
        # those with interest need their ids back
        with_interest = [a for a in plan.attendances if a.interest is not None]
        interest_ids = self.bulk.insert(
            _TABLES["attendance"],
            len(with_interest),
            (self._attendance_row(a) for a in with_interest),
            self.advance,
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

    def _write_conversations(
        self, plan: Plan, person: Callable[[int], int], advance: Callable[[int], None]
    ) -> None:
        """The warm conversations interest opens or touches: each with a touchpoint for the
        event, a follow-up step where none is open, and the people and missions named."""
        if not (plan.to_open or plan.to_touch):
            return
        assert plan.lead_id is not None and plan.when is not None
        self._role_names = dict(
            self.s.execute(select(m.AmbassadorRole.id, m.AmbassadorRole.name)).all()
        )
        self._mission_names = dict(self.s.execute(select(m.Mission.id, m.Mission.name)).all())
        opened = self._open(plan, advance)
        touched = [c for c, _ in plan.to_touch]
        groups = list(plan.to_open) + [g for _, g in plan.to_touch]
        conversation_ids = list(opened) + touched
        group_of = dict(zip(conversation_ids, groups, strict=True))
        touch_ids = self._touchpoints(plan, group_of, person)
        self._touch(touched, plan.when, advance)
        step_for = list(opened) + plan.step_for_touched
        step_ids = self._steps(plan, step_for, group_of)
        self._people_and_missions(group_of, touched, person)
        org_of = {ident: plan.real(g.organisation_ref) for ident, g in group_of.items()}
        subject = f"Interest expressed at {self.event.name}"
        self.bulk.history(
            [
                *(_created("conversation", ident, org_of[ident], subject) for ident in opened),
                *(
                    _created("touchpoint", touch, org_of[ident], self._note(group_of[ident]))
                    for touch, ident in zip(touch_ids, conversation_ids, strict=True)
                ),
                *(
                    _created("step", step, org_of[ident], "Follow up")
                    for step, ident in zip(step_ids, step_for, strict=True)
                ),
            ]
        )

    def _ask_words(self, group: Interest) -> str:
        if group.role_id is not None:
            return str(self._role_names[group.role_id])
        missions = ", ".join(self._mission_names[x] for x in sorted(group.missions))
        return missions or "the missions"

    def _note(self, group: Interest) -> str:
        people = ", ".join(group.people[:5])
        if len(group.people) > 5:
            people += f" and {len(group.people) - 5} more"
        text = f"Interest in {self._ask_words(group)} expressed at {self.event.name} by {people}"
        if group.role_id is not None and group.missions:
            text += "; missions: " + ", ".join(
                self._mission_names[x] for x in sorted(group.missions)
            )
        return text

    def _open(self, plan: Plan, advance: Callable[[int], None]) -> list[int]:
        """New conversations, by the one rule for how a conversation starts."""
        assert plan.when is not None
        when, stamp = plan.when, self.bulk.stamp()
        opened = self.bulk.insert(
            _TABLES["conversation"],
            len(plan.to_open),
            (
                {
                    "organisation_id": plan.real(g.organisation_ref),
                    "lead_id": plan.lead_id,
                    "ask_role_id": g.role_id,
                    "ask_kind": None,
                    "subject": f"Interest expressed at {self.event.name}"[:300],
                    **opening(when),
                    "archived": False,
                    **stamp,
                }
                for g in plan.to_open
            ),
            advance,
        )
        if opened:
            self.bulk.execute_many(
                _TABLES["stage_change"],
                [
                    first_stage_change(ident, when, by=self.actor, at=self.bulk.now)
                    for ident in opened
                ],
            )
        return list(opened)

    def _touchpoints(
        self, plan: Plan, group_of: dict[int, Interest], person: Callable[[int], int]
    ) -> list[int]:
        """One touchpoint per conversation: the event, with the people who expressed interest.

        For a conversation the event opened, this is its first touchpoint."""
        assert plan.when is not None
        when = plan.when
        return list(
            self.bulk.insert(
                _TABLES["touchpoint"],
                len(group_of),
                (
                    first_touchpoint(
                        ident,
                        when,
                        at=self.bulk.now,
                        channel=m.Channel.EVENT.value,
                        colleague_id=plan.lead_id,
                        contact_id=person(g.contacts[0]),
                        note=self._note(g),
                    )
                    for ident, g in group_of.items()
                ),
                None,
            )
        )

    def _touch(self, touched: list[int], when: date, advance: Callable[[int], None]) -> None:
        """Stored conversations the event touched: their last touch moves on."""
        if not touched:
            return
        t = _TABLES["conversation"]
        self.s.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"), t.c.last_touch_on < when)
            .values(last_touch_on=when, **self.bulk.changed(t)),
            [{"b_id": ident} for ident in touched],
        )
        advance(len(touched))

    def _steps(self, plan: Plan, step_for: list[int], group_of: dict[int, Interest]) -> list[int]:
        """A follow-up step on each new conversation and each touched one without an open step."""
        stamp = self.bulk.stamp()
        return list(
            self.bulk.insert(
                _TABLES["step"],
                len(step_for),
                (
                    {
                        "conversation_id": ident,
                        "owner_id": plan.lead_id,
                        "due_on": plan.due,
                        "done_on": None,
                        "description": f"Follow up the interest in "
                        f"{self._ask_words(group_of[ident])} expressed at {self.event.name}",
                        **stamp,
                    }
                    for ident in step_for
                ),
                None,
            )
        )

    def _people_and_missions(
        self, group_of: dict[int, Interest], touched: list[int], person: Callable[[int], int]
    ) -> None:
        """People and missions on each conversation, without repeating what is there."""
        have_people, have_missions = self._conversation_links(touched)
        people_links, mission_links = [], []
        for ident, g in group_of.items():
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


def check_rejects(
    session: Session, source: str | Path, rejects: str | Path | None, force: bool
) -> None:
    """Refuse a rejects file that is the file being imported, the database, or one that exists
    (unless `force`)."""
    if rejects is None:
        return
    if Path(rejects).resolve() == Path(source).resolve():
        raise Invalid(
            "the rejects file is the file being imported; give another file name", field="rejects"
        )
    outputs.check_target(rejects, force=force, database=session, field="rejects")


def write_rejects(
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
            writer.writerow([neutralise(stored_text.clean(cell, multiline=True)) for cell in row])


def _created(entity: str, ident: int, organisation_id: int | None, summary: str) -> dict[str, Any]:
    """A history row for a record the import created."""
    return {
        "action": "create",
        "entity": entity,
        "entity_id": ident,
        "organisation_id": organisation_id,
        "summary": summary[:200],
        "changes": None,
    }
