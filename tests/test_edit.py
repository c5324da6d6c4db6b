"""Correcting every record from the command line: what is stored, and what the history says."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    events,
    missions,
    organisations,
    steps,
)
from partnercrm import models as m

TODAY = date.today()
STARTED = TODAY - timedelta(days=60)
LATER = TODAY - timedelta(days=30)
DUE = TODAY + timedelta(days=30)


@pytest.fixture
def world(db) -> dict[str, int]:
    """Two colleagues, a partner with two people, a conversation with a step and a touchpoint,
    a commitment, an ambassadorship and an event; built through the library."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        jo = colleagues.add_colleague(s, "Jo Director", "jo@camden.gov.uk")
        org = organisations.add_organisation(s, "Wellcome Collection", "culture")
        other = organisations.add_organisation(s, "British Library", "culture")
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@wellcome.org", org)
        bo = contacts.add_contact(s, "Bo Smith", "bo@wellcome.org", org)
        conv = conversations.log_conversation(
            s,
            org,
            ruth,
            contacts=[ada],
            missions=[missions.find_mission(s, "young_people")],
            ask="sponsorship",
            subject="Summer placements",
            on=STARTED,
        )
        touch = conversations.add_touchpoint(s, conv, on=LATER, note="Call back", colleague=ruth)
        step = steps.add_step(s, conv, "Send the pack", ruth, DUE, confirm=True)
        deal = conversations.log_conversation(s, org, jo, ask="opportunities", on=STARTED)
        com = commitments.add_commitment(
            s, deal, "opportunities", opportunities=10, people=10, due=DUE, on=LATER, confirm=True
        )
        amb = ambassadors.enrol(s, org, missions.find_role(s, "advocate"), since=STARTED)
        event = events.add_event(s, "Camden Summit", "summit", LATER, host=org)
        events.record_attendance(s, event, ada)
        return {
            "ruth": ruth.id,
            "jo": jo.id,
            "org": org.id,
            "other": other.id,
            "ada": ada.id,
            "bo": bo.id,
            "conv": conv.id,
            "touch": touch.id,
            "step": step.id,
            "deal": deal.id,
            "commitment": com.id,
            "amb": amb.id,
            "event": event.id,
        }


def changes_to(cli, entity: str, ident: int, action: str = "update") -> dict[str, Any]:
    """Every field the history says changed on one record (newest entry last wins)."""
    found: dict[str, Any] = {}
    entries = [
        e
        for e in cli.json("history", "--limit", "1000")
        if e["entity"] == entity and e["entity_id"] == ident and e["action"] == action
    ]
    for e in reversed(entries):  # oldest first
        found.update(e["changes"] or {})
    assert found, f"the history has no {action} of {entity} {ident}"
    return found


def test_conversation_edit_changes_only_what_is_given(cli, db, world):
    data = cli.json(
        "conversation",
        "edit",
        str(world["conv"]),
        "--subject",
        "Winter placements",
        "--lead",
        "Jo",
        "--mission",
        "estates",
        "--mission",
        "diversity",
        "--with",
        "Bo Smith",
        "--with",
        "Ada Lovelace",
        "--date",
        (STARTED - timedelta(days=2)).isoformat(),
        actor="Ruth Craven",
    )
    assert data["subject"] == "Winter placements" and data["lead"] == "Jo Director"
    assert data["ask"] == "sponsorship"  # not given: unchanged
    with db.reader() as s:
        conv = s.get(m.Conversation, world["conv"])
        assert sorted(mi.key for mi in conv.missions) == ["diversity", "estates"]
        assert sorted(c.name for c in conv.contacts) == ["Ada Lovelace", "Bo Smith"]
        assert conv.started_on == STARTED - timedelta(days=2)
        first = conversations.touchpoints(s, conv)[-1]
        assert first.happened_on == conv.started_on  # the conversation itself moved with it
        assert conversations.stage_changes(s, conv)[0].changed_on == conv.started_on
    changed = changes_to(cli, "conversation", world["conv"])
    assert changed["subject"] == ["Summer placements", "Winter placements"]
    assert changed["lead_id"] == [world["ruth"], world["jo"]]
    assert changed["missions"] == [["young_people"], ["diversity", "estates"]]
    assert changed["contacts"] == [[world["ada"]], sorted([world["ada"], world["bo"]])]
    assert changed["started_on"][1] == (STARTED - timedelta(days=2)).isoformat()
    entry = cli.json("history", "--conversation", str(world["conv"]))[0]
    assert entry["actor"] == "Ruth Craven"


def test_conversation_edit_clears_with_empty_values(cli, db, world):
    cli.ok("conversation", "edit", str(world["conv"]), "--ask", "", "--mission", "", "--with", "")
    with db.reader() as s:
        conv = s.get(m.Conversation, world["conv"])
        assert conv.ask is None and conv.missions == [] and conv.contacts == []
        assert conv.subject == "Summer placements"
    assert changes_to(cli, "conversation", world["conv"])["ask_role_id"][1] is None


def test_conversation_edit_refuses_what_cannot_be(cli, world):
    late = cli("conversation", "edit", str(world["conv"]), "--date", TODAY.isoformat())
    assert late.exit_code == 1
    assert "has a touchpoint on" in late.stderr
    stranger = cli("conversation", "edit", str(world["conv"]), "--with", "nobody at all")
    assert stranger.exit_code == 1 and "no contact matches" in stranger.stderr
    leadless = cli("conversation", "edit", str(world["conv"]), "--lead", "")
    assert leadless.exit_code == 2 and "needs a lead" in leadless.stderr


def test_touch_edit_and_archive(cli, db, world):
    tp = str(world["touch"])
    data = cli.json(
        "conversation",
        "touch-edit",
        tp,
        "--date",
        (LATER + timedelta(days=5)).isoformat(),
        "--channel",
        "email",
        "--note",
        "",
        "--with",
        "Ada",
    )
    assert data["channel"] == "email" and data["note"] is None and data["contact"] == "Ada Lovelace"
    with db.reader() as s:
        conv = s.get(m.Conversation, world["conv"])
        assert conv.last_touch_on == LATER + timedelta(days=5)
    changed = changes_to(cli, "touchpoint", world["touch"])
    assert changed["channel"] == ["meeting", "email"]
    assert changed["note"] == ["Call back", None]

    archived = cli.json("conversation", "touch-archive", tp)
    assert archived["archived"] is True
    with db.reader() as s:
        conv = s.get(m.Conversation, world["conv"])
        assert [t.id for t in conversations.touchpoints(s, conv)] != []
        assert world["touch"] not in [t.id for t in conversations.touchpoints(s, conv)]
        assert conv.last_touch_on == STARTED  # the last touch is the one left
    assert changes_to(cli, "touchpoint", world["touch"], "archive")["archived"] == [False, True]
    again = cli("conversation", "touch-archive", tp)
    assert again.exit_code == 1 and "already archived" in again.stderr
    assert cli("conversation", "touch-edit", "999", "--note", "x").exit_code == 1


def test_step_edit_and_reopen(cli, db, world):
    due = DUE + timedelta(days=7)
    data = cli.json(
        "step",
        "edit",
        str(world["step"]),
        "--text",
        "Send the revised pack",
        "--owner",
        "jo",
        "--due",
        due.isoformat(),
    )
    assert data["description"] == "Send the revised pack" and data["owner"] == "Jo Director"
    assert data["due"] == due.isoformat()
    changed = changes_to(cli, "step", world["step"])
    assert changed["owner_id"] == [world["ruth"], world["jo"]]
    assert changed["due_on"] == [DUE.isoformat(), due.isoformat()]

    refused = cli("step", "reopen", str(world["step"]))
    assert refused.exit_code == 1 and "not done" in refused.stderr
    cli.ok("step", "done", str(world["step"]))
    data = cli.json("step", "reopen", str(world["step"]))
    assert data["done"] is None
    with db.reader() as s:
        assert s.get(m.Step, world["step"]).done_on is None
    assert changes_to(cli, "step", world["step"])["done_on"][1] is None
    empty = cli("step", "edit", str(world["step"]), "--text", "")
    assert empty.exit_code == 1 and "needs a description" in empty.stderr


def test_commitment_edit(cli, db, world):
    ident = str(world["commitment"])
    data = cli.json(
        "commitment",
        "edit",
        ident,
        "--kind",
        "sponsorship_in_kind",
        "--mission",
        "estates",
        "--beneficiary",
        "Kentish Town School",
        "--gbp",
        "5,000",
        "--hours",
        "40",
        "--opportunities",
        "",
        "--people",
        "12",
        "--due",
        "",
        "--date",
        (LATER - timedelta(days=1)).isoformat(),
    )
    assert data["kind"] == "sponsorship_in_kind" and data["missions"] == ["estates"]
    assert data["promised"] == {"gbp": 5000, "hours": 40, "opportunities": None, "people": 12}
    assert data["due"] is None and data["agreed_on"] == (LATER - timedelta(days=1)).isoformat()
    with db.reader() as s:
        com = s.get(m.Commitment, world["commitment"])
        assert com.promised_gbp == Decimal("5000") and com.beneficiary == "Kentish Town School"
        moved = conversations.stage_changes(s, com.conversation)[-1]
        assert moved.to_stage == "committed" and moved.changed_on == com.agreed_on
    changed = changes_to(cli, "commitment", world["commitment"])
    assert changed["kind"] == ["opportunities", "sponsorship_in_kind"]
    assert changed["promised_opportunities"] == [10, None]
    assert changed["missions"] == [[], ["estates"]]
    early = cli("commitment", "edit", ident, "--due", (LATER - timedelta(days=9)).isoformat())
    assert early.exit_code == 1 and "before the commitment was agreed" in early.stderr
    bad = cli("commitment", "edit", ident, "--gbp", "lots")
    assert bad.exit_code == 1 and "not a number" in bad.stderr


def test_delivery_edit_undeliver_and_the_way_out_of_delivered(cli, db, world):
    ident = str(world["commitment"])
    cli.ok("commitment", "deliver", ident, "--opportunities", "8", "--date", TODAY.isoformat())
    for verb in ("start", "lapse"):
        refused = cli("commitment", verb, ident)
        assert refused.exit_code == 1
        assert "undo the delivery first" in refused.stderr  # not a dead end

    data = cli.json(
        "commitment",
        "delivery-edit",
        ident,
        "--opportunities",
        "9",
        "--people",
        "7",
        "--story",
        "Nine placements, two hired",
        "--date",
        (TODAY - timedelta(days=1)).isoformat(),
    )
    (delivery,) = data["deliveries"]
    assert delivery["opportunities"] == 9 and delivery["people"] == 7
    assert data["closed_on"] == (TODAY - timedelta(days=1)).isoformat()
    changed = changes_to(cli, "delivery", delivery["id"])
    assert changed["opportunities"] == [8, 9]
    assert changed["story"] == [None, "Nine placements, two hired"]

    data = cli.json("commitment", "undeliver", ident)
    assert data["status"] == "in_progress" and data["deliveries"] == []
    assert data["closed_on"] is None
    with db.reader() as s:
        assert s.get(m.Delivery, delivery["id"]) is None
    gone = changes_to(cli, "delivery", delivery["id"], "delete")  # the history keeps it
    assert gone["opportunities"] == [9, None] and gone["story"][0] == "Nine placements, two hired"
    assert changes_to(cli, "commitment", world["commitment"])["status"][1] == "in_progress"
    again = cli("commitment", "undeliver", ident)
    assert again.exit_code == 1
    assert f"commitment {ident} is in progress, not delivered; nothing to undo" in again.stderr
    cli.ok("commitment", "lapse", ident)  # now it can
    shown = cli.ok("commitment", "show", ident).stdout
    assert "No delivery recorded." in shown


def test_ambassador_edit(cli, db, world):
    ident = str(world["amb"])
    data = cli.json(
        "ambassador",
        "edit",
        ident,
        "--role",
        "sponsorship",
        "--mission",
        "food",
        "--since",
        (STARTED - timedelta(days=3)).isoformat(),
    )
    assert data["role"] == "sponsorship" and data["mission"] == "food"
    assert data["since"] == data["status_changed_on"] == (STARTED - timedelta(days=3)).isoformat()
    data = cli.json("ambassador", "edit", ident, "--mission", "")
    assert data["mission"] is None and data["role"] == "sponsorship"
    changed = changes_to(cli, "ambassadorship", world["amb"])
    assert changed["mission_id"][1] is None
    assert "role_id" in changed and "since" in changed
    with db.transaction() as s:
        org = s.get(m.Organisation, world["org"])
        ambassadors.enrol(s, org, missions.find_role(s, "advocate"))
    clash = cli("ambassador", "edit", ident, "--role", "advocate")
    assert clash.exit_code == 1 and "already holds" in clash.stderr


def test_event_edit_and_attendance(cli, db, world):
    data = cli.json(
        "event",
        "edit",
        "Camden Summit",
        "--name",
        "Camden Partnership Summit",
        "--kind",
        "roundtable",
        "--date",
        STARTED.isoformat(),
        "--host",
        "British Library",
    )
    assert data["name"] == "Camden Partnership Summit" and data["kind"] == "roundtable"
    assert data["host"] == "British Library" and data["date"] == STARTED.isoformat()
    assert cli.json("event", "edit", str(world["event"]), "--host", "")["host"] is None
    changed = changes_to(cli, "event", world["event"])
    assert changed["name"] == ["Camden Summit", "Camden Partnership Summit"]
    assert changed["host_id"][1] is None

    att = cli.json("event", "attendance", "Camden Partnership Summit", "Ada", "--role", "speaker")
    assert att["role"] == "speaker"
    assert changes_to(cli, "attendance", att["id"])["role"] == ["attendee", "speaker"]
    cli.ok("event", "attendance", str(world["event"]), "ada@wellcome.org", "--remove")
    with db.reader() as s:
        assert s.get(m.Attendance, att["id"]) is None
    assert changes_to(cli, "attendance", att["id"], "delete")["role"] == ["speaker", None]
    absent = cli("event", "attendance", str(world["event"]), "Bo Smith", "--role", "host")
    assert absent.exit_code == 1 and "is not recorded at" in absent.stderr
    both = cli("event", "attendance", str(world["event"]), "Ada", "--role", "host", "--remove")
    assert both.exit_code == 2


def test_clearing_a_field_is_an_empty_value(cli, db, world):
    cli.ok("contact", "edit", "Ada Lovelace", "--org", "", "--title", "", "--email", "")
    with db.reader() as s:
        ada = s.get(m.Contact, world["ada"])
        assert ada.organisation is None and ada.job_title is None and ada.email is None
    changed = changes_to(cli, "contact", world["ada"])
    assert changed["organisation_id"] == [world["org"], None]
    cli.ok("partner", "edit", "Wellcome Collection", "--ward", "Euston", "--website", "w.org")
    cli.ok("partner", "edit", "Wellcome Collection", "--ward", "", "--website", "")
    with db.reader() as s:
        org = s.get(m.Organisation, world["org"])
        assert org.ward is None and org.website is None
    nameless = cli("partner", "edit", "Wellcome Collection", "--name", "")
    assert nameless.exit_code == 1 and "needs a name" in nameless.stderr


def test_a_stale_edit_is_refused_in_the_library(db, world):
    """The forms save with the version they read: a save from an older copy is refused."""
    from partnercrm.errors import Conflict

    with db.transaction() as s:
        step = s.get(m.Step, world["step"])
        old = step.version
        steps.edit_step(s, step, description="Newer words")
    with db.transaction() as s, pytest.raises(Conflict, match="since you opened it"):
        steps.edit_step(s, s.get(m.Step, world["step"]), expected_version=old, owner=None)
    with db.transaction() as s:
        tp = s.get(m.Touchpoint, world["touch"])
        seen = tp.version
        conversations.edit_touchpoint(s, tp, note="Changed")
    with db.transaction() as s, pytest.raises(Conflict):
        conversations.edit_touchpoint(
            s, s.get(m.Touchpoint, world["touch"]), expected_version=seen, note="Mine"
        )
    with db.transaction() as s:
        conv = s.get(m.Conversation, world["conv"])
        before = conv.version
        conversations.edit_conversation(s, conv, missions=[])  # a collection alone
    with db.reader() as s:
        assert s.get(m.Conversation, world["conv"]).version == before + 1


def test_every_edit_command_has_help(cli):
    commands = [
        ("conversation", "edit"),
        ("conversation", "touch-edit"),
        ("conversation", "touch-archive"),
        ("step", "edit"),
        ("step", "reopen"),
        ("commitment", "edit"),
        ("commitment", "delivery-edit"),
        ("commitment", "undeliver"),
        ("commitment", "show"),
        ("ambassador", "edit"),
        ("event", "edit"),
        ("event", "attendance"),
    ]
    for noun, verb in commands:
        out = cli.ok(noun, verb, "--help").stdout
        assert "Usage:" in out and "--json" in out
