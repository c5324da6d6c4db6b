"""Words on the TUI's screens (and the CLI's lists) a person reads: labels for every code, one
date style, help that does not wrap, a form's error in view (issue 13, review F1-F27)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from partnercrm.database import Database
from tests.test_tui import ME, settle
from tests.test_tui import demo_db as demo_db
from tests.test_tui import demo_template as demo_template
from tests.test_tui_small import LARGE, SMALL, drive_at
from tui.app import PartnerApp
from tui.dialogs.help import HelpDialog

SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x45"])


@SIZES
def test_no_help_line_wraps(demo_db: Database, size: tuple[int, int]) -> None:
    """`?` at 80x24 and 140x45: every entry is one line, whole (no ellipsis), in its column."""

    async def body(app: PartnerApp, pilot: Any) -> None:
        for key in ("question_mark", "escape", "p", "escape", "question_mark"):
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.1)
        dialog = app.screen
        assert isinstance(dialog, HelpDialog)
        text = dialog.query_one("#help-text", Static)
        sections: list[Any] = list(dialog.laid_out.renderables)
        entries = sum(s.renderables[1].row_count for s in sections)
        # a title, its entries and a blank line per section: one line each, nothing wrapped
        assert text.size.height == entries + 2 * len(sections)
        lines = [text.render_line(y).text for y in range(text.size.height)]
        assert not any("…" in line for line in lines), lines
        assert text.size.width <= dialog.query_one(VerticalScroll).content_region.width

    drive_at(demo_db, size, body)


# ---------------------------------------------------------------- codes shown as words


async def screen_text(app: PartnerApp, pilot: Any) -> str:
    """Everything drawn on the terminal now, line by line."""
    await settle(pilot)
    await pilot.pause(0.2)
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def codes(db: Database) -> list[str]:
    """Stored codes that differ from the words people read for them: mission and role keys
    (as keys, or with their underscores as spaces) and the sector codes; a code that is also
    a word shown for something (the commitment kind 'research') is left out."""
    from partnercrm import labels
    from partnercrm import models as m

    with db.reader() as s:
        rows = [*s.query(m.Mission), *s.query(m.AmbassadorRole)]
    found = [r.key for r in rows] + [r.key.replace("_", " ") for r in rows]
    found += [code for code, words in labels.SECTOR.items() if code != words]
    shown = {r.name for r in rows}
    shown |= {w for words in labels.VOCABULARIES.values() for w in words.values()}
    return sorted({k for k in found if k not in shown})


def assert_words(text: str, db: Database) -> None:
    import re

    for code in codes(db):
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), (code, text)


def test_the_palette_names_a_partners_sector_in_words(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"phoenix")
        await pilot.pause(0.5)
        text = await screen_text(app, pilot)
        assert "open the partner (voluntary and community sector)" in text
        assert_words(text, demo_db)

    drive_at(demo_db, LARGE, body)


def test_the_event_screen_names_missions_and_roles(demo_db: Database) -> None:
    from partnercrm import events

    with demo_db.reader() as s:
        event = max(events.list_events(s), key=lambda e: e["attendees"])

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_event(event["id"])
        text = await screen_text(app, pilot)
        assert "Young people" in text
        assert_words(text, demo_db)

    drive_at(demo_db, LARGE, body)


def test_duplicates_show_the_sector_in_words_and_dates_as_every_screen(
    demo_db: Database,
) -> None:
    from datetime import datetime

    from partnercrm import organisations

    with demo_db.transaction() as s:
        twin = organisations.add_organisation(s, "Phoenix Court Works Ltd", "vcs", new=True)
        twin.created_at = datetime(2024, 3, 5, 10, 0)

    async def body(app: PartnerApp, pilot: Any) -> None:
        await app.switch_mode("duplicates")
        text = await screen_text(app, pilot)
        assert "Sector: voluntary and community sector" in text
        assert "Added: 5 Mar 2024" in text
        assert "2024-03-05" not in text
        assert_words(text, demo_db)

    drive_at(demo_db, LARGE, body)


# ---------------------------------------------------------------- the Partners filter


@pytest.mark.parametrize(
    "typed",
    ["voluntary", "vcs", "sector:voluntary and community sector", "sector:vcs", "sector:volunt"],
)
def test_the_partners_filter_matches_the_sector_it_shows(demo_db: Database, typed: str) -> None:
    """What the Sector column reads ('voluntary and community sector') finds the same partners
    as the code: the screen's words, not only the stored code."""
    from partnercrm import organisations
    from tui.screens.partners import Filter

    f = Filter.parse(typed)
    with demo_db.reader() as s:
        rows = organisations.list_organisations(s, query=f.query or None, sector=f.sector)
        vcs = {o.name for o in organisations.list_organisations(s) if o.sector == "vcs"}
    assert vcs and {r.name for r in rows} == vcs


def test_a_sector_word_narrows_with_a_name(demo_db: Database) -> None:
    from partnercrm import organisations

    with demo_db.reader() as s:
        both = organisations.list_organisations(s, query="camden volunt")
        public = organisations.list_organisations(s, query="camden public")
    assert [r.name for r in both] == ["Camden Giving"]
    assert [r.name for r in public] == ["Camden Learning"]


# ---------------------------------------------------------------- a form's error in view


def test_a_wrong_field_is_scrolled_into_view_with_its_whole_message(demo_db: Database) -> None:
    """80x24: a bad 'Next step due' (the form's last field) and ctrl+s: the field and both
    lines of its message are inside the form's scrolling box, not half below it."""
    from tests.test_tui import error_of, open_partner
    from tui.dialogs.form import FormDialog

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Phoenix Court Works")
        await pilot.press("l")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.field("subject").control.value = "Open day"  # type: ignore[attr-defined]
        due = dialog.field("due")
        due.control.focus()
        await pilot.press(*"Send the open day invite", "ctrl+s")
        await settle(pilot)
        await pilot.pause(0.2)
        assert "is not" in error_of(dialog, "due")
        box = dialog.query_one("#form-fields").region
        message = due.query_one(".field-error").region
        assert message.height >= 2  # the sentence takes two lines at 80 columns
        assert box.contains_region(message), (box, message)
        assert box.contains_region(due.control.region)
        assert app.focused is due.control

    drive_at(demo_db, SMALL, body)


# ---------------------------------------------------------------- history: who, and no noise


def test_the_history_says_who_in_words_and_leaves_out_a_date_that_follows(
    demo_db: Database,
) -> None:
    """Lapsing a commitment sets its closed date: the history tells the status, not the date
    again; what the demo loader wrote (as a computer login, 'tests' here) reads 'demo data'."""
    from partnercrm import commitments, history
    from partnercrm import models as m

    with demo_db.transaction() as s:
        open_one = s.query(m.Commitment).filter(m.Commitment.status == "agreed").first()
        assert open_one is not None
        commitments.lapse(s, open_one)
        org_id = open_one.organisation_id
    with demo_db.reader() as s:
        lines = history.readable(s, history.entries(s, organisation_id=org_id, limit=200))
    mine = [line for line in lines if line.entity == "commitment" and line.who == ME]
    assert mine and "changed status from agreed to lapsed" in mine[0].what
    assert "closed date" not in mine[0].what
    assert {line.who for line in lines} == {ME, "demo data"}


def test_undo_says_what_it_put_back_without_derived_records(demo_db: Database) -> None:
    """Undoing a logged conversation names the conversation and its touchpoint, not the stage
    change recorded with it; the actor by full name and the time in the one date style."""
    from partnercrm import colleagues, conversations, labels, organisations, undo
    from partnercrm import models as m

    with demo_db.transaction() as s:
        org = organisations.find_organisation(s, "Roundhouse")
        lead = colleagues.find_colleague(s, ME)
        conversations.log_conversation(s, org, lead, subject="Open day", note="Met at the door")
    with demo_db.transaction() as s:
        done = undo.undo_last(s)
        said = done.said()
        when = labels.moment(done.at)
    assert said.startswith(f"{ME}'s change of {when}: ")
    assert "conversation" in said and "touchpoint" in said
    assert "stage change" not in said and "UTC" not in said
    with demo_db.reader() as s:
        assert s.query(m.Conversation).filter_by(subject="Open day").count() == 0


@SIZES
def test_the_event_screen_fits_its_columns(demo_db: Database, size: tuple[int, int]) -> None:
    """At 80x24 every column of both tables shows (text cut with an ellipsis), none beyond
    the edge; at 140x45 the names are whole."""
    from partnercrm import events
    from tui.widgets.table import Table

    with demo_db.reader() as s:
        event = max(events.list_events(s), key=lambda e: e["attendees"])

    async def body(app: PartnerApp, pilot: Any) -> None:
        app.open_event(event["id"])
        text = await screen_text(app, pilot)
        for table in app.screen.query(Table):
            assert not table.more_right, table.id
        if size == LARGE:
            assert "Advocate/champion" in text

    drive_at(demo_db, size, body)


def test_a_time_is_read_on_the_teams_clock_uk_time_with_the_year_only_when_not_this_year() -> None:
    """Times are stored in UTC; people read them in UK time (an hour ahead in summer), so a
    change at 23:30 UTC on 3 July happened on 4 July for the team."""
    from datetime import UTC, date, datetime

    from partnercrm import labels

    today = date(2026, 11, 30)
    assert labels.moment(datetime(2026, 7, 3, 13, 5, tzinfo=UTC), today) == "3 Jul 14:05"
    assert labels.moment(datetime(2026, 7, 3, 23, 30, tzinfo=UTC), today) == "4 Jul 00:30"
    assert labels.moment(datetime(2026, 11, 3, 13, 5, tzinfo=UTC), today) == "3 Nov 13:05"
    assert labels.moment(datetime(2025, 11, 3, 13, 5, tzinfo=UTC), today) == "3 Nov 2025 13:05"


def test_a_search_match_past_a_narrow_column_is_brought_into_it() -> None:
    """At 80 columns "Where it matched" is about 20 cells: a match further in is shown with
    the start cut (…), not cut off itself; one that fits is left where it is."""
    from tui.screens.search import around_match

    snippet = "Research partner for the missions' learning framework"
    at = snippet.index("framework")
    shown = around_match(snippet, [(at, at + len("framework"))], 20)
    assert shown.plain.startswith("…") and "framework" in shown.plain[:20]
    marked = [shown.plain[span.start : span.end] for span in shown.spans]
    assert marked == ["framework"]
    early = around_match(snippet, [(0, 8)], 20)
    assert early.plain == snippet and [early.plain[sp.start : sp.end] for sp in early.spans] == [
        "Research"
    ]
