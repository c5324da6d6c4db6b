"""The partnership team's terminal interface: the App, its modes and what every screen shares."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, Unpack

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from tui import actions
from tui.commands import Palette, PartnerCommands
from tui.crm import OnPartner, Spot, Unsaved
from tui.errors import explain
from tui.screens.dashboard import DashboardScreen
from tui.widgets.held import HeldKeys, KeysHandedOn, KeysReady

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from partnercrm.database import Database
    from tui.screens.partner import PartnerScreen


def _show_control_characters() -> None:
    """Rich and Textual drop only a few control characters from the text they draw; every
    control and bidi override older data may hold is drawn visibly instead (`\\x1b`), so no
    stored text can drive the terminal. Both read their translation table at each call."""
    import rich.control
    import textual.content

    from partnercrm.stored_text import VISIBLE

    for table in (rich.control._CONTROL_STRIP_TRANSLATE, textual.content._CONTROL_STRIP_TRANSLATE):
        table.update(VISIBLE)  # type: ignore[attr-defined]


_show_control_characters()


class _Collector:
    """Python's cycle collector, set for a program that keeps one big heap and draws while the
    user waits. With the default thresholds it ran through the whole heap (Textual, SQLAlchemy,
    every screen) about once per partner opened: some 250 ms of a 500 ms open at N=100. What
    exists once the app is up lives as long as the app, so it is set aside (`gc.freeze`), and a
    collection waits for more new objects than a page's read makes. Both are undone on exit
    (the tests run many apps in one process)."""

    def __init__(self) -> None:
        self.thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)

    def restore(self) -> None:
        gc.set_threshold(*self.thresholds)
        gc.unfreeze()


def _escape_then_key(event: events.Key) -> bool:
    """An alt+key event for a printable key (the terminal's way of sending Escape and a key
    typed straight after it)."""
    character = event.character or ""
    return event.key.startswith("alt+") and len(character) == 1 and character.isprintable()


def _key_for(character: str) -> events.Key:
    """The key event a terminal sends for `character` typed alone."""
    from textual.keys import _character_to_key

    name = character if character.isalnum() else _character_to_key(character)
    return events.Key(name, character)


def _screen(module: str, name: str) -> Screen[None]:
    from importlib import import_module

    return getattr(import_module(f"tui.screens.{module}"), name)()  # type: ignore[no-any-return]


class PartnerApp(App[None]):
    """`partnercrm tui`: dashboard, partners, my work and events, with every action in a form."""

    CSS_PATH = "app.tcss"
    TITLE = "partnercrm"
    # the first screen is imported up front; the others when first visited (a faster start)
    MODES = {
        "dashboard": DashboardScreen,
        "partners": lambda: _screen("partners", "PartnersScreen"),
        "my_work": lambda: _screen("my_work", "MyWorkScreen"),
        "events": lambda: _screen("events", "EventsScreen"),
        "duplicates": lambda: _screen("duplicates", "DuplicatesScreen"),
    }
    COMMANDS = App.COMMANDS | {PartnerCommands}
    # work everywhere; the top-level screens show them in the footer (tui.screens.base.NAVIGATION).
    # Priority: the key acts as it arrives, so the keys typed after it go to the screen it opens
    # (held there until it is ready: tui.widgets.held), not to the screen being left. Textual
    # drops a binding whose key the focused text box takes as text, so in a box they are text;
    # in a dialog they are the dialog's (check_action).
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", "Dashboard", show=False, priority=True),
        Binding("p", "switch_mode('partners')", "Partners", show=False, priority=True),
        Binding("w", "switch_mode('my_work')", "My work", show=False, priority=True),
        Binding("e", "switch_mode('events')", "Events", show=False, priority=True),
        Binding("n", "new_partner", "New partner", show=False, priority=True),
        Binding("slash", "search", "Search", key_display="/", show=False, priority=True),
        Binding("question_mark", "help", "Help", key_display="?", priority=True),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("q", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+q", "quit(True)", "Quit", show=False, priority=True),
    ]

    def __init__(self, db: Database, *, today: date | None = None, blink: bool = True) -> None:
        super().__init__()
        self.db = db
        self.fixed_today = today
        self.blink = blink

    @property
    def today(self) -> date:
        """Today, or the fixed day the app was started with (tests and snapshots)."""
        return self.fixed_today or date.today()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (on SQLite it does not take the write lock)."""
        with self.db.reader() as session, session.begin():
            self._pin_today(session)
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: everything it changes is saved together, or nothing is."""
        with self.db.transaction() as session:
            self._pin_today(session)
            yield session

    def _pin_today(self, session: Session) -> None:
        # the library's checks (nothing dated in the future) count from the app's today
        if self.fixed_today is not None:
            session.info["today"] = self.fixed_today

    def on_mount(self) -> None:
        self._collector = _Collector()
        self.sub_title = f"acting as {self.db.actor}"
        self.switch_mode("dashboard")

    def on_unmount(self) -> None:
        self._collector.restore()

    _partner_screen: PartnerScreen | None = None  # made at the first partner opened, then kept

    def open_partner(self, organisation_id: int, **spot: Unpack[Spot]) -> None:
        """Push the partner's page: in the screen kept for it, unless that one is already on a
        stack (a partner opened from another partner's page gets a screen of its own)."""
        from tui.screens.partner import PartnerScreen

        kept = self._partner_screen
        if kept is None:
            kept = self._partner_screen = PartnerScreen(organisation_id, **spot)
            self.install_screen(kept, "partner")  # not removed when popped
            self.push_screen(kept)
        elif any(kept in stack for stack in self._screen_stacks.values()):
            self.push_screen(PartnerScreen(organisation_id, **spot))
        else:
            kept.show_partner(organisation_id, **spot)
            self.push_screen(kept)

    def open_event(self, event_id: int) -> None:
        from tui.screens.event import EventScreen

        self.push_screen(EventScreen(event_id))

    def open_action(self, key: str, organisation_id: int | None = None, **context: Any) -> None:
        """Open the action's form; a partner action with no partner asks which partner first."""
        action = actions.BY_KEY[key]
        refused = actions.refusal(self.db.identity, key)
        if refused is not None:  # the library would refuse too: say so before the form
            self.notify(refused, severity="warning")
            return
        if action.needs_partner and organisation_id is None:
            if isinstance(self.screen, OnPartner):
                self.open_action(key, self.screen.organisation_id, **self.screen.context())
                return
            from tui.dialogs.pick_partner import PickPartnerDialog

            picker = PickPartnerDialog(f"{action.title}: which partner?")

            def chosen(org_id: int | None) -> None:
                if org_id is None:
                    return
                # the form opens straight on the partner's page, so no key typed meanwhile
                # reaches the page; the keys typed after the Enter that chose (held by the
                # picker) go to the form, which holds them until its first field has the
                # focus, before any typed since (on_keys_handed_on)
                self.open_partner(org_id)
                self.open_action(key, org_id)
                picker.hand_on_keys()

            self.push_screen(picker, chosen)
            return

        def done(result: Any) -> None:
            # the screen beneath reads afresh when it comes back (DataScreen.on_screen_resume)
            if result is not None and key == "new_partner":
                self.open_partner(result)

        self.push_screen(action.form(organisation_id, context), done)

    @property
    def leaving(self) -> bool:
        """The app is quitting: keys typed after `q` do nothing (no screen opens as it closes)."""
        return self._exit

    async def on_event(self, event: events.Event) -> None:
        # a key as it arrives: dropped while quitting; held while the screen on top is not ready
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.leaving:
                return
            if _escape_then_key(event):
                # a terminal sends Escape and a key typed straight after it (a fast typist,
                # over SSH) as one alt+key; nothing here is bound to alt, so it is taken as
                # the two keys typed: Escape, then the key
                character = event.character or ""
                for key in (events.Key("escape", "\x1b"), _key_for(character)):
                    key.set_sender(self)
                    await self.on_event(key)
                return
            if isinstance(self.screen, HeldKeys) and self.screen.hold(event):
                return
        await super().on_event(event)

    async def on_keys_ready(self, message: KeysReady) -> None:
        """Hand on the keys a screen held while it was drawn or read, in the order typed; one
        that opens another screen leaves the rest held there in turn. A screen left before it
        was ready takes its keys with it."""
        screen = message.held_by
        held = screen.release_keys()
        if screen is not self.screen:
            return
        for key in held:
            await self.on_event(key)

    async def on_keys_handed_on(self, message: KeysHandedOn) -> None:
        """Keys a screen held as it went (a form saved): to the screen on top, after the keys
        it holds itself if it is not ready yet (they were typed first), else as typed."""
        top = self.screen
        if isinstance(top, HeldKeys) and top.hold_first(message.keys):
            return
        for key in message.keys:
            await self.on_event(key)

    # the places and actions every screen has: in a dialog (a form, a question, help) its own
    # keys answer, and its text boxes take letters as text
    EVERYWHERE = frozenset({"switch_mode", "new_partner", "search", "help", "quit"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing acts once quitting. The places and actions every screen has are not a dialog's
        keys (ctrl+q still quits, asking first when a form holds typing). `/` is a key only
        where it does not type a slash: in a text box it is text (Textual cannot tell that
        "slash" is a character, so the footer would offer it)."""
        if self.leaving:
            return False
        if action in self.EVERYWHERE and self.screen.is_modal and parameters != (True,):
            return False
        if action == "search" and self.focused is not None:
            return not self.focused.check_consume_key("slash", "/")
        return True

    def action_command_palette(self) -> None:
        """ctrl+p: Textual's own (App.action_command_palette in 8.2.8) with a palette that holds
        the keys typed before its box has the focus."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(Palette(id="--command-palette"))

    def action_new_partner(self) -> None:
        self.open_action("new_partner")

    def action_search(self, text: str = "") -> None:
        from tui.screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(text))

    async def action_quit(self, anywhere: bool = False) -> None:
        """Quit (ctrl+q: from a dialog too); when a form holds typing not yet saved, ask first,
        once: a second ctrl+q while asked leaves the one question."""
        from tui.dialogs.confirm import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog) and self.screen.quitting:
            return
        unsaved = [s for s in self.screen_stack if isinstance(s, Unsaved) and s.has_unsaved()]
        if not unsaved:
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(
            ConfirmDialog(
                "Quit and lose what you typed in the open form?",
                yes="Quit",
                no="Keep editing",
                quitting=True,
            ),
            answered,
        )

    def action_undo(self) -> None:
        """Undo my last change (the last save, with everything it touched)."""
        self._undo()

    @work(thread=True, exclusive=True, group="undo")
    def _undo(self) -> None:
        from partnercrm import undo

        try:
            with self.transaction() as session:
                done = undo.undo_last(session, self.today)
                message = f"Undid {done.said(self.today)}."
        except Exception as exc:  # noqa: BLE001 - told to the user, never a traceback
            self.call_from_thread(
                self.notify, explain(exc), title="Not undone", severity="error", timeout=10
            )
            return
        self.call_from_thread(self._undone, message)

    def _undone(self, message: str) -> None:
        self.notify(message, title="Undone", timeout=8)
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    def action_help(self) -> None:
        from tui.dialogs.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))
