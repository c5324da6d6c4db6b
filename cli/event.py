"""`partnercrm event`: summits, anchor roundtables and who attended."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, fields, json_option, pass_app, table
from partnercrm.models import EventKind

KINDS = click.Choice([k.value for k in EventKind], case_sensitive=False)


@click.group()
def event() -> None:
    """Summits, roundtables and other events."""


@event.command("add")
@click.argument("name")
@click.option("--kind", type=KINDS, required=True, help="Summit, roundtable or other.")
@click.option("--date", "held_on", required=True, help="When it is or was held.")
@click.option("--host", help="The host organisation.")
@click.option("--owner", help="The colleague who owns it (leads follow-ups).")
@json_option
@pass_app
def add(
    app: AppContext,
    name: str,
    kind: str,
    held_on: str,
    host: str | None,
    owner: str | None,
    as_json: bool,
) -> None:
    """Add an event called NAME."""
    from partnercrm import colleagues, events, organisations

    with app.transaction() as s:
        new = events.add_event(
            s,
            name,
            kind,
            held_on,
            host=organisations.find_organisation(s, host) if host else None,
            owner=colleagues.find_colleague(s, owner) if owner else None,
        )
        data = events.event_dict(new)
    emit(data, as_json, lambda d: click.echo(f"Added {d['name']} on {d['date']} (id {d['id']})."))


@event.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List events, newest first, with attendance."""
    from partnercrm import events

    with app.reading() as s:
        data = events.list_events(s)
    emit(
        data,
        as_json,
        lambda d: table(
            d,
            [
                ("id", "ID"),
                ("date", "Date"),
                ("name", "Event"),
                ("kind", "Kind"),
                ("host", "Host"),
                ("attendees", "People"),
                ("organisations", "Organisations"),
            ],
            empty="No events yet.",
        ),
    )


@event.command("show")
@click.argument("name")
@json_option
@pass_app
def show(app: AppContext, name: str, as_json: bool) -> None:
    """Show who came to an event and which organisations expressed interest."""
    from partnercrm import events

    with app.reading() as s:
        data = events.event_detail(s, events.find_event(s, name))
    emit(data, as_json, _render)


def _render(d: dict[str, Any]) -> None:
    click.secho(d["name"], bold=True)
    fields(
        [
            ("Kind", d["kind"]),
            ("Date", d["date"]),
            ("Host", d["host"] or "—"),
            ("People", str(len(d["attendees"]))),
            ("Organisations", str(len(d["organisations"]))),
        ]
    )
    click.echo()
    table(
        d["interest"],
        [("organisation", "Organisation"), ("missions", "Missions"), ("roles", "Roles")],
        title="Interest expressed",
        empty="Nobody expressed interest.",
    )
    click.echo()
    table(
        d["attendees"],
        [("contact", "Who"), ("organisation", "Organisation"), ("role", "As")],
        title="Who came",
        empty="No attendance recorded.",
    )
