"""Edit a colleague: their name, email and team as they should read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session
from textual import on
from textual.widgets import Select

from partnercrm import colleagues, contacts
from tui import options
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class EditColleagueDialog(FormDialog[int]):
    """Returns the colleague's id."""

    form_title = "Edit a colleague"

    def load(self, s: Session) -> None:
        self.people = options.colleague_options(s)
        self.me = options.me(s)
        self.current = {c.id: c for c in colleagues.list_colleagues(s)}

    def fields(self) -> Iterable[Field]:
        chosen = self.me if self.me in self.current else None
        found = self.current.get(chosen) if chosen is not None else None
        yield self.select_field("colleague", "Colleague", self.people, value=chosen, required=True)
        yield self.text_field("name", "Name", found.name if found else "", hint="as it should read")
        yield self.text_field(
            "email", "Email", found.email if found else "", parse=contacts.normalise_email
        )
        yield self.text_field("team", "Team", (found.team or "") if found else "")

    @on(Select.Changed, "#colleague")
    def _picked(self, event: Select.Changed) -> None:
        found = self.current.get(event.value) if isinstance(event.value, int) else None
        if found is not None:
            self.field("name").control.set_text(found.name)  # type: ignore[attr-defined]
            self.field("email").control.set_text(found.email)  # type: ignore[attr-defined]
            self.field("team").control.set_text(found.team or "")  # type: ignore[attr-defined]

    def save(self, session: Session, values: dict[str, Any]) -> int:
        found = options.colleague(session, values["colleague"])
        assert found is not None
        colleagues.edit_colleague(
            session,
            found,
            name=values["name"] or None,
            email=values["email"] or None,
            team=values["team"] or "",
        )
        self.saved_name = found.name
        return found.id

    def saved_message(self, result: int) -> str:
        return f"Saved {self.saved_name}."
