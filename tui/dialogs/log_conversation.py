"""Log a warm conversation: who, about what ask, for which missions, and the next step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations, steps
from partnercrm import models as m
from partnercrm.errors import Invalid
from tui import options
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class LogConversationDialog(FormDialog[int]):
    """Returns the new conversation's id."""

    form_title = "Log a warm conversation"
    save_label = "Log conversation"

    def __init__(self, organisation_id: int) -> None:
        super().__init__()
        self.organisation_id = organisation_id

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Log a warm conversation with {org.name}"
        self.people = options.contact_options(s, org)
        self.leads, self.me = options.colleague_options(s), options.me(s)
        self.asks, self.missions = options.ask_options(s), options.mission_options(s)

    def fields(self) -> Iterable[Field]:
        people, leads, me, asks, missions = (
            self.people,
            self.leads,
            self.me,
            self.asks,
            self.missions,
        )
        yield self.text_field("subject", "Subject", placeholder="what it is about, in a few words")
        yield self.select_field("ask", "The ask", asks)
        yield self.many_field("missions", "Missions", missions)
        if people:
            yield self.many_field("contacts", "With", people)
        yield self.select_field("lead", "Lead colleague", leads, value=me, required=True)
        yield self.date_field("on", "Date", self.crm.today)
        yield self.select_field(
            "channel", "Channel", options.channels(), value="meeting", required=True
        )
        yield self.note_field("note", "Note")
        yield self.text_field("step", "Next step", placeholder="e.g. send the sponsorship pack")
        yield self.date_field("due", "Next step due", required=False, future=True)

    def check(self, values: dict[str, Any]) -> None:
        if values.get("step") and not values.get("due"):
            raise Invalid("when is the next step due?", field="due")
        if values.get("due") and not values.get("step"):
            raise Invalid("what is the next step?", field="step")

    def save(self, session: Session, values: dict[str, Any]) -> int:
        org = options.organisation(session, self.organisation_id)
        lead = options.colleague(session, values["lead"])
        assert lead is not None
        conv = conversations.log_conversation(
            session,
            org,
            lead,
            contacts=options.chosen(session, m.Contact, values.get("contacts") or []),
            missions=options.chosen(session, m.Mission, values["missions"]),
            ask=values["ask"],
            subject=values["subject"],
            on=values["on"],
            note=values["note"],
            channel=values["channel"],
        )
        if values.get("step"):
            steps.add_step(
                session, conv, values["step"], lead, values["due"], confirm=self.confirmed
            )
        return conv.id

    def saved_message(self, result: int) -> str:
        return f"Logged conversation #{result}."
