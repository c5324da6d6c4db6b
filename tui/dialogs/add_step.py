"""Add a step: the next action that moves a conversation on, with an owner and a due date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations, steps
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class AddStepDialog(PartnerForm):
    """Opened on the highlighted conversation, if any; returns the new step's id."""

    form_title = "Add a step"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Add a step with {org.name}"
        self.threads = options.conversation_options(s, org, open_only=True)
        if not self.threads:
            self.unavailable = f"{org.name} has no open conversation: press l to log one."
        self.owners, self.me = options.colleague_options(s), options.me(s)

    def fields(self) -> Iterable[Field]:
        yield self.record_field("conversation", "Conversation", self.threads)
        yield self.text_field("description", "What to do", required=True)
        yield self.select_field("owner", "Owner", self.owners, value=self.me, required=True)
        yield self.date_field("due", "Due", future=True)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        conv = conversations.get_conversation(session, values["conversation"])
        owner = options.colleague(session, values["owner"])
        assert owner is not None
        return steps.add_step(
            session, conv, values["description"], owner, values["due"], confirm=self.confirmed
        ).id

    def saved_message(self, result: int) -> str:
        return "Step added."
