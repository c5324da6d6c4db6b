"""New partner: an organisation the team is, or will be, talking to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import organisations
from tui import options
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class NewPartnerDialog(FormDialog[int]):
    """Returns the new organisation's id."""

    form_title = "New partner"
    save_label = "Add partner"

    def load(self, s: Session) -> None:
        self.leads, self.me = options.colleague_options(s), options.me(s)

    def fields(self) -> Iterable[Field]:
        leads, me = self.leads, self.me
        yield self.text_field("name", "Name", required=True, placeholder="e.g. Camden Giving")
        yield self.select_field("sector", "Sector", options.sectors(), required=True)
        yield self.text_field("aliases", "Also known as", hint="commas between names")
        yield self.flag_field("anchor", "Anchor", "an anchor institution (invited to roundtables)")
        yield self.text_field("ward", "Ward")
        yield self.select_field("lead", "Relationship lead", leads, value=me)
        yield self.text_field("website", "Website", parse=organisations.check_website)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        lead = options.colleague(session, values["lead"])
        aliases = [a for a in (values["aliases"] or "").split(",") if a.strip()]
        org = organisations.add_organisation(
            session,
            values["name"],
            values["sector"],
            aliases=aliases,
            anchor=values["anchor"],
            ward=values["ward"],
            lead=lead,
            website=values["website"],
            new=self.confirmed,
        )
        self.saved_name = org.name
        return org.id

    def saved_message(self, result: int) -> str:
        return f"Added {self.saved_name}."
