"""Edit what a commitment delivered, or take back a delivery recorded by mistake."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import commitments
from partnercrm import models as m
from tui import options
from tui.dialogs.edit_commitment import _or_clear
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class EditDeliveryDialog(PartnerForm):
    """Opened on the highlighted commitment's latest delivery; returns the commitment's id."""

    form_title = "Edit a delivery"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        found = [c for c in commitments.list_commitments(s, organisation=org) if c.deliveries]
        com = self.highlighted(found)
        if com is None:
            self.unavailable = (
                "Highlight a commitment with a delivery (Commitments tab) to edit its delivery."
            )
            return
        delivery = commitments.get_delivery(s, com)
        self.delivery_id = delivery.id
        self.form_title = f"Edit the delivery of commitment #{com.id} with {org.name}"
        self.commitment_version = com.version
        self.versions = {delivery.id: delivery.version}  # what the form edits is the delivery
        self.delivered = com.status == m.CommitmentStatus.DELIVERED
        self.record = commitments.delivery_dict(delivery)
        self.record["on"] = delivery.delivered_on

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.date_field("on", "Delivered on", r["on"])
        yield self.amount_field(
            "opportunities", "Opportunities delivered", r["opportunities"], whole=True
        )
        yield self.amount_field("people", "People involved", r["people"], whole=True)
        yield self.amount_field("gbp", "£ delivered", r["gbp"])
        yield self.amount_field("hours", "Hours given", r["hours"])
        yield self.note_field("story", "Story (what changed, for whom)", r["story"] or "")
        if self.delivered:
            yield self.flag_field(
                "undeliver",
                "Recorded by mistake",
                "take this delivery back: the commitment is in progress again",
            )

    def save(self, session: Session, values: dict[str, Any]) -> int:
        com = commitments.get_commitment(session, self.record_id)  # type: ignore[arg-type]
        self.undone = bool(values.get("undeliver"))
        if self.undone:
            version = self.commitment_version if self.versions else None  # cleared: save over
            commitments.undeliver(session, com, expected_version=version)
            return com.id
        commitments.edit_delivery(
            session,
            commitments.get_delivery(session, com, self.delivery_id),
            expected_version=self.versions.get(self.delivery_id),
            opportunities=_or_clear(values["opportunities"]),
            people=_or_clear(values["people"]),
            gbp=_or_clear(values["gbp"]),
            hours=_or_clear(values["hours"]),
            story=values["story"] or "",
            on=values["on"],
        )
        return com.id

    def saved_message(self, result: int) -> str:
        if self.undone:
            return f"Commitment #{result} is in progress again; the history keeps the delivery."
        return f"The delivery of commitment #{result} is saved."
