"""One partner: a header and tabs for its brief, people, conversations, commitments and more."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from typing import TYPE_CHECKING, Any, Unpack

from rich.console import ConsoleOptions
from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from sqlalchemy.orm import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import (
    DataTable,
    Header,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)
from textual.worker import get_current_worker

from partnercrm import partner_page
from partnercrm.labels import day, moment
from partnercrm.partner_page import PartnerPage, StepLine, Thread
from tui import actions
from tui.brief_text import partner_markdown
from tui.errors import explain
from tui.screens.base import DataScreen
from tui.widgets.footer import KeysFooter
from tui.widgets.rendered import RenderedOnce
from tui.widgets.table import Table

if TYPE_CHECKING:
    from tui.crm import Spot

TABLES = {
    "contacts": "contacts-table",
    "conversations": "conversations-table",
    "commitments": "commitments-table",
    "ambassadors": "ambassadors-table",
}
# the table a tab's keys act on, focused when the tab is chosen
FOCUS_ON = {**TABLES, "events": "events-table", "history": "history-table"}
# the actions a narrow footer shows on each tab (E, Back and the next tab: on every tab)
FOOTER_BY_TAB = {
    "overview": ("new_contact", "log_conversation", "enrol_ambassador", "export_brief"),
    "contacts": ("new_contact", "log_conversation", "export_brief"),
    "conversations": (
        "log_conversation",
        "add_touchpoint",
        "add_step",
        "complete_step",
        "change_stage",
        "convert",
    ),
    "commitments": ("record_delivery", "export_brief"),
    "ambassadors": ("enrol_ambassador", "ambassador_status"),
    "events": ("export_brief",),
    "history": ("export_brief",),
}
READING_BRIEF = Text("Reading the brief…", style="dim")
# the longest the screen waits for its read before it is drawn empty (then filled)
UNDRAWN_AT_MOST = 0.25
TABS = ["overview", "contacts", "conversations", "commitments", "ambassadors", "events", "history"]


class Tabbed(TabbedContent):
    """Tabs that follow the focus only while it is still in the pane that reported it.

    Textual's TabbedContent shows the pane a widget was focused in, when the pane's message
    saying so arrives: that message climbs from the widget through each container, so it
    comes after the keys typed behind the one that moved the focus have acted. In a burst of
    `]` the Conversations pane's came last (its table sits one container deeper than the
    others'), pulled the page back to Conversations and hid the table that had the focus: the
    page stopped there with nothing focused, and the keys after went nowhere.
    """

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        # Textual runs TabbedContent's own handler after this one unless prevented
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors:
            event.stop()
            event.prevent_default()  # the focus has moved on since (to another tab): stay


class PartnerScreen(DataScreen):
    """Everything about one organisation; the keys below run the actions on it."""

    BINDINGS = [
        # priority, as the action keys are: Escape then `c` typed fast goes back, then `c`
        # acts where it lands (not a New contact form on the page left, Escape arriving later)
        Binding("escape", "back", "Back", priority=True),
        *[
            # priority: the action runs as its key arrives, so the keys typed after it
            # (a fast typist, a paste) go to the form it opens, not to this page
            Binding(a.binding, f"act('{a.key}')", a.short, show=a.show, priority=True)
            for a in actions.ACTIONS
            if a.binding and a.needs_partner
        ],
        # E, not e: e goes to the events screen from every screen
        Binding("E", "edit", "Edit the highlighted record", priority=True),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", show=False, key_display="["),
        Binding("right_square_bracket", "tab(1)", "Next tab", key_display="]"),
        *[
            Binding(str(i), f"show_tab('{tab}')", f"{tab} tab", show=False)
            for i, tab in enumerate(TABS, 1)
        ],
    ]

    def footer_keys(self) -> set[str]:
        """A narrow footer shows the keys of the tab in view (all keys work on every tab)."""
        tab = self._active_tab() if self.query("#partner-tabs") else "overview"
        return {"back", "tab(1)", *(f"act('{k}')" for k in FOOTER_BY_TAB.get(tab, ()))} | (
            {"edit"} if tab in actions.EDIT_BY_TAB else set()
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys of actions the acting colleague's roles do not allow."""
        if action == "act" and parameters and isinstance(parameters[0], str):
            return actions.refusal(self.crm.db.identity, parameters[0]) is None
        if action == "edit":
            return actions.refusal(self.crm.db.identity, "edit_conversation") is None
        return True

    def __init__(self, organisation_id: int, **spot: Unpack[Spot]) -> None:
        super().__init__()
        self._about(organisation_id, spot)

    def _about(self, organisation_id: int, spot: Spot) -> None:
        self.organisation_id = organisation_id
        self.start_tab = spot.get("tab")
        self.start_row = spot.get("row")  # the record to put the cursor on once the page is read
        self.start_detail = spot.get("detail")  # and the touchpoint or step in its thread
        self.page: PartnerPage | None = None
        self.brief: str | None = None  # the Overview's brief, when it was showing
        self.filled: set[str] = set()  # the tabs whose table holds the page's rows
        self.thread_shown: int | None = None

    # The app keeps one partner screen and shows each partner it opens in it (tui.app): made
    # once, its 50 widgets are not composed, mounted and styled again at every opening, a
    # third of the time the busiest partner's page took to open. What it showed is cleared
    # before it comes back, so it opens as a new one would.

    def show_partner(self, organisation_id: int, **spot: Unpack[Spot]) -> None:
        """Show another partner (or the same one afresh) in this screen, before it is pushed."""
        self._about(organisation_id, spot)
        self.sub_title = ""
        self.query_one("#partner-header", Static).update("")
        self.query_one("#brief", Static).update(READING_BRIEF)
        self.query_one("#overview-scroll", VerticalScroll).scroll_home(animate=False)
        self.query_one("#thread-title", Static).update("")
        self._set_columns()
        self.query_one("#partner-tabs", TabbedContent).active = self.start_tab or "overview"
        self.set_focus(None)  # focused again when shown, as a new screen is
        self.hold_keys_until_shown()
        self.painted_at = None  # the resume does not read again: the read starts here
        self._start()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="partner-header")
        with Tabbed(initial=self.start_tab or "overview", id="partner-tabs"):
            with TabPane("Overview", id="overview"), VerticalScroll(id="overview-scroll"):
                yield Static(READING_BRIEF, id="brief")
            with TabPane("Contacts", id="contacts"):
                yield _table("contacts-table")
            with TabPane("Conversations", id="conversations"), Vertical():
                yield _table("conversations-table")
                yield Static("", id="thread-title")
                yield _table("thread-table")
            with TabPane("Commitments", id="commitments"):
                yield _table("commitments-table")
            with TabPane("Roles", id="ambassadors"):
                yield _table("ambassadors-table")
            with TabPane("Events", id="events"):
                yield _table("events-table")
            with TabPane("History", id="history"):
                yield _table("history-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._set_columns()
        self._start()

    def _set_columns(self) -> None:
        """Each table's headings, and no rows (column widths start again from the headings)."""
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
            self.query_one(f"#{table_id}", DataTable).clear(columns=True).add_columns(*headers)

    def _start(self) -> None:
        # the read starts at once, and the screen is first drawn with what it read: drawing it
        # empty first, then again filled, cost more than the read (Textual lays the whole
        # screen out at each), and the drawing held the read back. A slow read still shows
        # the empty page after UNDRAWN_AT_MOST, and the page's keys are held meanwhile.
        self._hold_drawing()
        self.reload()

    # --- reading ---

    def _hold_drawing(self) -> None:
        if self._drawing_held:
            return
        self.app._begin_batch()  # Textual's batch_update, held across the read
        self._drawing_held = True
        self._draw_anyway = self.set_timer(UNDRAWN_AT_MOST, self._draw)

    def _draw(self) -> None:
        if self._drawing_held:
            self._drawing_held = False
            self._draw_anyway.stop()
            self.app._end_batch()
            self.refresh()  # drawn whole: the frames made while held were not drawn

    _drawing_held = False

    def _compositor_refresh(self) -> None:
        # while drawing is held Textual still renders each frame, then throws it away: on
        # opening, one whole frame of the empty page (20-40 ms, beside the page's read)
        if self._drawing_held and self.app._batch_count and self is self.app.screen:
            return
        super()._compositor_refresh()

    def on_unmount(self) -> None:
        self._draw()  # left before the page was read

    def on_screen_suspend(self) -> None:
        # left, or covered by a form, before the page was read (unless shown again since: the
        # app's kept screen, popped and pushed for the next partner before this came)
        if self.app.screen is not self:
            self._draw()

    def _refresh_data(self) -> None:
        if self.painted_at is None:  # first drawn: the read started at mount is under way
            self.painted_at = time.perf_counter()
            return
        super()._refresh_data()

    def _on_overview(self) -> bool:
        tabs = self.query("#partner-tabs")
        return not tabs or tabs.first(TabbedContent).active == "overview"

    @on(TabbedContent.TabActivated, "#partner-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()  # a narrow footer shows the keys of the tab in view
        if event.pane.id == "overview" and self.brief is None and self.page is not None:
            self._build_brief()
        self._fill_tab(str(event.pane.id))

    def load(self, session: Session) -> PartnerPage:
        return partner_page.load(session, self.organisation_id, self.crm.today)

    # the brief is the costliest part of the page: it is read in its own worker once the
    # page is read, and only when the Overview tab shows it

    def reload(self) -> None:
        super().reload()
        self.brief = None  # what the brief says may have changed with the page
        self._brief_asked = False

    def _unloaded(self, message: str) -> None:
        self._draw()
        super()._unloaded(message)

    def _build_brief(self) -> None:
        if self._brief_asked:  # already being read (the Overview shown, and the page read)
            return
        self._brief_asked = True
        self._read_brief(self.app.console_options.update(highlight=False))

    _brief_asked = False

    @work(thread=True, exclusive=True, group="brief")
    def _read_brief(self, options: ConsoleOptions) -> None:
        worker = get_current_worker()
        try:
            partner = self.organisation_id
            with self.crm.reading() as session:
                text = partner_markdown(session, partner, self.crm.today)
            # rich's Markdown is one renderable: far quicker than a widget per block; it is
            # parsed and laid out here, off the screen's thread, at the width the screen
            # draws it (app.tcss keeps the scroll bar's room, so it does not change when the
            # bar shows), and drawn once per width
            brief = RenderedOnce(RichMarkdown(text))
            width = self.app.call_from_thread(self._brief_width)
            if width > 0:
                brief.prime(self.app.console, options.update_width(width))
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.from_worker(self._brief_failed, partner, explain(exc))
            return
        if not worker.is_cancelled:
            self.from_worker(self._brief_built, partner, text, brief)

    def _brief_width(self) -> int:
        """The width the brief is drawn at (0 before the screen is laid out, or once gone)."""
        found = self.query("#brief")
        return found.first(Static).content_size.width if found else 0

    def _brief_failed(self, partner: int, message: str) -> None:
        if partner != self.organisation_id:
            return
        self._brief_asked = False  # asked again when the Overview is next shown
        self._draw()
        self.notify(message, title="Could not build the brief", severity="error")

    def _brief_built(self, partner: int, text: str, brief: RenderedOnce) -> None:
        if partner != self.organisation_id:  # the partner shown before's, just too late
            return
        self._brief_asked = False
        self.brief = text
        self.query_one("#brief", Static).update(brief)
        self._draw()

    def show(self, page: PartnerPage) -> None:
        if page.id != self.organisation_id:  # read for the partner shown before, just too late
            return
        self.page = page
        if self.brief is None and self._on_overview():
            # read now, after the page's read (beside it, each slowed the other): a page
            # opened on its Overview is drawn once, with its brief, unless the brief takes
            # longer than UNDRAWN_AT_MOST from opening (it is then drawn, and the brief follows)
            self._build_brief()
        else:
            self._draw()
        self.sub_title = page.name
        self._show_header()
        # each tab's table is filled when the tab is first shown (the busiest partner has 600
        # conversations, 200 contacts, 150 commitments and 150 events: measuring every
        # cell of the tables nobody looks at was most of the time the page took to open)
        self.filled = set()
        self._fill_tab(self._active_tab())
        if self.start_row is not None and self.start_tab in TABLES:
            self._point_at(TABLES[self.start_tab], self.start_row)
            self.start_row = None
        self._show_thread()
        if self.start_detail is not None:
            self._point_at("thread-table", self.start_detail)
            self.start_detail = None

    def _active_tab(self) -> str:
        return str(self.query_one("#partner-tabs", TabbedContent).active)

    def _fill_tab(self, tab: str) -> None:
        page = self.page
        if page is None or tab in self.filled or tab not in FOCUS_ON:
            return
        self.filled.add(tab)
        if tab == "history":  # its own widths, and What wrapped in the width left
            self._fill_history()
            return
        self._fill(FOCUS_ON[tab], ROWS[tab](page, self.crm.today))
        if tab == "conversations":  # the thread shown before, if it is still the one
            self._show_thread()  # highlighted, keeps its cursor on the same step or touchpoint

    def _fill_history(self) -> None:
        """When, who (full name) and what in words; the words wrap in the width left, so a
        change reads whole at 80 columns."""
        if self.page is None:
            return
        table = self.query_one("#history-table", DataTable)
        keep = table.cursor_row
        table.clear()
        lines = [(moment(h.at, self.crm.today), h.who, h.what) for h in self.page.history]
        sizes = history_widths(lines, self.size.width or self.app.size.width)
        for column, size in zip(table.columns.values(), sizes, strict=True):
            column.width, column.auto_width = size, False
        for i, (when, who, what) in enumerate(lines):
            wrapped = textwrap.wrap(what, sizes[2], break_on_hyphens=False) or [""]
            table.add_row(when, who, "\n".join(wrapped), key=str(i), height=len(wrapped))
        if lines:
            table.move_cursor(row=min(keep, len(lines) - 1))

    def _show_header(self) -> None:
        if self.page is not None:
            header = self.query_one("#partner-header", Static)
            # the header's width: the terminal's (the screen fills it), less its padding
            width = self.app.size.width - header.styles.padding.width
            header.update(_header(self.page, width))

    def on_resize(self) -> None:
        self._show_header()
        if "history" in getattr(self, "filled", ()):
            self._fill_history()

    def _point_at(self, table_id: str, row: int | str) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(row)))
        except Exception:  # noqa: BLE001 - the record may have gone since the search; stay on top
            return
        table.focus()

    def _fill(self, table_id: str, rows: list[tuple[Any, tuple[Any, ...]]]) -> None:
        table = self.query_one(f"#{table_id}", Table)
        with table.keeping_place():
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=str(key))

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
    def _conversation_highlighted(self) -> None:
        if self.page is not None and self.selected("conversations-table") != self.thread_shown:
            self._show_thread()

    def _show_thread(self) -> None:
        """The highlighted conversation's steps and touchpoints, below the list."""
        if self.page is None:
            return
        table = self.query_one("#thread-table", Table)
        thread = self.page.thread(self.selected("conversations-table"))
        same = thread is not None and thread.id == self.thread_shown
        self.thread_shown = thread.id if thread else None
        # another conversation's thread starts at its top; the same one's, re-read, keeps its place
        with table.keeping_place() if same else nullcontext():
            self._fill_thread(table, thread)

    def _fill_thread(self, table: Table, thread: Thread | None) -> None:
        table.clear()
        title = self.query_one("#thread-title", Static)
        if thread is None:
            title.update("No conversations yet: press l to log one.")
            return
        title.update(
            Text(
                f"Conversation #{thread.id}: steps and touchpoints "
                "(x marks the highlighted step done)",
                style="bold",
            )
        )
        today = self.crm.today
        for st in thread.steps:
            if st.done:
                what, style = f"step done {day(st.done, today)}", "dim"
            elif st.due < today:
                what, style = "step OVERDUE", "bold red"
            else:
                what, style = "step", "bold"
            table.add_row(
                day(st.due, today),
                Text(what, style=style),
                st.owner,
                st.description,
                key=f"step:{st.id}",
            )
        for t in thread.touchpoints:
            table.add_row(day(t.on, today), t.channel, t.who, t.note, key=f"touch:{t.id}")

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
                "Edit works on the Conversations, Commitments, Roles and Events tabs; "
                "the palette (ctrl+p) has every Edit …",
                title="Edit",
            )
            return
        self.crm.open_action(key, self.organisation_id, **context)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#partner-tabs", TabbedContent).active = tab
        # the focus goes with the tab: left in a hidden table, it would pull its tab back.
        # Set here, not by Widget.focus (carried out later, by the app, in turn): in a burst
        # (`] ] ] ]`, `3 4`) each key's tab is chosen before the previous one's focus came,
        # and that focus, arriving late, pulled the page back to its own tab (Tabbed)
        shown = FOCUS_ON.get(tab)
        if shown:
            self.set_focus(self.query_one(f"#{shown}", DataTable))
        else:
            self.set_focus(self.query_one("#partner-tabs").query_one(Tabs))

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#partner-tabs", TabbedContent)
        at = TABS.index(tabs.active) if tabs.active in TABS else 0
        self.action_show_tab(TABS[(at + step) % len(TABS)])


def history_widths(lines: list[tuple[str, str, str]], width: int) -> tuple[int, int, int]:
    """When and Who as wide as their longest; What the rest of `width` (a scrollbar and each
    cell's padding taken off), never under 24: below that the table scrolls sideways."""
    when = max((len(w) for w, _, _ in lines), default=4)
    who = max((len(w) for _, w, _ in lines), default=3)
    return when, who, max(24, width - when - who - 2 * 3 - 2)


def _table(table_id: str) -> DataTable[Any]:
    return Table(id=table_id)


def _next_step(step: StepLine | None, today: date) -> str:
    return f"{step.description} ({step.owner}, {day(step.due, today)})" if step else ""


def _header(page: PartnerPage, width: int) -> Text:
    """Who the partner is, in a line of `width` cells where it fits (and its other names under
    it). Where it does not, it goes on to the next line between two facts, never inside one
    ("lead:" on one line and the lead's name on the next)."""
    name = Text(page.name, style="bold")
    if page.archived:
        name.append("  (archived)", style="red")
    facts = [name, Text(page.sector)]
    if page.anchor:
        facts.append(Text("anchor institution"))
    facts.append(Text(f"stage: {page.stage}", style="bold"))
    facts.append(Text(f"lead: {page.lead or 'nobody yet'}"))
    header = Text()
    line = 0
    for i, fact in enumerate(facts):
        if i and line + len(SEPARATOR) + fact.cell_len > width:
            header.append("\n")
            line = 0
        elif i:
            header.append(SEPARATOR)
            line += len(SEPARATOR)
        header.append_text(fact)
        line += fact.cell_len
    if page.aliases:
        header.append(f"\nalso known as {', '.join(page.aliases)}", style="dim")
    return header


SEPARATOR = "  ·  "


Rows = list[tuple[Any, tuple[Any, ...]]]


def _contact_rows(page: PartnerPage, today: date) -> Rows:
    return [
        (p.id, (p.name, p.job_title, p.email, p.phone, "yes" if p.senior else ""))
        for p in page.people
    ]


def _conversation_rows(page: PartnerPage, today: date) -> Rows:
    return [
        (
            t.id,
            (
                str(t.id),
                t.about,
                t.stage,
                t.lead,
                t.missions,
                day(t.last_touch, today),
                _next_step(t.next_step, today),
            ),
        )
        for t in page.threads
    ]


def _commitment_rows(page: PartnerPage, today: date) -> Rows:
    return [
        (
            c.id,
            (
                str(c.id),
                c.kind,
                c.status,
                c.missions,
                c.beneficiary,
                day(c.due, today),
                c.promised,
                c.delivered,
                c.latest_story,
            ),
        )
        for c in page.commitments
    ]


def _role_rows(page: PartnerPage, today: date) -> Rows:
    return [
        (
            r.id,
            (str(r.id), r.role, r.mission, r.status, day(r.since, today), day(r.changed, today)),
        )
        for r in page.roles
    ]


def _event_rows(page: PartnerPage, today: date) -> Rows:
    return [
        (e.id, (day(e.on, today), e.name + (" (host)" if e.hosted else ""), e.kind, e.people))
        for e in page.events
    ]


# what each tab's table shows, built from the page when the tab is first shown
ROWS: dict[str, Callable[[PartnerPage, date], Rows]] = {
    "contacts": _contact_rows,
    "conversations": _conversation_rows,
    "commitments": _commitment_rows,
    "ambassadors": _role_rows,
    "events": _event_rows,
}
