"""Mark a step done (on a date; today unless said otherwise)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import steps
from tui import options
from tui.dialogs.form import FormDialog, preselect
from tui.widgets.field import Field


class CompleteStepDialog(FormDialog[int]):
    """Returns the step's id. The step's version is read when the form opens."""

    form_title = "Mark a step done"
    save_label = "Mark done"

    def __init__(self, organisation_id: int | None = None, step_id: int | None = None) -> None:
        super().__init__()
        self.organisation_id = organisation_id
        self.step_id = step_id
        self.versions: dict[int, int] = {}

    def load(self, s: Session) -> None:
        if self.organisation_id is None and self.step_id is not None:
            self.organisation_id = steps.get_step(s, self.step_id).conversation.organisation_id
        assert self.organisation_id is not None
        org = options.organisation(s, self.organisation_id)
        self.form_title = f"Mark a step done with {org.name}"
        self.choices, self.versions = options.open_step_options(s, org)
        if not self.choices:
            self.unavailable = f"{org.name} has no open steps."

    def fields(self) -> Iterable[Field]:
        choices = self.choices
        chosen = preselect(self.step_id, [v for _, v in choices])
        yield self.select_field("step", "Step", choices, value=chosen, required=True)
        yield self.date_field("on", "Done on", self.crm.today)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        step = steps.get_step(session, values["step"])
        steps.complete_step(
            session, step, values["on"], expected_version=self.versions.get(step.id)
        )
        self.done = step.description
        return step.id

    def saved_message(self, result: int) -> str:
        return f"Done: {self.done}."
