"""The TUI's My work screen shows the digest's sections and exports the calendar (`c`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import icalendar

from partnercrm.colleagues import find_colleague
from partnercrm.database import Database
from partnercrm.digest import digest_for
from tests.test_tui import (  # noqa: F401  (fixtures)
    ME,
    TODAY,
    demo_db,
    demo_template,
    drive,
    fill,
    save,
    settle,
)
from tui.app import PartnerApp
from tui.dialogs.form import FormDialog


def table_text(app: PartnerApp, table_id: str) -> str:
    from textual.widgets import DataTable

    table = app.screen.query_one(f"#{table_id}", DataTable)
    return "\n".join(
        " | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)
    )


def test_my_work_digest_and_calendar(demo_db: Database, tmp_path: Path) -> None:  # noqa: F811
    with demo_db.reader() as s:
        digest = digest_for(s, find_colleague(s, ME), today=TODAY)
        expected = [
            item.text
            for key in ("cold", "commitments", "events", "interest")
            for item in digest.section(key).items
        ]
    assert expected  # the demo gives Ruth something beyond her steps

    async def body(app: PartnerApp, pilot: Any) -> None:
        await pilot.press("w")
        await settle(pilot)
        shown = table_text(app, "work-digest")
        for text in expected:
            assert text in shown
        # what acts on each, in the TUI's keys: no command line in a terminal interface
        assert "t on the partner's page (Add a touchpoint)" in shown
        assert "partnercrm " not in shown and "--" not in shown
        panel = app.screen.query_one("#work-digest-panel")
        assert panel.border_title == f"From the digest ({len(expected)})"

        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        out = tmp_path / "ruth.ics"
        fill(dialog, path=str(out))
        await save(pilot)
        await settle(pilot)
        cal = icalendar.Calendar.from_ical(out.read_bytes())
        uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
        assert any(uid.startswith("step-") for uid in uids)
        step = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("step-"))
        assert str(step["DESCRIPTION"]).endswith(
            "Done? x on My work or the partner's page (Mark a step done)"
        )
        assert str(cal["X-WR-CALNAME"]) == f"partnercrm: {ME}"

        # again to the same file: refused until 'replace' is ticked
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, path=str(out))
        await save(pilot)
        await settle(pilot)
        assert app.screen is dialog
        fill(dialog, path=str(out), overwrite=True)
        await save(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        again = icalendar.Calendar.from_ical(out.read_bytes())
        assert {str(e["UID"]) for e in again.walk("VEVENT")} == uids

    drive(demo_db, body)
