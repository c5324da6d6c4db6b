"""A colleague leaves: their history stays theirs, and their open work goes to a colleague."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import colleagues
from tui import options
from tui.dialogs.form import FormDialog
from tui.widgets.field import Field


class ColleagueLeavesDialog(FormDialog[int]):
    """Returns the leaver's id."""

    form_title = "A colleague leaves"
    save_label = "They have left"

    def load(self, s: Session) -> None:
        self.people = options.colleague_options(s)

    def fields(self) -> Iterable[Field]:
        yield self.select_field("colleague", "Who has left", self.people, required=True)
        # takes their open steps, open conversations and the partners they lead
        yield self.select_field("handover", "Hand over to", self.people)

    def save(self, session: Session, values: dict[str, Any]) -> int:
        leaver = options.colleague(session, values["colleague"])
        assert leaver is not None
        self.done = colleagues.leave(
            session, leaver, options.colleague(session, values["handover"])
        )
        return leaver.id

    def saved_message(self, result: int) -> str:
        d = self.done
        if d.to is None:
            return f"{d.leaver} has left; nothing was handed over (ctrl+z undoes it)."
        return (
            f"{d.leaver} has left; {d.to} takes {len(d.steps)} open steps, "
            f"{len(d.conversations)} open conversations and {len(d.organisations)} partners "
            "(ctrl+z undoes it)."
        )
