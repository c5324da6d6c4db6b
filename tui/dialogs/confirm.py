"""A yes-or-no question before something is lost (a half-typed form, an unsaved quit)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.widgets.held import HeldKeys


class ConfirmDialog(ModalScreen[bool], HeldKeys[bool]):
    """Returns True for `yes`; escape or `no` returns False. The safe answer has the focus."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Keep", show=False),
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
    ]

    def __init__(
        self,
        question: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        detail: str = "",
        quitting: bool = False,
    ) -> None:
        super().__init__()
        self.quitting = quitting  # the question before quitting (asked once, however often)
        self.question = question
        self.yes = yes
        self.no = no
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Label(self.question, id="dialog-title")
            if self.detail:
                yield Static(self.detail, id="confirm-detail")
            yield Static(f"y: {self.yes.lower()}   n or escape: {self.no.lower()}", classes="hint")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.no, id="no", variant="primary")
                yield Button(self.yes, id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
