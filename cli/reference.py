"""`partnercrm mission` and `partnercrm role`: the reference data partners contribute to."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, json_option, pass_app, table


@click.group()
def mission() -> None:
    """The missions partners contribute to."""


@mission.command("list")
@json_option
@pass_app
def mission_list(app: AppContext, as_json: bool) -> None:
    """List the missions with their statements."""
    from partnercrm import missions

    with app.reading() as s:
        data = [missions.mission_dict(mi) for mi in missions.list_missions(s)]
    emit(
        data,
        as_json,
        lambda d: table(
            d,
            [
                ("key", "Key"),
                ("name", "Mission"),
                ("target_year", "By"),
                ("statement", "Statement"),
            ],
        ),
    )


@click.group()
def role() -> None:
    """The Missions Ambassador roles (Figure 2 of the partnership strategy)."""


@role.command("list")
@json_option
@pass_app
def role_list(app: AppContext, as_json: bool) -> None:
    """List the ambassador roles with Figure 2's wording."""
    from partnercrm import missions

    with app.reading() as s:
        data = [missions.role_dict(r) for r in missions.list_roles(s)]
    emit(data, as_json, _render_roles)


def _render_roles(roles: list[dict[str, Any]]) -> None:
    for r in roles:
        click.secho(f"{r['name']} ({r['key']})", bold=True)
        for label, key in (
            ("Description", "description"),
            ("Ask of a partner", "ask_of_partner"),
            ("Value for the council", "value_for_council"),
            ("Value for the partner", "value_for_partner"),
        ):
            click.echo(f"  {label}: {r[key]}")
        click.echo()
