"""Duplicates: organisations (or contacts) that look like the same thing, with the reasons.

Merge a pair (keeping the record you choose) or mark it "not a duplicate" so it is never
suggested again. The pairs come from partnercrm.dedupe; the merge from partnercrm.merging.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from partnercrm import dedupe
from tui.errors import explain
from tui.screens.base import PlaceScreen

SHOWN = 200


class DuplicatesScreen(PlaceScreen):
    """Suggested duplicate pairs, best first."""

    BINDINGS = [
        Binding("m", "merge", "Merge…"),
        Binding("x", "not_duplicate", "Not a duplicate"),
        Binding("c", "switch_entity", "Contacts / organisations"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entity = "organisation"
        self.pairs: dict[str, dedupe.DuplicatePair] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="duplicates-title")
        table: DataTable[Any] = DataTable(id="duplicates", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#duplicates", DataTable)
        for label, width in (("Score", 5), ("One", 34), ("The other", 34), ("Why", 50)):
            table.add_column(label, width=width)

    def load(self, session: Session) -> list[dedupe.DuplicatePair]:
        return dedupe.pairs(session, self.entity, limit=SHOWN)

    def show(self, found: list[dedupe.DuplicatePair]) -> None:
        table = self.query_one("#duplicates", DataTable)
        keep = table.cursor_row
        table.clear()
        self.pairs = {}
        for pair in found:
            key = f"{pair.a['id']}:{pair.b['id']}"
            self.pairs[key] = pair
            table.add_row(Text(str(pair.score), justify="right"), _describe(pair.a),
                          _describe(pair.b), "; ".join(pair.reasons), key=key)
        if found:
            table.move_cursor(row=min(keep, len(found) - 1))
        plural = "organisations" if self.entity == "organisation" else "contacts"
        self.query_one("#duplicates-title", Static).update(Text(
            f"{len(found)} pairs of {plural} that may be the same"
            + ("" if found else ": nothing to tidy up")
            + "  (m merge, x not a duplicate, c switch to "
            + ("contacts)" if self.entity == "organisation" else "organisations)"),
            style="bold",
        ))

    def _current(self) -> dedupe.DuplicatePair | None:
        table = self.query_one("#duplicates", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.pairs.get(str(key))

    def action_switch_entity(self) -> None:
        self.entity = "contact" if self.entity == "organisation" else "organisation"
        self.reload()

    def action_merge(self) -> None:
        pair = self._current()
        if pair is None:
            return
        from tui.dialogs.merge import MergeDialog

        self.app.push_screen(MergeDialog(pair))

    def action_not_duplicate(self) -> None:
        pair = self._current()
        if pair is not None:
            self._not_duplicate(pair)

    @work(thread=True, group="save")
    def _not_duplicate(self, pair: dedupe.DuplicatePair) -> None:
        try:
            with self.crm.transaction() as s:
                dedupe.mark_not_duplicate(s, pair.entity, pair.a["id"], pair.b["id"])
        except Exception as exc:  # noqa: BLE001 - told to the user
            self.app.call_from_thread(self.notify, explain(exc), title="Not saved",
                                      severity="error")
            return
        self.app.call_from_thread(
            self.notify, f"{pair.a['name']} and {pair.b['name']} will not be suggested again.",
            title="Not a duplicate",
        )
        self.app.call_from_thread(self.reload)


def _describe(record: dict[str, Any]) -> str:
    extra = [str(record[k]) for k in ("email", "organisation", "ward") if record.get(k)]
    text = record["name"] + (f" ({', '.join(extra)})" if extra else "")
    return text if len(text) <= 34 else text[:33] + "…"
