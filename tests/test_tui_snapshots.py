"""SVG snapshots of the key screens on the demo data, at a fixed size and a fixed day.

Review every diff before `pytest --snapshot-update`: a changed snapshot is a changed screen.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partnercrm.database import Database, open_database
from tests.test_tui import ME, SIZE, make_app, org_id, settle
from tests.test_tui import demo_template as demo_template  # the session fixture, shared


@pytest.fixture
def snap_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database made on the fixed day."""
    path = tmp_path / "snap.db"
    shutil.copy(request.getfixturevalue("demo_template"), path)
    db = open_database(str(path), actor=ME)
    yield db
    db.dispose()


def test_dashboard_snapshot(snap_db: Database, snap_compare: Any) -> None:
    assert snap_compare(make_app(snap_db), terminal_size=SIZE, run_before=settle)


def test_partners_snapshot(snap_db: Database, snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZE, run_before=before)


def test_partner_page_snapshot(snap_db: Database, snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_partner(org_id(snap_db, "Camden Giving"))
        await settle(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZE, run_before=before)


def test_conversation_form_snapshot(snap_db: Database, snap_compare: Any) -> None:
    async def before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_partner(org_id(snap_db, "Roundhouse"))
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(make_app(snap_db), terminal_size=SIZE, run_before=before)
