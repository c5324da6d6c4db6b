"""Edit a touchpoint (its date, channel, person and note), or archive one logged by mistake."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import conversations
from partnercrm import models as m
from tui import options
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field


class EditTouchpointDialog(PartnerForm):
    """Opened on the highlighted touchpoint (else the conversation's latest); returns its id."""

    form_title = "Edit a touchpoint"

    def __init__(
        self,
        organisation_id: int,
        touchpoint_id: int | None = None,
        conversation_id: int | None = None,
    ) -> None:
        super().__init__(organisation_id, touchpoint_id)
        self.conversation_id = conversation_id

    def load(self, s: Session) -> None:
        org = options.organisation(s, self.organisation_id)
        touch = None
        if self.record_id is not None:
            touch = conversations.get_touchpoint(s, self.record_id)
        elif self.conversation_id is not None:
            thread = conversations.get_conversation(s, self.conversation_id)
            touch = next(iter(conversations.touchpoints(s, thread)), None)
        if touch is None or touch.conversation.organisation_id != org.id or touch.archived:
            self.unavailable = (
                "Highlight a touchpoint in a conversation's thread (Conversations tab) to edit it."
            )
            return
        self.editing(touch)
        self.form_title = f"Edit a touchpoint of conversation #{touch.conversation_id}"
        self.record: dict[str, Any] = {
            "on": touch.happened_on,
            "channel": touch.channel,
            "contact": touch.contact_id,
            "note": touch.note or "",
        }
        self.people = options.contact_options(s, org)
        if touch.contact is not None and touch.contact_id not in {v for _, v in self.people}:
            self.people.append((touch.contact.name, touch.contact_id))

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.date_field("on", "Date", r["on"])
        yield self.select_field(
            "channel", "Channel", options.channels(), value=r["channel"], required=True
        )
        yield self.select_field("contact", "With", self.people, value=r["contact"])
        yield self.note_field("note", "Note", r["note"])
        yield self.flag_field(
            "archive", "Logged by mistake", "archive it (it leaves the thread; history keeps it)"
        )

    def save(self, session: Session, values: dict[str, Any]) -> int:
        touch = conversations.get_touchpoint(session, self.record_id)  # type: ignore[arg-type]
        version = self.versions.get(touch.id)
        self.archived = bool(values["archive"])
        if self.archived:
            conversations.archive_touchpoint(session, touch, expected_version=version)
            return touch.id
        contact = session.get(m.Contact, values["contact"]) if values["contact"] else None
        conversations.edit_touchpoint(
            session,
            touch,
            expected_version=version,
            on=values["on"],
            channel=values["channel"],
            note=values["note"] or "",
            contact=contact,
            clear_contact=contact is None,
        )
        return touch.id

    def saved_message(self, result: int) -> str:
        return "Touchpoint archived." if self.archived else "Touchpoint saved."
