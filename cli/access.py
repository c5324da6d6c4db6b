"""`partnercrm access`: who may do what (viewer, editor, privacy, admin)."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, json_option, pass_app, table


@click.group()
def access() -> None:
    """Who may do what: grant, revoke and list roles."""


@access.command("grant")
@click.argument("colleague")
@click.argument("roles", nargs=-1, required=True)
@json_option
@pass_app
def grant(app: AppContext, colleague: str, roles: tuple[str, ...], as_json: bool) -> None:
    """Give COLLEAGUE one or more ROLES: viewer, editor, privacy, admin."""
    from partnercrm import access as rights
    from partnercrm import colleagues

    with app.transaction() as s:
        found = colleagues.find_colleague(s, colleague)
        added = rights.grant(s, found, roles)
        data = colleagues.colleague_dict(found) | {"granted": added}
    emit(data, as_json, lambda d: click.echo(_holds("Granted", d, d["granted"])))


@access.command("revoke")
@click.argument("colleague")
@click.argument("roles", nargs=-1, required=True)
@json_option
@pass_app
def revoke(app: AppContext, colleague: str, roles: tuple[str, ...], as_json: bool) -> None:
    """Take ROLES from COLLEAGUE."""
    from partnercrm import access as rights
    from partnercrm import colleagues

    with app.transaction() as s:
        found = colleagues.find_colleague(s, colleague)
        gone = rights.revoke(s, found, roles)
        data = colleagues.colleague_dict(found) | {"revoked": gone}
    emit(data, as_json, lambda d: click.echo(_holds("Revoked", d, d["revoked"])))


def _holds(verb: str, d: dict[str, Any], changed: list[str]) -> str:
    now = ", ".join(d["roles"]) or "no role"
    if not changed:
        return f"Nothing changed: {d['name']} holds {now}."
    return f"{verb} {', '.join(changed)} for {d['name']}; they now hold {now}."


@access.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """Every colleague with their login and roles."""
    from partnercrm import access as rights

    with app.reading() as s:
        data = rights.access_list(s)
    emit(
        data,
        as_json,
        lambda d: table(
            [{**r, "roles": r["roles"] or ["—"]} for r in d],
            [("name", "Colleague"), ("login", "Login"), ("roles", "Roles"), ("active", "Active")],
            empty="No colleagues yet.",
        ),
    )
