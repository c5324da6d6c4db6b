"""Duplicates: probable duplicate partners or people side by side; merge with one confirmation.

Keys: `<` keeps the left record and merges the right one into it, `>` the other way round,
`h` holds the pair apart (different, never suggested again), `C` switches between
organisations and contacts. (`m`, on Partners, comes here: no key means two things.) The confirmation shows what the merge would move (a dry run), so nothing
surprises.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.markup import escape
from sqlalchemy.orm import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Header, Static
from textual.worker import WorkerState

from partnercrm import dedupe, labels, merging
from partnercrm.errors import NotFound
from tui.errors import explain
from tui.screens.base import DataScreen
from tui.widgets.footer import KeysFooter
from tui.widgets.held import HeldKeys
from tui.widgets.table import Table

ORGANISATION_FIELDS = [
    ("name", "Name"),
    ("aliases", "Also known as"),
    ("sector", "Sector"),
    ("ward", "Ward"),
    ("website", "Website"),
    ("lead", "Lead"),
    ("contacts", "Contacts"),
    ("conversations", "Conversations"),
    ("commitments", "Commitments"),
    ("created", "Added"),
]
CONTACT_FIELDS = [
    ("name", "Name"),
    ("email", "Email"),
    ("other_emails", "Other emails"),
    ("phone", "Phone"),
    ("job_title", "Job title"),
    ("organisation", "Organisation"),
    ("conversations", "Conversations"),
    ("events", "Events"),
]

WRITE = "duplicates-write"  # the worker group of merges and holds apart


def describe(
    side: dict[str, Any],
    fields: list[tuple[str, str]],
    other: dict[str, Any],
    today: date | None = None,
) -> str:
    """A record as label: value lines in words (a sector's name, a date as every screen shows
    it); values that differ from the other side in bold."""
    lines = [f"[b]id {side['id']}[/b]"]
    for key, label in fields:
        value = side.get(key)
        if isinstance(value, list):
            text = ", ".join(value)
        elif key == "sector":
            text = labels.sector(value)
        elif key == "created":
            text = labels.day(value, today)
        else:
            text = "" if value is None else str(value)
        shown = escape(text) or "—"
        if value != other.get(key) and key not in (
            "contacts",
            "conversations",
            "commitments",
            "events",
        ):
            shown = f"[b]{shown}[/b]"
        lines.append(f"[dim]{label}:[/dim] {shown}")
    return "\n".join(lines)


class ConfirmMerge(ModalScreen[bool], HeldKeys[bool]):
    """'Merge B into A?' with what would move; returns True to merge."""

    DEFAULT_CSS = """
    ConfirmMerge { align: center middle; }
    ConfirmMerge > Vertical {
        width: 72; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    ConfirmMerge Horizontal { height: auto; margin-top: 1; }
    ConfirmMerge Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, report: merging.MergeReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        r = self.report
        lines = [
            f"Merge [b]{escape(r.other_name)}[/b] (id {r.other_id}) into "
            f"[b]{escape(r.keep_name)}[/b] (id {r.keep_id})?",
            "",
        ]
        lines += [f"  moves {n} {escape(what)}" for what, n in r.moved.items()] or [
            "  nothing hangs off it"
        ]
        if r.kept_as:
            label = "aliases" if r.entity == "organisation" else "secondary emails"
            lines.append(f"  keeps as {label}: {escape(', '.join(r.kept_as))}")
        lines += [f"  fills {escape(k)}: {escape(str(v))}" for k, v in r.filled.items()]
        lines += [
            f"  differs: keeps {escape(k)} = {escape(str(a))} (not {escape(str(b))})"
            for k, (a, b) in r.conflicts.items()
        ]
        lines += ["", f"{escape(r.other_name)} is then removed; the history keeps it."]
        with Vertical():
            yield Static("\n".join(lines), id="merge-summary")
            with Horizontal():
                yield Button("Merge", variant="warning", id="merge")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#merge", Button).focus()

    @on(Button.Pressed, "#merge")
    def _merge(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class DuplicatesScreen(DataScreen):
    """Probable duplicates, best first, with the highlighted pair side by side."""

    DEFAULT_CSS = """
    DuplicatesScreen #pairs { height: 1fr; }
    DuplicatesScreen #sides { height: 14; }
    DuplicatesScreen .side {
        width: 1fr; border: round $primary 60%; padding: 0 1; height: 100%;
    }
    """
    BINDINGS = [
        Binding("less_than_sign", "merge(False)", "Keep left, merge right", key_display="<"),
        Binding("greater_than_sign", "merge(True)", "Keep right, merge left", key_display=">"),
        Binding("h", "different", "Hold apart (not a duplicate)"),
        Binding("C", "switch_entity", "Organisations / contacts"),
        Binding("escape", "app.switch_mode('partners')", "Back to partners"),
    ]

    def __init__(self, entity: str = "organisation") -> None:
        super().__init__()
        self.entity = entity
        self.pairs: list[dict[str, Any]] = []
        # after a merge or a hold-apart, until the list is read again: the row acted on and
        # the pair that followed it
        self.moving_on: tuple[int, frozenset[int] | None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Any] = Table(id="pairs")
        yield table
        with Horizontal(id="sides"):
            yield Static("", id="left", classes="side")
            yield Static("", id="right", classes="side")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#pairs", DataTable).add_columns("Score", "One", "The other", "Why")
        self._title()

    def _title(self) -> None:
        self.sub_title = f"probable duplicate {self.entity}s"
        self.query_one("#left", Static).border_title = "Left"
        self.query_one("#right", Static).border_title = "Right"

    def load(self, session: Session) -> list[dict[str, Any]]:
        return [p.as_dict() for p in dedupe.pairs(session, self.entity, limit=500)]

    def show(self, data: list[dict[str, Any]]) -> None:
        self.pairs = data
        table = self.query_one("#pairs", DataTable)
        table.clear()
        for i, p in enumerate(data):
            table.add_row(
                str(p["score"]), p["a"]["name"], p["b"]["name"], "; ".join(p["reasons"]), key=str(i)
            )
        if self.moving_on is not None:
            row, following = self.moving_on
            self.moving_on = None
            found = [i for i, p in enumerate(data) if _ids(p) == following]
            table.move_cursor(row=found[0] if found else min(row, max(len(data) - 1, 0)))
        self._sides()
        if not data:
            self.notify(f"No probable duplicate {self.entity}s.")

    def _current(self) -> dict[str, Any] | None:
        table = self.query_one("#pairs", DataTable)
        if not self.pairs or table.cursor_row is None or table.cursor_row >= len(self.pairs):
            return None
        return self.pairs[table.cursor_row]

    def _sides(self) -> None:
        pair = self._current()
        left, right = self.query_one("#left", Static), self.query_one("#right", Static)
        if pair is None:
            left.update("")
            right.update("")
            return
        fields = ORGANISATION_FIELDS if self.entity == "organisation" else CONTACT_FIELDS
        left.update(describe(pair["a"], fields, pair["b"], self.crm.today))
        right.update(describe(pair["b"], fields, pair["a"], self.crm.today))

    @on(DataTable.RowHighlighted, "#pairs")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._sides()

    def action_switch_entity(self) -> None:
        self.entity = "contact" if self.entity == "organisation" else "organisation"
        self.moving_on = None  # a row of the other list
        self._title()
        self.reload()

    # --- merging and holding apart: written in a worker, as every read is ---
    # A merge moves everything that hangs off a record: on a busy database it waits on locks,
    # and the screen must not freeze meanwhile. The list then moves on to the pair after the
    # one acted on. Until it has, a second key would act on a pair that is gone: it is refused.

    def _busy(self) -> bool:
        writing = any(
            w.node is self
            and w.group == WRITE
            and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self.app.workers
        )
        if writing or self.moving_on is not None:
            self.notify("Still saving the last change; try again in a moment.")
            return True
        return False

    def action_merge(self, keep_right: bool) -> None:
        pair = self._current()
        if pair is None or self._busy():
            return
        keep, other = (pair["b"], pair["a"]) if keep_right else (pair["a"], pair["b"])
        self._preview(self.entity, keep["id"], other["id"])

    @work(thread=True, group=WRITE)
    def _preview(self, entity: str, keep_id: int, other_id: int) -> None:
        # a dry run: the merge in a savepoint, rolled back, to show what it would move
        try:
            with self.crm.transaction() as s:
                preview = merging.merge(s, entity, keep_id, other_id, dry_run=True)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self._tell(explain(exc), title="Cannot merge", severity="error")
            self._gone(exc, entity, frozenset((keep_id, other_id)))
            return
        self.from_worker(self._confirm, entity, preview)

    def _confirm(self, entity: str, preview: merging.MergeReport) -> None:
        def confirmed(go: bool | None) -> None:
            if go:
                self._merge(entity, preview.keep_id, preview.other_id)

        self.app.push_screen(ConfirmMerge(preview), confirmed)

    @work(thread=True, group=WRITE)
    def _merge(self, entity: str, keep_id: int, other_id: int) -> None:
        try:
            with self.crm.transaction() as s:
                report = merging.merge(s, entity, keep_id, other_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self._tell(explain(exc), title="Merge failed; nothing changed", severity="error")
            self._gone(exc, entity, frozenset((keep_id, other_id)))
            return
        self._tell(f"Merged {report.other_name} into {report.keep_name}.")
        self.from_worker(
            self._move_on, entity, frozenset((keep_id, other_id)), frozenset((other_id,))
        )

    def action_different(self) -> None:
        pair = self._current()
        if pair is None or self._busy():
            return
        self._hold_apart(self.entity, pair["a"], pair["b"])

    @work(thread=True, group=WRITE)
    def _hold_apart(self, entity: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        try:
            with self.crm.transaction() as s:
                dedupe.mark_not_duplicate(s, entity, a["id"], b["id"])
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self._tell(explain(exc), title="Not saved", severity="error")
            self._gone(exc, entity, frozenset((a["id"], b["id"])))
            return
        self._tell(f"Noted: {a['name']} and {b['name']} are different.")
        self.from_worker(self._move_on, entity, frozenset((a["id"], b["id"])), frozenset())

    def _tell(self, message: str, **how: Any) -> None:
        """A notification from a worker: shown even if the person has moved to another screen."""
        self.app.call_from_thread(self.app.notify, message, **how)

    def _gone(self, exc: Exception, entity: str, pair: frozenset[int]) -> None:
        """A record of the pair was merged or removed elsewhere since the list was read: the
        list is read again, and moves on past the pair."""
        if isinstance(exc, NotFound):
            self.from_worker(self._move_on, entity, pair, frozenset())

    def _move_on(self, entity: str, acted_on: frozenset[int], gone: frozenset[int]) -> None:
        """Read the pairs again, then highlight the one that followed the pair acted on
        (`gone`: the records a merge removed, whose other pairs go with them)."""
        if entity != self.entity:
            return  # switched to the other list meanwhile, which is read already
        rows = [i for i, p in enumerate(self.pairs) if _ids(p) == acted_on]
        row = rows[0] if rows else (self.query_one("#pairs", DataTable).cursor_row or 0)
        after = [_ids(p) for p in self.pairs[row + 1 :] if not gone & _ids(p)]
        self.moving_on = (row, after[0] if after else None)
        self.reload()

    def _unloaded(self, message: str) -> None:
        self.moving_on = None
        super()._unloaded(message)


def _ids(pair: dict[str, Any]) -> frozenset[int]:
    return frozenset((pair["a"]["id"], pair["b"]["id"]))
