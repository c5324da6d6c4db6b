"""`partnercrm access`: who may do what (viewer, editor, privacy, admin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from cli.context import AppContext, emit, emit_table, json_option, pass_app


@click.group()
def access() -> None:
    """Who may do what: grant, revoke and list roles."""


def _roles_arguments(f: Callable[..., Any]) -> Callable[..., Any]:
    """COLLEAGUE ROLES...: what `grant` and `revoke` take."""
    f = click.argument("roles", nargs=-1, required=True)(f)
    return click.argument("colleague")(f)


@access.command("grant")
@_roles_arguments
@json_option
@pass_app
def grant(app: AppContext, colleague: str, roles: tuple[str, ...], as_json: bool) -> None:
    """Give COLLEAGUE one or more ROLES: viewer, editor, privacy, admin."""
    from partnercrm import access as rights

    _change_roles(app, colleague, roles, as_json, rights.grant, "Granted")


@access.command("revoke")
@_roles_arguments
@json_option
@pass_app
def revoke(app: AppContext, colleague: str, roles: tuple[str, ...], as_json: bool) -> None:
    """Take ROLES from COLLEAGUE."""
    from partnercrm import access as rights

    _change_roles(app, colleague, roles, as_json, rights.revoke, "Revoked")


def _change_roles(
    app: AppContext,
    colleague: str,
    roles: tuple[str, ...],
    as_json: bool,
    change: Callable[..., list[str]],
    verb: str,
) -> None:
    """Grant or revoke (`change`), then say what the colleague holds now."""
    from partnercrm import colleagues

    key = verb.lower()  # "granted", "revoked": the JSON names what changed
    with app.transaction() as s:
        found = colleagues.find_colleague(s, colleague)
        changed = change(s, found, roles)
        data = colleagues.colleague_dict(found) | {key: changed}
    emit(data, as_json, lambda d: click.echo(_holds(verb, d, d[key])))


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
    emit_table(
        data,
        as_json,
        [("name", "Colleague"), ("login", "Login"), ("roles", "Roles"), ("active", "Active")],
        rows=lambda d: [{**r, "roles": r["roles"] or ["—"]} for r in d],
        empty="No colleagues yet.",
    )
