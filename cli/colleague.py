"""`partnercrm colleague`: council colleagues."""

from __future__ import annotations

import click

from cli.context import AppContext, emit, json_option, pass_app, table


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
@click.option(
    "--login",
    help="Their PostgreSQL login (team database) or computer login (SQLite); '' clears it.",
)
@json_option
@pass_app
def edit(app: AppContext, name: str, login: str | None, as_json: bool) -> None:
    """Change colleague NAME's login."""
    from partnercrm import colleagues

    with app.transaction() as s:
        found = colleagues.find_colleague(s, name)
        if login is not None:
            colleagues.set_login(s, found, login)
        data = colleagues.colleague_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(f"{d['name']}'s login is now {d['login'] or 'not set'}."),
    )


@colleague.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List colleagues."""
    from partnercrm import colleagues

    with app.reading() as s:
        data = [colleagues.colleague_dict(c) for c in colleagues.list_colleagues(s)]
    emit(
        data,
        as_json,
        lambda d: table(
            d,
            [("id", "ID"), ("name", "Name"), ("email", "Email"), ("team", "Team")],
            empty="No colleagues yet. Add one with `partnercrm colleague add NAME --email EMAIL`.",
        ),
    )
