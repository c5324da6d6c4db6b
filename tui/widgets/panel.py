"""A titled, bordered panel around a table: the building block of the dashboard and lists."""

from __future__ import annotations

from typing import Literal

from textual.containers import Vertical
from textual.widgets import DataTable


def panel_table(table_id: str, title: str, *, cursor: Literal["row", "cell"] = "row") -> Vertical:
    """A panel (id `<table_id>-panel`) holding a DataTable (id `table_id`) with a row cursor."""
    table: DataTable[object] = DataTable(id=table_id, cursor_type=cursor, zebra_stripes=True)
    box = Vertical(table, id=f"{table_id}-panel", classes="panel")
    box.border_title = title
    return box
