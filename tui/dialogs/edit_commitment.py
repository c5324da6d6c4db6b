"""Edit a commitment: its kind, missions, beneficiary, promised figures and dates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import commitments
from partnercrm import models as m
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class EditCommitmentDialog(PartnerForm):
    """Opened on the highlighted commitment; returns its id. An emptied figure is cleared."""

    form_title = "Edit a commitment"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        com = self.highlighted(commitments.list_commitments(s, organisation=org))
        if com is None:
            self.unavailable = f"{org.name} has no commitment to edit: press k to record one."
            return
        self.form_title = f"Edit commitment #{com.id} with {org.name}"
        self.record: dict[str, Any] = {
            "kind": com.kind,
            "missions": [mi.id for mi in com.missions],
            "beneficiary": com.beneficiary or "",
            "gbp": com.promised_gbp,
            "hours": com.promised_hours,
            "opportunities": com.promised_opportunities,
            "people": com.promised_people,
            "due": com.due_on,
            "on": com.agreed_on,
        }
        self.missions = options.mission_options(s, keep=self.record["missions"])

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.select_field(
            "kind", "Kind of commitment", options.kinds(), value=r["kind"], required=True
        )
        yield self.many_field("missions", "Missions", self.missions, chosen=r["missions"])
        yield self.text_field("beneficiary", "Beneficiary", r["beneficiary"])
        yield self.amount_field("gbp", "Promised £", r["gbp"])
        yield self.amount_field("hours", "Promised hours", r["hours"])
        yield self.amount_field(
            "opportunities", "Promised opportunities", r["opportunities"], whole=True
        )
        yield self.amount_field("people", "Promised people", r["people"], whole=True)
        yield self.date_field("due", "Due", r["due"], required=False, future=True)
        yield self.date_field("on", "Agreed on", r["on"])
        yield self.flag_field(
            "nothing_promised", "Nothing promised", "keep it although nothing was promised"
        )

    def save(self, session: Session, values: dict[str, Any]) -> int:
        com = commitments.get_commitment(session, self.record_id)  # type: ignore[arg-type]
        commitments.edit_commitment(
            session,
            com,
            expected_version=self.versions.get(com.id),
            kind=values["kind"],
            missions=options.chosen(session, m.Mission, values["missions"]),
            beneficiary=values["beneficiary"] or "",
            # an emptied figure is a figure taken away
            gbp=_or_clear(values["gbp"]),
            hours=_or_clear(values["hours"]),
            opportunities=_or_clear(values["opportunities"]),
            people=_or_clear(values["people"]),
            due=values["due"] or "",
            on=values["on"],
            nothing_promised=values["nothing_promised"],
            confirm=self.confirmed,
        )
        return com.id

    def saved_message(self, result: int) -> str:
        return f"Commitment #{result} saved."


def _or_clear(value: Any) -> Any:
    return "" if value is None else value
