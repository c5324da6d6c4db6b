"""Merge two records that are the same: choose which to keep; everything moves onto it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from sqlalchemy.orm import Session
from textual.widget import Widget
from textual.widgets import Static

from partnercrm import dedupe, merging
from tui.dialogs.form import FormDialog


class MergeDialog(FormDialog[str]):
    """Returns the name of the record kept."""

    form_title = "Merge duplicates"
    save_label = "Merge"

    def __init__(self, pair: dedupe.DuplicatePair) -> None:
        super().__init__()
        self.pair = pair

    def fields(self) -> Iterable[Widget]:
        a, b = self.pair.a, self.pair.b
        self.form_title = f"Merge {a['name']} and {b['name']}"
        # keep the one with more history by default
        weight = {r["id"]: sum(r.get(k) or 0 for k in ("conversations", "commitments", "contacts"))
                  for r in (a, b)}
        keep = a["id"] if weight[a["id"]] >= weight[b["id"]] else b["id"]
        yield Static(_summary(self.pair), id="merge-summary")
        yield self.select_field(
            "keep", "Keep", [(f"{a['name']} (id {a['id']})", a["id"]),
                             (f"{b['name']} (id {b['id']})", b["id"])],
            value=keep, required=True,
        )

    def save(self, session: Session, values: dict[str, Any]) -> str:
        keep = values["keep"]
        other = self.pair.b["id"] if keep == self.pair.a["id"] else self.pair.a["id"]
        report = merging.merge(session, self.pair.entity, keep, other)
        self.moved = report.moved
        return report.keep_name

    def saved_message(self, result: str) -> str:
        moved = ", ".join(f"{n} {k}" for k, n in self.moved.items() if n)
        return f"Merged into {result}" + (f"; moved {moved}." if moved else ".")


def _summary(pair: dedupe.DuplicatePair) -> Text:
    text = Text()
    text.append(f"Score {pair.score}: {'; '.join(pair.reasons)}\n\n", style="bold")
    for record in (pair.a, pair.b):
        facts = ", ".join(
            f"{k} {record[k]}" for k in ("conversations", "commitments", "contacts", "email",
                                         "organisation", "ward", "sector")
            if record.get(k) not in (None, "", [])
        )
        text.append(f"{record['name']} (id {record['id']})", style="bold")
        text.append(f": {facts}\n" if facts else "\n")
    text.append("\nThe other record's conversations, people and history move onto the one "
                "kept; its name is kept as an alias. This cannot be undone.", style="yellow")
    return text
