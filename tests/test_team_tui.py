"""The TUI hides what the acting colleague's roles do not allow, and refuses it in a sentence."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from partnercrm.database import Database, open_database
from tests.test_tui import (  # noqa: F401  (demo_template is a fixture)
    demo_template,
    drive,
    notifications,
    open_partner,
    settle,
)
from tui.app import PartnerApp
from tui.screens.partner import PartnerScreen


def _as(demo_template: Path, tmp_path: Path, who: str) -> Database:  # noqa: F811
    path = tmp_path / "crm.db"
    shutil.copy(demo_template, path)
    return open_database(str(path), actor=who, verify=True)  # as the CLI opens it


def test_a_viewer_sees_no_editing_keys_and_is_told_why(demo_template: Path, tmp_path: Path):  # noqa: F811
    db = _as(demo_template, tmp_path, "Helen Armitage")  # a viewer in the demo

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "UCL")
        screen = app.screen
        assert isinstance(screen, PartnerScreen)
        assert screen.check_action("act", ("log_conversation",)) is False
        assert screen.check_action("act", ("export_brief",)) is True
        await pilot.press("l")
        await settle(pilot)
        assert app.screen is screen  # no form opened
        app.open_action("log_conversation", screen.organisation_id)
        await settle(pilot)
        assert app.screen is screen
        assert (
            "Helen Armitage is a viewer: they can read and pull briefs, not log a warm "
            "conversation" in notifications(app)
        )

    try:
        drive(db, body)
    finally:
        db.dispose()


def test_an_editor_keeps_every_key(demo_template: Path, tmp_path: Path):  # noqa: F811
    db = _as(demo_template, tmp_path, "Priya Shah")

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "UCL")
        assert app.screen.check_action("act", ("log_conversation",)) is True
        # reading needs no role: an editor's brief is not refused for want of `viewer`
        assert app.screen.check_action("act", ("export_brief",)) is True

    try:
        drive(db, body)
    finally:
        db.dispose()
