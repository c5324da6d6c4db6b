"""Record a delivery: what a commitment actually delivered, in figures and in a story."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import commitments
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class RecordDeliveryDialog(PartnerForm):
    """Opened on the highlighted commitment, if any; returns its id."""

    form_title = "Record a delivery"
    save_label = "Record delivery"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Record what {org.name} delivered"
        self.choices, self.versions = options.open_commitment_options(s, org)
        if not self.choices:
            self.unavailable = f"{org.name} has no open commitment: press k to record one."

    def fields(self) -> Iterable[Field]:
        yield self.record_field("commitment", "Commitment", self.choices)
        yield self.date_field("on", "Delivered on", self.crm.today)
        yield self.amount_field("opportunities", "Opportunities delivered", whole=True)
        yield self.amount_field("people", "People involved", whole=True)
        yield self.amount_field("gbp", "£ delivered")
        yield self.amount_field("hours", "Hours given")
        yield self.note_field("story", "Story (what changed, for whom)")
        yield self.flag_field("partial", "More to come", "keep the commitment open")

    def save(self, session: Session, values: dict[str, Any]) -> int:
        commitment = commitments.get_commitment(session, values["commitment"])
        commitments.deliver(
            session,
            commitment,
            opportunities=values["opportunities"],
            people=values["people"],
            gbp=values["gbp"],
            hours=values["hours"],
            story=values["story"],
            on=values["on"],
            partial=values["partial"],
            expected_version=self.versions.get(commitment.id),
        )
        return commitment.id

    def saved_message(self, result: int) -> str:
        return f"Delivery recorded for commitment #{result}."
