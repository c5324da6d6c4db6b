"""'Save it anyway?': the question the library asks about an unusual value, answered yes or no."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """Shows `reason` and `question`; returns True for yes, False for no or escape."""

    BINDINGS = [
        Binding("escape", "no", "No"),
        Binding("y", "yes", "Yes", show=False),
        Binding("n", "no", "No", show=False),
    ]

    def __init__(self, reason: str, question: str, *, yes: str = "Yes, save it") -> None:
        super().__init__()
        self.reason, self.question, self.yes_label = reason, question, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Label("Please confirm", id="dialog-title")
            yield Static(
                f"{escape(self.reason[:1].upper() + self.reason[1:])}.", id="confirm-reason"
            )
            yield Static(
                escape(self.question[:1].upper() + self.question[1:]), id="confirm-question"
            )
            with Horizontal(id="dialog-buttons"):
                yield Button(self.yes_label, variant="warning", id="yes")
                yield Button("No, go back", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
