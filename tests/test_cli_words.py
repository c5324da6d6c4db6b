"""The CLI's lists name missions and roles as the TUI does (their names, not their keys)."""

from __future__ import annotations

import re
from datetime import date

from partnercrm import models as m
from partnercrm.database import open_database
from partnercrm.demo import load_demo


def test_lists_name_missions_not_their_keys(cli: object, db_url: str) -> None:
    db = open_database(db_url, actor="tester")
    with db.transaction() as s:
        load_demo(s, today=date(2026, 11, 30))
    with db.reader() as s:
        missions = {mi.key: mi.name for mi in s.query(m.Mission)}
    db.dispose()
    keys = [k for k, name in missions.items() if k != name] + [
        k.replace("_", " ") for k, name in missions.items() if k.replace("_", " ") != name
    ]
    shown = {
        "ambassador list": cli.ok("ambassador", "list").stdout,  # type: ignore[attr-defined]
        "commitment list": cli.ok("commitment", "list").stdout,  # type: ignore[attr-defined]
        "event show": cli.ok(  # type: ignore[attr-defined]
            "event", "show", "Anchor Roundtable Autumn 2026"
        ).stdout,
    }
    for command, text in shown.items():
        for key in keys:
            assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text), (command, key)
    assert "Estates and" in shown["ambassador list"]  # the name, wrapped in its column or not
    assert "Young people" in shown["commitment list"]
    assert "Advocate/champion" in shown["event show"]
