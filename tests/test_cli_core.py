"""The warm-conversation workflow from the command line, as a colleague runs it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from partnercrm import commitments, conversations, organisations
from partnercrm.models import Contact, StageChange


def setup_people(cli):
    cli.ok(
        "colleague",
        "add",
        "Ruth Craven",
        "--email",
        "Ruth.Craven@Camden.gov.uk",
        "--team",
        "Partnerships",
    )
    cli.ok("colleague", "add", "Jo Director", "--email", "jo.director@camden.gov.uk")
    cli.ok(
        "partner",
        "add",
        "University College London",
        "--sector",
        "higher_education",
        "--alias",
        "UCL",
        "--anchor",
        "--ward",
        "Bloomsbury",
        "--lead",
        "ruth",
    )
    cli.ok(
        "contact",
        "add",
        "Ada Lovelace",
        "--email",
        "Ada.Lovelace@UCL.ac.uk",
        "--org",
        "ucl",
        "--title",
        "Vice-Provost",
        "--senior",
    )


def test_the_whole_workflow(cli, db):
    setup_people(cli)
    conv_id = int(
        cli.ok(
            "conversation",
            "log",
            "UCL",
            "--lead",
            "Ruth Craven",
            "--with",
            "ada.lovelace@ucl.ac.uk",
            "--mission",
            "young people",
            "--ask",
            "sponsorship",
            "--date",
            "12/11/2024",
            "--note",
            "Met at the summit",
        ).stdout
    )
    cli.ok("conversation", "touch", str(conv_id), "--date", "20 Nov 2024", "--channel", "call")
    cli.ok("conversation", "stage", str(conv_id), "exploring", "--date", "2024-11-21")
    step = cli.json(
        "step",
        "add",
        str(conv_id),
        "Send the placement brief",
        "--owner",
        "jo",
        "--due",
        "1/12/2024",
        "--yes",
    )
    assert step["due"] == "2024-12-01" and step["owner"] == "Jo Director"
    overdue = cli.json("step", "list", "--overdue")
    assert [s["id"] for s in overdue] == [step["id"]]
    cli.ok("step", "done", str(step["id"]), "--date", "30/11/2024")
    assert cli.json("step", "list") == []
    com = cli.json(
        "commitment",
        "add",
        str(conv_id),
        "--kind",
        "opportunities",
        "--gbp",
        "5000",
        "--opportunities",
        "12",
        "--due",
        "31/3/2025",
        "--yes",
        "--date",
        "5/12/2024",
    )
    assert com["status"] == "agreed" and com["missions"] == ["young_people"]
    cli.ok(
        "commitment",
        "deliver",
        str(com["id"]),
        "--opportunities",
        "14",
        "--people",
        "30",
        "--story",
        "Two placements became apprenticeships",
        "--date",
        "1/4/2025",
    )

    show = cli.json("partner", "show", "University College London")
    for key in (
        "id",
        "name",
        "aliases",
        "sector",
        "anchor",
        "ward",
        "lead",
        "stage",
        "contacts",
        "conversations",
        "commitments",
        "ambassadorships",
    ):
        assert key in show
    assert show["aliases"] == ["UCL"]
    assert show["stage"] == "convert"
    assert show["lead"] == "Ruth Craven"
    assert show["contacts"][0]["email"] == "ada.lovelace@ucl.ac.uk"
    assert show["conversations"][0]["stage"] == "committed"
    assert show["commitments"][0]["delivered"]["opportunities"] == 14

    with db.transaction() as s:
        conv = conversations.get_conversation(s, conv_id)
        assert conv.last_touch_on == date(2024, 11, 20)
        moves = [(c.to_stage, c.changed_on) for c in conversations.stage_changes(s, conv)]
        assert moves == [
            ("initiated", date(2024, 11, 12)),
            ("exploring", date(2024, 11, 21)),
            ("committed", date(2024, 12, 5)),
        ]
        delivered = commitments.get_commitment(s, com["id"])
        assert delivered.status == "delivered" and delivered.deliveries[0].people == 30


def test_stages_are_derived(cli, db):
    setup_people(cli)
    assert cli.json("partner", "show", "ucl")["stage"] == "prospect"
    first = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    assert cli.json("partner", "show", "ucl")["stage"] == "initiate"
    cli.ok("commitment", "add", first, "--kind", "research", "--nothing-promised")
    assert cli.json("partner", "show", "ucl")["stage"] == "convert"
    amb = cli.json("ambassador", "enrol", "ucl", "--role", "research", "--mission", "food")
    cli.ok("ambassador", "status", str(amb["id"]), "active")
    assert cli.json("partner", "show", "ucl")["stage"] == "grow"
    with db.transaction() as s:
        org = organisations.find_organisation(s, "UCL")
        for days_ago in (800, 10):
            conv = conversations.log_conversation(
                s,
                org,
                org.lead,
                on=date.today() - timedelta(days=days_ago + 30),
                subject="a first talk",
            )
            com = commitments.add_commitment(
                s,
                conv,
                "recognition",
                on=date.today() - timedelta(days=days_ago + 20),
                nothing_promised=True,
            )
            commitments.deliver(
                s, com, on=date.today() - timedelta(days=days_ago), story="logo on the site"
            )
    assert cli.json("partner", "show", "ucl")["stage"] == "sustain"


def test_lists_filter_and_match_names_loosely(cli):
    setup_people(cli)
    cli.ok("partner", "add", "Arsenal F.C.", "--sector", "business")
    cli.ok("partner", "add", "British Museum", "--sector", "culture", "--anchor")
    assert [p["name"] for p in cli.json("partner", "list", "--anchor")] == [
        "British Museum",
        "University College London",
    ]
    assert [p["name"] for p in cli.json("partner", "list", "--sector", "business")] == [
        "Arsenal F.C."
    ]
    assert cli.json("partner", "show", "arsenal fc")["name"] == "Arsenal F.C."
    assert cli.json("partner", "show", "ARSENAL F.C")["name"] == "Arsenal F.C."
    cli.ok(
        "conversation",
        "log",
        "British Museum",
        "--lead",
        "ruth",
        "--mission",
        "food",
        "--subject",
        "a first talk",
    )
    assert [p["name"] for p in cli.json("partner", "list", "--mission", "Food")] == [
        "British Museum"
    ]
    assert cli.json("contact", "show", "ADA.LOVELACE@ucl.ac.uk")["name"] == "Ada Lovelace"


def test_every_list_and_show_prints_one_json_document(cli):
    setup_people(cli)
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    cli.ok(
        "event",
        "add",
        "We Make Camden Summit 2024",
        "--kind",
        "summit",
        "--date",
        "14/6/2024",
        "--host",
        "UCL",
    )
    ucl = "University College London"
    summit = "We Make Camden Summit 2024"

    def names(rows):
        return sorted(r["name"] for r in rows)

    # each command's document, and what it must say
    for args, read, expected in (
        (("colleague", "list"), names, ["Jo Director", "Ruth Craven"]),
        (("partner", "list"), names, [ucl]),
        (("partner", "show", "ucl"), lambda d: (d["name"], d["aliases"]), (ucl, ["UCL"])),
        (("contact", "list"), names, ["Ada Lovelace"]),
        (
            ("contact", "show", "ada"),
            lambda d: (d["name"], d["job_title"]),
            ("Ada Lovelace", "Vice-Provost"),
        ),
        (("conversation", "list"), lambda rows: [r["id"] for r in rows], [int(conv)]),
        (
            ("conversation", "show", conv),
            lambda d: (d["organisation"], d["stage"]),
            (ucl, "initiated"),
        ),
        (("step", "list"), list, []),
        (("commitment", "list"), list, []),
        (("ambassador", "list"), list, []),
        (("event", "list"), lambda rows: [(r["name"], r["host"]) for r in rows], [(summit, ucl)]),
        (("event", "show", "summit 2024"), lambda d: (d["name"], d["kind"]), (summit, "summit")),
        (("mission", "list"), lambda rows: len(rows), 4),
        (("role", "list"), lambda rows: [r["key"] for r in rows][:1], ["recognition"]),
    ):
        assert read(cli.json(*args)) == expected, args


def test_roles_carry_figure_2_wording(cli):
    roles = cli.json("role", "list")
    sponsorship = next(r for r in roles if r["key"] == "sponsorship")
    assert sponsorship["ask_of_partner"].startswith("To provide financial or nonfinancial support")
    assert "Alignment with CSR activity" in sponsorship["value_for_partner"]
    text = cli.ok("role", "list").stdout
    assert "Research, learning & evaluation" in text and "Ask of a partner" in text


def test_bad_input_gets_one_sentence_and_nothing_is_written(cli, db):
    setup_people(cli)
    r = cli("contact", "add", "Bob", "--email", "bob@@example", "--org", "ucl")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: the email address 'bob@@example' is not valid")
    assert "Traceback" not in r.output + r.stderr
    r = cli("partner", "show", "Univrsity Colege")
    assert r.exit_code == 1
    assert "did you mean 'University College London'" in r.stderr
    r = cli("conversation", "log", "ucl", "--lead", "ruth", "--date", "32/13/2024")
    assert r.exit_code == 1 and "is not a date" in r.stderr
    r = cli("conversation", "log", "ucl", "--lead", "nobody-here")
    assert r.exit_code == 1 and "no colleague matches 'nobody-here'" in r.stderr
    r = cli("partner", "add", "ucl", "--sector", "business")
    assert (
        r.exit_code == 1
        and "already used by the organisation University College London" in r.stderr
    )
    r = cli("partner", "add", "X", "--sector", "nope")
    assert r.exit_code == 2
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    r = cli("conversation", "stage", conv, "committed")
    assert r.exit_code == 1 and f"use `commitment add {conv} --kind KIND`" in r.stderr
    r = cli("conversation", "stage", "999", "parked")
    assert r.exit_code == 1 and r.stderr == "Error: no conversation matches '999'\n"
    with db.transaction() as s:
        assert s.query(Contact).count() == 1
        assert [c.to_stage for c in s.query(StageChange)] == ["initiated"]


def test_ambiguous_names_list_the_candidates(cli):
    setup_people(cli)
    cli.ok("partner", "add", "British Museum", "--sector", "culture")
    cli.ok("partner", "add", "British Land", "--sector", "business")
    r = cli("partner", "show", "british")
    assert r.exit_code == 1
    assert (
        "'british' matches more than one organisation: 'British Land' or 'British Museum'"
        in r.stderr
    )


def test_edit_keeps_the_old_name_as_an_alias(cli):
    setup_people(cli)
    cli.ok("partner", "add", "Central Saint Martins", "--sector", "higher_education")
    cli.ok(
        "partner",
        "edit",
        "central saint martins",
        "--name",
        "UAL Central Saint Martins",
        "--alias",
        "CSM",
        "--ward",
        "King's Cross",
    )
    shown = cli.json("partner", "show", "csm")
    assert shown["name"] == "UAL Central Saint Martins"
    assert sorted(shown["aliases"]) == ["CSM", "Central Saint Martins"]
    assert shown["ward"] == "King's Cross"


def test_archived_partners_leave_lists_and_come_back(cli):
    setup_people(cli)
    cli.ok("partner", "archive", "ucl")
    assert cli.json("partner", "list") == []
    assert cli.json("partner", "show", "ucl")["archived"] is True
    cli.ok("partner", "restore", "ucl")
    assert [p["name"] for p in cli.json("partner", "list")] == ["University College London"]


def test_stale_conversations(cli):
    setup_people(cli)
    old = cli.ok(
        "conversation",
        "log",
        "ucl",
        "--lead",
        "ruth",
        "--date",
        (date.today() - timedelta(days=45)).isoformat(),
        "--subject",
        "a first talk",
    ).stdout.strip()
    cli.ok("conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk")
    assert [c["id"] for c in cli.json("conversation", "list", "--stale", "30")] == [int(old)]


def test_archived_contacts_and_conversations_leave_lists_and_come_back(cli):
    setup_people(cli)
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    cli.ok("contact", "archive", "ada")
    assert cli.json("contact", "list") == []
    cli.ok("contact", "restore", "ada")
    assert [c["name"] for c in cli.json("contact", "list")] == ["Ada Lovelace"]
    assert "Archived conversation" in cli.ok("conversation", "archive", conv).stdout
    assert cli.json("conversation", "list") == []
    assert cli.json("partner", "show", "ucl")["conversations"] == []
    cli.ok("conversation", "restore", conv)
    assert [c["id"] for c in cli.json("conversation", "list")] == [int(conv)]


def test_every_option_of_every_command_has_help_text():
    import click

    from cli.main import cli as root

    missing = []

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])
            return
        assert cmd.help, f"{' '.join(path)} has no help"
        missing.extend(
            f"{' '.join(path)} {p.opts[0]}"
            for p in cmd.params
            if isinstance(p, click.Option) and not p.help and p.name != "help"
        )

    walk(root, [])
    assert missing == []


def test_money_and_stage_read_as_people_write_them(cli):
    setup_people(cli)
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    cli.ok("commitment", "add", conv, "--kind", "sponsorship_financial", "--gbp", "£1,000.50")
    assert "£1,000.50" in cli.ok("commitment", "list").stdout
    r = cli("conversation", "stage", conv, "convert")
    assert r.exit_code == 2
    assert "conversation stage [OPTIONS] ID STAGE" in r.stderr


def test_edit_clears_the_lead_and_refuses_an_unknown_alias(cli):
    setup_people(cli)
    cli.ok("partner", "edit", "ucl", "--lead", "")
    assert cli.json("partner", "show", "ucl")["lead"] is None
    r = cli("partner", "edit", "ucl", "--remove-alias", "UCLA", "--ward", "Holborn")
    assert r.exit_code == 1
    assert r.stderr == (
        "Error: 'UCLA' is not an alias of University College London (its aliases: 'UCL')\n"
    )
    assert cli.json("partner", "show", "ucl")["ward"] == "Bloomsbury"  # nothing half-saved


def test_a_db_that_is_not_a_database_is_not_called_damaged(tmp_path):
    from click.testing import CliRunner

    from cli.main import cli as partnercrm

    sheet = tmp_path / "attendees.csv"
    sheet.write_text("name,email\n" * 200)
    r = CliRunner().invoke(partnercrm, ["--db", str(sheet), "partner", "list"])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1
    assert r.stderr.startswith("Error: that file is not a SQLite database")
    assert "restore" not in r.stderr  # restoring over a mistyped --db would destroy that file
    assert sheet.read_text() == "name,email\n" * 200


def test_no_new_conversation_with_an_archived_partner(cli):
    setup_people(cli)
    cli.ok("partner", "archive", "ucl")
    r = cli(
        "conversation",
        "log",
        "University College London",
        "--lead",
        "ruth",
        "--subject",
        "a first talk",
    )
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: University College London is archived; restore it first")
    assert re.search(r"restore it first \(`partnercrm partner restore \d+`\)$", r.stderr.strip())
    assert cli.json("conversation", "list", "--all") == []


def test_an_archived_partners_conversations_and_steps_leave_the_lists(cli):
    setup_people(cli)
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    cli.ok("step", "add", conv, "Send the brief", "--owner", "ruth", "--due", "+3")
    cli.ok("partner", "archive", "ucl")
    assert cli.json("conversation", "list", "--all") == []
    assert cli.json("step", "list") == []
    assert [c["id"] for c in cli.json("conversation", "list", "--org", "ucl")] == [int(conv)]
    cli.ok("partner", "restore", "ucl")
    assert [s["description"] for s in cli.json("step", "list")] == ["Send the brief"]


def test_naming_a_mission_or_contact_twice_counts_once(cli):
    setup_people(cli)
    conv = cli.json(
        "conversation",
        "log",
        "ucl",
        "--lead",
        "ruth",
        "--with",
        "ada",
        "--with",
        "ada.lovelace@ucl.ac.uk",
        "--mission",
        "food",
        "--mission",
        "Food",
        "--subject",
        "food growing",
    )
    assert conv["missions"] == ["food"] and conv["contacts"] == ["Ada Lovelace"]
    com = cli.json(
        "commitment",
        "add",
        str(conv["id"]),
        "--kind",
        "research",
        "--mission",
        "estates",
        "--mission",
        "Estates and neighbourhoods",
        "--nothing-promised",
    )
    assert com["missions"] == ["estates"]


def test_a_clash_in_the_database_is_one_sentence(db):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from cli.context import DataError, errors

    with pytest.raises(DataError) as caught, errors(), db.transaction() as s:
        for _ in range(2):
            s.execute(
                text("INSERT INTO conversation_mission (conversation_id, mission_id) VALUES (1, 1)")
            )
    assert isinstance(caught.value.__cause__, IntegrityError)
    message = caught.value.format_message()
    assert message == (
        "the change refers to a record that does not exist or was deleted by someone else; "
        "nothing was saved"
    )


def test_archiving_twice_says_so(cli):
    setup_people(cli)
    cli.ok("partner", "archive", "ucl")
    r = cli("partner", "archive", "ucl")
    assert r.exit_code == 1
    assert "University College London is already archived; nothing changed" in r.stderr
    r = cli("contact", "restore", "ada")
    assert r.exit_code == 1 and "Ada Lovelace is already not archived" in r.stderr


def test_a_changed_email_keeps_the_old_one_findable(cli):
    setup_people(cli)
    cli.ok("contact", "edit", "ada.lovelace@ucl.ac.uk", "--email", "a.lovelace@ucl.ac.uk")
    shown = cli.json("contact", "show", "ada.lovelace@ucl.ac.uk")
    assert shown["email"] == "a.lovelace@ucl.ac.uk"
    assert shown["other_emails"] == ["ada.lovelace@ucl.ac.uk"]
    cli.ok("contact", "edit", "ada", "--email", "ada.lovelace@ucl.ac.uk")  # and back again
    assert cli.json("contact", "show", "ada")["other_emails"] == ["a.lovelace@ucl.ac.uk"]


def test_partner_show_prints_promised_and_delivered_figures(cli):
    setup_people(cli)
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--subject", "a first talk"
    ).stdout.strip()
    com = cli.json(
        "commitment",
        "add",
        conv,
        "--kind",
        "opportunities",
        "--gbp",
        "5000",
        "--opportunities",
        "12",
    )
    cli.ok("commitment", "deliver", str(com["id"]), "--opportunities", "14", "--people", "30")
    text = cli.ok("partner", "show", "ucl").stdout
    assert "£5,000, 12 opps" in text and "14 opps, 30 people" in text


def test_a_mistyped_db_folder_is_refused_not_created(tmp_path):
    from click.testing import CliRunner

    from cli.main import cli as root

    missing = tmp_path / "no" / "such" / "folder" / "crm.db"
    r = CliRunner().invoke(root, ["--db", str(missing), "partner", "list"])
    assert r.exit_code == 1
    assert f"the folder {missing.parent} does not exist" in r.stderr
    assert not (tmp_path / "no").exists()


def test_a_due_date_before_the_agreement_is_refused(cli):
    setup_people(cli)
    conv = cli.ok(
        "conversation",
        "log",
        "ucl",
        "--lead",
        "ruth",
        "--date",
        "1/11/2026",
        "--subject",
        "research",
    ).stdout.strip()
    r = cli(
        "commitment",
        "add",
        conv,
        "--kind",
        "research",
        "--date",
        "22/11/2026",
        "--due",
        "31/3/2026",
    )
    assert r.exit_code == 1
    assert "the due date 31 Mar 2026 is before the commitment was agreed (22 Nov 2026)" in r.stderr
    assert cli.json("commitment", "list") == []


def test_a_due_date_without_a_year_that_has_gone_is_next_years(cli, db, monkeypatch):
    from partnercrm import dates, steps

    monkeypatch.setattr(dates, "uk_today", lambda: date(2026, 12, 1))  # QA's December day
    setup_people(cli)
    conv = cli.ok(
        "conversation", "log", "ucl", "--lead", "ruth", "--date", "20/11/2026", "--subject", "x"
    ).stdout.strip()
    step = cli.json("step", "add", conv, "Send the brief", "--owner", "ruth", "--due", "31 Jan")
    assert step["due"] == "2027-01-31"
    com = cli.json(
        "commitment",
        "add",
        conv,
        "--kind",
        "research",
        "--hours",
        "10",
        "--date",
        "1/12/2026",
        "--due",
        "31/1",
    )
    assert com["due"] == "2027-01-31"
    edited = cli.json("step", "edit", str(step["id"]), "--due", "15 Nov")
    assert edited["due"] == "2027-11-15"
    with db.reader() as s:
        assert steps.get_step(s, step["id"]).due_on == date(2027, 11, 15)
        assert commitments.get_commitment(s, com["id"]).due_on == date(2027, 1, 31)
    # a year typed is kept: the slip is said, not moved on a year
    r = cli("commitment", "edit", str(com["id"]), "--due", "31/1/2026")
    assert r.exit_code == 1
    assert "the due date 31 Jan 2026 is before the commitment was agreed (01 Dec 2026)" in r.stderr
    assert "give the year" not in r.stderr


def test_an_ambassador_status_that_does_not_change_says_so(cli):
    setup_people(cli)
    amb = cli.json("ambassador", "enrol", "ucl", "--role", "research")
    r = cli("ambassador", "status", str(amb["id"]), "proposed")
    assert r.exit_code == 1 and "is already proposed; nothing changed" in r.stderr
