"""Undo: every kind of change it accepts is put back, and each refusal says who and when.

Through the CLI, on SQLite and PostgreSQL; ctrl+z in the TUI at the end.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from partnercrm import (
    colleagues,
    commitments,
    contacts,
    conversations,
    events,
    history,
    labels,
    missions,
    organisations,
    steps,
)
from partnercrm import models as m

TODAY = date.today()
DUE = TODAY + timedelta(days=14)


def setup(cli: Any) -> dict[str, str]:
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    cli.ok("colleague", "add", "Jo Director", "--email", "jo@camden.gov.uk")
    cli.ok("partner", "add", "Wellcome Collection", "--sector", "culture")
    cli.ok("contact", "add", "Ada Lovelace", "--email", "ada@wellcome.org", "--org", "wellcome")
    conv = cli.ok(
        "conversation", "log", "wellcome", "--lead", "ruth", "--subject", "Summit venue"
    ).stdout.strip()
    step = cli.json("step", "add", conv, "Send the pack", "--owner", "ruth", "--due", "+7")
    return {"conv": conv, "step": str(step["id"])}


def last_change(cli: Any) -> int:
    return int(cli.json("history", "--limit", "1")[0]["change"])


def when(cli: Any, change: int) -> str:
    """A change's time in the one date style ('30 Nov 19:47'), from `history --json`."""
    at = next(e["at"] for e in cli.json("history", "--limit", "50") if e["change"] == change)
    return labels.moment(datetime.fromisoformat(at), date.today())


def test_an_update_goes_back_and_the_undo_is_in_the_history(cli):
    ids = setup(cli)
    before = cli.json("step", "list")[0]
    cli.ok("step", "edit", ids["step"], "--due", "+20", "--owner", "jo", actor="ruth")
    edited = last_change(cli)
    out = cli.ok("undo", actor="ruth").stdout
    assert out.startswith(f"Undone change {edited} (Ruth Craven, ")
    assert "Recorded as change" in out
    after = cli.json("step", "list")[0]
    assert (after["due"], after["owner"]) == (before["due"], before["owner"])
    entries = cli.json("history", "--limit", "3")
    undo_id = entries[0]["change"]
    assert undo_id > edited
    assert {(e["action"], e["summary"]) for e in entries if e["change"] == undo_id} >= {
        ("undo", f"undo of change {edited}")
    }
    text = cli.ok("history", "--change", str(undo_id)).stdout
    assert "undid Ruth Craven's change of " in text  # words, said once
    assert "undo of change" not in text
    assert "(step “" in text  # the step put back, in words


def test_what_was_put_back_is_said_in_the_words_the_history_uses(cli):
    """Field labels and names, not stored field names and ids ("owner_id: 2 → 1")."""
    from partnercrm.labels import day

    ids = setup(cli)
    due = date.fromisoformat(cli.json("step", "list")[0]["due"])
    cli.ok("step", "edit", ids["step"], "--due", "+20", "--owner", "jo", actor="ruth")
    edited = date.fromisoformat(cli.json("step", "list")[0]["due"])  # "+20" from the CLI's day
    out = cli.ok("undo", actor="ruth").stdout
    assert "changed owner from Jo Director to Ruth Craven" in out
    assert edited > due
    assert f"changed due date from {day(edited)} to {day(due)}" in out
    assert "(step “Send the pack”)" in out
    assert "owner_id" not in out and "due_on" not in out


def test_one_change_of_many_rows_goes_back_as_one(cli):
    """A commitment moves the conversation to committed: undone, both go back."""
    ids = setup(cli)
    com = cli.json("commitment", "add", ids["conv"], "--kind", "hosting", "--beneficiary", "pupils")
    assert cli.json("conversation", "show", ids["conv"])["stage"] == "committed"
    done = cli.json("undo")
    assert any("removed commitment #" in line for line in done["what"])
    assert cli.json("commitment", "list") == []
    shown = cli.json("conversation", "show", ids["conv"])
    assert shown["stage"] == "initiated"
    assert [s["to"] for s in shown["stage_history"]] == ["initiated"]
    assert cli("commitment", "show", str(com["id"])).exit_code == 1


def test_a_creation_is_removed(cli):
    setup(cli)
    cli.ok("partner", "add", "British Library", "--sector", "culture")
    cli.ok("undo")
    assert [p["name"] for p in cli.json("partner", "list")] == ["Wellcome Collection"]
    # a conversation with its first stage and touchpoint, all in one change
    conv = cli.ok(
        "conversation", "log", "wellcome", "--lead", "ruth", "--ask", "hosting"
    ).stdout.strip()
    cli.ok("undo")
    assert cli("conversation", "show", conv).exit_code == 1


def test_archive_and_restore_are_undone(cli):
    setup(cli)
    cli.ok("partner", "archive", "wellcome")
    cli.ok("undo")
    assert [p["name"] for p in cli.json("partner", "list")] == ["Wellcome Collection"]
    cli.ok("partner", "archive", "wellcome")
    cli.ok("partner", "restore", "Wellcome Collection")
    cli.ok("undo")  # the restore
    assert cli.json("partner", "list") == []


def test_a_deletion_is_put_back(cli, db):
    setup(cli)
    with db.transaction() as s:
        event = events.add_event(s, "Camden Summit", "summit", TODAY - timedelta(days=5))
        ada = contacts.find_contact(s, "ada")
        events.record_attendance(s, event, ada, role="speaker")
    cli.ok("event", "attendance", "Camden Summit", "ada@wellcome.org", "--remove")
    assert cli.json("event", "show", "Camden Summit")["attendees"] == []
    cli.ok("undo")
    people = cli.json("event", "show", "Camden Summit")["attendees"]
    assert [(p["contact"], p["role"]) for p in people] == [("Ada Lovelace", "speaker")]


def test_missions_and_contacts_of_a_conversation_go_back(cli):
    ids = setup(cli)
    cli.ok("conversation", "edit", ids["conv"], "--mission", "food", "--with", "ada")
    shown = cli.json("conversation", "show", ids["conv"])
    assert shown["missions"] == ["food"] and shown["contacts"] == ["Ada Lovelace"]
    cli.ok("undo")
    shown = cli.json("conversation", "show", ids["conv"])
    assert shown["missions"] == [] and shown["contacts"] == []


def test_undo_walks_back_and_an_undo_can_itself_be_undone(cli):
    ids = setup(cli)
    cli.ok("step", "edit", ids["step"], "--text", "Send the new pack")
    first = last_change(cli)
    cli.ok("step", "edit", ids["step"], "--text", "Send the final pack")
    cli.ok("undo")
    assert cli.json("step", "list")[0]["description"] == "Send the new pack"
    cli.ok("undo")  # the change before: the first edit
    assert cli.json("step", "list")[0]["description"] == "Send the pack"
    undo_of_first = last_change(cli)
    # undoing the undo makes the change again
    cli.ok("undo", "--change", str(undo_of_first))
    assert cli.json("step", "list")[0]["description"] == "Send the new pack"
    again = cli("undo", "--change", str(undo_of_first))
    redo = last_change(cli)
    assert again.exit_code == 1
    # made by whoever runs the tests (no --as): the computer's login
    assert re.match(
        rf"Error: (\S+)'s change of {when(cli, undo_of_first)} was already undone by "
        rf"\1 on \d{{1,2}} \w{{3}} \d\d:\d\d \(",
        again.stderr,
    )
    assert f"(changes {undo_of_first} and {redo} in `partnercrm history`)" in again.stderr
    assert "UTC" not in again.stderr
    # and the first edit, undone then redone, can be undone again
    cli.ok("undo", "--change", str(first))
    assert cli.json("step", "list")[0]["description"] == "Send the pack"


def test_undo_takes_the_acting_colleagues_own_last_change(cli):
    ids = setup(cli)
    cli.ok("step", "edit", ids["step"], "--text", "Ruth's wording", actor="ruth")
    cli.ok("partner", "edit", "wellcome", "--ward", "Euston", actor="jo")
    cli.ok("undo", actor="ruth")
    assert cli.json("step", "list")[0]["description"] == "Send the pack"
    assert cli.json("partner", "show", "wellcome")["ward"] == "Euston"


def test_a_change_touched_later_is_refused_naming_who_and_when(cli):
    ids = setup(cli)
    cli.ok("step", "edit", ids["step"], "--due", "+10", actor="ruth")
    ruths = last_change(cli)
    cli.ok("step", "edit", ids["step"], "--due", "+12", actor="jo")
    jos = last_change(cli)
    r = cli("undo", "--change", str(ruths), actor="ruth")
    assert r.exit_code == 1
    # the changes as the history and ctrl+z say them, and their numbers for the command line
    assert r.stderr == (
        f"Error: Ruth Craven's change of {when(cli, ruths)} cannot be undone: Jo Director changed "
        f"the due date of step {ids['step']} (Send the pack) later, on {when(cli, jos)} "
        f"(changes {ruths} and {jos} in `partnercrm history`)\n"
    )
    # another field changed later does not stand in the way
    cli.ok("step", "edit", ids["step"], "--text", "Send it", actor="ruth")
    texts = last_change(cli)
    cli.ok("step", "edit", ids["step"], "--owner", "jo", actor="jo")
    cli.ok("undo", "--change", str(texts), actor="ruth")
    step = cli.json("step", "list")[0]
    assert step["description"] == "Send the pack" and step["owner"] == "Jo Director"


def test_a_creation_something_was_added_to_later_is_refused(cli):
    setup(cli)
    cli.ok("partner", "add", "British Library", "--sector", "culture", actor="ruth")
    added = last_change(cli)
    cli.ok("contact", "add", "Bo Smith", "--email", "bo@bl.uk", "--org", "british library")
    r = cli("undo", "--change", str(added), actor="ruth")
    assert r.exit_code == 1
    assert f"Ruth Craven's change of {when(cli, added)} cannot be undone: " in r.stderr
    assert " added contact" in r.stderr and f"(changes {added} and " in r.stderr
    assert "to partner" in r.stderr and "(British Library) later, on" in r.stderr
    assert len(cli.json("partner", "list")) == 2


def test_a_merge_and_an_erasure_are_refused(cli):
    setup(cli)
    cli.ok("partner", "add", "Wellcome Trust", "--sector", "culture", "--new")
    cli.ok("merge", "organisation", "Wellcome Collection", "Wellcome Trust")
    r = cli("undo")
    assert r.exit_code == 1
    assert "cannot be undone: a merge cannot be undone: no command reverses it" in r.stderr
    cli.ok("privacy", "erase", "Ada Lovelace", input="y\n")
    r = cli("undo")
    assert r.exit_code == 1 and "an erasure cannot be undone" in r.stderr


def test_nothing_to_undo_and_no_such_change(cli):
    cli.ok("colleague", "add", "Sam Newcomer", "--email", "sam@camden.gov.uk")
    r = cli("undo", actor="sam")
    assert r.exit_code == 1
    assert r.stderr == "Error: there is no change by Sam Newcomer left to undo\n"
    r = cli("undo", "--change", "99999")
    assert r.exit_code == 1 and "no change matches '99999'" in r.stderr


def test_the_library_groups_a_transaction_and_refuses_by_class(db):
    from partnercrm import undo
    from partnercrm.errors import Conflict, UndoRefused

    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Camden Giving", "vcs")
        conv = conversations.log_conversation(
            s, org, ruth, subject="x", missions=[missions.find_mission(s, "food")]
        )
        step = steps.add_step(s, conv, "Call", ruth, DUE, confirm=True)
    with db.transaction() as s:
        rows = history.entries(s, limit=None)
        assert len({r.change_id for r in rows if r.entity != "mission"}) >= 1
        (change,) = {r.change_id for r in rows if r.entity in ("conversation", "step")}
    with db.transaction() as s:
        steps.edit_step(s, s.get(m.Step, step.id), description="Call back")
    with db.transaction() as s:
        s.info["actor"] = "someone else"
        try:
            undo.undo_change(s, change)
        except Conflict as exc:
            assert " changed the description of step" in str(exc) and "later, on " in str(exc)
            # who and when in words; the numbers ride on the exception, not in the sentence
            assert isinstance(exc, UndoRefused) and exc.change_id == change
            assert exc.in_the_way is not None and exc.in_the_way > change
            assert "UTC" not in str(exc) and not re.search(r"change \d|\d{4}", str(exc))
        else:
            raise AssertionError("a change touched later was undone")
    with db.reader() as s:
        assert commitments.list_commitments(s) == []
        assert s.get(m.Step, step.id).description == "Call back"


# --------------------------------------------------------------------------------- TUI


def test_tui_ctrl_z_undoes_the_last_save_and_says_what(demo_db: Any) -> None:
    from tests.test_tui import (
        _open_conversation,
        drive,
        fill,
        notifications,
        open_partner,
        save,
        settle,
    )

    conv = _open_conversation(demo_db, "Arsenal")

    async def body(app: Any, pilot: Any) -> None:
        await open_partner(app, pilot, "Arsenal", tab="conversations")
        await pilot.press("s")
        await settle(pilot)
        fill(app.screen, conversation=conv.id, description="Chase the kit", due="+7")
        await save(pilot)
        with demo_db.reader() as s:
            assert "Chase the kit" in [st.description for st in steps.list_steps(s)]
        await pilot.press("ctrl+z")
        await settle(pilot)
        said = notifications(app)
        assert "Undid Ruth Craven's change of " in said and "removed step" in said
        assert "Chase the kit" in said and "change 1" not in said
        with demo_db.reader() as s:
            assert "Chase the kit" not in [st.description for st in steps.list_steps(s)]
            assert history.entries(s, limit=1)[0].summary.startswith("undo of change")

    drive(demo_db, body)


def test_tui_ctrl_z_says_why_it_cannot_undo(demo_db: Any) -> None:
    from tests.test_tui import drive, notifications, settle

    async def body(app: Any, pilot: Any) -> None:
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "Not undone" in [n.title for n in app._notifications]
        assert "there is no change by Ruth Craven left to undo" in notifications(app)

    drive(demo_db, body)


def test_tui_ctrl_z_says_whose_change_of_when_stands_in_the_way(demo_db: Any) -> None:
    """A refusal names both changes as the undo itself does: by who and when, no numbers."""
    from tests.test_tui import ME, drive, notifications, settle

    with demo_db.transaction() as s:
        step = steps.list_steps(s)[0]
        steps.edit_step(s, step, description="Ring them first")
        step_id = step.id
    with demo_db.transaction() as s:
        other = next(c for c in colleagues.list_colleagues(s) if c.name != ME)
        s.info["actor"] = other.email
        steps.edit_step(s, s.get(m.Step, step_id), description="Email them first")
    with demo_db.reader() as s:
        mine, theirs = (e for e in history.entries(s, limit=2)[::-1])

    async def body(app: Any, pilot: Any) -> None:
        await pilot.press("ctrl+z")
        await settle(pilot)
        said = notifications(app)
        assert "Not undone" in [n.title for n in app._notifications]
        assert (
            f"{ME}'s change of {labels.moment(mine.at, app.today)} cannot be undone: "
            f"{other.name} changed the description of step {step_id}"
        ) in said
        assert f"later, on {labels.moment(theirs.at, app.today)}" in said
        assert "UTC" not in said and not re.search(r"change \d", said)

    drive(demo_db, body)


def test_an_import_is_refused(cli, tmp_path):
    from tests.test_import import person, write_csv

    path = write_csv(tmp_path / "summit.csv", [person("Ada", "Lovelace", "ada@ucl.ac.uk", "UCL")])
    cli.ok(
        "import",
        "attendees",
        str(path),
        "--event",
        "Summit",
        "--create-event",
        "--kind",
        "summit",
        "--date",
        "20/03/2024",
    )
    r = cli("undo")
    assert r.exit_code == 1
    assert "cannot be undone: an import cannot be undone as one change" in r.stderr
    assert [p["name"] for p in cli.json("partner", "list")] == ["UCL"]
