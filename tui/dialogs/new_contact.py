"""New contact: a person at the partner, with their email checked as the CLI checks it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import contacts
from partnercrm.errors import Invalid
from tui import options
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class NewContactDialog(FormDialog[int]):
    """Returns the new contact's id."""

    form_title = "New contact"
    save_label = "Add contact"

    def __init__(self, organisation_id: int) -> None:
        super().__init__()
        self.organisation_id = organisation_id

    def load(self, s: Session) -> None:
        self.form_title = f"New contact at {options.organisation(s, self.organisation_id).name}"

    def fields(self) -> Iterable[Field]:
        yield self.text_field("name", "Name", required=True)
        yield self.text_field("email", "Email", parse=contacts.normalise_email)
        yield self.text_field("job_title", "Job title")
        yield self.text_field("phone", "Phone")
        yield self.flag_field("senior", "Senior", "a leadership contact")

    def save(self, session: Session, values: dict[str, Any]) -> int:
        org = options.organisation(session, self.organisation_id)
        if values["email"] and (owner := contacts.email_owner(session, values["email"])):
            where = f" at {owner.organisation.name}" if owner.organisation else ""
            raise Invalid(
                f"{values['email']} already belongs to {owner.name}{where}", field="email"
            )
        contact = contacts.add_contact(
            session,
            values["name"],
            values["email"],
            org,
            job_title=values["job_title"],
            phone=values["phone"],
            senior=values["senior"],
            consent_date=self.crm.today,
            new=self.confirmed,
        )
        self.saved_name = contact.name
        return contact.id

    def saved_message(self, result: int) -> str:
        return f"Added {self.saved_name}."
