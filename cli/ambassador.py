"""`partnercrm ambassador`: Missions Ambassadors in the Figure 2 roles."""

from __future__ import annotations

import click

from cli.context import AppContext, emit, emit_table, json_option, pass_app
from partnercrm.vocabulary import AmbassadorStatus

STATUSES = click.Choice([s.value for s in AmbassadorStatus], case_sensitive=False)


@click.group()
def ambassador() -> None:
    """Missions Ambassadors: enrol, change status, edit, list."""


@ambassador.command("enrol")
@click.argument("org")
@click.option("--role", required=True, help="The role (key or name, e.g. sponsorship).")
@click.option("--mission", help="The mission it is for (optional).")
@click.option("--since", help="Since when (default today).")
@click.option(
    "--status", type=STATUSES, default="proposed", show_default=True, help="Where it starts."
)
@json_option
@pass_app
def enrol(
    app: AppContext,
    org: str,
    role: str,
    mission: str | None,
    since: str | None,
    status: str,
    as_json: bool,
) -> None:
    """Enrol ORG as a Missions Ambassador in a role."""
    from partnercrm import ambassadors, missions, organisations

    with app.transaction() as s:
        new = ambassadors.enrol(
            s,
            organisations.find_organisation(s, org),
            missions.find_role(s, role),
            mission=missions.find_mission(s, mission) if mission else None,
            since=since,
            status=status,
        )
        data = ambassadors.ambassadorship_dict(new)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Ambassadorship {d['id']}: {d['organisation']} as {d['role_name']} ({d['status']})."
        ),
    )


@ambassador.command("status")
@click.argument("ambassadorship_id", metavar="ID")
@click.argument("status", type=STATUSES, metavar="STATUS")
@click.option("--date", "on", help="When it changed (default today).")
@pass_app
def status(app: AppContext, ambassadorship_id: str, status: str, on: str | None) -> None:
    """Move ambassadorship ID to STATUS (proposed → onboarding → active → paused → ended)."""
    from partnercrm import ambassadors

    with app.transaction() as s:
        found = ambassadors.get_ambassadorship(s, ambassadorship_id)
        ambassadors.set_status(s, found, status, on=on)
        org, role = found.organisation.name, found.role.name
    click.echo(f"{org} as {role}: now {status}.")


@ambassador.command("edit")
@click.argument("ambassadorship_id", metavar="ID")
@click.option("--role", help="The role (key or name).")
@click.option("--mission", help="The mission it is for ('' for any mission).")
@click.option("--since", help="Since when.")
@json_option
@pass_app
def edit(
    app: AppContext,
    ambassadorship_id: str,
    role: str | None,
    mission: str | None,
    since: str | None,
    as_json: bool,
) -> None:
    """Correct ambassadorship ID; only the options given change."""
    from partnercrm import ambassadors, missions

    if role is not None and not role.strip():
        raise click.BadParameter("an ambassadorship needs a role", param_hint="--role")
    with app.transaction() as s:
        found = ambassadors.get_ambassadorship(s, ambassadorship_id)
        ambassadors.edit_ambassadorship(
            s,
            found,
            role=missions.find_role(s, role) if role else None,
            mission=missions.find_mission(s, mission) if mission else None,
            clear_mission=mission is not None and not mission.strip(),
            since=since,
        )
        data = ambassadors.ambassadorship_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Saved ambassadorship {d['id']}: {d['organisation']} as {d['role_name']} "
            f"({d['mission_name'] or 'any mission'}, since {d['since']})."
        ),
    )


@ambassador.command("list")
@click.option("--role", help="Only this role.")
@click.option("--mission", help="Only this mission.")
@click.option("--status", type=STATUSES, help="Only this status.")
@json_option
@pass_app
def list_(
    app: AppContext, role: str | None, mission: str | None, status: str | None, as_json: bool
) -> None:
    """List ambassadorships by role."""
    from partnercrm import ambassadors, missions

    with app.reading() as s:
        data = [
            ambassadors.ambassadorship_dict(a)
            for a in ambassadors.list_ambassadorships(
                s,
                role=missions.find_role(s, role) if role else None,
                mission=missions.find_mission(s, mission) if mission else None,
                status=status,
            )
        ]
    emit_table(
        data,
        as_json,
        [
            ("id", "ID"),
            ("organisation", "Organisation"),
            ("role_name", "Role"),
            ("mission_name", "Mission"),
            ("status", "Status"),
            ("since", "Since"),
        ],
        empty="No ambassadors match. Enrol one with `partnercrm ambassador enrol ORG --role ROLE`.",
    )
