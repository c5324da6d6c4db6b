"""Enrol an ambassador: the partner in a Figure 2 role, optionally for one mission."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import ambassadors
from partnercrm import models as m
from tui import options
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field

STATUSES = [(s.value, s.value) for s in m.AmbassadorStatus if s is not m.AmbassadorStatus.ENDED]


class EnrolAmbassadorDialog(FormDialog[int]):
    """Returns the new ambassadorship's id."""

    form_title = "Enrol an ambassador"
    save_label = "Enrol"

    def __init__(self, organisation_id: int) -> None:
        super().__init__()
        self.organisation_id = organisation_id

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Enrol {org.name} as a Missions Ambassador"
        self.roles, self.missions = options.role_options(s), options.mission_options(s)

    def fields(self) -> Iterable[Field]:
        roles, missions = self.roles, self.missions
        yield self.select_field("role", "Role", roles, required=True)
        yield self.select_field("mission", "For the mission", missions)
        yield self.select_field("status", "Status", STATUSES, value="proposed", required=True)
        yield self.date_field("since", "Since", self.crm.today)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        org = options.organisation(session, self.organisation_id)
        role = session.get(m.AmbassadorRole, values["role"])
        mission = session.get(m.Mission, values["mission"]) if values["mission"] else None
        assert role is not None
        amb = ambassadors.enrol(
            session, org, role, mission=mission, since=values["since"], status=values["status"]
        )
        self.role_name = role.name
        return amb.id

    def saved_message(self, result: int) -> str:
        return f"Enrolled as {self.role_name}."
