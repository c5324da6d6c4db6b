"""Correct who from the partner was at an event: their role there, or that they were not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import events
from partnercrm import models as m
from tui.dialogs.form import PartnerForm, preselect
from tui.widgets.field import Field

ROLES = [(r.value, r.value) for r in m.AttendanceRole]


class EditAttendanceDialog(PartnerForm):
    """Opened on the highlighted event (the Events tab); returns the attendance's id."""

    form_title = "Edit an attendance"

    def load(self, s: Session) -> None:
        event = s.get(m.Event, self.record_id) if self.record_id is not None else None
        found = (
            events.attendances_of(s, event, organisation_id=self.organisation_id)
            if event is not None
            else []
        )
        if event is None or not found:
            self.unavailable = (
                "Highlight an event the partner's people attended (Events tab) to edit who came."
            )
            return
        self.form_title = f"Edit who came to {event.name}"
        self.versions = {a.id: a.version for a in found}
        self.people = [(f"{a.contact.name} ({a.role})", a.id) for a in found]
        self.roles_now = {a.id: a.role for a in found}
        self.chosen = preselect(None, [a.id for a in found])

    def fields(self) -> Iterable[Field]:
        yield self.select_field("attendance", "Who", self.people, value=self.chosen, required=True)
        role = self.roles_now.get(self.chosen) if self.chosen else None
        yield self.select_field("role", "Their role there", ROLES, value=role, required=True)
        yield self.flag_field("remove", "Not there", "they did not attend: remove them")

    def save(self, session: Session, values: dict[str, Any]) -> int:
        attendance = session.get(m.Attendance, values["attendance"])
        assert attendance is not None
        version = self.versions.get(attendance.id)
        self.removed = bool(values["remove"])
        if self.removed:
            events.remove_attendance(session, attendance, expected_version=version)
        else:
            events.set_attendance_role(
                session, attendance, values["role"], expected_version=version
            )
        return attendance.id

    def saved_message(self, result: int) -> str:
        return "Removed from the event." if self.removed else "Attendance saved."
