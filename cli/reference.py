"""`partnercrm mission` and `partnercrm role`: the reference data partners contribute to."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, emit_table, json_option, pass_app


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
    emit_table(
        data,
        as_json,
        [
            ("key", "Key"),
            ("name", "Mission"),
            ("target_year", "By"),
            ("retired", "Retired"),
            ("statement", "Statement"),
        ],
    )


def _retired(d: dict[str, Any]) -> str:
    return " (retired: kept for its history, not offered for new records)" if d["retired"] else ""


def _say_mission(d: dict[str, Any], verb: str) -> None:
    year = f", by {d['target_year']}" if d["target_year"] else ""
    click.echo(f"{verb} the mission {d['name']} ({d['key']}{year}){_retired(d)}.")


@mission.command("add")
@click.argument("key")
@click.option("--name", required=True, help="The mission's name, as the council says it.")
@click.option("--statement", help="What the mission is for.")
@click.option("--target-year", help="The year it aims to be achieved by.")
@json_option
@pass_app
def mission_add(
    app: AppContext,
    key: str,
    name: str,
    statement: str | None,
    target_year: str | None,
    as_json: bool,
) -> None:
    """Add a mission with the short KEY used on the command line (e.g. 'climate')."""
    from partnercrm import missions

    with app.transaction() as s:
        found = missions.add_mission(s, key, name, statement=statement, target_year=target_year)
        data = missions.mission_dict(found)
    emit(data, as_json, lambda d: _say_mission(d, "Added"))


@mission.command("edit")
@click.argument("mission_key", metavar="MISSION")
@click.option("--name", help="Its name.")
@click.option("--statement", help="What it is for ('' clears it).")
@click.option("--target-year", help="The year it aims to be achieved by ('' clears it).")
@json_option
@pass_app
def mission_edit(
    app: AppContext,
    mission_key: str,
    name: str | None,
    statement: str | None,
    target_year: str | None,
    as_json: bool,
) -> None:
    """Correct MISSION (key or name); only the options given change."""
    from partnercrm import missions

    with app.transaction() as s:
        found = missions.find_mission(s, mission_key)
        missions.edit_mission(s, found, name=name, statement=statement, target_year=target_year)
        data = missions.mission_dict(found)
    emit(data, as_json, lambda d: _say_mission(d, "Saved"))


@mission.command("retire")
@click.argument("mission_key", metavar="MISSION")
@json_option
@pass_app
def mission_retire(app: AppContext, mission_key: str, as_json: bool) -> None:
    """Retire MISSION: it keeps its history and its reports, and is not offered for new records."""
    from partnercrm import missions

    with app.transaction() as s:
        found = missions.retire_mission(s, missions.find_mission(s, mission_key))
        data = missions.mission_dict(found)
    emit(data, as_json, lambda d: _say_mission(d, "Retired"))


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


def _role_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option("--description", help="What the role is."),
            click.option("--ask", "ask_of_partner", help="What it asks of a partner."),
            click.option("--value-for-council", help="What it is worth to the council."),
            click.option("--value-for-partner", help="What it is worth to the partner."),
            click.option(
                "--kinds",
                help="Commitment kinds that fulfil it, commas between (e.g. 'advocacy,hosting').",
            ),
        ]
    ):
        f = option(f)
    return f


def _say_role(d: dict[str, Any], verb: str) -> None:
    click.echo(f"{verb} the ambassador role {d['name']} ({d['key']}){_retired(d)}.")


@role.command("add")
@click.argument("key")
@click.option("--name", required=True, help="The role's name, as Figure 2 says it.")
@_role_options
@json_option
@pass_app
def role_add(
    app: AppContext, key: str, name: str, kinds: str | None, as_json: bool, **texts: Any
) -> None:
    """Add an ambassador role with the short KEY used on the command line."""
    from partnercrm import missions

    with app.transaction() as s:
        found = missions.add_role(s, key, name, commitment_kinds=kinds, **texts)
        data = missions.role_dict(found)
    emit(data, as_json, lambda d: _say_role(d, "Added"))


@role.command("edit")
@click.argument("role_key", metavar="ROLE")
@click.option("--name", help="Its name.")
@_role_options
@json_option
@pass_app
def role_edit(
    app: AppContext, role_key: str, name: str | None, kinds: str | None, as_json: bool, **texts: Any
) -> None:
    """Correct ROLE (key or name); only the options given change."""
    from partnercrm import missions

    with app.transaction() as s:
        found = missions.find_role(s, role_key)
        missions.edit_role(s, found, name=name, commitment_kinds=kinds, **texts)
        data = missions.role_dict(found)
    emit(data, as_json, lambda d: _say_role(d, "Saved"))


@role.command("retire")
@click.argument("role_key", metavar="ROLE")
@json_option
@pass_app
def role_retire(app: AppContext, role_key: str, as_json: bool) -> None:
    """Retire ROLE: ambassadorships that hold it keep it; it is not offered to partners again."""
    from partnercrm import missions

    with app.transaction() as s:
        found = missions.retire_role(s, missions.find_role(s, role_key))
        data = missions.role_dict(found)
    emit(data, as_json, lambda d: _say_role(d, "Retired"))


def _render_roles(roles: list[dict[str, Any]]) -> None:
    for r in roles:
        retired = " — retired" if r.get("retired") else ""
        click.secho(f"{r['name']} ({r['key']}){retired}", bold=True)
        for label, key in (
            ("Description", "description"),
            ("Ask of a partner", "ask_of_partner"),
            ("Value for the council", "value_for_council"),
            ("Value for the partner", "value_for_partner"),
        ):
            click.echo(f"  {label}: {r[key]}")
        click.echo()
