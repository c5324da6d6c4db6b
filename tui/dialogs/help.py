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

# each entry fits its column at 80 columns (about 48 characters): help that wraps is hard to scan
EVERYWHERE = [
    ("d p w e", "dashboard, partners, my work, events"),
    ("n", "new partner"),
    ("/", "find a partner, person, conversation or note"),
    ("ctrl+p", "palette: open a partner, or any action by name"),
    ("ctrl+z", "undo my last save; again to go further back"),
    ("?", "this help"),
    ("q, ctrl+q", "quit (asks first when a form holds typing)"),
]
FORMS = [
    ("tab", "next field (shift+tab: the one before)"),
    ("enter, ctrl+s", "save; nothing is saved until all is right"),
    ("escape", "cancel (asks first if you typed anything)"),
    ("dates", "day first: 12/11/2025, 12 Nov, today, +7"),
]
LISTS = [
    ("escape", "in a filter or search box: clear, then leave"),
    ("letters", "in a box: text; elsewhere: the screen's keys"),
    ("other letters", "on the Partners list: start a new filter"),
]
KEY_WIDTH = 13  # the widest key ('enter, ctrl+s')
GAP = 2


def _keys(title: str, rows: list[tuple[str, str]], width: int) -> Group:
    """A section: the keys in one column, what they do beside them; neither column wraps (an
    entry longer than `width` would end in an ellipsis: every entry is written to fit)."""
    table = Table(box=None, show_header=False, padding=(0, GAP, 0, 0), expand=False)
    table.add_column("key", no_wrap=True, style="bold", width=KEY_WIDTH)
    table.add_column("does", no_wrap=True, overflow="ellipsis", max_width=_does_width(width))
    for key, does in rows:
        table.add_row(key, does)
    return Group(Text(title, style="bold underline"), table, Text(""))


def _does_width(width: int) -> int:
    return max(20, width - KEY_WIDTH - 2 * GAP)


def _action_words(title: str, help_text: str, width: int) -> str:
    """An action as its title and what it does when that fits the column, else its title."""
    whole = f"{title}: {help_text}"
    return whole if len(whole) <= _does_width(width) else title


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
                yield Static(self._text(60), id="help-text")

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The entries laid out for the width the box has (a scrollbar's room kept)."""
        box = self.query_one(VerticalScroll)
        self.laid_out = self._text(box.content_region.width - 2)
        self.query_one("#help-text", Static).update(self.laid_out)

    def _text(self, width: int) -> Group:
        here = [
            (b.key_display or b.key, b.description)
            for b in self.for_screen.BINDINGS
            if isinstance(b, Binding) and b.description
        ]
        on_partner = [
            (a.binding or "palette", _action_words(a.title, a.help, width)) for a in actions.ACTIONS
        ]
        return Group(
            _keys("On this screen", here, width),
            _keys("Everywhere", EVERYWHERE, width),
            _keys("Lists and boxes", LISTS, width),
            _keys("Forms", FORMS, width),
            _keys("Actions (keys on a partner's page; all in the palette)", on_partner, width),
        )

    def action_close(self) -> None:
        self.dismiss(None)
