"""A long Rich renderable (a partner's brief) drawn once per width instead of at every ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.measure import Measurement

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderResult
    from rich.segment import Segment

Key = tuple[int, object, object, object]


class RenderedOnce:
    """Renders `inner` once per width and gives the same lines at every later ask.

    A Static asks its content for its height, then for its lines, and again at each layout
    (once without the scroll bar, once with it): a brief of 200 lines in Markdown, with
    tables, was rendered eight times when its tab opened. `prime` renders a width ahead
    (in a worker thread) so the screen only copies lines.
    """

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner
        self._lines: dict[Key, list[Segment]] = {}

    @staticmethod
    def _key(options: ConsoleOptions) -> Key:
        # everything in the options that changes how a Markdown is laid out
        return (options.max_width, options.justify, options.overflow, options.no_wrap)

    def prime(self, console: Console, options: ConsoleOptions) -> RenderedOnce:
        """Render now for `options` (a worker thread may do it: rendering reads, never writes)."""
        self._segments(console, options)
        return self

    def _segments(self, console: Console, options: ConsoleOptions) -> list[Segment]:
        key = self._key(options)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = list(console.render(self.inner, options))
        return found

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self._segments(console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.inner)
