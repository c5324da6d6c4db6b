"""Edit a step: what to do, who owns it, when it is due; or reopen one marked done by mistake."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations, labels, steps
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class EditStepDialog(PartnerForm):
    """Opened on the highlighted step (else the conversation's next one); returns its id."""

    form_title = "Edit a step"

    def __init__(
        self, organisation_id: int, step_id: int | None = None, conversation_id: int | None = None
    ) -> None:
        super().__init__(organisation_id, step_id)
        self.conversation_id = conversation_id

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        step = None
        if self.record_id is not None:
            step = steps.get_step(s, self.record_id)
        elif self.conversation_id is not None:
            step = conversations.next_step(conversations.get_conversation(s, self.conversation_id))
        if step is None or step.conversation.organisation_id != org.id:
            self.unavailable = (
                "Highlight a step in a conversation's thread (Conversations tab) to edit it."
            )
            return
        self.editing(step)
        self.form_title = f"Edit a step of conversation #{step.conversation_id}"
        self.record: dict[str, Any] = {
            "description": step.description,
            "owner": step.owner_id,
            "due": step.due_on,
            "done": step.done_on,
        }
        self.owners = options.colleague_options(s, keep=[step.owner_id])

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.text_field("description", "What to do", r["description"], required=True)
        yield self.select_field("owner", "Owner", self.owners, value=r["owner"], required=True)
        yield self.date_field("due", "Due", r["due"], future=True)
        if r["done"] is not None:
            yield self.flag_field(
                "reopen",
                f"Done on {labels.day(r['done'], self.crm.today)}",
                "not done after all: reopen it",
            )

    def save(self, session: Session, values: dict[str, Any]) -> int:
        step = steps.get_step(session, self.record_id)  # type: ignore[arg-type]
        steps.edit_step(
            session,
            step,
            expected_version=self.versions.get(step.id),
            description=values["description"],
            owner=options.colleague(session, values["owner"]),
            due=values["due"],
            confirm=self.confirmed,
        )
        self.reopened = bool(values.get("reopen"))
        if self.reopened:
            steps.reopen_step(session, step)
        return step.id

    def saved_message(self, result: int) -> str:
        return "Step saved and reopened." if self.reopened else "Step saved."
