"""Change a conversation's stage (initiated, exploring, parked, declined)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session
from textual import on
from textual.widgets import Select

from partnercrm import conversations
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


def _stages(stage: str | None = None) -> list[tuple[str, str]]:
    """The stages the conversation can move to (committed comes from converting it)."""
    return [(s, s) for s in conversations.next_stages(stage)]


class ChangeStageDialog(PartnerForm):
    """Returns the conversation's id; refuses if someone changed it since the form opened."""

    form_title = "Change a conversation's stage"
    save_label = "Change stage"

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Change a conversation's stage with {org.name}"
        found = conversations.list_conversations(s, organisation=org, include_closed=True)
        self.threads, self.versions = options.versioned_options(
            [c for c in found if conversations.next_stages(c.stage)], options.conversation_title
        )
        self.stages = {c.id: c.stage for c in found}
        if not self.threads:
            self.unavailable = f"{org.name} has no conversation whose stage can change."

    def fields(self) -> Iterable[Field]:
        thread = self.record_field("conversation", "Conversation", self.threads)
        yield thread
        stages = _stages(self.stages.get(thread.initial) if thread.initial is not None else None)
        yield self.select_field("stage", "New stage", stages, required=True)
        yield self.date_field("on", "On", self.crm.today)

    @on(Select.Changed, "#conversation")
    def _offer_its_stages(self, event: Select.Changed) -> None:
        stage = self.stages.get(event.value) if isinstance(event.value, int) else None
        offered = _stages(stage)
        control = self.query_one("#stage", Select)
        kept = control.value
        control.set_options(offered)
        if kept in [value for _, value in offered]:
            control.value = kept

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
