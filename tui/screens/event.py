"""One event: who came, and which organisations expressed interest in which missions and roles."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from partnercrm import events, labels
from tui.screens.base import DataScreen
from tui.widgets.footer import KeysFooter
from tui.widgets.panel import panel_table


class EventScreen(DataScreen):
    """Attendees and expressed interest; Enter on a row opens that partner."""

    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, event_id: int) -> None:
        super().__init__()
        self.event_id = event_id
        self.org_ids: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="event-title")
        with Vertical():
            yield panel_table("interest", "Interest expressed")
            yield panel_table("attendees", "Who came")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#interest", DataTable).add_columns("Organisation", "Missions", "Roles")
        self.query_one("#attendees", DataTable).add_columns(
            "Organisation", "Person", "Role", "Interest"
        )

    def load(self, session: Session) -> dict[str, Any]:
        return events.event_detail(session, events.find_event(session, str(self.event_id)))

    def show(self, d: dict[str, Any]) -> None:
        self.org_ids = d["organisation_ids"]
        title = Text(d["name"], style="bold")
        title.append(
            f"  ·  {labels.label(d['kind'], 'event_kind')}  ·  {labels.day(d['date'], self.crm.today)}"
        )
        if d["host"]:
            title.append(f"  ·  hosted by {d['host']}")
        title.append(
            f"  ·  {len(d['attendees'])} people from {len(d['organisations'])} organisations"
        )
        self.query_one("#event-title", Static).update(title)
        interest = self.query_one("#interest", DataTable)
        interest.clear()
        for i, row in enumerate(d["interest"]):
            interest.add_row(
                row["organisation"],
                ", ".join(row["mission_names"]),
                ", ".join(row["role_names"]),
                key=f"{i}:{row['organisation']}",
            )
        people = self.query_one("#attendees", DataTable)
        people.clear()
        for i, p in enumerate(d["attendees"]):
            wants = ", ".join(p["interest_mission_names"] + p["interest_role_names"])
            people.add_row(
                p["organisation"] or "",
                p["contact"],
                labels.label(p["role"], "attendance_role"),
                wants,
                key=f"{i}:{p['organisation'] or ''}",
            )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        name = str(event.row_key.value).split(":", 1)[1]
        if name in self.org_ids:
            self.crm.open_partner(self.org_ids[name])

    def action_back(self) -> None:
        self.app.pop_screen()
