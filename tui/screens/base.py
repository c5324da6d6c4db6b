"""What every data screen shares: load in a worker thread, show on the UI thread."""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding, BindingType
from textual.worker import get_current_worker

from partnercrm import history
from tui.errors import explain
from tui.widgets.held import HeldKeys

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tui.crm import CRM


# the app's own keys, shown in a place's footer; priority as the app's are (tui.app), so the
# footer shows these (Textual lists a priority binding over a plain one for the same key)
NAVIGATION: list[BindingType] = [
    Binding("d", "app.switch_mode('dashboard')", "Dashboard", priority=True),
    Binding("p", "app.switch_mode('partners')", "Partners", priority=True),
    Binding("w", "app.switch_mode('my_work')", "My work", priority=True),
    Binding("e", "app.switch_mode('events')", "Events", priority=True),
    Binding("n", "app.new_partner", "New partner", priority=True),
    Binding("slash", "app.search", "Search", key_display="/", priority=True),
    Binding("q", "app.quit", "Quit", show=False, priority=True),
]


class DataScreen(HeldKeys[None]):
    """A screen that reads the database in a worker so typing and scrolling never stall.

    Keys typed while it is drawn are held until it is ready (tui.widgets.held); a screen whose
    keys act on what it reads sets READY_ON_MOUNT = False: it is ready once first shown."""

    @property
    def crm(self) -> CRM:
        return self.app  # type: ignore[return-value]

    in_flight = False  # a read is under way
    painted_at: float | None = None

    # what the screen shows was read while the history's newest entry was this one, on this
    # day (None: not read yet, or the read failed)
    read_at: tuple[int, date] | None = None

    def on_screen_resume(self) -> None:
        # coming back to a screen (after a form, or from another mode) shows fresh figures.
        # The read starts once the screen is painted, so its threads do not hold up the first
        # paint; a screen first shown gets this twice, and one read is enough.
        self.call_after_refresh(self._refresh_data)

    def _refresh_data(self) -> None:
        if self.painted_at is None:
            self.painted_at = time.perf_counter()  # the benchmark's "first screen drawn"
        if not (self.in_flight or self._checking):
            self._checking = True  # a screen first shown is resumed twice: one look is enough
            self._reload_if_changed()

    # Coming back with nothing changed (a form cancelled, a partner looked at) reads nothing
    # again: one look at the history's newest entry says whether anything was written since.

    _checking = False  # that look is under way

    @work(thread=True, group="changed")
    def _reload_if_changed(self) -> None:
        try:
            with self.crm.reading() as session:
                now: tuple[int, date] | None = self._changes_at(session)
        except Exception:  # noqa: BLE001 - the read itself will say what is wrong
            now = None
        self.from_worker(self._checked, now is None or now != self.read_at, now)

    def _changes_at(self, session: Session) -> tuple[int, date]:
        return history.last_change(session), self.crm.today

    def _checked(self, changed: bool, now: tuple[int, date] | None) -> None:
        self._checking = False
        if changed and not self.in_flight:
            self.read_at = now  # read before what reload() reads (a screen reading in parts)
            self.reload()

    def reload(self) -> None:
        self.in_flight = True
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        try:
            with self.crm.reading() as session:
                at = self._changes_at(session)  # before the read: a later write reads again
                data = self.load(session)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.from_worker(self._unloaded, explain(exc))
            return
        if not worker.is_cancelled:
            self.from_worker(self._loaded, data, at)

    def _unloaded(self, message: str) -> None:
        self.in_flight = False
        self.read_at = None
        self.notify(message, title="Could not load", severity="error")
        self.ready_for_keys()

    def _loaded(self, data: Any, at: tuple[int, date] | None = None) -> None:
        self.in_flight = False
        self.read_at = at
        self.show(data)
        self.ready_for_keys()

    def load(self, session: Session) -> Any:
        """Read what the screen shows (runs in a worker thread; return plain data)."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Put the loaded data on the screen (runs on the UI thread)."""
        raise NotImplementedError


class PlaceScreen(DataScreen):
    """A top-level screen (dashboard, partners, my work, events): its footer shows where to go."""

    BINDINGS = NAVIGATION
