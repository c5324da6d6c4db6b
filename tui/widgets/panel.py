"""A titled, bordered panel around a table: the building block of the dashboard and lists."""

from __future__ import annotations

from typing import Literal

from textual.containers import Vertical

from tui.widgets.table import Table


def panel_table(table_id: str, title: str, *, cursor: Literal["row", "cell"] = "row") -> Vertical:
    """A panel (id `<table_id>-panel`) holding a DataTable (id `table_id`) with a row cursor."""
    table = Table(id=table_id, cursor_type=cursor)
    box = Vertical(table, id=f"{table_id}-panel", classes="panel")
    box.border_title = title
    return box
