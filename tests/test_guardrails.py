"""Guardrails: what no person meant is refused (or asked about) by the library, so the CLI and
the TUI behave the same. Each guardrail is tried through the CLI (both backends) and the TUI.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from partnercrm import commitments, conversations, organisations, steps
from partnercrm import models as m
from partnercrm.database import Database
from tests.test_tui import (
    TODAY,
    PartnerApp,
    PartnerScreen,
    _open_conversation,
    drive,
    error_of,
    fill,
    notifications,
    open_partner,
    save,
    settle,
)
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog

# --------------------------------------------------------------------------------- CLI


def _setup(cli: Any) -> str:
    cli.ok("colleague", "add", "Ruth Craven", "--email", "ruth@camden.gov.uk")
    cli.ok("partner", "add", "Wellcome Collection", "--sector", "culture")
    cli.ok("contact", "add", "Ada Lovelace", "--email", "ada@wellcome.org", "--org", "wellcome")
    return cli.ok(
        "conversation", "log", "wellcome", "--lead", "ruth", "--subject", "Summit venue"
    ).stdout.strip()


def _stored(cli: Any, *args: str) -> Any:
    return cli.json(*args)


def test_cli_refuses_a_conversation_dated_in_the_future_or_before_2000(cli):
    _setup(cli)
    ahead = (date.today() + timedelta(days=2)).strftime("%d/%m/%Y")
    r = cli(
        "conversation", "log", "wellcome", "--lead", "ruth", "--ask", "hosting", "--date", ahead
    )
    assert r.exit_code == 1 and "is in the future" in r.stderr
    r = cli(
        "conversation",
        "log",
        "wellcome",
        "--lead",
        "ruth",
        "--ask",
        "hosting",
        "--date",
        "1/1/2099",
    )
    assert r.exit_code == 1 and "01 Jan 2099 is in the future" in r.stderr
    r = cli(
        "conversation",
        "log",
        "wellcome",
        "--lead",
        "ruth",
        "--ask",
        "hosting",
        "--date",
        "3/4/1999",
    )
    assert r.exit_code == 1 and "is before 2000" in r.stderr
    assert len(_stored(cli, "conversation", "list", "--all")) == 1
    # today is fine
    cli.ok(
        "conversation", "log", "wellcome", "--lead", "ruth", "--ask", "hosting", "--date", "today"
    )
    assert len(_stored(cli, "conversation", "list", "--all")) == 2


def test_cli_refuses_a_touchpoint_a_stage_change_and_a_delivery_in_the_future(cli):
    conv = _setup(cli)
    ahead = (date.today() + timedelta(days=3)).isoformat()
    r = cli("conversation", "touch", conv, "--date", ahead)
    assert r.exit_code == 1 and "is in the future" in r.stderr
    r = cli("conversation", "stage", conv, "exploring", "--date", ahead)
    assert r.exit_code == 1 and "is in the future" in r.stderr
    com = cli.json("commitment", "add", conv, "--kind", "hosting", "--beneficiary", "schools")
    r = cli("commitment", "deliver", str(com["id"]), "--people", "30", "--date", ahead)
    assert r.exit_code == 1 and "is in the future" in r.stderr
    shown = cli.json("conversation", "show", conv)
    assert len(shown["touchpoints"]) == 1 and shown["stage"] == "committed"
    assert cli.json("commitment", "list")[0]["status"] == "agreed"


def test_cli_asks_for_yes_on_a_due_date_already_past_or_far_ahead(cli):
    conv = _setup(cli)
    past = (date.today() - timedelta(days=10)).isoformat()
    r = cli("step", "add", conv, "Send the pack", "--owner", "ruth", "--due", past)
    assert r.exit_code == 1
    assert "is already past; nothing was saved (add --yes to confirm)" in r.stderr
    assert cli.json("step", "list") == []
    far = (date.today() + timedelta(days=6 * 366)).isoformat()
    r = cli("step", "add", conv, "Send the pack", "--owner", "ruth", "--due", far)
    assert r.exit_code == 1 and "more than 5 years ahead" in r.stderr
    step = cli.json("step", "add", conv, "Send the pack", "--owner", "ruth", "--due", past, "--yes")
    assert step["due"] == past
    r = cli("commitment", "add", conv, "--kind", "hosting", "--beneficiary", "x", "--due", far)
    assert r.exit_code == 1 and "more than 5 years ahead" in r.stderr
    com = cli.json(
        "commitment", "add", conv, "--kind", "hosting", "--beneficiary", "x", "--due", far, "--yes"
    )
    assert com["due"] == far


def test_cli_a_conversation_needs_a_subject_or_an_ask(cli):
    _setup(cli)
    r = cli("conversation", "log", "wellcome", "--lead", "ruth")
    assert r.exit_code == 1
    assert r.stderr == "Error: a conversation needs a subject or an ask (what it is about)\n"
    assert len(cli.json("conversation", "list", "--all")) == 1
    cli.ok("conversation", "log", "wellcome", "--lead", "ruth", "--ask", "advocate")
    assert len(cli.json("conversation", "list", "--all")) == 2


def test_cli_an_empty_delivery_is_refused_and_the_stage_does_not_move(cli):
    conv = _setup(cli)
    com = cli.json("commitment", "add", conv, "--kind", "opportunities", "--opportunities", "5")
    stage = cli.json("partner", "show", "wellcome")["stage"]
    r = cli("commitment", "deliver", str(com["id"]))
    assert r.exit_code == 1 and "a delivery needs at least one figure" in r.stderr
    after = cli.json("commitment", "list")[0]
    assert after["status"] == "agreed" and after["delivered"]["opportunities"] == 0
    assert cli.json("partner", "show", "wellcome")["stage"] == stage
    cli.ok("commitment", "deliver", str(com["id"]), "--story", "Five placements filled")
    assert cli.json("commitment", "list")[0]["status"] == "delivered"


def test_cli_a_commitment_must_promise_something_or_say_nothing_was(cli):
    conv = _setup(cli)
    r = cli("commitment", "add", conv, "--kind", "sponsorship_financial")
    assert r.exit_code == 1 and "needs something promised" in r.stderr
    assert cli.json("commitment", "list") == []
    assert cli.json("conversation", "show", conv)["stage"] == "initiated"
    com = cli.json(
        "commitment", "add", conv, "--kind", "sponsorship_financial", "--nothing-promised"
    )
    assert com["promised"] == {"gbp": None, "hours": None, "opportunities": None, "people": None}
    # recognition is not counted in numbers: nothing more is needed
    other = cli.ok(
        "conversation", "log", "wellcome", "--lead", "ruth", "--ask", "recognition"
    ).stdout.strip()
    cli.ok("commitment", "add", other, "--kind", "recognition")


def test_cli_a_probable_duplicate_partner_or_contact_needs_new(cli):
    _setup(cli)
    r = cli("partner", "add", "Welcome Collection", "--sector", "culture")
    assert r.exit_code == 1
    assert "'Welcome Collection' looks like the existing organisation 'Wellcome Collection (id" in (
        r.stderr
    )
    assert "add --new if it is a new organisation all the same" in r.stderr
    assert [p["name"] for p in cli.json("partner", "list")] == ["Wellcome Collection"]
    cli.ok("partner", "add", "Welcome Collection", "--sector", "culture", "--new")
    assert len(cli.json("partner", "list")) == 2

    r = cli("contact", "add", "Ada Lovelac", "--email", "al@wellcome.org", "--org", "wellcome")
    assert r.exit_code == 1 and "looks like the existing contact 'Ada Lovelace at" in r.stderr
    cli.ok(
        "contact", "add", "Ada Lovelac", "--email", "al@wellcome.org", "--org", "wellcome", "--new"
    )
    assert len(cli.json("contact", "list")) == 2


def test_library_messages_name_no_cli_option(db):
    """The library's sentences are neutral: the CLI adds `--yes` or `--new`, the TUI asks."""
    from partnercrm import colleagues
    from partnercrm.errors import NeedsConfirmation, ProbableDuplicate

    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Wellcome Collection", "culture")
        conv = conversations.log_conversation(s, org, ruth, subject="venue")
        with pytest.raises(NeedsConfirmation) as raised:
            steps.add_step(s, conv, "x", ruth, date.today() - timedelta(days=1))
        assert "--" not in str(raised.value) and raised.value.field == "due"
        assert raised.value.question == "set it anyway?"
        with pytest.raises(ProbableDuplicate) as duplicate:
            organisations.add_organisation(s, "Welcome Collection", "culture")
        assert "--" not in str(duplicate.value)
        assert duplicate.value.candidates == [f"Wellcome Collection (id {org.id})"]


# --------------------------------------------------------------------------------- TUI


def test_tui_a_conversation_without_subject_or_ask_or_in_the_future_is_marked(
    demo_db: Database,
) -> None:
    partner = "Old Diorama Arts Centre"

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, partner, tab="conversations")
        await pilot.press("l")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, note="Met Sam.")
        await save(pilot)
        assert app.screen is dialog and "subject or an ask" in error_of(dialog, "subject")
        fill(dialog, subject="Hosting", on=(TODAY + timedelta(days=1)).strftime("%d/%m/%Y"))
        await save(pilot)
        assert app.screen is dialog and "in the future" in error_of(dialog, "on")
        fill(dialog, on="1/1/1990")
        await save(pilot)
        assert app.screen is dialog and "before 2000" in error_of(dialog, "on")
        with demo_db.reader() as s:
            org = organisations.find_organisation(s, partner)
            assert conversations.list_conversations(s, organisation=org) == []
        fill(dialog, on="today")
        await save(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with demo_db.reader() as s:
            assert conversations.list_conversations(s, organisation=org)[0].started_on == TODAY

    drive(demo_db, body)


def test_tui_a_due_date_already_past_is_asked_about(demo_db: Database) -> None:
    conv = _open_conversation(demo_db, "Arsenal")

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, "Arsenal", tab="conversations")
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, conversation=conv.id, description="Chase the kit", due="1/11/2025")
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "already past" in app.screen.detail
        await pilot.press("n")  # no: back to the form, nothing saved
        await settle(pilot)
        assert app.screen is dialog
        with demo_db.reader() as s:
            assert "Chase the kit" not in [st.description for st in steps.list_steps(s)]
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with demo_db.reader() as s:
            found = [st for st in steps.list_steps(s) if st.description == "Chase the kit"]
            assert [st.due_on for st in found] == [date(2025, 11, 1)]

    drive(demo_db, body)


def test_tui_an_empty_delivery_and_an_empty_promise_are_refused(demo_db: Database) -> None:
    partner = "Old Diorama Arts Centre"

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, partner, tab="conversations")
        await pilot.press("l")
        await settle(pilot)
        fill(app.screen, subject="Hosting", ask="hosting")
        await save(pilot)
        await pilot.press("k")
        await settle(pilot)
        dialog = app.screen
        await save(pilot)
        assert app.screen is dialog and "needs something promised" in error_of(
            dialog, "nothing_promised"
        )
        fill(dialog, nothing_promised=True)
        await save(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with demo_db.reader() as s:
            org = organisations.find_organisation(s, partner)
            (com,) = commitments.list_commitments(s, organisation=org)
            stage = organisations.relationship_stage(s, org)
        await pilot.press("v")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, commitment=com.id)
        await save(pilot)
        assert app.screen is dialog and "a delivery needs at least one figure" in error_of(
            dialog, "story"
        )
        with demo_db.reader() as s:
            again = commitments.get_commitment(s, com.id)
            assert again.status == m.CommitmentStatus.AGREED and again.deliveries == []
            assert organisations.relationship_stage(s, again.organisation) == stage

    drive(demo_db, body)


def test_tui_a_probable_duplicate_partner_is_asked_about(demo_db: Database) -> None:
    async def body(app: PartnerApp, pilot: Any) -> None:
        with demo_db.reader() as s:
            before = len(organisations.list_organisations(s))
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        fill(dialog, name="Camden Givin", sector="vcs")
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "looks like the existing organisation 'Camden Giving" in app.screen.detail
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dialog and "Not saved" in str(
            dialog.query_one("#form-status").render()
        )
        with demo_db.reader() as s:
            assert len(organisations.list_organisations(s)) == before
        await save(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        assert "Added Camden Givin" in notifications(app)
        with demo_db.reader() as s:
            assert len(organisations.list_organisations(s)) == before + 1

    drive(demo_db, body)


def test_tui_a_due_date_years_ahead_and_a_look_alike_contact_are_asked_about(
    demo_db: Database,
) -> None:
    from partnercrm import contacts

    partner = "Old Diorama Arts Centre"

    async def body(app: PartnerApp, pilot: Any) -> None:
        await open_partner(app, pilot, partner, tab="conversations")
        await pilot.press("l")
        await settle(pilot)
        fill(app.screen, subject="Hosting", ask="hosting")
        await save(pilot)
        await pilot.press("k")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, beneficiary="Pupils", due="1/1/2040")
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "more than 5 years ahead" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        with demo_db.reader() as s:
            org = organisations.find_organisation(s, partner)
            (com,) = commitments.list_commitments(s, organisation=org)
            assert com.due_on == date(2040, 1, 1)
            someone = contacts.list_contacts(s, organisation=org)[0]

        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        fill(dialog, name=someone.name + "e", email="another@example.org")
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "looks like the existing contact" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        with demo_db.reader() as s:
            names = [c.name for c in contacts.list_contacts(s, organisation=org)]
            assert someone.name + "e" in names

    drive(demo_db, body)


def test_cli_an_attendance_cannot_move_into_the_future(cli, db):
    from partnercrm import contacts, events

    _setup(cli)
    with db.transaction() as s:
        held = date.today() - timedelta(days=3)
        summit = events.add_event(s, "Camden Summit", "summit", held)
        events.record_attendance(s, summit, contacts.find_contact(s, "ada"))
        later = events.add_event(s, "Next Summit", "summit", date.today() + timedelta(days=30))
        with pytest.raises(Exception, match="in the future; attendance is recorded once"):
            events.record_attendance(s, later, contacts.find_contact(s, "ada"))
    ahead = (date.today() + timedelta(days=10)).isoformat()
    r = cli("event", "edit", "Camden Summit", "--date", ahead)
    assert r.exit_code == 1
    assert "has people recorded as attending, so it cannot move to" in r.stderr
    assert cli.json("event", "show", "Camden Summit")["date"] == held.isoformat()
