"""My work: every open step of the acting colleague, overdue first; mark done from the list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from partnercrm import reports
from tui import options
from tui.screens.base import PlaceScreen
from tui.widgets.panel import panel_table

GROUPS = [("overdue", "Overdue"), ("week", "This week"), ("later", "Later")]


@dataclass
class Work:
    me: str | None
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class MyWorkScreen(PlaceScreen):
    """Open steps of the colleague named by --as, grouped overdue / this week / later."""

    BINDINGS = [
        Binding("x", "done", "Mark done"),
        Binding("r", "reload", "Refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="my-work-title")
        with VerticalScroll(id="my-work"):
            for key, title in GROUPS:
                yield panel_table(f"work-{key}", title)
        yield Footer()

    def on_mount(self) -> None:
        for key, _ in GROUPS:
            self.query_one(f"#work-{key}", DataTable).add_columns(
                "Due", "Step", "Partner", "Conversation"
            )

    def load(self, session: Session) -> Work:
        me = options.colleague(session, options.me(session))
        if me is None:
            return Work(me=None)
        mine = reports.steps_for(session, me.id, today=self.crm.today, later=True)
        lines = {"overdue": mine.overdue, "week": mine.this_week, "later": mine.later}
        return Work(
            me=me.name,
            groups={
                group: [
                    {
                        "id": line.step_id,
                        "due": line.due,
                        "description": line.description,
                        "organisation": line.organisation,
                        "organisation_id": line.organisation_id,
                        "conversation": line.subject
                        or options.label(line.ask or "")
                        or f"#{line.conversation_id}",
                    }
                    for line in lines[group]
                ]
                for group, _ in GROUPS
            },
        )

    def show(self, work: Work) -> None:
        title = self.query_one("#my-work-title", Static)
        if work.me is None:
            title.update(
                Text(
                    f"You are acting as '{self.crm.db.actor}', who is not a colleague in this "
                    "database. Start the app with --as NAME (or set PARTNERCRM_USER) to see your steps.",
                    style="yellow",
                )
            )
            return
        total = sum(len(v) for v in work.groups.values())
        title.update(Text(f"{work.me}: {total} open steps", style="bold"))
        self.rows: dict[str, dict[str, Any]] = {}
        for key, label in GROUPS:
            table = self.query_one(f"#work-{key}", DataTable)
            keep = table.cursor_row
            table.clear()
            for row in work.groups[key]:
                shown = f"{row['due']:%a %d %b}"
                if row["due"].year != self.crm.today.year:
                    shown += f" {row['due']:%Y}"
                due = Text(shown, style="bold red" if key == "overdue" else "")
                table.add_row(
                    due,
                    row["description"],
                    row["organisation"],
                    row["conversation"],
                    key=str(row["id"]),
                )
                self.rows[str(row["id"])] = row
            if table.row_count:
                table.move_cursor(row=min(keep, table.row_count - 1))
                if self.focused is None:
                    table.focus()  # x marks the first step done without a Tab first
            self.query_one(f"#work-{key}-panel").border_title = f"{label} ({table.row_count})"

    def _current(self) -> dict[str, Any] | None:
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return getattr(self, "rows", {}).get(str(key))

    def action_done(self) -> None:
        row = self._current()
        if row is None:
            self.notify("Choose a step first (arrow keys, tab between groups).")
            return
        from tui.dialogs.complete_step import CompleteStepDialog

        # the list reads afresh when the form closes (DataScreen.on_screen_resume)
        self.app.push_screen(CompleteStepDialog(row["organisation_id"], row["id"]))

    def action_reload(self) -> None:
        self.reload()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        row = getattr(self, "rows", {}).get(str(event.row_key.value))
        if row:
            self.crm.open_partner(row["organisation_id"], tab="conversations")
