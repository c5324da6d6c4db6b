"""Table columns that use the width the terminal gives: each has a least width and a share of the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

# (column key, least width, share of what is left)
Spec = Sequence[tuple[str, int, int]]


def widths(spec: Spec, width: int) -> dict[str, int]:
    """Each column's width when the table is `width` cells wide (cell padding and a scrollbar
    taken off first); below the least widths together, the table scrolls sideways."""
    room = width - 2 * len(spec) - 2
    spare = max(0, room - sum(least for _, least, _ in spec))
    shares = sum(share for _, _, share in spec) or 1
    return {key: least + spare * share // shares for key, least, share in spec}


def fit(table: DataTable[Any], spec: Spec, width: int) -> dict[str, int]:
    """Size the table's columns to `width` (call on resize); returns the widths set."""
    found = widths(spec, width)
    for key, size in found.items():
        column = table.columns.get(ColumnKey(key))
        if column is not None:
            column.width, column.auto_width = size, False
    table._require_update_dimensions = True  # noqa: SLF001 - Textual re-measures on refresh
    table.refresh()
    return found


def clip(text: str, width: int) -> str:
    """`text` cut to `width` with an ellipsis that shows it was cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
