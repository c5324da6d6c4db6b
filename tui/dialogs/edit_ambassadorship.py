"""Edit an ambassador role: which role, for which mission, and since when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import ambassadors
from partnercrm import models as m
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class EditAmbassadorshipDialog(PartnerForm):
    """Opened on the highlighted ambassador role; returns its id. No mission means any."""

    form_title = "Edit an ambassador role"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        amb = self.highlighted(ambassadors.list_ambassadorships(s, organisation=org))
        if amb is None:
            self.unavailable = f"{org.name} holds no ambassador role to edit: press a to enrol it."
            return
        self.form_title = f"Edit {org.name}'s ambassador role #{amb.id}"
        self.record: dict[str, Any] = {
            "role": amb.role_id,
            "mission": amb.mission_id,
            "since": amb.since,
        }
        self.roles = options.role_options(s, keep=[amb.role_id])
        self.missions = options.mission_options(s, keep=[amb.mission_id])

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.select_field("role", "Role", self.roles, value=r["role"], required=True)
        yield self.select_field("mission", "Mission (none: any)", self.missions, value=r["mission"])
        yield self.date_field("since", "Since", r["since"])

    def save(self, session: Session, values: dict[str, Any]) -> int:
        amb = ambassadors.get_ambassadorship(session, self.record_id)  # type: ignore[arg-type]
        mission = session.get(m.Mission, values["mission"]) if values["mission"] else None
        ambassadors.edit_ambassadorship(
            session,
            amb,
            expected_version=self.versions.get(amb.id),
            role=session.get(m.AmbassadorRole, values["role"]),
            mission=mission,
            clear_mission=mission is None,
            since=values["since"],
        )
        return amb.id

    def saved_message(self, result: int) -> str:
        return f"Ambassador role #{result} saved."
