"""A field marked wrong at Save is checked again as it is put right, not only at the next Save.

A mark goes as soon as an edit puts the value right; a value still wrong keeps its mark, and
gets the message for what it now holds when the field is left. Each kind of field behaves the
same: a text box, a date, a choice, a tick, a note. Nothing here saves: the marks change
before any Save (issue 13).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.widgets import Static

from partnercrm import contacts
from partnercrm import models as m
from partnercrm.database import Database
from tests.test_tui import drive, error_of, open_partner, save, settle
from tui.app import PartnerApp
from tui.dialogs.form import PUT_RIGHT, FormDialog


async def open_form(app: PartnerApp, pilot: Any, key: str) -> FormDialog[Any]:
    await pilot.press(key)
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, FormDialog) and dialog.ready
    return dialog


def status(dialog: FormDialog[Any]) -> str:
    return str(dialog.query_one("#form-status", Static).render())


def focused(dialog: FormDialog[Any]) -> str | None:
    return dialog.focused.id if dialog.focused else None


async def retype(pilot: Any, text: str) -> None:
    """Empty the focused text box and type `text`, as a person would."""
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


def test_a_contacts_name_and_email_marks_go_as_they_are_put_right(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        dialog = await open_form(app, pilot, "c")
        assert focused(dialog) == "name"
        await pilot.press("tab", *"nadia at the farm")
        await save(pilot)
        assert "needed" in error_of(dialog, "name")
        assert "'nadia at the farm' is not valid" in error_of(dialog, "email")
        assert status(dialog).startswith(PUT_RIGHT) and focused(dialog) == "name"

        await pilot.press(*"Nadia Haddad")
        await pilot.pause()
        assert error_of(dialog, "name") == ""  # put right: its mark went as it was typed
        assert "not valid" in error_of(dialog, "email")  # the other field's mark stays
        assert status(dialog) == PUT_RIGHT  # one field left to put right, not "fields"

        await pilot.press("tab", "end", "backspace")
        await pilot.pause()
        # still wrong while it is typed: the old message stays, no new one mid-word
        assert "'nadia at the farm' is not valid" in error_of(dialog, "email")
        # emptied (an email is optional) and typed wrong again: left, it is marked again
        await retype(pilot, "nadia@")
        await pilot.press("tab")
        await pilot.pause()
        assert "'nadia@' is not valid" in error_of(dialog, "email")

        await pilot.press("shift+tab", *"farm.org")
        await pilot.pause()
        assert error_of(dialog, "email") == ""
        assert status(dialog) == ""  # nothing marked is left to put right
        assert app.screen is dialog  # none of this saved
        with app.db.reader() as s:
            assert s.scalar(select(m.Contact).where(m.Contact.name == "Nadia Haddad")) is None

    drive(demo_db, body)


def test_a_mark_only_the_save_could_find_stands_until_the_value_changes(
    demo_db: Database,
) -> None:
    with demo_db.reader() as s:
        taken = contacts.list_contacts(s)[0].email

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        dialog = await open_form(app, pilot, "c")
        await pilot.press(*"Nadia Haddad", "tab", *taken.upper())
        await save(pilot)
        assert "already belongs" in error_of(dialog, "email")  # the save read the database
        await pilot.press("tab", "shift+tab", "tab")  # left unchanged, twice
        await pilot.pause()
        assert "already belongs" in error_of(dialog, "email")
        await pilot.press("shift+tab", "end", "backspace")
        await pilot.pause()
        assert error_of(dialog, "email") == ""  # changed: the form cannot tell, the save will

    drive(demo_db, body)


def test_a_choice_and_a_checked_web_address_lose_their_marks(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        dialog = await open_form(app, pilot, "n")
        dialog.field("website").control.focus()
        await pilot.press(*"javascript:alert(1)")
        await save(pilot)
        assert "needed" in error_of(dialog, "sector")
        # the library's check of a web address runs in the form, before the database
        assert "not an http(s) address" in error_of(dialog, "website")

        dialog.field("sector").control.focus()
        await pilot.press("enter", "down", "enter")  # open the list, take the first sector
        await pilot.pause()
        assert dialog.field("sector").value() is not None
        assert error_of(dialog, "sector") == ""

        dialog.field("website").control.focus()
        await retype(pilot, "ftp://x")
        await pilot.press("tab")
        await pilot.pause()
        assert "'ftp://x' is not an http(s) address" in error_of(dialog, "website")
        await pilot.press("shift+tab")
        await retype(pilot, "kentishtowncityfarm.org.uk")
        assert error_of(dialog, "website") == ""
        assert "needed" in error_of(dialog, "name")  # never touched: still marked

    drive(demo_db, body)


def test_a_date_a_figure_and_a_whole_number_are_checked_again_on_leaving(
    demo_db: Database,
) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "UCL")
        dialog = await open_form(app, pilot, "v")  # record a delivery
        dialog.field("on").control.focus()
        await retype(pilot, "31/02/2026")
        dialog.field("people").control.focus()
        await pilot.press(*"1.5")
        await save(pilot)
        assert error_of(dialog, "on") != ""
        assert "whole number" in error_of(dialog, "people")

        dialog.field("on").control.focus()
        await retype(pilot, "someday")
        await pilot.press("tab")
        await pilot.pause()
        assert "someday" in error_of(dialog, "on")  # still wrong: its own message now
        dialog.field("on").control.focus()
        await retype(pilot, "yesterday")
        assert error_of(dialog, "on") == ""

        dialog.field("people").control.focus()
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert error_of(dialog, "people") == ""
        assert app.screen is dialog

    drive(demo_db, body)


def test_a_note_and_a_tick_lose_the_saves_mark_once_changed(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "UCL")
        dialog = await open_form(app, pilot, "v")  # a delivery of nothing at all
        await save(pilot)
        assert "needs at least one figure" in error_of(dialog, "story")
        dialog.field("story").control.focus()
        await pilot.press(*"Ten students")
        await pilot.pause()
        assert error_of(dialog, "story") == ""
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # yes, discard what was typed
        await settle(pilot)

        await open_partner(app, pilot, "Camden Giving")
        dialog = await open_form(app, pilot, "k")  # convert, promising nothing
        dialog.field("kind").control.value = "sponsorship_financial"
        await save(pilot)
        assert "needs something promised" in error_of(dialog, "nothing_promised")
        dialog.field("nothing_promised").control.focus()
        await pilot.press("space")
        await pilot.pause()
        assert error_of(dialog, "nothing_promised") == ""
        assert app.screen is dialog

    drive(demo_db, body)


def test_a_mark_across_fields_goes_when_the_other_field_puts_it_right(demo_db: Database) -> None:
    """Log a conversation with a next step but no due date: the Due field is marked. Emptying
    the next step instead settles it; so does leaving a due date without a step the other way."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        dialog = await open_form(app, pilot, "l")
        dialog.field("step").control.focus()
        await pilot.press(*"Send the pack")
        await save(pilot)
        assert "when is the next step due?" in error_of(dialog, "due")
        assert status(dialog) == PUT_RIGHT

        dialog.field("step").control.focus()
        await retype(pilot, "")
        assert error_of(dialog, "due") == ""  # no next step: no due date needed
        assert error_of(dialog, "step") == ""
        assert status(dialog) == ""

        # the other way round: a due date with no step marks the step; a date emptied settles it
        dialog.field("due").control.focus()
        await pilot.press(*"+7")
        await save(pilot)
        assert "what is the next step?" in error_of(dialog, "step")
        dialog.field("due").control.focus()
        await retype(pilot, "")
        await pilot.press("tab")
        await pilot.pause()
        assert error_of(dialog, "step") == "" and status(dialog) == ""
        assert app.screen is dialog  # none of this saved

    drive(demo_db, body)


def test_ticking_replace_settles_the_file_exists_mark(demo_db: Database, tmp_path: Any) -> None:
    target = tmp_path / "giving.md"
    target.write_text("an older brief\n", encoding="utf-8")

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Camden Giving")
        dialog = await open_form(app, pilot, "b")
        dialog.field("path").control.focus()
        await retype(pilot, str(target))
        await save(pilot)
        assert f"{target} exists; tick 'replace'" in error_of(dialog, "path")
        assert status(dialog) == PUT_RIGHT

        dialog.field("overwrite").control.focus()
        await pilot.press("space")
        await pilot.pause()
        assert error_of(dialog, "path") == "" and status(dialog) == ""
        await pilot.press("space")  # untick: a Save asks again, before writing anything
        await save(pilot)
        assert "exists; tick 'replace'" in error_of(dialog, "path")
        assert target.read_text(encoding="utf-8") == "an older brief\n"

        dialog.field("overwrite").control.focus()  # the Save pointed at the File
        await pilot.press("space")
        await save(pilot)
        assert app.screen is not dialog
        assert target.read_text(encoding="utf-8").startswith("#")

    drive(demo_db, body)
