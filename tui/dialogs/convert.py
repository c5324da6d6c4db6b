"""Convert a conversation into a commitment: what the partner promised, for which missions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import commitments, conversations
from partnercrm import models as m
from partnercrm.concurrency import check_version
from tui import options
from tui.dialogs.form import PartnerForm, preselect
from tui.widgets.field import Field


class ConvertDialog(PartnerForm):
    """Returns the new commitment's id; the conversation becomes committed."""

    form_title = "Convert to a commitment"
    save_label = "Record commitment"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Convert a conversation with {org.name} into a commitment"
        found = conversations.list_conversations(s, organisation=org)
        self.threads, self.versions = options.versioned_options(found, options.conversation_title)
        if not found:
            self.unavailable = f"{org.name} has no open conversation to convert."
        self.chosen = preselect(self.record_id, [c.id for c in found])
        conv = next((c for c in found if c.id == self.chosen), None)
        self.kind = commitments.suggested_kind(conv) if conv else None
        self.picked = [mi.id for mi in conv.missions] if conv else []
        self.missions = options.mission_options(s)

    def fields(self) -> Iterable[Field]:
        yield self.record_field("conversation", "Conversation", self.threads)
        yield self.select_field(
            "kind", "Kind of commitment", options.kinds(), value=self.kind, required=True
        )
        yield self.many_field("missions", "Missions", self.missions, chosen=self.picked)
        yield self.text_field("beneficiary", "Beneficiary", placeholder="who benefits")
        yield self.amount_field("gbp", "Promised £")
        yield self.amount_field("hours", "Promised hours")
        yield self.amount_field("opportunities", "Promised opportunities", whole=True)
        yield self.amount_field("people", "Promised people", whole=True)
        yield self.date_field("due", "Due", required=False, future=True)
        yield self.date_field("on", "Agreed on", self.crm.today)
        yield self.flag_field(
            "nothing_promised", "Nothing promised", "record it although nothing was promised"
        )

    def save(self, session: Session, values: dict[str, Any]) -> int:
        conv = conversations.get_conversation(session, values["conversation"])
        check_version(conv, self.versions.get(conv.id))
        commitment = commitments.add_commitment(
            session,
            conv,
            values["kind"],
            missions=options.chosen(session, m.Mission, values["missions"]),
            beneficiary=values["beneficiary"],
            gbp=values["gbp"],
            hours=values["hours"],
            opportunities=values["opportunities"],
            people=values["people"],
            due=values["due"],
            on=values["on"],
            nothing_promised=values["nothing_promised"],
            confirm=self.confirmed,
        )
        return commitment.id

    def saved_message(self, result: int) -> str:
        return f"Commitment #{result} recorded; the conversation is committed."
