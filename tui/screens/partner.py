"""One partner: a header and tabs for its brief, people, conversations, commitments and more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from sqlalchemy.orm import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Static,
    TabbedContent,
    TabPane,
)

from partnercrm import conversations, history, organisations
from partnercrm.commitments import figures_text
from tui import actions, options
from tui.brief_text import partner_markdown
from tui.screens.base import DataScreen

TABLES = {
    "contacts": "contacts-table",
    "conversations": "conversations-table",
    "commitments": "commitments-table",
    "ambassadors": "ambassadors-table",
}
TABS = ["overview", "contacts", "conversations", "commitments", "ambassadors", "events", "history"]


@dataclass
class PartnerPage:
    detail: dict[str, Any]
    brief: str | None  # None when the Overview tab was not showing (built when it is)
    threads: dict[int, dict[str, Any]]
    history: list[str]


class PartnerScreen(DataScreen):
    """Everything about one organisation; the keys below run the actions on it."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        *[
            Binding(a.binding, f"act('{a.key}')", a.short, show=a.show)
            for a in actions.ACTIONS
            if a.binding and a.needs_partner
        ],
        # E, not e: e goes to the events screen from every screen
        Binding("E", "edit", "Edit the highlighted record", show=False),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", show=False, key_display="["),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, key_display="]"),
        *[
            Binding(str(i), f"show_tab('{tab}')", f"{tab} tab", show=False)
            for i, tab in enumerate(TABS, 1)
        ],
    ]

    def __init__(
        self, organisation_id: int, tab: str | None = None, row: int | None = None
    ) -> None:
        super().__init__()
        self.organisation_id = organisation_id
        self.start_tab = tab
        self.start_row = row  # the record to put the cursor on once the page is read
        self.page: PartnerPage | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="partner-header")
        with TabbedContent(initial=self.start_tab or "overview", id="partner-tabs"):
            with TabPane("Overview", id="overview"), VerticalScroll(id="overview-scroll"):
                yield Static("", id="brief")
            with TabPane("Contacts", id="contacts"):
                yield _table("contacts-table")
            with TabPane("Conversations", id="conversations"), Vertical():
                yield _table("conversations-table")
                yield Static("", id="thread-title")
                yield _table("thread-table")
            with TabPane("Commitments", id="commitments"):
                yield _table("commitments-table")
            with TabPane("Ambassador roles", id="ambassadors"):
                yield _table("ambassadors-table")
            with TabPane("Events", id="events"):
                yield _table("events-table")
            with TabPane("History", id="history"):
                yield _table("history-table")
        yield Footer()

    def on_mount(self) -> None:
        columns = {
            "contacts-table": ("Name", "Job title", "Email", "Phone", "Senior"),
            "conversations-table": (
                "#",
                "Subject / ask",
                "Stage",
                "Lead",
                "Missions",
                "Last touch",
                "Next step",
            ),
            "thread-table": ("Date", "What", "Who", "Detail"),
            "commitments-table": (
                "#",
                "Kind",
                "Status",
                "Missions",
                "Beneficiary",
                "Due",
                "Promised",
                "Delivered",
                "Latest story",
            ),
            "ambassadors-table": ("#", "Role", "Mission", "Status", "Since", "Changed"),
            "events-table": ("Date", "Event", "Kind", "Who came"),
            "history-table": ("When", "Who", "What"),
        }
        for table_id, headers in columns.items():
            self.query_one(f"#{table_id}", DataTable).add_columns(*headers)

    # --- reading ---

    want_brief = True
    brief_stale = False

    def reload(self) -> None:
        # the brief is the costliest part of the page: build it only when it is on show
        tabs = self.query("#partner-tabs")
        self.want_brief = not tabs or tabs.first(TabbedContent).active == "overview"
        super().reload()

    @on(TabbedContent.TabActivated, "#partner-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "overview" and self.brief_stale and not self.in_flight:
            self.reload()

    def load(self, session: Session) -> PartnerPage:
        org = organisations.find_organisation(session, str(self.organisation_id))
        detail = organisations.organisation_detail(session, org)
        threads = {
            c.id: conversations.conversation_detail(session, c)
            for c in conversations.list_conversations(
                session, organisation=org, include_closed=True
            )
        }
        entries = history.entries(session, organisation_id=org.id, limit=300)
        return PartnerPage(
            detail=detail,
            brief=partner_markdown(session, org.id, self.crm.today) if self.want_brief else None,
            threads=threads,
            history=[history.describe(e) for e in entries],
        )

    def show(self, page: PartnerPage) -> None:
        self.page = page
        d = page.detail
        self.sub_title = d["name"]
        header = Text()
        header.append(d["name"], style="bold")
        if d["archived"]:
            header.append("  (archived)", style="red")
        header.append(f"  ·  {options.label(d['sector'])}")
        if d["anchor"]:
            header.append("  ·  anchor institution")
        header.append(f"  ·  stage: {d['stage']}", style="bold")
        header.append(f"  ·  lead: {d['lead'] or 'nobody yet'}")
        if d["aliases"]:
            header.append(f"\nalso known as {', '.join(d['aliases'])}", style="dim")
        self.query_one("#partner-header", Static).update(header)
        if page.brief is not None:
            # rich's Markdown is one renderable: far quicker than a widget per block
            self.query_one("#brief", Static).update(RichMarkdown(page.brief))
        self.brief_stale = page.brief is None
        self._fill(
            "contacts-table",
            [
                (
                    c["id"],
                    (
                        c["name"],
                        c["job_title"] or "",
                        c["email"] or "",
                        c["phone"] or "",
                        "yes" if c["senior"] else "",
                    ),
                )
                for c in d["contacts"]
            ],
        )
        self._fill(
            "conversations-table",
            [
                (
                    c["id"],
                    (
                        str(c["id"]),
                        c["subject"] or options.label(c["ask"] or "") or "—",
                        c["stage"],
                        c["lead"],
                        ", ".join(c["missions"]),
                        _day(c["last_touch"]),
                        _next_step(c),
                    ),
                )
                for c in d["conversations"]
            ],
        )
        self._fill(
            "commitments-table",
            [
                (
                    c["id"],
                    (
                        str(c["id"]),
                        options.label(c["kind"]),
                        options.label(c["status"]),
                        ", ".join(c["missions"]),
                        c["beneficiary"] or "",
                        _day(c["due"]),
                        figures_text(c["promised"]),
                        figures_text(c["delivered"]),
                        c["stories"][-1] if c["stories"] else "",
                    ),
                )
                for c in d["commitments"]
            ],
        )
        self._fill(
            "ambassadors-table",
            [
                (
                    a["id"],
                    (
                        str(a["id"]),
                        a["role_name"],
                        a["mission"] or "any",
                        a["status"],
                        _day(a["since"]),
                        _day(a["status_changed_on"]),
                    ),
                )
                for a in d["ambassadorships"]
            ],
        )
        self._fill(
            "events-table",
            [
                (
                    e["id"],
                    (
                        _day(e["date"]),
                        e["name"] + (" (host)" if e["hosted"] else ""),
                        e["kind"],
                        ", ".join(e["people"]),
                    ),
                )
                for e in d["events"]
            ],
        )
        self._fill(
            "history-table",
            [
                (i, (line[:16], line[17:].split(" ", 1)[0], line[17:].split(" ", 1)[-1]))
                for i, line in enumerate(page.history)
            ],
        )
        if self.start_row is not None and self.start_tab in TABLES:
            self._point_at(TABLES[self.start_tab], self.start_row)
            self.start_row = None
        self._show_thread()

    def _point_at(self, table_id: str, row: int) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(row)))
        except Exception:  # noqa: BLE001 - the record may have gone since the search; stay on top
            return
        table.focus()

    def _fill(self, table_id: str, rows: list[tuple[Any, tuple[Any, ...]]]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        keep = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=str(key))
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    # --- the conversation under the cursor, and its touchpoints and steps ---

    def selected(self, table_id: str) -> int | None:
        table = self.query_one(f"#{table_id}", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        try:
            return int(str(key).split(":")[-1])
        except ValueError:
            return None

    @on(DataTable.RowHighlighted, "#conversations-table")
    def _show_thread(self) -> None:
        if self.page is None:
            return
        conv_id = self.selected("conversations-table")
        thread = self.page.threads.get(conv_id) if conv_id is not None else None
        table = self.query_one("#thread-table", DataTable)
        table.clear()
        title = self.query_one("#thread-title", Static)
        if thread is None:
            title.update("No conversations yet: press l to log one.")
            return
        title.update(
            Text(
                f"Conversation #{thread['id']}: steps and touchpoints "
                "(x marks the highlighted step done)",
                style="bold",
            )
        )
        today = self.crm.today.isoformat()
        for s in thread["steps"]:
            if s["done"]:
                what, style = f"step done {_day(s['done'])}", "dim"
            elif s["due"] < today:
                what, style = "step OVERDUE", "bold red"
            else:
                what, style = "step", "bold"
            table.add_row(
                _day(s["due"]),
                Text(what, style=style),
                s["owner"],
                s["description"],
                key=f"step:{s['id']}",
            )
        for t in thread["touchpoints"]:
            who = ", ".join(x for x in (t["colleague"], t["contact"]) if x)
            table.add_row(
                _day(t["date"]), t["channel"], who, t["note"] or "", key=f"touch:{t['id']}"
            )

    # --- actions ---

    def context(self) -> dict[str, int | None]:
        """What the cursor points at, so a form opens on the right conversation or record."""
        step = touch = None
        thread = self.query_one("#thread-table", DataTable)
        if thread.row_count and self.focused is thread:
            key = str(thread.coordinate_to_cell_key(thread.cursor_coordinate).row_key.value)
            if key.startswith("step:"):
                step = int(key.split(":")[1])
            if key.startswith("touch:"):
                touch = int(key.split(":")[1])
        return {
            "conversation_id": self.selected("conversations-table"),
            "commitment_id": self.selected("commitments-table"),
            "ambassadorship_id": self.selected("ambassadors-table"),
            "event_id": self.selected("events-table"),
            "step_id": step,
            "touchpoint_id": touch,
        }

    def action_act(self, key: str) -> None:
        self.crm.open_action(key, self.organisation_id, **self.context())

    def action_edit(self) -> None:
        """Edit the highlighted record of the tab on show."""
        tab = self.query_one("#partner-tabs", TabbedContent).active
        context = self.context()
        key = actions.edit_key(tab, context)
        if key is None:
            self.notify(
                "Edit works on the Conversations, Commitments, Ambassador roles and Events tabs; "
                "the palette (ctrl+p) has every Edit …",
                title="Edit",
            )
            return
        self.crm.open_action(key, self.organisation_id, **context)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#partner-tabs", TabbedContent).active = tab

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#partner-tabs", TabbedContent)
        at = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(at + step) % len(TABS)]


def _table(table_id: str) -> DataTable[Any]:
    return DataTable(id=table_id, cursor_type="row", zebra_stripes=True)


def _next_step(c: dict[str, Any]) -> str:
    s = c["next_step"]
    return f"{s['description']} ({s['owner']}, {_day(s['due'])})" if s else ""


def _day(iso: str | None) -> str:
    """'2025-11-12' as people read it: '12 Nov 2025'."""
    return f"{date.fromisoformat(iso):%d %b %Y}" if iso else ""
