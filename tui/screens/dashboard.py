"""Home: the pipeline, my steps, stale conversations, commitments due, and ambassador coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from partnercrm import labels, organisations, reports
from partnercrm import models as m
from tui import options
from tui.errors import explain
from tui.screens.base import PlaceScreen
from tui.widgets.columns import clip, fit
from tui.widgets.footer import KeysFooter
from tui.widgets.panel import panel_table

WELCOME = """\
# Welcome to partnercrm

There are no partners in this database yet. To begin:

- add yourself and your colleagues as colleagues from the command line, so conversations
  have a lead: `partnercrm colleague add "Your Name" --email you@council.gov.uk`;
- press **n** to add a partner (then log a warm conversation with **l** on its page);
- import the people who came to a summit or roundtable from the command line (an
  Eventbrite export, CSV or XLSX): `partnercrm import attendees FILE.csv --event "Summit 2025"
  --create-event --kind summit --date 12/11/2025`;
- or press **D** to load the demo data (the partners, summits and roundtables of the
  council's reports, with a year of warm conversations) and look around.

Press **?** at any time for the keys, and **ctrl+p** to jump to a partner or run any action.
"""

STALE_DAYS = reports.STALE_DAYS
PANELS = ("pipeline", "coverage", "mine", "stale", "due")
LIST_LIMIT = 50


@dataclass
class Figures:
    empty: bool
    me: str | None = None
    pipeline: dict[str, int] = field(default_factory=dict)
    coverage: reports.Coverage | None = None
    my_overdue: list[reports.StepLine] = field(default_factory=list)
    my_week: list[reports.StepLine] = field(default_factory=list)
    stale_total: int = 0
    stale: list[reports.StaleConversation] = field(default_factory=list)
    due: list[reports.CommitmentDue] = field(default_factory=list)


COVERAGE_TITLES = (
    "Active Missions Ambassadors by mission and role",
    "Active ambassadors by mission",
)
# what the coverage numbers mean, under the matrix
COVERAGE_LEGENDS = ("n active · +n proposed or onboarding", "active · +n proposed/onboarding")

# each list's columns: (header, least width, share of the panel's width left over)
COLUMNS = {
    "my-steps": (("Due", 11, 0), ("Step", 20, 3), ("Partner", 14, 2)),
    "stale": (("Last touch", 11, 0), ("Partner", 20, 3), ("Lead", 12, 1)),
    "due": (("Due", 11, 0), ("Partner", 14, 2), ("Kind", 12, 1), ("Status", 11, 0)),
}


class DashboardScreen(PlaceScreen):
    """The first screen: what needs doing today, and how the pipeline stands."""

    BINDINGS = [
        Binding("r", "reload", "Refresh", show=False),
        Binding("D", "load_demo", "Load the demo data (empty database)", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="welcome", classes="hidden"):
            yield Static("", id="welcome-text")
        with Vertical(id="dashboard"):
            with Horizontal(id="dashboard-top"):
                with Vertical(id="pipeline-panel", classes="panel"):
                    yield Static("", id="pipeline")
                yield panel_table("coverage", COVERAGE_TITLES[0], cursor="cell")
            with Horizontal(id="dashboard-lists"):
                yield panel_table("my-steps", "My steps")
                with Vertical(id="dashboard-right"):
                    yield panel_table("stale", f"No touch in {STALE_DAYS}+ days")
                    yield panel_table("due", "Commitments due this month")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#pipeline-panel").border_title = "Warm conversations by stage"
        self.widths: dict[str, dict[str, int]] = {}
        # set widths: the panels fill in from several workers, and a table that sized its
        # columns to its rows would jump about as they arrive; they share the panel's width
        for table_id, spec in COLUMNS.items():
            table = self.query_one(f"#{table_id}", DataTable)
            for key, least, _ in spec:
                table.add_column(key, key=key, width=least)
        self.call_after_refresh(self._fit_columns)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_columns)

    def _fit_columns(self) -> None:
        for table_id, spec in COLUMNS.items():
            table = self.query_one(f"#{table_id}", DataTable)
            self.widths[table_id] = fit(table, spec, table.size.width or 40)
        if getattr(self, "figures", None) is not None:
            for part in ("mine", "stale", "due", "coverage"):
                getattr(self, f"_show_{part}")(self.figures)
        self._title("coverage-panel", *COVERAGE_TITLES)

    def _title(self, panel_id: str, *titles: str, subtitle: bool = False) -> None:
        """The longest of `titles` that fits the panel's border (a narrow terminal gets the
        shorter words rather than a title cut off)."""
        panel = self.query_one(f"#{panel_id}")
        room = (panel.outer_size.width or self.app.size.width // 2) - 6
        shown = next((t for t in titles if len(t) <= room), titles[-1])
        if subtitle:
            panel.border_subtitle = shown
        else:
            panel.border_title = shown

    def _w(self, table_id: str, key: str) -> int:
        return self.widths.get(table_id, {}).get(key, 20)

    def action_reload(self) -> None:
        self.reload()

    # Each panel reads in its own worker: SQLite (WAL) and PostgreSQL serve the readers side
    # by side, so the dashboard fills in as fast as its slowest report, not their sum.

    def reload(self) -> None:
        incoming = Figures(empty=False)
        self.in_flight = True
        self.incoming, self.pending = incoming, {"empty", *PANELS}
        for part in ("empty", *PANELS):
            self._read(part, incoming)

    @work(thread=True, group="dashboard")
    def _read(self, part: str, into: Figures) -> None:
        try:
            with self.crm.reading() as session:
                getattr(self, f"_read_{part}")(session, into)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.read_at = None  # read again on coming back
            self.app.call_from_thread(
                self.notify, explain(exc), title="Could not load", severity="error"
            )
        self.from_worker(self._arrived, part, into)

    def _read_empty(self, session: Session, f: Figures) -> None:
        f.empty = not organisations.list_organisations(session, limit=1)

    def _part(
        self, session: Session, part: str, me: m.Colleague | None = None
    ) -> reports.Dashboard:
        """One part of the dashboard's read model (each panel reads its own, side by side)."""
        return reports.dashboard(session, me, self.crm.today, parts=(part,), limit=LIST_LIMIT)

    def _read_pipeline(self, session: Session, f: Figures) -> None:
        f.pipeline = self._part(session, "pipeline").pipeline

    def _read_coverage(self, session: Session, f: Figures) -> None:
        f.coverage = self._part(session, "coverage").coverage

    def _read_mine(self, session: Session, f: Figures) -> None:
        me = options.colleague(session, options.me(session))
        mine = self._part(session, "mine", me).my_steps
        if me is not None and mine is not None:
            f.me = me.name
            f.my_overdue, f.my_week = mine.overdue, mine.this_week

    def _read_stale(self, session: Session, f: Figures) -> None:
        stale = self._part(session, "stale").stale
        if stale is not None:
            f.stale_total, f.stale = stale.total, stale.rows

    def _read_due(self, session: Session, f: Figures) -> None:
        f.due = self._part(session, "due").commitments_due

    def _arrived(self, part: str, f: Figures) -> None:
        if f is not self.incoming:
            return  # a newer reload is under way
        getattr(self, f"_show_{part}")(f)
        self.pending.discard(part)
        if not self.pending:
            self.in_flight = False
            self.figures = f  # everything is on screen

    def _show_empty(self, f: Figures) -> None:
        self.query_one("#welcome").set_class(not f.empty, "hidden")
        self.query_one("#dashboard").set_class(f.empty, "hidden")
        if f.empty:
            from rich.markdown import Markdown  # only an empty database needs it

            self.query_one("#welcome-text", Static).update(Markdown(WELCOME))

    def _show_pipeline(self, f: Figures) -> None:
        self.query_one("#pipeline", Static).update(_bars(f.pipeline))

    def _show_mine(self, f: Figures) -> None:
        steps = self.query_one("#my-steps", DataTable)
        steps.clear()
        for line in f.my_overdue:
            steps.add_row(
                Text(labels.day(line.due, self.crm.today), style="bold red"),
                clip(line.description, self._w("my-steps", "Step")),
                clip(line.organisation, self._w("my-steps", "Partner")),
                key=f"conv:{line.conversation_id}:{line.step_id}",
            )
        for line in f.my_week:
            steps.add_row(
                labels.day(line.due, self.crm.today),
                clip(line.description, self._w("my-steps", "Step")),
                clip(line.organisation, self._w("my-steps", "Partner")),
                key=f"conv:{line.conversation_id}:{line.step_id}",
            )
        if f.me is None:
            self._title(
                "my-steps-panel",
                f"My steps: '{self.crm.db.actor}' is not a colleague (use --as)",
                "My steps: not a colleague (use --as)",
            )
        else:
            counts = f"{len(f.my_overdue)} overdue, {len(f.my_week)} this week"
            self._title("my-steps-panel", f"My steps ({f.me}): {counts}", f"My steps: {counts}")

    def _show_stale(self, f: Figures) -> None:
        stale = self.query_one("#stale", DataTable)
        stale.clear()
        for row in f.stale:
            stale.add_row(
                labels.day(row.last_touch, self.crm.today),
                clip(row.organisation, self._w("stale", "Partner")),
                row.lead,
                key=f"conv:{row.conversation_id}",
            )
        self.query_one(
            "#stale-panel"
        ).border_title = f"No touch in {STALE_DAYS}+ days ({f.stale_total})"

    def _show_due(self, f: Figures) -> None:
        due = self.query_one("#due", DataTable)
        due.clear()
        for c in f.due:
            due.add_row(
                labels.day(c.due, self.crm.today),
                clip(c.organisation, self._w("due", "Partner")),
                clip(options.label(c.kind), self._w("due", "Kind")),
                options.label(c.status),
                key=f"com:{c.commitment_id}",
            )
        self.query_one("#due-panel").border_title = f"Commitments due this month ({len(f.due)})"

    def _show_coverage(self, f: Figures) -> None:
        self._fill_coverage(f.coverage)

    def _fill_coverage(self, cov: reports.Coverage | None) -> None:
        table = self.query_one("#coverage", DataTable)
        table.clear(columns=True)
        if cov is None:
            return
        # the missions' names as wide as the table allows (the roles take 11 each)
        room = (table.size.width or 40) - 2 - 13 * len(cov.roles) - 2
        longest = max((len(name) for _, name in cov.missions), default=7)
        width = max(14, min(longest, room))
        table.add_column("Mission", key="mission", width=width)
        for key, name in cov.roles:
            table.add_column(_short_role(name), key=key, width=11)
        for mkey, mname in cov.missions:
            cells: list[Any] = [_short(mname, width)]
            for rkey, _ in cov.roles:
                cell = cov.cell(mkey, rkey)
                text = Text(str(cell.active), style="bold" if cell.active else "red")
                if cell.coming:
                    text.append(f" +{cell.coming}", style="dim")
                cells.append(text)
            table.add_row(*cells, key=mkey)
        # the numbers explained where they are shown
        self._title("coverage-panel", *COVERAGE_LEGENDS, subtitle=True)

    # Enter on a step, a stale conversation or a commitment opens its partner: which partner
    # is read in a worker, as every read of the screens is, so the screen never stalls on it;
    # the keys typed after Enter wait for the partner's page (tui.widgets.held)

    @on(DataTable.RowSelected, "#my-steps, #stale")
    def _open_conversation(self, event: DataTable.RowSelected) -> None:
        self.opens_later()
        self._open_partner_of("conversation", int(str(event.row_key.value).split(":")[1]))

    @on(DataTable.RowSelected, "#due")
    def _open_commitment(self, event: DataTable.RowSelected) -> None:
        self.opens_later()
        self._open_partner_of("commitment", int(str(event.row_key.value).split(":")[1]))

    @work(thread=True, exclusive=True, group="open")
    def _open_partner_of(self, record: str, record_id: int) -> None:
        from partnercrm import commitments, conversations

        worker = get_current_worker()
        try:
            with self.crm.reading() as s:
                if record == "conversation":
                    org_id = conversations.get_conversation(s, record_id).organisation_id
                else:
                    org_id = commitments.get_commitment(s, record_id).organisation_id
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.app.call_from_thread(
                self.notify, explain(exc), title="Could not open", severity="error"
            )
            self.from_worker(self.opened)  # nothing opens: the keys held come back here
            return
        self.from_worker(self._open_partner, None if worker.is_cancelled else org_id, record)

    def _open_partner(self, organisation_id: int | None, record: str) -> None:
        # not when a newer Enter replaced this read, nor when the dashboard is no longer what
        # the user is looking at
        if organisation_id is not None and self.is_active:
            self.crm.open_partner(organisation_id, tab=f"{record}s")
        self.opened()

    @on(DataTable.CellSelected, "#coverage")
    def _coverage_cell(self, event: DataTable.CellSelected) -> None:
        cov = getattr(self, "incoming", None) and self.incoming.coverage
        if cov is None or event.coordinate.column == 0:
            return
        mission = cov.missions[event.coordinate.row]
        role = cov.roles[event.coordinate.column - 1]
        cell = cov.cell(mission[0], role[0])
        names = ", ".join(cell.organisations) or "nobody yet: a gap to work on"
        self.notify(f"{role[1]} for {mission[1]}: {names}", title="Active ambassadors")

    def action_load_demo(self) -> None:
        figures = getattr(self, "figures", None)
        if figures is None or not figures.empty:
            self.notify("The demo is for an empty database; this one already has partners.")
            return
        self.notify("Loading the demo data…")
        self._load_demo()

    @work(thread=True, exclusive=True, group="demo")
    def _load_demo(self) -> None:
        from partnercrm.demo import load_demo

        try:
            with self.crm.transaction() as s:
                load_demo(s, today=self.crm.today)
        except Exception as exc:  # noqa: BLE001 - told to the user
            self.app.call_from_thread(
                self.notify, explain(exc), title="Demo not loaded", severity="error"
            )
            return
        self.app.call_from_thread(self.notify, "The demo data is loaded.", title="Demo")
        self.from_worker(self.reload)


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _short_role(name: str) -> str:
    """'Advocate/champion' -> 'Advocate', 'Research, learning & evaluation' -> 'Research'."""
    return name.split("/")[0].split(",")[0].split(" ")[0]


def _bars(stages: dict[str, int], width: int = 22) -> Text:
    """One bar per stage, open stages first, scaled to the largest."""
    order = [s.value for s in m.Stage]
    biggest = max(stages.values(), default=0) or 1
    text = Text()
    for stage in order:
        count = stages.get(stage, 0)
        style = "green" if stage in m.OPEN_STAGES else "grey50"
        text.append(f"{stage:<10} ", style="bold" if stage in m.OPEN_STAGES else "")
        text.append("█" * max(1 if count else 0, round(width * count / biggest)), style=style)
        text.append(f" {count}\n")
    return text
