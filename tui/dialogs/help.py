"""`?`: the keys of the screen you are on, every action, and where to start."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui import actions
from tui.widgets.held import HeldKeys

EVERYWHERE = [
    ("d p w e", "dashboard, partners, my work, events"),
    ("n", "new partner"),
    ("/", "search partners, people, conversations, notes and stories"),
    ("ctrl+p", "the palette: jump to a partner, or run any action by name"),
    ("ctrl+z", "undo my last save (everything it changed); again to go further back"),
    ("?", "this help"),
    ("q, ctrl+q", "quit (asks first when a form holds typing)"),
]
FORMS = [
    ("tab", "next field (shift+tab: the one before)"),
    ("enter, ctrl+s", "save; nothing is saved until every field is right"),
    ("escape", "cancel; a form you have typed in asks before it is thrown away"),
    ("dates", "day first: 12/11/2025, 12 Nov, today, tomorrow, +7, next friday"),
]
LISTS = [
    ("escape", "in a filter or search box: clear it, then leave it"),
    ("letters", "in a box, text; elsewhere, the screen's keys (in its footer and above)"),
    ("a to z", "on the Partners list, a letter that is no key there starts a new filter"),
]


def _keys(title: str, rows: list[tuple[str, str]]) -> Group:
    """A section: the keys in a column that never wraps, what they do beside them."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
    table.add_column("key", no_wrap=True, style="bold", min_width=13, max_width=16)
    table.add_column("does", ratio=1)
    for key, does in rows:
        table.add_row(key, does)
    return Group(Text(title, style="bold underline"), table, Text(""))


class HelpDialog(ModalScreen[None], HeldKeys[None]):
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
                yield Static(self._text(), id="help-text")

    def _text(self) -> Group:
        here = [
            (b.key_display or b.key, b.description)
            for b in self.for_screen.BINDINGS
            if isinstance(b, Binding) and b.description
        ]
        on_partner = [(a.binding or "palette", f"{a.title}: {a.help}") for a in actions.ACTIONS]
        return Group(
            _keys("On this screen", here),
            _keys("Everywhere", EVERYWHERE),
            _keys("Lists and boxes", LISTS),
            _keys("Forms", FORMS),
            _keys("Actions (keys on a partner's page; all in the palette)", on_partner),
        )

    def action_close(self) -> None:
        self.dismiss(None)
