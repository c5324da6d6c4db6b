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
from tui.widgets.footer import KeysFooter
from tui.widgets.table import Table


class EventsScreen(PlaceScreen):
    """Every event, newest first, with attendance counts."""

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Any] = Table(id="events")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#events", DataTable).add_columns(
            "Date", "Event", "Kind", "Host", "People", "Organisations"
        )

    def load(self, session: Session) -> list[dict[str, Any]]:
        return events.list_events(session)

    def show(self, rows: list[dict[str, Any]]) -> None:
        table = self.query_one("#events", DataTable)
        table.clear()
        for e in rows:
            table.add_row(
                labels.day(e["date"], self.crm.today),
                e["name"],
                e["kind"],
                e["host"] or "",
                Text(str(e["attendees"]), justify="right"),
                Text(str(e["organisations"]), justify="right"),
                key=str(e["id"]),
            )
        if not rows:
            self.notify("No events yet. Import attendees with `partnercrm import attendees`.")

    @on(DataTable.RowSelected, "#events")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.crm.open_event(int(str(event.row_key.value)))
