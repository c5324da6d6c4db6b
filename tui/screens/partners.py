"""Partners: every organisation, narrowed as you type, sorted by any column, a page at a time.

The filter and the sort run in the database (the search index) and only one page of rows
reaches the table, so a keystroke costs the same with 50 partners or 50,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Input, Static

from partnercrm import labels, missions, organisations
from partnercrm.errors import NotFound
from tui.screens.base import PlaceScreen
from tui.widgets.columns import clip, fit
from tui.widgets.field import TextInput
from tui.widgets.footer import KeysFooter
from tui.widgets.table import Table

PAGE = 50
# (column key, header, sort order in partnercrm, newest/biggest first by default,
#  least width, share of the width left over)
COLUMNS = [
    ("name", "Name", "name", False, 24, 4),
    ("sector", "Sector", "sector", False, 14, 2),
    ("stage", "Stage", "stage", False, 8, 0),
    ("lead", "Lead", None, False, 13, 1),
    ("ward", "Ward", "ward", False, 12, 2),
    ("last_touch", "Last touch", "last_touch", True, 11, 0),
    ("open_steps", "Steps", "open_steps", True, 5, 0),
]
SPEC = [(c[0], c[4], c[5]) for c in COLUMNS]
SORTABLE = [c[0] for c in COLUMNS if c[2]]


@dataclass(frozen=True)
class Filter:
    """What was typed, split into the search words and any `mission:` / `sector:` / `ward:`."""

    query: str = ""
    mission: str | None = None
    sector: str | None = None
    ward: str | None = None

    @classmethod
    def parse(cls, text: str) -> Filter:
        words: list[str] = []
        named: dict[str, str] = {}
        last = ""
        for word in text.split():
            key, sep, value = word.partition(":")
            if sep and key.lower() in ("mission", "m", "sector", "ward") and value:
                last = "mission" if key.lower() == "m" else key.lower()
                named[last] = value.replace("_", " ")
                continue
            longer = f"{named.get(last, '')} {word}"
            if last == "sector" and organisations.sectors_named(longer):
                named[last] = longer  # 'sector:voluntary and community sector' is one sector
                continue
            last = ""
            words.append(word)
        return cls(query=" ".join(words), **named)


@dataclass
class Page:
    rows: list[organisations.PartnerRow]
    offset: int
    request: int  # which reload asked for it (the benchmark waits for the latest)
    problem: str | None = None


class FilterBox(TextInput):
    """The filter: letters typed here are text, so its footer shows only the keys that work."""

    # the box's own keys act in the order typed (TextInput): `ucl`, Esc, `queen` typed in a
    # burst clears `ucl`, not `queen`
    BINDINGS = [
        Binding("down", "screen.to_list", "List", key_display="↓"),
        Binding("escape", "screen.clear_filter", "Clear / leave"),
    ]


class PartnersScreen(PlaceScreen):
    """A table of organisations with a filter box; Enter opens the partner."""

    BINDINGS = [
        # priority (as the app's keys): they act as they arrive, so the keys typed after them in
        # a burst go where they lead; in the filter they are text (Textual drops them there)
        Binding("f", "focus_filter", "Filter", priority=True),
        Binding("o", "sort", "Order by"),
        Binding("O", "reverse", "Reverse order", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]"),
        Binding("left_square_bracket", "page(-1)", "Previous page", key_display="[", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("m", "app.switch_mode('duplicates')", "Merge duplicates", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order = "name"
        self.descending = False
        self.first_row = 0
        self.fresh = True  # the next page shown starts with the cursor on its first row
        self.filter = Filter()
        self.requested = 0  # reloads asked for
        self.shown = -1  # the reload whose page is on screen
        self.list_asked = False  # ↓ was pressed in the filter and it has not had focus since
        # what ↓ or Enter from the filter asked, done once the list shows what was typed
        self.then: Callable[[], object] | None = None

    def reload(self) -> None:
        self.requested += 1
        super().reload()

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBox(
            # whole at 80 columns (the list's keys are in the footer once it has the focus)
            placeholder="filter by name, alias, sector, ward or mission:food · ↓ list · Esc clears",
            id="filter",
            select_on_focus=False,  # a letter typed on the table carries on, not replaced
        )
        table: DataTable[Any] = Table(id="partners")
        yield table
        yield Static("", id="partners-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#partners", DataTable)
        # set widths: measuring every cell of every page would cost more than the query
        for key, header, _, _, least, _ in COLUMNS:
            table.add_column(header, key=key, width=least)
        self.widths = fit(table, SPEC, self.app.size.width)
        # arriving, the filter has the keys, so typing a name narrows the list at once; coming
        # back (from a partner, help, the palette, search, duplicates, a form, or with p) the
        # focus is where it was: Textual keeps each screen's focus while it is away.
        # Letters typed in the filter are always text; Esc clears it, a second Esc leaves it.
        self.query_one("#filter", Input).focus()

    # --- reading a page ---

    def load(self, session: Session) -> Page:
        f, request = self.filter, self.requested
        mission = None
        if f.mission:
            try:
                mission = missions.find_mission(session, f.mission)
            except NotFound as exc:
                return Page([], 0, request, problem=str(exc))
        rows = organisations.list_organisations(
            session,
            query=f.query or None,
            mission=mission,
            sector=f.sector,
            ward=f.ward,
            order=self.order,
            descending=self.descending,
            limit=PAGE,
            offset=self.first_row,
        )
        return Page(rows, self.first_row, request)

    def on_resize(self) -> None:
        self.widths = fit(self.query_one("#partners", DataTable), SPEC, self.app.size.width)
        if self.shown >= 0:
            self.reload()  # the page again, its text cut to the new widths

    def show(self, page: Page) -> None:
        table = self.query_one("#partners", DataTable)
        w = self.widths
        keep = 0 if self.fresh else table.cursor_row
        self.fresh = False
        table.clear()
        for r in page.rows:
            table.add_row(
                Text(
                    clip(r.name, w["name"] - 2) + (" ⚓" if r.anchor else ""),
                    style="bold" if r.anchor else "",
                ),
                clip(labels.sector(r.sector), w["sector"]),
                labels.label(r.stage, "relationship_stage"),
                clip(r.lead or "", w["lead"]),
                clip(r.ward or "", w["ward"]),
                labels.day(r.last_touch, self.crm.today),
                Text(str(r.open_steps), justify="right"),
                key=str(r.id),
            )
        if page.rows:
            table.move_cursor(row=min(keep, len(page.rows) - 1))
        self.page_rows = len(page.rows)
        self._status(page)
        self.shown = page.request
        if self.then is not None and self._list_current():
            then, self.then = self.then, None
            then()

    def _status(self, page: Page) -> None:
        status = self.query_one("#partners-status", Static)
        if page.problem:
            status.update(Text(page.problem, style="red"))
            return
        arrow = "↓" if self.descending else "↑"
        header = next(h for k, h, *_ in COLUMNS if k == self.order)
        if not page.rows:
            shown = "No partners match." if page.offset == 0 else "No more partners."
        else:
            shown = f"Partners {page.offset + 1}–{page.offset + len(page.rows)}"
            if len(page.rows) == PAGE:
                shown += " (] for the next page)"
        if sum(self.widths.values()) + 2 * len(self.widths) + 2 > self.app.size.width:
            shown += " · ← → for more columns"
        status.update(f"{shown} · sorted by {header.lower()} {arrow} (o to change)")

    # --- typing, sorting, paging ---

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = Filter.parse(event.value)
        self.first_row = 0
        self.fresh = True
        self.reload()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if not self.list_asked:
            self.action_to_list()
        elif self._list_current():
            self._open_highlighted()
        else:
            # "ucl ↓ Enter" in one burst: the list still shows what was there before "ucl";
            # the partner opens once it shows what was typed (the keys after Enter wait)
            self.opens_later()
            self.then = self._open_highlighted

    def _open_highlighted(self) -> None:
        """ "↓ Enter" in one burst: the Enter reached the filter before the focus moved, and
        was meant for the list's highlighted row."""
        table = self.query_one("#partners", DataTable)
        if table.row_count:
            self.crm.open_partner(int(str(table.ordered_rows[table.cursor_row].key.value)))
        self.opened()

    def _unloaded(self, message: str) -> None:
        if self.then is not None:  # what ↓ or Enter asked will not come: its keys come back
            self.then = None
            self.opened()
        super()._unloaded(message)

    def _list_current(self) -> bool:
        """The list shows what the filter holds (not a page read for fewer letters)."""
        box = self.query_one("#filter", FilterBox)
        return self.shown == self.requested and Filter.parse(box.value) == self.filter

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "filter":
            self.list_asked = False

    def arriving(self, event: events.Key) -> bool:
        """On the list, a letter that is none of the screen's keys (the footer's) starts a new
        filter: "brit" narrows at once (the old filter named what is shown; this one is new).
        Decided as the key arrives, and the keys after it wait for the filter's focus, so a
        burst lands whole in the filter, whatever letters follow."""
        table = self.query_one("#partners", DataTable)
        if not (event.is_printable and event.character) or self.focused is not table:
            return False
        if event.key in self.active_bindings:
            return False
        box = self.query_one("#filter", FilterBox)
        box.set_text(event.character)
        box.focus()
        self.hold_keys_until_ready()
        return True

    def action_to_list(self) -> None:
        self.list_asked = True
        table = self.query_one("#partners", DataTable)
        if self._list_current():
            table.focus()
        else:  # once the list shows what was typed: ↓ goes to its rows, not the ones before
            self.then = table.focus

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()
        self.hold_keys_until_ready()  # "fcam" in a burst: c a m follow the focus

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.focused is box and box.value:
            box.value = ""  # the first Esc clears; the filter keeps the keys
        elif self.focused is box:
            self.query_one("#partners", DataTable).focus()  # the second leaves it
        else:
            box.focus()

    def action_sort(self) -> None:
        at = SORTABLE.index(self.order)
        self.sort_by(SORTABLE[(at + 1) % len(SORTABLE)])

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.first_row = 0
        self.fresh = True
        self.reload()

    def sort_by(self, column: str) -> None:
        spec = next(c for c in COLUMNS if c[0] == column)
        if spec[2] is None:
            return
        if column == self.order:
            self.descending = not self.descending
        else:
            self.order, self.descending = column, spec[3]
        self.first_row = 0
        self.fresh = True
        self.query_one("#partners-status", Static).update(f"Sorting by {spec[1].lower()}…")
        self.reload()

    @on(DataTable.HeaderSelected, "#partners")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))

    def action_page(self, step: int) -> None:
        rows = getattr(self, "page_rows", 0)
        if step > 0 and rows < PAGE:
            self.notify("This is the last page.")
            return
        if step < 0 and self.first_row == 0:
            return
        self.first_row = max(0, self.first_row + step * PAGE)
        self.fresh = True
        self.reload()

    @on(DataTable.RowSelected, "#partners")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.crm.open_partner(int(str(event.row_key.value)))
