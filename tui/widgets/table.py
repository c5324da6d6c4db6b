"""A DataTable that says so when it has more columns than it shows: over SSH at 80 columns a
table cut at the right edge looks complete, and a one-cell scrollbar is easily missed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import DataTable

MORE_RIGHT = " →"  # drawn over the right end of the header: more columns that way
MORE_LEFT = "← "  # and over the left end once scrolled: columns back that way
HINT_STYLE = Style(bold=True, reverse=True)


class Table(DataTable[Any]):
    """A DataTable whose header row ends in an arrow while columns lie beyond the edge."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)

    @contextmanager
    def keeping_place(self) -> Iterator[None]:
        """Refill the table inside this block; the cursor comes back to the record it was on.

        A re-read can sort the rows differently (a step whose due date changed moves), and a
        cursor left on the same row number would then point at another record, the one the
        next key acts on. A record that has gone leaves the cursor on the same row number.
        """
        row = self.cursor_row
        key = self.ordered_rows[row].key if 0 <= row < self.row_count else None
        yield
        if self.row_count:
            if key is not None and key in self.rows:
                self.move_cursor(row=self.get_row_index(key))
            else:
                self.move_cursor(row=min(row, self.row_count - 1))

    @property
    def more_right(self) -> bool:
        """Columns lie beyond the right edge (← → or the scrollbar bring them in)."""
        return round(self.scroll_x) < self.max_scroll_x

    @property
    def more_left(self) -> bool:
        return round(self.scroll_x) > 0

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        if y != 0 or not self.show_header:
            return line
        # the vertical scrollbar is drawn over the line's last cells: the arrow goes before it
        width = min(line.cell_length, self.scrollable_content_region.width)
        if width < 2 * len(MORE_RIGHT) + 2:
            return line
        if self.more_right:
            arrow = Strip([Segment(MORE_RIGHT, HINT_STYLE)])
            end = width - len(MORE_RIGHT)
            line = Strip.join([line.crop(0, end), arrow, line.crop(width)])
        if self.more_left:
            line = Strip.join(
                [Strip([Segment(MORE_LEFT, HINT_STYLE)]), line.crop(len(MORE_LEFT), width)]
            )
        return line
