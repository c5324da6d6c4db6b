"""`partnercrm partner`: partner organisations."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, cell, emit, emit_table, fields, json_option, pass_app, table
from partnercrm.vocabulary import Sector

SECTORS = click.Choice([s.value for s in Sector], case_sensitive=False)


@click.group()
def partner() -> None:
    """Partner organisations: add, list, show, edit, archive, restore."""


@partner.command("add")
@click.argument("name")
@click.option("--sector", type=SECTORS, required=True, help="The organisation's sector.")
@click.option("--alias", "aliases", multiple=True, help="Another name it goes by (repeatable).")
@click.option("--anchor", is_flag=True, help="An anchor institution (invited to roundtables).")
@click.option("--ward", help="The Camden ward it is in.")
@click.option("--lead", help="The colleague who leads the relationship.")
@click.option("--website", help="Its web address.")
@click.option("--new", is_flag=True, help="Add it although it looks like an existing partner.")
@json_option
@pass_app
def add(
    app: AppContext,
    name: str,
    sector: str,
    aliases: tuple[str, ...],
    anchor: bool,
    ward: str | None,
    lead: str | None,
    website: str | None,
    new: bool,
    as_json: bool,
) -> None:
    """Add a partner organisation called NAME."""
    from partnercrm import colleagues, organisations

    with app.transaction() as s:
        lead_colleague = colleagues.find_colleague(s, lead) if lead else None
        org = organisations.add_organisation(
            s,
            name,
            sector,
            aliases=aliases,
            anchor=anchor,
            ward=ward,
            lead=lead_colleague,
            website=website,
            new=new,
        )
        data = organisations.organisation_dict(org)
    emit(data, as_json, lambda d: click.echo(f"Added {d['name']} (id {d['id']})."))


@partner.command("list")
@click.option("--sector", type=SECTORS, help="Only this sector.")
@click.option("--anchor/--not-anchor", default=None, help="Only anchors (or only non-anchors).")
@click.option("--mission", help="Only organisations working on this mission (key or name).")
@click.option("--ward", help="Only this ward.")
@click.option("--lead", help="Only organisations this colleague leads.")
@click.option(
    "--sort",
    "order",
    default="name",
    type=click.Choice(["name", "sector", "stage", "last_touch", "open_steps", "ward"]),
    help="Sort by this column.",
)
@click.option("--archived", is_flag=True, help="Include archived organisations.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@pass_app
def list_(
    app: AppContext,
    sector: str | None,
    anchor: bool | None,
    mission: str | None,
    ward: str | None,
    lead: str | None,
    order: str,
    archived: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """List partner organisations with their stage, last touch and open steps."""
    from partnercrm import colleagues, missions, organisations

    with app.reading() as s:
        rows = organisations.list_organisations(
            s,
            sector=sector,
            anchor=anchor,
            mission=missions.find_mission(s, mission) if mission else None,
            ward=ward,
            lead=colleagues.find_colleague(s, lead) if lead else None,
            include_archived=archived,
            order=order,
            descending=order in ("last_touch", "open_steps"),
            limit=limit,
        )
        data = [r.as_dict() for r in rows]
    emit_table(
        data,
        as_json,
        [
            ("id", "ID"),
            ("name", "Name"),
            ("sector", "Sector"),
            ("anchor", "Anchor"),
            ("stage", "Stage"),
            ("lead", "Lead"),
            ("last_touch", "Last touch"),
            ("open_steps", "Open steps"),
        ],
        empty="No partners yet. Add one with `partnercrm partner add NAME --sector SECTOR`, "
        "or load the demo with `partnercrm demo`.",
    )


@partner.command("show")
@click.argument("org")
@json_option
@pass_app
def show(app: AppContext, org: str, as_json: bool) -> None:
    """Show one organisation (ORG is a name, alias or id) and everything that hangs off it."""
    from partnercrm import organisations

    with app.reading() as s:
        data = organisations.organisation_detail(s, organisations.find_organisation(s, org))
    emit(data, as_json, _render_detail)


def _render_detail(d: dict[str, Any]) -> None:
    from cli.commitment import with_figures

    title = d["name"] + (" (archived)" if d["archived"] else "")
    click.secho(title, bold=True)
    fields(
        [
            ("Also known as", ", ".join(d["aliases"]) or "—"),
            ("Sector", d["sector"]),
            ("Anchor", "yes" if d["anchor"] else "no"),
            ("Stage", d["stage"]),
            ("Lead", d["lead"] or "—"),
            ("Ward", d["ward"] or "—"),
            ("Website", d["website"] or "—"),
        ]
    )
    for rows, columns, heading in (
        (
            d["contacts"],
            [("name", "Contact"), ("job_title", "Title"), ("email", "Email"), ("senior", "Senior")],
            "Contacts",
        ),
        (
            d["conversations"],
            [
                ("id", "ID"),
                ("stage", "Stage"),
                ("lead", "Lead"),
                ("ask", "Ask"),
                ("last_touch", "Last touch"),
            ],
            "Conversations",
        ),
        (
            with_figures(d["commitments"]),
            [
                ("id", "ID"),
                ("kind", "Kind"),
                ("status", "Status"),
                ("due", "Due"),
                ("mission_names", "Missions"),
                ("promise", "Promised"),
                ("impact", "Delivered"),
            ],
            "Commitments",
        ),
        (
            d["ambassadorships"],
            [
                ("id", "ID"),
                ("role_name", "Role"),
                ("mission_name", "Mission"),
                ("status", "Status"),
                ("since", "Since"),
            ],
            "Ambassador roles",
        ),
    ):
        click.echo()
        table(rows, columns, title=heading, empty=f"No {heading.lower()} yet.")
    if d["events"]:
        click.echo()
        table(
            [{**e, "people": cell(e["people"])} for e in d["events"]],
            [("date", "Date"), ("name", "Event"), ("people", "Who came")],
            title="Events",
        )


@partner.command("edit")
@click.argument("org")
@click.option("--name", help="A new name (the old one is kept as an alias).")
@click.option("--sector", type=SECTORS, help="A new sector.")
@click.option("--alias", "aliases", multiple=True, help="Add an alias (repeatable).")
@click.option("--remove-alias", "removed", multiple=True, help="Remove an alias (repeatable).")
@click.option("--anchor/--not-anchor", default=None, help="Mark or unmark as an anchor.")
@click.option("--ward", help="The Camden ward it is in ('' clears it).")
@click.option("--lead", help="The colleague who leads the relationship ('' for nobody).")
@click.option("--website", help="Its web address ('' clears it).")
@json_option
@pass_app
def edit(
    app: AppContext,
    org: str,
    name: str | None,
    sector: str | None,
    aliases: tuple[str, ...],
    removed: tuple[str, ...],
    anchor: bool | None,
    ward: str | None,
    lead: str | None,
    website: str | None,
    as_json: bool,
) -> None:
    """Change an organisation's details; only the options given change."""
    from partnercrm import colleagues, organisations

    with app.transaction() as s:
        found = organisations.find_organisation(s, org)
        organisations.edit_organisation(
            s,
            found,
            name=name,
            sector=sector,
            anchor=anchor,
            ward=ward,
            lead=colleagues.find_colleague(s, lead) if lead else None,
            clear_lead=lead == "",
            website=website,
            add_aliases=aliases,
            remove_aliases=removed,
        )
        data = organisations.organisation_dict(found, organisations.relationship_stage(s, found))
    emit(data, as_json, lambda d: click.echo(f"Saved {d['name']} (id {d['id']})."))


@partner.command("archive")
@click.argument("org")
@pass_app
def archive(app: AppContext, org: str) -> None:
    """Archive an organisation: hidden from lists, briefs and reports; history kept."""
    from partnercrm import organisations

    _, name = app.set_archived(lambda s: organisations.find_organisation(s, org), True)
    click.echo(f"Archived {name}. `partnercrm partner restore {name!r}` brings it back.")


@partner.command("restore")
@click.argument("org")
@pass_app
def restore(app: AppContext, org: str) -> None:
    """Bring an archived organisation back."""
    from partnercrm import organisations

    _, name = app.set_archived(lambda s: organisations.find_organisation(s, org), False)
    click.echo(f"Restored {name}.")
