"""Add a touchpoint: one more dated meeting, call or email inside a conversation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations
from partnercrm import models as m
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class AddTouchpointDialog(PartnerForm):
    """Opened on the highlighted conversation, if any; returns the conversation's id."""

    form_title = "Add a touchpoint"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Add a touchpoint with {org.name}"
        self.threads = options.conversation_options(s, org, open_only=False)
        if not self.threads:
            self.unavailable = f"{org.name} has no conversations yet: press l to log one."
        self.people = options.contact_options(s, org)

    def fields(self) -> Iterable[Field]:
        yield self.record_field("conversation", "Conversation", self.threads)
        yield self.date_field("on", "Date", self.crm.today)
        yield self.select_field(
            "channel", "Channel", options.channels(), value="meeting", required=True
        )
        if self.people:
            yield self.select_field("contact", "With", self.people)
        yield self.note_field("note", "Note")

    def save(self, session: Session, values: dict[str, Any]) -> int:
        conv = conversations.get_conversation(session, values["conversation"])
        contact = session.get(m.Contact, values["contact"]) if values.get("contact") else None
        me = options.colleague(session, options.me(session)) or conv.lead
        conversations.add_touchpoint(
            session,
            conv,
            on=values["on"],
            channel=values["channel"],
            note=values["note"],
            colleague=me,
            contact=contact,
        )
        return conv.id

    def saved_message(self, result: int) -> str:
        return f"Touchpoint added to conversation #{result}."
