"""`?`: the keys of the screen you are on, every action, and where to start."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Markdown

from tui import actions

GENERAL = """\
## Everywhere

| key | does |
|---|---|
| d / p / w / e | dashboard, partners, my work, events |
| n | new partner |
| u (on partners) | duplicates: merge two records, or mark them not a duplicate |
| ctrl+p | the palette: type a partner's name to jump to it, or an action to run it |
| ctrl+z | undo my last save (everything it changed); again to go further back |
| ? | this help |
| q | quit |

Forms: **tab** moves between fields, **enter** or **ctrl+s** saves, **escape** cancels.
Dates are day first: `12/11/2025`, `12 Nov`, `today`, `tomorrow`, `+7` (days from now), `next friday`.
Nothing is saved until every field is right; a field that is wrong says why beside it.
"""


class HelpDialog(ModalScreen[None]):
    """Returns nothing; escape or ? closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", key_display="?"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Label("Help", id="dialog-title")
            with VerticalScroll():
                yield Markdown(self._text())

    def _text(self) -> str:
        lines = [GENERAL, "## On this screen", "", "| key | does |", "|---|---|"]
        for binding in self.for_screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                key = binding.key_display or binding.key
                lines.append(f"| {key} | {binding.description} |")
        lines += ["", "## Actions on a partner's page", "", "| key | action |", "|---|---|"]
        for a in actions.ACTIONS:
            lines.append(f"| {a.binding or ''} | **{a.title}**: {a.help} |")
        return "\n".join(lines) + "\n"

    def action_close(self) -> None:
        self.dismiss(None)
