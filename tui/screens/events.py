"""Events: summits and roundtables with how many came; Enter shows who and what interested them."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Header

from partnercrm import events, labels
from tui.screens.base import PlaceScreen
from tui.widgets.columns import clip, fit
from tui.widgets.footer import KeysFooter
from tui.widgets.table import Table

# (column key, header, least width, share of the width left over): at 80 columns every
# column shows, the names cut with an ellipsis; wider, the names get the room
COLUMNS = [
    ("date", "Date", 11, 0),
    ("event", "Event", 20, 3),
    ("kind", "Kind", 10, 0),
    ("host", "Host", 10, 1),
    ("people", "People", 6, 0),
    ("organisations", "Orgs", 5, 0),
]
SPEC = [(key, least, share) for key, _, least, share in COLUMNS]


class EventsScreen(PlaceScreen):
    """Every event, newest first, with attendance counts."""

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Any] = Table(id="events")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#events", DataTable)
        for key, header, least, _ in COLUMNS:
            table.add_column(header, key=key, width=least)
        self.widths = fit(table, SPEC, self.app.size.width)
        self.rows: list[dict[str, Any]] = []

    def on_resize(self) -> None:
        self.widths = fit(self.query_one("#events", DataTable), SPEC, self.app.size.width)
        if getattr(self, "rows", None):
            self.show(self.rows)  # the names cut to the new widths

    def load(self, session: Session) -> list[dict[str, Any]]:
        return events.list_events(session)

    def show(self, rows: list[dict[str, Any]]) -> None:
        self.rows, w = rows, self.widths
        table = self.query_one("#events", DataTable)
        keep = table.cursor_row
        table.clear()
        for e in rows:
            table.add_row(
                labels.day(e["date"], self.crm.today),
                clip(e["name"], w["event"]),
                clip(labels.label(e["kind"], "event_kind"), w["kind"]),
                clip(e["host"] or "", w["host"]),
                Text(str(e["attendees"]), justify="right"),
                Text(str(e["organisations"]), justify="right"),
                key=str(e["id"]),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        else:
            self.notify("No events yet. Import attendees with `partnercrm import attendees`.")

    @on(DataTable.RowSelected, "#events")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.crm.open_event(int(str(event.row_key.value)))
