"""My work: every open step of the acting colleague, overdue first; mark done from the list.
Below the steps, the rest of the colleague's daily digest; `c` exports the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from partnercrm import labels, reports
from partnercrm.digest import digest_for
from tui import options, to_act
from tui.screens.base import PlaceScreen
from tui.widgets.footer import KeysFooter
from tui.widgets.panel import panel_table

GROUPS = [("overdue", "Overdue"), ("week", "This week"), ("later", "Later")]
# the digest's sections beyond the steps above (partnercrm.digest gathers them)
DIGEST_SECTIONS = ("cold", "commitments", "events", "interest")


@dataclass
class Work:
    me: str | None
    me_id: int | None = None
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    digest: list[tuple[str, str, str]] = field(default_factory=list)  # (section, what, act)


class MyWorkScreen(PlaceScreen):
    """Open steps of the colleague named by --as, grouped overdue / this week / later.

    Arriving, the first list of steps has the focus, so ↓ and x work at once (keys typed
    before the steps are read wait for them)."""

    READY_ON_MOUNT = False

    BINDINGS = [
        # priority: the form opens as the key arrives, so keys typed after it go to the form
        Binding("x", "done", "Mark done", priority=True),
        Binding("i", "calendar", "iCalendar file", priority=True),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="my-work-title")
        with VerticalScroll(id="my-work"):
            for key, title in GROUPS:
                yield panel_table(f"work-{key}", title)
            yield panel_table("work-digest", "From the digest")
        yield KeysFooter()

    def on_mount(self) -> None:
        for key, _ in GROUPS:
            self.query_one(f"#work-{key}", DataTable).add_columns(
                "Due", "Step", "Partner", "Conversation"
            )
        self.query_one("#work-digest", DataTable).add_columns("Section", "What", "To act")

    def load(self, session: Session) -> Work:
        me = options.colleague(session, options.me(session))
        if me is None:
            return Work(me=None)
        mine = reports.steps_for(session, me.id, today=self.crm.today, later=True)
        lines = {"overdue": mine.overdue, "week": mine.this_week, "later": mine.later}
        digest = digest_for(session, me, today=self.crm.today)
        return Work(
            me=me.name,
            me_id=me.id,
            digest=[
                (section.title, item.text, to_act.say(item.action))
                for section in digest.sections
                if section.key in DIGEST_SECTIONS
                for item in section.items
            ],
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
        on_a_list = isinstance(self.focused, DataTable) and bool(self.focused.row_count)
        for key, label in GROUPS:
            table = self.query_one(f"#work-{key}", DataTable)
            keep = table.cursor_row
            table.clear()
            for row in work.groups[key]:
                shown = labels.day(row["due"], self.crm.today, weekday=True)
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
                if not on_a_list:
                    # x marks the first step done without a Tab first (the scrolling box
                    # around the lists, focused on arrival, has no keys of its own)
                    table.focus()
                    on_a_list = True
            self.query_one(f"#work-{key}-panel").border_title = f"{label} ({table.row_count})"
        self.me_id = work.me_id
        digest = self.query_one("#work-digest", DataTable)
        digest.clear()
        for i, (section, what, act) in enumerate(work.digest):
            digest.add_row(section, what, Text(act, style="dim"), key=f"digest-{i}")
        self.query_one("#work-digest-panel").border_title = f"From the digest ({digest.row_count})"

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

    def action_calendar(self) -> None:
        me_id = getattr(self, "me_id", None)
        if me_id is None:
            self.notify("Start the app with --as NAME to export your calendar.")
            return
        from tui.dialogs.export_calendar import ExportCalendarDialog

        self.app.push_screen(ExportCalendarDialog(me_id))

    def action_reload(self) -> None:
        self.reload()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        row = getattr(self, "rows", {}).get(str(event.row_key.value))
        if row:
            self.crm.open_partner(row["organisation_id"], tab="conversations")
