"""Add a colleague: a council officer or leader who talks to partners (as `colleague add`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import colleagues, contacts
from partnercrm.errors import Conflict, Invalid
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class AddColleagueDialog(FormDialog[int]):
    """Returns the new colleague's id."""

    form_title = "Add a colleague"
    save_label = "Add colleague"

    def fields(self) -> Iterable[Field]:
        yield self.text_field("name", "Name", required=True, placeholder="e.g. Sam Okafor")
        yield self.text_field(
            "email",
            "Email",
            required=True,
            parse=contacts.normalise_email,
            placeholder="their council address",
        )
        yield self.text_field("team", "Team", placeholder="e.g. Inclusive Economy")

    def save(self, session: Session, values: dict[str, Any]) -> int:
        try:
            found = colleagues.add_colleague(
                session, values["name"], values["email"], values["team"]
            )
        except Conflict as exc:  # the one address a colleague cannot share
            raise Invalid(str(exc), field="email") from exc
        return found.id

    def saved_message(self, result: int) -> str:
        return "Colleague added: they can now lead partners and own steps."
