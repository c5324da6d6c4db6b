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
from tui.widgets.columns import clip, fit
from tui.widgets.footer import KeysFooter
from tui.widgets.panel import panel_table

# (column key, least width, share of the width left over): at 80 columns every column shows,
# its text cut with an ellipsis; wider, the words get the room
INTEREST = [("organisation", 16, 1), ("missions", 14, 1), ("roles", 16, 1)]
ATTENDEES = [("organisation", 14, 1), ("person", 14, 1), ("role", 8, 0), ("interest", 14, 2)]
BORDER = 4  # a panel's border and padding


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
        interest = self.query_one("#interest", DataTable)
        for (key, _, _), header in zip(
            INTEREST, ["Organisation", "Missions", "Roles"], strict=True
        ):
            interest.add_column(header, key=key)
        people = self.query_one("#attendees", DataTable)
        headers = ["Organisation", "Person", "Role", "Interest"]
        for (key, _, _), header in zip(ATTENDEES, headers, strict=True):
            people.add_column(header, key=key)
        self.detail: dict[str, Any] | None = None
        self._fit()

    def _fit(self) -> None:
        room = self.app.size.width - BORDER
        self.widths = {
            "interest": fit(self.query_one("#interest", DataTable), INTEREST, room),
            "attendees": fit(self.query_one("#attendees", DataTable), ATTENDEES, room),
        }

    def on_resize(self) -> None:
        self._fit()
        detail = getattr(self, "detail", None)
        if detail is not None:
            self.show(detail)  # the words cut to the new widths

    def load(self, session: Session) -> dict[str, Any]:
        return events.event_detail(session, events.find_event(session, str(self.event_id)))

    def show(self, d: dict[str, Any]) -> None:
        self.detail, self.org_ids = d, d["organisation_ids"]
        w, a = self.widths["interest"], self.widths["attendees"]
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
                clip(row["organisation"], w["organisation"]),
                clip(", ".join(row["mission_names"]), w["missions"]),
                clip(", ".join(row["role_names"]), w["roles"]),
                key=f"{i}:{row['organisation']}",
            )
        people = self.query_one("#attendees", DataTable)
        people.clear()
        for i, p in enumerate(d["attendees"]):
            wants = ", ".join(p["interest_mission_names"] + p["interest_role_names"])
            people.add_row(
                clip(p["organisation"] or "", a["organisation"]),
                clip(p["contact"], a["person"]),
                clip(labels.label(p["role"], "attendance_role"), a["role"]),
                clip(wants, a["interest"]),
                key=f"{i}:{p['organisation'] or ''}",
            )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        name = str(event.row_key.value).split(":", 1)[1]
        if name in self.org_ids:
            self.crm.open_partner(self.org_ids[name])

    def action_back(self) -> None:
        self.app.pop_screen()
