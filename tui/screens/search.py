"""`/` anywhere: one search over partners, people, conversations, touchpoint notes and stories.

The library's search (partnercrm.search) ranks the hits; Enter opens the partner, the person
on the partner's Contacts tab, or the conversation (with the note) on its Conversations tab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import get_current_worker

from partnercrm import search
from tui.crm import CRM
from tui.errors import explain
from tui.widgets.columns import clip, fit
from tui.widgets.field import TextInput
from tui.widgets.footer import KeysFooter
from tui.widgets.held import HeldKeys
from tui.widgets.table import Table

SHOWN = 40
KIND_WORDS = {
    "organisation": "partner",
    "contact": "person",
    "conversation": "conversation",
    "touchpoint": "note",
    "delivery": "story",
}


# (column, least width, share of the width left over): the snippet gets the most
COLUMNS = [("kind", 12, 0), ("title", 22, 3), ("partner", 14, 2), ("snippet", 20, 5)]


def find(crm: CRM, text: str, limit: int = SHOWN) -> list[search.Hit]:
    """The library's search, as this screen and the palette (ctrl+p) run it."""
    with crm.reading() as s:
        return search.search(s, text, limit=limit)


def open_hit(crm: CRM, hit: search.Hit) -> None:
    """Open where a hit lives: the partner; a person on its Contacts tab; a conversation, or
    a note in its thread, on its Conversations tab; a story on its Commitments tab."""
    org = hit.organisation_id
    if org is None:
        return
    if hit.kind == "contact":
        crm.open_partner(org, tab="contacts", row=hit.id)
    elif hit.kind == "conversation":
        crm.open_partner(org, tab="conversations", row=hit.id)
    elif hit.kind == "touchpoint":
        crm.open_partner(
            org, tab="conversations", row=hit.ids.get("conversation_id"), detail=f"touch:{hit.id}"
        )
    elif hit.kind == "delivery":
        crm.open_partner(org, tab="commitments", row=hit.ids.get("commitment_id"))
    else:
        crm.open_partner(org)


def around_match(snippet: str, marks: list[tuple[int, int]], width: int) -> Text:
    """The snippet with its matches marked, its start cut (…) when the first match would fall
    past `width`: at 80 columns the column is narrow, and the match is what it is there for."""
    first = min((a for a, _ in marks), default=0)
    lead = 0
    if marks and max(b for a, b in marks if a == first) > width - 1:
        lead = max(0, first - LEAD_IN)
    text = Text(("…" if lead else "") + snippet[lead:])
    shift = 1 - lead if lead else 0
    for a, b in marks:
        if a >= lead:
            text.stylize("bold reverse", a + shift, b + shift)
    return text


LEAD_IN = 6  # the characters kept before a match when the start of the snippet is cut


class SearchBox(TextInput):
    """The search box: Esc is its own key, so typed in a burst it clears only what came
    before it (TextInput runs a box's keys in the order typed)."""

    BINDINGS = [
        Binding("escape", "screen.clear_or_leave", "Clear / back"),
        # the box's own ↓ (Textual's) would keep the key: ↓ goes to the results
        Binding("down", "screen.to_results", "Results", key_display="↓"),
    ]


class SearchScreen(HeldKeys[None]):
    """Type to search; ↓ or Enter to the results; Enter opens; Esc clears, then goes back."""

    BINDINGS = [
        Binding("escape", "clear_or_leave", "Clear / back"),
        Binding("ctrl+f", "focus_box", "Search box", show=False),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.first_text = text
        self.hits: dict[str, search.Hit] = {}
        self.shown: str | None = None  # the text the results were found for
        # what ↓ or Enter asked for while the results were still those of fewer letters
        # ("/ucl Enter" in one burst): done once they show what the box holds
        self.then: Callable[[], object] | None = None

    @property
    def crm(self) -> CRM:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBox(
            value=self.first_text,
            placeholder="search partners, people, conversations, notes and stories",
            id="search-box",
        )
        table: DataTable[Any] = Table(id="search-results", zebra_stripes=False)
        yield table
        yield Static("Type a name, an email or words from a note.", id="search-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "search"
        table = self.query_one("#search-results", DataTable)
        for key, header in (
            ("kind", "What"),
            ("title", "Found"),
            ("partner", "Partner"),
            ("snippet", "Where it matched"),
        ):
            table.add_column(header, key=key, width=10)
        self.widths = fit(table, COLUMNS, self.app.size.width)
        self.query_one("#search-box", Input).focus()
        if self.first_text:
            self._search(self.first_text)
        else:
            self.shown = ""  # an empty box finds nothing, as the empty list shows

    def on_resize(self) -> None:
        self.widths = fit(
            self.query_one("#search-results", DataTable), COLUMNS, self.app.size.width
        )
        text = self.query_one("#search-box", Input).value
        if text.strip():
            self._search(text)  # the hits again, cut to the new widths

    @on(Input.Changed, "#search-box")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, text: str) -> None:
        worker = get_current_worker()
        try:
            hits = find(self.crm, text)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.from_worker(self._problem, explain(exc))
            return
        if not worker.is_cancelled:
            self.from_worker(self._show, text, hits)

    def _problem(self, message: str) -> None:
        self.query_one("#search-status", Static).update(Text(message, style="red"))
        if self.then is not None:  # what ↓ or Enter asked will not come: its keys come back
            self.then = None
            self.opened()

    def _show(self, text: str, hits: list[search.Hit]) -> None:
        if text != self.query_one("#search-box", Input).value:
            return  # typing has moved on; its own search is coming
        table = self.query_one("#search-results", DataTable)
        table.clear()
        self.hits = {}
        for hit in hits:
            key = f"{hit.kind}:{hit.id}"
            self.hits[key] = hit
            snippet = around_match(hit.snippet, hit.marks, self.widths["snippet"])
            table.add_row(
                KIND_WORDS.get(hit.kind, hit.kind),
                clip(hit.title, self.widths["title"]),
                clip(hit.organisation or "", self.widths["partner"]),
                snippet,
                key=key,
            )
        status = self.query_one("#search-status", Static)
        if not text.strip():
            status.update("Type a name, an email or words from a note.")
        elif not hits:
            status.update(f"Nothing matches {text.strip()!r}.")
        else:
            status.update(f"{len(hits)} found · ↓ to the list · Enter opens · Esc clears")
        self.shown = text
        if self.then is not None:
            then, self.then = self.then, None
            then()

    def _results_current(self) -> bool:
        """The results are those of what the box holds (not of fewer letters, still typing)."""
        return self.shown == self.query_one("#search-box", Input).value

    # --- moving and opening ---

    def action_to_results(self) -> None:
        """↓ from the box: to the results, once they are those of what the box holds."""
        table = self.query_one("#search-results", DataTable)
        if self._results_current():
            table.focus()
        else:  # "/ucl ↓" in one burst: ↓ goes to the rows found for "ucl", not fewer letters
            self.then = table.focus

    def arriving(self, event: events.Key) -> bool:
        """↓ from the box, or Esc from the results, moves the focus only once read, after the
        keys typed behind it have arrived: those wait for the focus (↓ ↓ Enter, Esc Esc Esc)."""
        box = self.query_one("#search-box")
        if event.key == "down" and self.focused is box:
            self.hold_keys_until_focused(self.query_one("#search-results", DataTable))
        elif event.key == "escape" and self.focused is not box:
            # back to the box, and the keys behind it (a second Esc clears it) act there
            self.hold_keys_until_focused(box)
        return False

    @on(Input.Submitted, "#search-box")
    def _submitted(self) -> None:
        if self._results_current():
            self._open_highlighted()
        else:
            # "/ucl Enter" in one burst: Enter came before the results for "ucl"; the first
            # of them opens once they are shown (the keys after Enter wait for it)
            self.opens_later()
            self.then = self._open_highlighted

    def _open_highlighted(self) -> None:
        table = self.query_one("#search-results", DataTable)
        if table.row_count:
            self._open(self._key_at(table))
        self.opened()

    @on(DataTable.RowSelected, "#search-results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def _key_at(self, table: DataTable[Any]) -> str:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, key: str) -> None:
        hit = self.hits.get(key)
        if hit is not None:
            open_hit(self.crm, hit)

    def action_clear_or_leave(self) -> None:
        box = self.query_one("#search-box", Input)
        if self.focused is not box:
            box.focus()
        elif box.value:
            box.value = ""
        else:
            self.dismiss()

    def action_focus_box(self) -> None:
        self.query_one("#search-box", Input).focus()
