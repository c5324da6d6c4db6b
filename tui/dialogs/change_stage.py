"""Change a conversation's stage (initiated, exploring, parked, declined)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations
from partnercrm import models as m
from tui import options
from tui.dialogs.form import FormDialog, preselect
from tui.widgets.field import Field

# "committed" is reached by converting the conversation into a commitment
STAGES = [(s.value, s.value) for s in m.Stage if s is not m.Stage.COMMITTED]


class ChangeStageDialog(FormDialog[int]):
    """Returns the conversation's id; refuses if someone changed it since the form opened."""

    form_title = "Change a conversation's stage"
    save_label = "Change stage"

    def __init__(self, organisation_id: int, conversation_id: int | None = None) -> None:
        super().__init__()
        self.organisation_id = organisation_id
        self.conversation_id = conversation_id
        self.versions: dict[int, int] = {}

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Change a conversation's stage with {org.name}"
        found = conversations.list_conversations(s, organisation=org, include_closed=True)
        self.threads = [
            (options.conversation_title(c), c.id) for c in found if c.stage != m.Stage.COMMITTED
        ]
        self.versions = {c.id: c.version for c in found}
        if not self.threads:
            self.unavailable = f"{org.name} has no conversation whose stage can change."

    def fields(self) -> Iterable[Field]:
        threads = self.threads
        chosen = preselect(self.conversation_id, [v for _, v in threads])
        yield self.select_field(
            "conversation", "Conversation", threads, value=chosen, required=True
        )
        yield self.select_field("stage", "New stage", STAGES, required=True)
        yield self.date_field("on", "On", self.crm.today)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        conv = conversations.get_conversation(session, values["conversation"])
        conversations.set_stage(
            session,
            conv,
            values["stage"],
            on=values["on"],
            expected_version=self.versions.get(conv.id),
        )
        self.stage = conv.stage
        return conv.id

    def saved_message(self, result: int) -> str:
        return f"Conversation #{result} is now {self.stage}."
