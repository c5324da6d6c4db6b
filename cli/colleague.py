"""`partnercrm colleague`: council colleagues."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, emit_table, json_option, pass_app


@click.group()
def colleague() -> None:
    """Council colleagues who talk to partners."""


@colleague.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Their council email address.")
@click.option("--team", help="Their team.")
@click.option("--login", help="Their PostgreSQL login (team database) or computer login (SQLite).")
@json_option
@pass_app
def add(
    app: AppContext, name: str, email: str, team: str | None, login: str | None, as_json: bool
) -> None:
    """Add a colleague called NAME."""
    from partnercrm import colleagues

    with app.transaction() as s:
        data = colleagues.colleague_dict(colleagues.add_colleague(s, name, email, team, login))
    emit(data, as_json, lambda d: click.echo(f"Added {d['name']} <{d['email']}> (id {d['id']})."))


@colleague.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="Their name as it should read.")
@click.option("--email", help="Their council email address.")
@click.option("--team", help="Their team ('' clears it).")
@click.option(
    "--login",
    help="Their PostgreSQL login (team database) or computer login (SQLite); '' clears it.",
)
@json_option
@pass_app
def edit(
    app: AppContext,
    name: str,
    new_name: str | None,
    email: str | None,
    team: str | None,
    login: str | None,
    as_json: bool,
) -> None:
    """Correct colleague NAME; only the options given change."""
    from partnercrm import colleagues

    with app.transaction() as s:
        found = colleagues.find_colleague(s, name)
        colleagues.edit_colleague(s, found, name=new_name, email=email, team=team)
        if login is not None:
            colleagues.set_login(s, found, login)
        data = colleagues.colleague_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Saved {d['name']} <{d['email']}>"
            + (f", {d['team']}" if d["team"] else "")
            + f"; login {d['login'] or 'not set'}."
        ),
    )


@colleague.command("leave")
@click.argument("name")
@click.option(
    "--handover",
    metavar="COLLEAGUE",
    help="The colleague who takes their open steps, open conversations and partners.",
)
@json_option
@pass_app
def leave(app: AppContext, name: str, handover: str | None, as_json: bool) -> None:
    """Colleague NAME has left: their history stays, they are no longer offered as an owner or
    lead, and --handover moves their open work to a colleague (one change: `undo` takes it back).
    """
    from partnercrm import colleagues

    with app.transaction() as s:
        leaver = colleagues.find_colleague(s, name)
        to = colleagues.find_colleague(s, handover) if handover else None
        data = colleagues.leave(s, leaver, to).as_dict()
    emit(data, as_json, _say_left)


def _say_left(d: dict[str, Any]) -> None:
    click.echo(f"{d['leaver']} has left; their history stays theirs.")
    if d["handed_to"]:
        click.echo(
            f"Handed to {d['handed_to']}: {len(d['steps'])} open steps, "
            f"{len(d['conversations'])} open conversations, "
            f"{len(d['organisations'])} partners led."
        )
    else:
        click.echo("Nothing was handed over: their open steps and conversations keep their name.")


@colleague.command("list")
@click.option("--all", "everyone", is_flag=True, help="Include colleagues who have left.")
@json_option
@pass_app
def list_(app: AppContext, everyone: bool, as_json: bool) -> None:
    """List colleagues (those still here, unless --all)."""
    from partnercrm import colleagues

    with app.reading() as s:
        data = [
            colleagues.colleague_dict(c)
            for c in colleagues.list_colleagues(s, include_archived=everyone)
        ]
    columns = [("id", "ID"), ("name", "Name"), ("email", "Email"), ("team", "Team")]
    emit_table(
        data,
        as_json,
        [*columns, ("left", "Left")] if everyone else columns,
        empty="No colleagues yet. Add one with `partnercrm colleague add NAME --email EMAIL`.",
    )
