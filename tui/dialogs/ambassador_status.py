"""Change an ambassadorship's status: proposed → onboarding → active → paused → ended."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import ambassadors
from partnercrm import models as m
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field

STATUSES = [(s.value, s.value) for s in m.AmbassadorStatus]


class AmbassadorStatusDialog(PartnerForm):
    """Returns the ambassadorship's id; refuses if someone changed it since the form opened."""

    form_title = "Change an ambassador's status"
    save_label = "Change status"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Change the status of {org.name}'s ambassador role"
        self.choices, self.versions = options.ambassadorship_options(s, org)
        if not self.choices:
            self.unavailable = f"{org.name} holds no ambassador role: press a to enrol it."

    def fields(self) -> Iterable[Field]:
        yield self.record_field("ambassadorship", "Role", self.choices)
        yield self.select_field("status", "New status", STATUSES, required=True)
        yield self.date_field("on", "On", self.crm.today)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        amb = ambassadors.get_ambassadorship(session, values["ambassadorship"])
        ambassadors.set_status(
            session,
            amb,
            values["status"],
            on=values["on"],
            expected_version=self.versions.get(amb.id),
        )
        self.status = amb.status
        return amb.id

    def saved_message(self, result: int) -> str:
        return f"The ambassador role is now {self.status}."
