"""Edit an event: its name, kind, date and host."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import events, organisations
from partnercrm import models as m
from tui.dialogs.form import PartnerForm
from tui.widgets.field import Field

KINDS = [(k.value, k.value) for k in m.EventKind]


class EditEventDialog(PartnerForm):
    """Opened on the highlighted event (the Events tab); returns its id."""

    form_title = "Edit an event"

    def load(self, s: Session) -> None:
        event = s.get(m.Event, self.record_id) if self.record_id is not None else None
        if event is None:
            self.unavailable = "Highlight an event on the Events tab to edit it."
            return
        self.form_title = f"Edit {event.name}"
        self.versions = {event.id: event.version}
        self.record: dict[str, Any] = {
            "name": event.name,
            "kind": event.kind,
            "held_on": event.held_on,
            "host": event.host.name if event.host else "",
        }

    def fields(self) -> Iterable[Field]:
        r = self.record
        yield self.text_field("name", "Name", r["name"], required=True)
        yield self.select_field("kind", "Kind", KINDS, value=r["kind"], required=True)
        yield self.date_field("held_on", "Held on", r["held_on"])
        yield self.text_field(
            "host", "Host", r["host"], placeholder="an organisation's name (empty: none)"
        )

    def save(self, session: Session, values: dict[str, Any]) -> int:
        event = session.get(m.Event, self.record_id)
        assert event is not None
        host = organisations.find_organisation(session, values["host"]) if values["host"] else None
        events.edit_event(
            session,
            event,
            expected_version=self.versions.get(event.id),
            name=values["name"],
            kind=values["kind"],
            held_on=values["held_on"],
            host=host,
            clear_host=host is None,
        )
        return event.id

    def saved_message(self, result: int) -> str:
        return "Event saved."
