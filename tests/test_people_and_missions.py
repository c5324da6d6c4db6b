"""Colleagues are edited and leave (with a handover); missions and roles are added, edited and
retired. Through the CLI (both backends) and the TUI's forms."""

from __future__ import annotations

from typing import Any

from partnercrm import colleagues, conversations, missions, organisations, reports, steps
from partnercrm.database import Database


def setup(cli: Any) -> str:
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    cli.ok("colleague", "add", "Jo Director", "--email", "jo@camden.gov.uk", "--team", "Policy")
    cli.ok("partner", "add", "Wellcome Collection", "--sector", "culture", "--lead", "jo")
    conv = cli.ok(
        "conversation", "log", "wellcome", "--lead", "jo", "--subject", "Venue", "--mission", "food"
    ).stdout.strip()
    cli.ok("step", "add", conv, "Send the pack", "--owner", "jo", "--due", "+7")
    return conv


def test_colleague_edit_changes_only_what_is_given(cli, db):
    setup(cli)
    data = cli.json("colleague", "edit", "jo", "--name", "Jo Director-General", "--team", "")
    assert (data["name"], data["email"], data["team"]) == (
        "Jo Director-General",
        "jo@camden.gov.uk",
        None,
    )
    r = cli("colleague", "edit", "jo", "--email", "ruth@camden.gov.uk")
    assert r.exit_code == 1 and "the email ruth@camden.gov.uk is already Ruth Craven's" in r.stderr
    entry = cli.json("history", "--limit", "1")[0]
    assert entry["entity"] == "colleague" and entry["changes"]["name"] == [
        "Jo Director",
        "Jo Director-General",
    ]


def test_a_leaver_hands_over_in_one_change_that_undo_takes_back(cli, db):
    conv = setup(cli)
    out = cli.ok("colleague", "leave", "jo", "--handover", "ruth").stdout
    assert "Jo Director has left; their history stays theirs." in out
    assert "Handed to Ruth Craven: 1 open steps, 1 open conversations, 1 partners led." in out
    assert cli.json("conversation", "show", conv)["lead"] == "Ruth Craven"
    assert [s["owner"] for s in cli.json("step", "list")] == ["Ruth Craven"]
    assert cli.json("partner", "show", "wellcome")["lead"] == "Ruth Craven"
    # no longer offered as an owner or lead, but still in the list of everyone
    assert [c["name"] for c in cli.json("colleague", "list")] == ["Ruth Craven"]
    assert {c["name"]: c["left"] for c in cli.json("colleague", "list", "--all")} == {
        "Jo Director": True,
        "Ruth Craven": False,
    }
    r = cli("step", "add", conv, "Call", "--owner", "jo", "--due", "+3")
    assert r.exit_code == 1 and "Jo Director has left; choose a colleague" in r.stderr
    r = cli("conversation", "log", "wellcome", "--lead", "jo", "--ask", "hosting")
    assert r.exit_code == 1
    # the library names the field; the command line names its option
    assert "Jo Director has left; choose a colleague who is still here (--lead COLLEAGUE)" in (
        r.stderr
    )
    # one change: the history shows it, undo takes all of it back
    changes = {e["change"] for e in cli.json("history", "--limit", "4")}
    assert len(changes) == 1
    cli.ok("undo")
    assert cli.json("conversation", "show", conv)["lead"] == "Jo Director"
    assert [s["owner"] for s in cli.json("step", "list")] == ["Jo Director"]
    assert cli.json("partner", "show", "wellcome")["lead"] == "Jo Director"


def test_a_leaver_without_handover_keeps_their_history(cli, db):
    conv = setup(cli)
    out = cli.ok("colleague", "leave", "Jo Director").stdout
    assert "Nothing was handed over" in out
    assert cli.json("conversation", "show", conv)["lead"] == "Jo Director"
    r = cli("colleague", "leave", "Jo Director")
    assert r.exit_code == 1 and "Jo Director has already left" in r.stderr
    r = cli("colleague", "leave", "ruth", "--handover", "jo")
    assert r.exit_code == 1 and "Jo Director has left" in r.stderr


def test_missions_are_added_edited_and_retired(cli, db):
    conv = setup(cli)
    edited = cli.json("mission", "edit", "young people", "--target-year", "2030")
    assert edited["target_year"] == 2030
    r = cli("mission", "edit", "young people", "--target-year", "soon")
    assert r.exit_code == 1 and "target year 'soon' is not a year" in r.stderr
    added = cli.json("mission", "add", "climate", "--name", "Climate", "--target-year", "2030")
    assert (added["key"], added["retired"]) == ("climate", False)
    r = cli("mission", "add", "climate", "--name", "Another")
    assert r.exit_code == 1 and "already a mission with the key climate" in r.stderr
    cli.ok("mission", "retire", "food")
    assert {x["key"]: x["retired"] for x in cli.json("mission", "list")}["food"] is True
    # no longer offered for a new record
    r = cli("conversation", "log", "wellcome", "--lead", "ruth", "--ask", "x", "--mission", "food")
    assert r.exit_code == 1
    assert "the mission Food (food) is retired: it keeps its history but takes no new records" in (
        r.stderr
    )
    r = cli(
        "commitment", "add", conv, "--kind", "hosting", "--mission", "food", "--beneficiary", "x"
    )
    assert r.exit_code == 1 and "is retired" in r.stderr
    # kept in what is already there, and in the reports of its period
    assert cli.json("conversation", "show", conv)["missions"] == ["food"]
    assert [c["id"] for c in cli.json("conversation", "list", "--mission", "food")] == [int(conv)]
    with db.reader() as s:
        assert "food" in [mi.key for mi in missions.list_missions(s)]
        assert "food" not in [mi.key for mi in missions.list_missions(s, include_retired=False)]
        assert "food" in dict(reports.coverage(s).missions)  # a row of the coverage report
    r = cli("mission", "retire", "food")
    assert r.exit_code == 1 and "already retired" in r.stderr


def test_roles_are_added_edited_and_retired(cli, db):
    setup(cli)
    added = cli.json(
        "role", "add", "mentor", "--name", "Mentor", "--kinds", "sponsorship_in_kind,hosting"
    )
    assert added["commitment_kinds"] == ["sponsorship_in_kind", "hosting"]
    edited = cli.json("role", "edit", "mentor", "--ask", "An hour a month")
    assert edited["ask_of_partner"] == "An hour a month"
    r = cli("role", "add", "x", "--name", "X", "--kinds", "cake")
    assert r.exit_code == 1 and "commitment kind 'cake' is not one of" in r.stderr
    cli.ok("ambassador", "enrol", "wellcome", "--role", "mentor")
    cli.ok("role", "retire", "mentor")
    r = cli("conversation", "log", "wellcome", "--lead", "ruth", "--ask", "mentor")
    assert r.exit_code == 1 and "the ambassador role Mentor (mentor) is retired" in r.stderr
    cli.ok("partner", "add", "British Library", "--sector", "culture")
    r = cli("ambassador", "enrol", "british library", "--role", "mentor")
    assert r.exit_code == 1 and "is retired" in r.stderr
    # the ambassadorship that holds it keeps it
    assert [a["role"] for a in cli.json("ambassador", "list")] == ["mentor"]


def test_every_new_command_has_help(cli):
    for args in (
        ("mission", "add"),
        ("mission", "edit"),
        ("mission", "retire"),
        ("role", "add"),
        ("role", "edit"),
        ("role", "retire"),
        ("colleague", "edit"),
        ("colleague", "leave"),
        ("undo",),
    ):
        out = cli.ok(*args, "--help").stdout
        assert "Usage:" in out and len(out.splitlines()) > 3


# --------------------------------------------------------------------------------- TUI


def test_tui_a_colleague_leaves_with_a_handover(demo_db: Database) -> None:
    from tests.test_tui import drive, fill, notifications, save, settle

    with demo_db.reader() as s:
        ruth = colleagues.find_colleague(s, "Ruth Craven")
        others = [c for c in colleagues.list_colleagues(s) if c.id != ruth.id]
        leaver = next(c for c in others if steps.list_steps(s, owner=c))
        open_steps = [st.id for st in steps.list_steps(s, owner=leaver)]

    async def body(app: Any, pilot: Any) -> None:
        app.open_action("colleague_leaves")
        await settle(pilot)
        fill(app.screen, colleague=leaver.id, handover=ruth.id)
        await save(pilot)
        assert f"{leaver.name} has left; Ruth Craven takes" in notifications(app)
        with demo_db.reader() as s:
            assert s.get(type(leaver), leaver.id).archived
            assert steps.list_steps(s, owner=leaver) == []
            moved = [st.id for st in steps.list_steps(s, owner=ruth)]
            assert set(open_steps) <= set(moved)
            assert leaver.id not in [c.id for c in colleagues.list_colleagues(s)]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "Undid Ruth Craven's change of" in notifications(app)
        with demo_db.reader() as s:
            assert not s.get(type(leaver), leaver.id).archived
            assert [st.id for st in steps.list_steps(s, owner=leaver)] == open_steps

    drive(demo_db, body)


def test_tui_edit_a_colleague_and_retired_missions_are_not_offered(demo_db: Database) -> None:
    from tests.test_tui import drive, fill, open_partner, save, settle

    with demo_db.transaction() as s:
        missions.retire_mission(s, missions.find_mission(s, "food"))
        food = missions.find_mission(s, "food").id

    async def body(app: Any, pilot: Any) -> None:
        app.open_action("edit_colleague")
        await settle(pilot)
        dialog = app.screen
        assert dialog.field("name").control.value == "Ruth Craven"  # me, to start with
        fill(dialog, team="Partnerships and Inclusive Economy")
        await save(pilot)
        with demo_db.reader() as s:
            ruth = colleagues.find_colleague(s, "Ruth Craven")
            assert ruth.team == "Partnerships and Inclusive Economy"
        await open_partner(app, pilot, "Old Diorama Arts Centre", tab="conversations")
        await pilot.press("l")
        await settle(pilot)
        offered = [value for _, value in app.screen.missions]
        assert food not in offered and offered

    drive(demo_db, body)


def test_the_library_refuses_a_leaver_as_lead_and_a_retired_mission(db):
    from partnercrm.errors import Invalid

    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth", "ruth@camden.gov.uk")
        jo = colleagues.add_colleague(s, "Jo", "jo@camden.gov.uk")
        org = organisations.add_organisation(s, "Camden Giving", "vcs", lead=jo)
        done = colleagues.leave(s, jo, ruth)
        assert done.organisations == [org.id] and org.lead is ruth
        try:
            conversations.log_conversation(s, org, jo, subject="x")
        except Invalid as exc:
            assert exc.field == "lead"
        else:
            raise AssertionError("a leaver led a new conversation")


def test_tui_editing_keeps_a_leaver_lead_and_a_retired_mission(demo_db: Database) -> None:
    """A record's lead who has left, or a retired mission it has, stays a choice when it is
    edited (not silently dropped); neither is offered for anything new."""
    from tests.test_tui import drive, save, settle
    from tui.dialogs.edit_conversation import EditConversationDialog

    with demo_db.transaction() as s:
        conv = next(
            c
            for c in conversations.list_conversations(s)
            if c.missions and c.lead.name != "Ruth Craven"
        )
        lead, mission = conv.lead, conv.missions[0]
        colleagues.leave(s, lead)
        missions.retire_mission(s, mission)
        ids = (conv.id, conv.organisation_id, lead.id, mission.id, lead.name)

    async def body(app: Any, pilot: Any) -> None:
        conv_id, org_id, lead_id, mission_id, name = ids
        app.push_screen(EditConversationDialog(org_id, conv_id))
        await settle(pilot)
        dialog = app.screen
        assert dialog.field("lead").control.value == lead_id
        assert (f"{name} (left)", lead_id) in dialog.leads
        assert mission_id in dialog.field("missions").control.selected
        dialog.field("subject").control.value = "Renamed while they are away"
        await save(pilot)
        with demo_db.reader() as s:
            again = conversations.get_conversation(s, conv_id)
            assert again.subject == "Renamed while they are away"
            assert again.lead_id == lead_id and mission_id in [mi.id for mi in again.missions]

    drive(demo_db, body)
