"""Focus and keys as a person at the keyboard meets them (issue 13, review F2 F4 F6 F9 F18 F20
F23 F24 F25): a word typed as the app quits leaves no traceback; a burst that starts with the
key opening a screen or form loses nothing; focus comes back where it was after every Escape;
no key means two things on two screens; one quit question; the palette finds people.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input

import tui.dialogs
import tui.screens
from partnercrm import contacts, organisations
from partnercrm.database import Database
from tests.test_tui import (
    demo_db as demo_db,
)
from tests.test_tui import (
    demo_template as demo_template,
)
from tests.test_tui import open_partner, settle
from tests.test_tui_day import SMALL, burst, drive_at, form_ready
from tui.app import PartnerApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.dialogs.pick_partner import PickPartnerDialog
from tui.screens.partner import PartnerScreen
from tui.widgets.held import HeldKeys


async def on(pilot: Any, name: str) -> Screen[Any]:
    """Wait until the screen on top is `name` and has handed on the keys it held."""
    for _ in range(100):
        await settle(pilot)
        screen = pilot.app.screen
        if type(screen).__name__ == name and getattr(screen, "_keys_ready", True):
            return screen  # type: ignore[no-any-return]
        await pilot.pause(0.02)
    raise AssertionError(f"not on {name}: on {pilot.app.screen!r}")


# ---------------------------------------------------------------- F24: quitting fast


def test_a_word_typed_on_the_dashboard_quits_cleanly(demo_db: Database) -> None:
    """`queen` in one burst: q quits (a screen key where no box has the focus); u e e n do
    nothing as the app closes, so no Events screen half-opens and no traceback follows (the
    test run raises any exception a handler raised)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        burst(app, *"queen")
        for _ in range(20):
            await pilot.pause(0.02)
        assert not app.is_running
        assert app.return_code == 0

    drive_at(demo_db, SMALL, body)


def test_leaving_the_partner_picker_and_quitting_leaves_no_traceback(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_action("log_conversation")
        picker = await on(pilot, "PickPartnerDialog")
        await pilot.press(*"ucl", "escape", "escape")
        await settle(pilot)
        assert app.screen is not picker
        burst(app, *"queen")
        for _ in range(20):
            await pilot.pause(0.02)
        assert not app.is_running and app.return_code == 0

    drive_at(demo_db, SMALL, body)


def test_a_screen_left_before_its_read_comes_back_does_nothing(demo_db: Database) -> None:
    """A search, a form and a partner page closed while their workers read: the results find
    the screen gone and do nothing (no query of widgets that were removed)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        from tui.dialogs.new_contact import NewContactDialog
        from tui.screens.search import SearchScreen

        home = app.screen
        for screen in (
            SearchScreen("nadia"),
            NewContactDialog(open_org(app, "UCL")),
            PartnerScreen(open_org(app, "Phoenix Court Works")),
        ):
            app.push_screen(screen)
            await pilot.pause()
            app.pop_screen()
            await settle(pilot)
            assert app.is_running and app.screen is home

    drive_at(demo_db, SMALL, body)


async def logging_for(app: PartnerApp, pilot: Any, name: str, subject: str) -> None:
    """The Log conversation form is open on `name`'s page, `subject` whole in it."""
    dialog = await form_ready(pilot)
    assert type(dialog).__name__ == "LogConversationDialog"
    assert dialog.query_one("#subject", Input).value == subject
    page = app.screen_stack[-2]
    assert isinstance(page, PartnerScreen) and page.organisation_id == open_org(app, name)


def open_org(app: PartnerApp, name: str) -> int:
    from tests.test_tui import org_id

    return org_id(app.db, name)


# ---------------------------------------------------------------- F6: bursts


def press_all(how: str) -> Any:
    async def send(app: PartnerApp, pilot: Any, *keys: str) -> None:
        if how == "burst":  # all at once, as a paste or a fast typist over SSH
            burst(app, *keys)
        else:  # pilot.press: the opening key, then the rest at once after it
            await pilot.press(*[{"\t": "tab", "/": "slash", " ": "space"}.get(k, k) for k in keys])

    return send


ways = pytest.mark.parametrize("how", ["burst", "press"])


@ways
def test_slash_and_a_name_in_one_burst_searches_for_the_name(demo_db: Database, how: str) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await press_all(how)(app, pilot, *"/nadia")
        screen = await on(pilot, "SearchScreen")
        assert screen.query_one("#search-box", Input).value == "nadia"
        assert screen.focused is screen.query_one("#search-box")

    drive_at(demo_db, SMALL, body)


@pytest.mark.parametrize("keys", [("enter",), ("down", "enter")])
def test_slash_a_name_and_enter_in_one_burst_opens_the_first_found(
    demo_db: Database, keys: tuple[str, ...]
) -> None:
    """`/ucl Enter` (or `/ucl ↓ Enter`) as one burst, then `l` and a subject: Enter comes
    before the search for "ucl" has answered; UCL still opens (not nothing, not a hit of fewer
    letters), and the keys after Enter go to its page: its Log form, with the subject whole."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        subject = "Summit venue?"
        burst(app, *"/ucl", *keys, "l", *subject)
        await logging_for(app, pilot, "UCL", subject)

    drive_at(demo_db, SMALL, body)


@ways
def test_down_from_the_search_box_goes_to_the_results_and_down_them(
    demo_db: Database, how: str
) -> None:
    """`/framework`, then ↓ ↓ ↓ Enter: the first ↓ goes to the results, the others move down
    them, and Enter opens the third result (the box's own ↓ kept the key before)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await press_all("press")(app, pilot, *"/framework")
        screen = await on(pilot, "SearchScreen")
        results = screen.query_one("#search-results", DataTable)
        for _ in range(50):
            await settle(pilot)
            if results.row_count >= 3:
                break
        third = screen.hits[str(results.ordered_rows[2].key.value)]
        await press_all(how)(app, pilot, "down", "down", "down")
        await settle(pilot)
        assert screen.focused is results and results.cursor_row == 2
        await pilot.press("enter")
        page = await on(pilot, "PartnerScreen")
        assert page.organisation_id == third.organisation_id  # type: ignore[attr-defined]

    drive_at(demo_db, SMALL, body)


def test_escapes_in_a_burst_from_the_results_clear_then_leave(demo_db: Database) -> None:
    """On the results, Esc Esc Esc in one burst: back to the box, the box cleared, the search
    left (the second Esc used to arrive before the focus was back in the box)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await press_all("press")(app, pilot, *"/camden")
        screen = await on(pilot, "SearchScreen")
        results = screen.query_one("#search-results", DataTable)
        for _ in range(50):
            await settle(pilot)
            if results.row_count:
                break
        await pilot.press("down")
        await settle(pilot)
        assert screen.focused is results
        burst(app, "escape", "escape", "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"

    drive_at(demo_db, SMALL, body)


def test_slash_and_enter_with_nothing_found_stays_on_the_search(demo_db: Database) -> None:
    """`/zzzz Enter` and more keys in one burst: nothing matches, nothing opens, and the keys
    after Enter still land in the box."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        burst(app, *"/zzzz", "enter", *"q")
        screen = await on(pilot, "SearchScreen")
        await settle(pilot)
        assert screen.query_one("#search-box", Input).value == "zzzzq"
        assert app.is_running and app.screen is screen

    drive_at(demo_db, SMALL, body)


@ways
def test_p_and_a_name_in_one_burst_filters_partners(demo_db: Database, how: str) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await press_all(how)(app, pilot, *"pphoenix")
        screen = await on(pilot, "PartnersScreen")
        assert screen.query_one("#filter", Input).value == "phoenix"
        assert app.is_running

    drive_at(demo_db, SMALL, body)


def test_down_and_enter_in_one_burst_from_the_filter_opens_the_partner(demo_db: Database) -> None:
    """A fast typist's `ucl ↓ Enter`: the Enter reaches the filter before the focus has moved
    to the list, and still opens the highlighted partner (not a second trip to the list)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await press_all("press")(app, pilot, *"pucl")
        screen = await on(pilot, "PartnersScreen")
        for _ in range(100):
            await settle(pilot)
            if screen.query_one("#partners", DataTable).row_count == 1:
                break
        burst(app, "down", "enter")
        partner = await on(pilot, "PartnerScreen")
        with demo_db.reader() as s:
            ucl = organisations.find_organisation(s, "UCL").id
        assert partner.organisation_id == ucl  # type: ignore[attr-defined]

    drive_at(demo_db, SMALL, body)


@ways
def test_c_and_a_contact_with_tabs_in_one_burst_fills_each_field(
    demo_db: Database, how: str
) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Phoenix Court Works")
        typed = [
            "Priya Testington",
            "priya.t@phoenixcourtworks.org.uk",
            "Curator of public programmes",
            "020 7946 0000",
        ]
        keys: list[str] = ["c"]
        for i, text in enumerate(typed):
            keys += [*text] + (["\t"] if i < len(typed) - 1 else [])
        await press_all(how)(app, pilot, *keys)
        dialog = await form_ready(pilot)
        await on(pilot, type(dialog).__name__)
        got = [dialog.query_one(f"#{n}", Input).value for n in ("name", "email", "job_title")]
        assert got + [dialog.query_one("#phone", Input).value] == typed

    drive_at(demo_db, SMALL, body)


@pytest.mark.parametrize("sent", ["alt+c", "escape c"])
def test_escape_and_a_letter_typed_fast_are_taken_in_order(demo_db: Database, sent: str) -> None:
    """Escape then `c` typed fast, as two keys in one burst, or as the one alt+c a terminal
    makes of them (its escape prefix). On a partner's page that is Escape (back), then `c`
    where it lands; not a New contact form on the page left, which then took the next letters
    as a name and saved it."""
    from textual import events

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "British Museum")
        if sent == "alt+c":
            event = events.Key("alt+c", "c")
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
        else:
            burst(app, "escape", "c")
        burst(app, *"rick")
        await settle(pilot)
        assert not any(isinstance(s, PartnerScreen) for s in app.screen_stack)
        assert not any(type(s).__name__ == "NewContactDialog" for s in app.screen_stack)

    drive_at(demo_db, SMALL, body)


def test_keys_typed_behind_enter_that_saves_go_to_the_page_beneath(demo_db: Database) -> None:
    """`c`, a name, Enter, then `c` and a second name, as one burst on a partner's page: the
    first contact is saved as typed (nothing typed behind Enter lands in the form as it saves),
    and the keys behind Enter open the next New contact form with the second name in it."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Phoenix Court Works")
        burst(app, "c", *"Ada Lovelace", "enter", "c", *"Grace Hopper")
        for _ in range(100):
            await settle(pilot)
            screen = app.screen
            if isinstance(screen, FormDialog) and screen.query_one("#name", Input).value:
                if screen.query_one("#name", Input).value == "Grace Hopper":
                    break
            await pilot.pause(0.02)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert dialog.query_one("#name", Input).value == "Grace Hopper"
        assert isinstance(app.screen_stack[-2], PartnerScreen)
        with demo_db.reader() as s:
            org = organisations.find_organisation(s, "Phoenix Court Works")
            names = {c.name for c in contacts.list_contacts(s, organisation=org)}
        assert "Ada Lovelace" in names and not any(n.startswith("Ada Lovelacec") for n in names)

    drive_at(demo_db, SMALL, body)


def test_keys_typed_behind_enter_that_cannot_save_stay_in_the_form(demo_db: Database) -> None:
    """`c`, Enter with no name, then the name, as one burst: nothing is saved, the form says
    what is missing, and the name typed behind Enter lands in the form (no key kept back)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Phoenix Court Works")
        burst(app, "c", "enter", *"Ada Lovelace")
        dialog = await form_ready(pilot)
        for _ in range(50):
            await settle(pilot)
            if dialog.query_one("#name", Input).value == "Ada Lovelace":
                break
            await pilot.pause(0.02)
        assert dialog.query_one("#name", Input).value == "Ada Lovelace"
        assert app.screen is dialog and dialog._keys_ready
        await pilot.press("enter")  # now it saves, and closes
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with demo_db.reader() as s:
            org = organisations.find_organisation(s, "Phoenix Court Works")
            assert "Ada Lovelace" in {c.name for c in contacts.list_contacts(s, organisation=org)}

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- F9 F4: focus comes back


def test_focus_comes_back_to_the_partners_list_after_every_escape(demo_db: Database) -> None:
    """On the list: Help, the palette, Search, Duplicates, a form, or My work and back with p;
    each time the list has the focus again, so the next footer key acts (it is not typed)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        partners = await on(pilot, "PartnersScreen")
        table = partners.query_one("#partners", DataTable)
        await pilot.press("down")  # from the filter to the list
        assert partners.focused is table
        for opens, back in (
            (["question_mark"], ["escape"]),
            (["ctrl+p"], ["escape"]),
            (["slash"], ["escape"]),
            (["m"], ["escape"]),
            (["n"], ["escape"]),
            (["w"], ["p"]),
            (["e"], ["p"]),
        ):
            await pilot.press(*opens)
            await settle(pilot)
            assert app.screen is not partners, opens
            await pilot.press(*back)
            await settle(pilot)
            assert app.screen is partners, (opens, app.screen)
            assert partners.focused is table, (opens, partners.focused)
        # and the footer's keys act: o orders by the next column, it types nothing
        await pilot.press("o")
        await settle(pilot)
        assert partners.query_one("#filter", Input).value == ""
        assert partners.order != "name"  # type: ignore[attr-defined]

    drive_at(demo_db, SMALL, body)


def test_focus_stays_in_the_filter_when_it_was_there(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        partners = await on(pilot, "PartnersScreen")
        box = partners.query_one("#filter", Input)
        await pilot.press(*"cam")
        await pilot.press("question_mark")  # a ? typed in the filter is text…
        await settle(pilot)
        assert app.screen is partners and box.value == "cam?"
        await pilot.press("backspace", "ctrl+p")  # …the palette opens from anywhere
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert partners.focused is box and box.value == "cam"

    drive_at(demo_db, SMALL, body)


def test_letters_on_the_list_are_keys_and_others_start_a_filter(demo_db: Database) -> None:
    """As help says: on the list a letter that is a key acts (o orders), any other starts a
    new filter, and the letters after it in a burst land in the filter whole."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        partners = await on(pilot, "PartnersScreen")
        await pilot.press("down")
        burst(app, *"british museum queen")
        await on(pilot, "PartnersScreen")
        assert partners.query_one("#filter", Input).value == "british museum queen"
        assert app.is_running

    drive_at(demo_db, SMALL, body)


def test_the_partner_pickers_first_escape_clears_the_second_leaves(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        home = app.screen
        app.open_action("log_conversation")
        picker = await on(pilot, "PickPartnerDialog")
        assert isinstance(picker, PickPartnerDialog)
        box = picker.query_one("#pick-filter", Input)
        await pilot.press(*"ucl")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is picker and box.value == "" and picker.focused is box
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home

    drive_at(demo_db, SMALL, body)


def test_my_work_arriving_the_first_steps_list_has_the_focus(demo_db: Database) -> None:
    """w then ↓ and x at once: the cursor moves in the first list of steps and x opens Mark a
    step done on the step under it (not "Choose a step first")."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("w", "down", "x")
        dialog = await form_ready(pilot)
        assert type(dialog).__name__ == "CompleteStepDialog"
        await pilot.press("escape")
        await settle(pilot)
        mine = app.screen
        assert type(mine).__name__ == "MyWorkScreen"
        table = mine.focused
        assert isinstance(table, DataTable) and table.row_count
        assert table.cursor_row == min(1, table.row_count - 1)
        assert table.id == next(t.id for t in mine.query(DataTable) if t.row_count)

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- F20: one meaning per key

# Keys set aside, and why:
# - escape: everywhere it leaves what you are in (a box: clears it first), Textual's sense;
# - tab / shift+tab: Textual's next and previous field;
# - y and n in ConfirmDialog and enter/escape in ConfirmMerge: the answer to the question on
#   screen; the app's keys (n: New partner) do not reach a question (PartnerApp.check_action).
SET_ASIDE = {"escape", "tab", "shift+tab"}
QUESTIONS = {"ConfirmDialog", "ConfirmMerge"}
# different action names that do the same thing, each stated
SAME = {
    "done": "act('complete_step')",  # My work's x and the partner page's x: mark a step done
    "tab(1)": "next part",  # ]: the next part of what the screen shows (tab, page)
    "page(1)": "next part",
    "tab(-1)": "previous part",
    "page(-1)": "previous part",
    "close": "help",  # ? in help closes help: the same key, the same help
    "reload": "reload",
}


def screen_classes() -> list[type[Screen[Any]]]:
    for package in (tui.screens, tui.dialogs):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    found: list[type[Screen[Any]]] = []
    todo: list[type[Any]] = [Screen]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("tui."):
                found.append(sub)
    return found


def meaning(action: str) -> str:
    action = action.removeprefix("app.").removeprefix("screen.")
    return SAME.get(action, action)


def test_no_key_means_two_things_on_two_screens() -> None:
    """Every key bound on the app and on any screen or dialog of the TUI does one thing."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    owners: list[tuple[str, list[Any]]] = [("PartnerApp", PartnerApp.BINDINGS)]
    owners += [(c.__name__, list(c.__dict__.get("BINDINGS", []))) for c in screen_classes()]
    assert len(owners) > 12  # the screens and dialogs were found
    for owner, bindings in owners:
        if owner in QUESTIONS:
            continue
        for b in bindings:
            if not isinstance(b, Binding):
                continue
            for key in b.key.split(","):
                if key in SET_ASIDE:
                    continue
                what = meaning(b.action)
                if key in seen and seen[key][1] != what:
                    clashes.append(f"{key}: {seen[key][0]} {seen[key][1]} / {owner} {what}")
                seen.setdefault(key, (owner, what))
    assert clashes == []


# ---------------------------------------------------------------- F23: questions


async def changed_form(app: PartnerApp, pilot: Any) -> FormDialog[Any]:
    await open_partner(app, pilot, "Phoenix Court Works")
    await pilot.press("c")
    dialog = await form_ready(pilot)
    await pilot.press(*"Priya")
    await settle(pilot)
    return dialog


def test_ctrl_q_twice_asks_once(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        dialog = await changed_form(app, pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        asked = [s for s in app.screen_stack if isinstance(s, ConfirmDialog)]
        assert len(asked) == 1
        await pilot.press("n")  # one n: back in the form, the typing kept
        await settle(pilot)
        assert app.screen is dialog and dialog.query_one("#name", Input).value == "Priya"

    drive_at(demo_db, SMALL, body)


def test_a_question_shows_the_screen_it_asks_about(demo_db: Database) -> None:
    """Behind the discard question the form is still drawn (dimmed), not a blank screen."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await changed_form(app, pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.styles.background.a < 1
        assert "Priya" in app.export_screenshot()  # what was typed shows behind the question

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- F2: the palette finds people


def test_the_palette_finds_a_person_and_opens_her_on_her_partners_page(
    demo_db: Database,
) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        with demo_db.reader() as s:
            nadia = contacts.find_contact(s, "Nadia Karim")
            nadia_id, org = nadia.id, nadia.organisation_id
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"nadia karim")
        for _ in range(50):  # the palette searches as it is typed
            await pilot.pause(0.05)
            options = app.screen.query("CommandList").first()
            if getattr(options, "option_count", 0):
                break
        first = options.get_option_at_index(0)  # type: ignore[attr-defined]
        assert "Nadia Karim" in str(first.prompt)
        await pilot.press("down", "enter")
        screen = await on(pilot, "PartnerScreen")
        assert isinstance(screen, PartnerScreen) and screen.organisation_id == org
        assert str(screen.query_one("#partner-tabs").active) == "contacts"  # type: ignore[attr-defined]
        people = screen.query_one("#contacts-table", DataTable)
        key = people.coordinate_to_cell_key(people.cursor_coordinate).row_key.value
        assert key == str(nadia_id)

    drive_at(demo_db, (140, 45), body)


def test_every_screen_and_dialog_holds_early_keys() -> None:
    """The holding is in the base classes: every screen and dialog of the TUI has it."""
    missing = [c.__name__ for c in screen_classes() if not issubclass(c, HeldKeys)]
    assert missing == []


def test_f_and_a_name_in_one_burst_on_the_list_filters(demo_db: Database) -> None:
    """f (to the filter) acts as it arrives and the letters after it follow the focus, even
    those that are keys on the list (p, h, o, e, n)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        partners = await on(pilot, "PartnersScreen")
        await pilot.press("down")
        burst(app, *"fphoenix")
        await on(pilot, "PartnersScreen")
        assert app.screen is partners
        assert partners.query_one("#filter", Input).value == "phoenix"

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- issue 13: keys after a choice


async def rows_shown(pilot: Any, table: DataTable[Any]) -> None:
    for _ in range(100):
        await settle(pilot)
        if table.row_count:
            return
        await pilot.pause(0.02)
    raise AssertionError("the list stayed empty")


@pytest.mark.parametrize("start", ["filter", "list"])
def test_enter_on_a_partner_then_l_and_a_subject_in_one_burst_logs_it(
    demo_db: Database, start: str
) -> None:
    """`↓ Enter l` and a subject, as one burst on Partners (from the filter or on the list):
    Enter opens the highlighted partner, l its Log conversation form, and the subject lands
    whole in the form (not in the Partners filter, nor on the partner's page)."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        partners = await on(pilot, "PartnersScreen")
        table = partners.query_one("#partners", DataTable)
        await rows_shown(pilot, table)
        row = 0
        if start == "list":
            await pilot.press("down")  # to the list; the burst's ↓ moves to the second row
            assert partners.focused is table
            row = 1
        chosen = int(str(table.ordered_rows[row].key.value))
        subject = "Summit venue: the great hall?"
        burst(app, "down", "enter", "l", *subject)
        dialog = await form_ready(pilot)
        await on(pilot, type(dialog).__name__)
        assert type(dialog).__name__ == "LogConversationDialog"
        assert dialog.query_one("#subject", Input).value == subject
        assert partners.query_one("#filter", Input).value == ""
        page = app.screen_stack[-2]
        assert isinstance(page, PartnerScreen) and page.organisation_id == chosen

    drive_at(demo_db, SMALL, body)


def test_enter_on_a_dashboard_step_then_a_key_of_the_partner_page_in_one_burst(
    demo_db: Database,
) -> None:
    """On the dashboard's My steps, `Enter c` and a name in one burst: the step's partner
    opens (its partner is read first) and c starts a contact there with the name typed in."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        steps = app.screen.query_one("#my-steps", DataTable)
        await rows_shown(pilot, steps)
        steps.focus()
        await pilot.pause()
        burst(app, "enter", "c", *"Ada Lovelace")
        dialog = await form_ready(pilot)
        await on(pilot, type(dialog).__name__)
        assert type(dialog).__name__ == "NewContactDialog"
        assert dialog.query_one("#name", Input).value == "Ada Lovelace"
        assert isinstance(app.screen_stack[-2], PartnerScreen)

    drive_at(demo_db, SMALL, body)


def test_a_choice_in_a_select_then_tab_and_typing_in_one_burst(demo_db: Database) -> None:
    """In Log conversation, from the Date: Tab (to Channel), Enter (its list opens), ↓, Enter
    (the next channel is chosen), Tab and a note, as one burst: the channel is chosen and the
    note typed whole."""
    from textual.widgets import Select, TextArea

    from tui import options

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Roundhouse")
        await pilot.press("l")
        dialog = await form_ready(pilot)
        dialog.query_one("#on", Input).focus()
        await pilot.pause()
        channel = dialog.query_one("#channel", Select)
        assert channel.value == "meeting"
        burst(app, "\t", "enter", "down", "enter", "\t", *"Nell is keen.")
        await on(pilot, type(dialog).__name__)
        await settle(pilot)
        values = [value for _, value in options.channels()]
        assert channel.value == values[values.index("meeting") + 1]
        assert dialog.query_one("#note", TextArea).text == "Nell is keen."
        assert dialog.query_one("#on", Input).value == f"{app.today:%d/%m/%Y}"

    drive_at(demo_db, SMALL, body)


@pytest.mark.parametrize("before", [[], ["p"], ["slash"]])
def test_ctrl_p_and_a_name_in_one_burst_types_the_name_in_the_palette(
    demo_db: Database, before: list[str]
) -> None:
    """`ctrl+p ucl` in one burst, alone or straight after the key to a screen still being drawn
    (its keys are held, then handed on in one go): `ucl` is in the palette's box."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        burst(app, *before, "ctrl+p", *"ucl")
        for _ in range(100):
            await settle(pilot)
            found = app.screen.query("CommandInput")
            if found and found.first(Input).value:
                break
            await pilot.pause(0.02)
        assert app.screen.query_one("CommandInput", Input).value == "ucl"
        beneath = app.screen_stack[-2]
        for box in beneath.query(Input):
            assert box.value == ""  # nothing typed in the Partners filter or the search box

    drive_at(demo_db, SMALL, body)


def test_a_filter_then_down_enter_l_in_one_burst_opens_the_partner_typed(
    demo_db: Database,
) -> None:
    """`ucl ↓ Enter l` and a subject, typed in one burst into the Partners filter: ↓ and Enter
    wait for the list to show what the filter asks, so UCL opens (not the first partner of
    the list as it stood before `ucl`) and the subject lands in its Log form."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("p")
        partners = await on(pilot, "PartnersScreen")
        await rows_shown(pilot, partners.query_one("#partners", DataTable))
        subject = "Summit follow-up"
        burst(app, *"ucl", "down", "enter", "l", *subject)
        await logging_for(app, pilot, "UCL", subject)

    drive_at(demo_db, SMALL, body)
