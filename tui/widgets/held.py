"""What every screen and dialog shares about keys and workers: nothing typed is lost, nothing
arrives late.

Textual hands a key first to the priority bindings of the screen on top, then to the focused
widget, or to the screen itself while nothing has the focus (`App.on_event`: "self.focused or
self.screen"). A screen still being drawn, or a form still reading its choices, has no focused
widget yet, so the keys of a burst ('/nadia', or `c` then a contact's fields with tabs) would
reach the screen, a binding meant for later, or nothing. So the app asks the screen on top to
hold each key until the screen says it is ready (its first input has the focus); the app then
hands the held keys on, in order, as if they had just been typed.

Some keys move the focus, or open another screen, only once the widget they go to has read
them, after the keys typed behind them have already arrived: Enter on a list's row (or in a
box) that opens a partner, Enter or ↓ that opens a Select's list or chooses in it. The keys
after such a key are held too, until the choice has been taken: they then go where it led (the
screen it opened, before any that screen holds itself; the field the focus came back to).

A worker's result comes back on the UI thread through `from_worker`, which does nothing once
the screen has gone (left, or the app quitting), and a screen mounted as the app closes skips
its on_mount: no query of a widget that is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from textual import events, on
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input

ResultType = TypeVar("ResultType")

NEVER_HELD = frozenset({"ctrl+q", "ctrl+c"})  # quitting works while a screen is still reading


class KeysReady(Message):
    """To the app: `screen` is ready for the keys it held (its first input has the focus)."""

    def __init__(self, screen: HeldKeys[Any]) -> None:
        super().__init__()
        self.held_by = screen


class KeysHandedOn(Message):
    """To the app: keys held by a screen that has gone or moved on, for the screen on top."""

    def __init__(self, keys: list[events.Key]) -> None:
        super().__init__()
        self.keys = keys


class HeldKeys(Screen[ResultType]):
    """A screen or dialog that keeps the keys that reach it before it is ready.

    Ready, by default, once mounted and drawn (after on_mount has given a widget the focus).
    A screen whose first input exists only after a read sets READY_ON_MOUNT = False and calls
    `ready_for_keys()` once it has focused that input.
    """

    READY_ON_MOUNT: ClassVar[bool] = True
    _keys_ready = False
    _release_asked = False
    _choosing = False  # Enter went to a row or a box: the keys after it wait for what it opens
    _opens_later = False  # the row's screen opens after a read (opened() says when)
    _focus_awaited: Widget | type[Widget] | None = None  # the keys wait for the focus there

    def _on_mount(self, event: events.Mount) -> None:
        # keys may be held already: handed on by the screen that opened this one (opened())
        self._held: list[events.Key] = getattr(self, "_held", [])
        if self.READY_ON_MOUNT:
            self.call_after_refresh(self.ready_for_keys)

    async def on_event(self, event: events.Event) -> None:
        # mounted as the app closes (a screen opened by a key typed just before quitting): Textual
        # mounts no children then, so the screen's on_mount would query widgets that never came
        if isinstance(event, events.Mount) and not self.is_attached:
            return
        # Textual styles every widget as it is mounted, then styles them all again when the
        # new screen first resumes: a third of the time a partner's page took to open. The
        # second pass is for a screen coming back (the app's CSS may have changed since).
        if isinstance(event, events.ScreenResume) and not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        if isinstance(event, events.ScreenResume) and self._shown_again:
            self._shown_again = False
            if self.READY_ON_MOUNT:
                self.call_after_refresh(self.ready_for_keys)
        await super().on_event(event)

    _resumed = False  # resumed at least once: styled when mounted, no restyle the first time

    def hold_keys_until_shown(self) -> None:
        """A screen kept by the app and about to be shown again holds the keys that reach it
        until it is drawn, as when it was first mounted."""
        self._held = []
        self._keys_ready = self._release_asked = self._choosing = self._opens_later = False
        self._focus_awaited = None
        self._shown_again = True

    _shown_again = False

    def hold(self, event: events.Key) -> bool:
        """Keep `event` for later, or take it as it arrives (`arriving`); False when the key
        is to go on its way (bindings, then the focused widget)."""
        if event.key in NEVER_HELD:
            return False
        if self._keys_ready:
            if self._chooses(event):
                self._choosing = True
                self._keys_ready = self._release_asked = False
                return False  # Enter goes on to the row or box; the keys after it are held
            return self.arriving(event)
        if not hasattr(self, "_held"):
            self._held = []
        self._held.append(event)
        return True

    def _chooses(self, event: events.Key) -> bool:
        """Enter on a page (not a dialog, whose Enter saves or answers) on a list's row or in a
        box: what it chooses may open another screen once the list or box has read the key.
        Both always answer it (RowSelected, Submitted), so the keys held never wait for
        nothing."""
        if event.key != "enter" or self.is_modal:
            return False
        focused = self.focused
        if isinstance(focused, Input):
            return True
        return (
            isinstance(focused, DataTable)
            and focused.cursor_type == "row"
            and focused.show_cursor
            and focused.row_count > 0
        )

    # Textual runs a screen's own handlers for a message before those of the classes it is
    # built on: these run once the screen has opened what was chosen, or decided not to

    @on(DataTable.RowSelected)
    @on(Input.Submitted)
    def _chosen(self) -> None:
        if self._opens_later:
            self._opens_later = False
            return
        self.opened()

    def opens_later(self) -> None:
        """The row chosen opens its screen after a read: the keys held wait for `opened()`."""
        if self._choosing:
            self._opens_later = True

    def opened(self) -> None:
        """What Enter chose has opened (or nothing has): the keys typed after it go to the
        screen on top, or back to this one."""
        if not self._choosing:
            return
        self._choosing = self._opens_later = False
        top = self.app.screen
        if top is not self and self.here and isinstance(top, HeldKeys) and not top._keys_ready:
            # before the keys it holds itself: these were typed first
            top.hold_first(self.release_keys())
            return
        self.ready_for_keys()

    def hold_keys_until_focused(self, where: Widget | type[Widget]) -> None:
        """Hold the keys after this one until `where` (a widget, or any of a kind) has the
        focus: a Select's list as it opens, the Select as a choice closes it. Named, not any
        move: a move asked for earlier in the burst (a Tab to the Select) may land after."""
        self._keys_ready = self._release_asked = False
        self._focus_awaited = where

    @on(events.DescendantFocus)
    def _focus_moved_here(self, event: events.DescendantFocus) -> None:
        where = self._focus_awaited
        if where is None:
            return
        if event.widget is where or (isinstance(where, type) and isinstance(event.widget, where)):
            self._focus_awaited = None
            self.ready_for_keys()

    def arriving(self, event: events.Key) -> bool:
        """A ready screen may take a key as it arrives, before any binding (True: taken)."""
        return False

    def hold_first(self, keys: list[events.Key]) -> bool:
        """Hold `keys`, typed on a screen that has gone or moved on, ahead of those this one
        holds itself (they were typed first); False when it is ready and holds nothing."""
        if self._keys_ready:
            return False
        self._held = keys + getattr(self, "_held", [])
        return True

    def hold_keys(self) -> None:
        """Take no keys for now (a form saving): they wait for `ready_for_keys()`, or for
        `hand_on_keys()` once something else is on top."""
        self._keys_ready = self._release_asked = False

    def hand_on_keys(self) -> None:
        """The keys held go to the screen on top now, in the order typed (a form saved and
        closed: the keys typed after its Enter act on the page beneath; a question asked:
        they answer it)."""
        if self.app.screen is self:
            self.ready_for_keys()
            return
        keys = self.release_keys()
        if keys:
            self.app.post_message(KeysHandedOn(keys))

    def hold_keys_until_ready(self) -> None:
        """Hold keys again until the focus asked for now has moved (the keys already typed
        follow it rather than act where it was)."""
        self._keys_ready = self._release_asked = False
        self.ready_for_keys()

    def ready_for_keys(self) -> None:
        """The screen can take keys: the app hands on the held ones. Posted to the app, behind
        any focus change already asked for (Widget.focus is carried out by the app, in turn)."""
        if self._keys_ready or self._release_asked:
            return
        if self._choosing or self._focus_awaited is not None:
            return  # the choice, or the focus, says when
        self._release_asked = True
        self.app.post_message(KeysReady(self))

    def release_keys(self) -> list[events.Key]:
        """The keys held, oldest first; from now on keys come straight in."""
        self._keys_ready = True
        held, self._held = getattr(self, "_held", []), []
        return held

    @property
    def here(self) -> bool:
        """Still on the app's screens: not being removed (popped, dismissed), and the app not
        quitting (Textual's is_attached is False once the app exits)."""
        return self.is_attached and not (self._pruning or self._closing)

    def from_worker(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run `callback(*args)` on the UI thread, unless the screen has gone by then (call
        from a worker thread instead of `app.call_from_thread`)."""
        self.app.call_from_thread(self._if_here, callback, *args)

    def _if_here(self, callback: Callable[..., Any], *args: Any) -> None:
        if self.here:
            callback(*args)
