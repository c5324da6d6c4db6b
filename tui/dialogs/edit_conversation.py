"""Edit a warm conversation: its subject, ask, missions, people, lead and start date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations
from partnercrm import models as m
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class EditConversationDialog(PartnerForm):
    """Opened on the highlighted conversation; returns its id."""

    form_title = "Edit a conversation"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        conv = self.highlighted(
            conversations.list_conversations(s, organisation=org, include_closed=True)
        )
        if conv is None:
            self.unavailable = f"{org.name} has no conversation to edit: press l to log one."
            return
        self.form_title = f"Edit conversation #{conv.id} with {org.name}"
        self.record: dict[str, Any] = {
            "subject": conv.subject or "",
            "ask": conv.ask,
            "missions": [mi.id for mi in conv.missions],
            "contacts": [c.id for c in conv.contacts],
            "lead": conv.lead_id,
            "on": conv.started_on,
        }
        people = options.contact_options(s, org)
        known = {v for _, v in people}
        # someone in the conversation who has since moved on stays ticked, not silently dropped
        people += [(c.name, c.id) for c in conv.contacts if c.id not in known]
        self.people, self.leads = people, options.colleague_options(s, keep=[conv.lead_id])
        self.asks = options.ask_options(s, keep=conv.ask_role.key if conv.ask_role else None)
        self.missions = options.mission_options(s, keep=self.record["missions"])

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.text_field("subject", "Subject", r["subject"])
        yield self.select_field("ask", "The ask", self.asks, value=r["ask"])
        yield self.many_field("missions", "Missions", self.missions, chosen=r["missions"])
        yield self.many_field("contacts", "With", self.people, chosen=r["contacts"])
        yield self.select_field(
            "lead", "Lead colleague", self.leads, value=r["lead"], required=True
        )
        yield self.date_field("on", "Started on", r["on"])

    def save(self, session: Session, values: dict[str, Any]) -> int:
        conv = conversations.get_conversation(session, self.record_id)  # type: ignore[arg-type]
        conversations.edit_conversation(
            session,
            conv,
            expected_version=self.versions.get(conv.id),
            subject=values["subject"] or "",
            ask=values["ask"] or "",
            lead=options.colleague(session, values["lead"]),
            missions=options.chosen(session, m.Mission, values["missions"]),
            contacts=options.chosen(session, m.Contact, values["contacts"]),
            on=values["on"],
        )
        return conv.id

    def saved_message(self, result: int) -> str:
        return f"Conversation #{result} saved."
