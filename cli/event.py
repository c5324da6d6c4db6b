"""`partnercrm event`: summits, anchor roundtables and who attended."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, emit_table, fields, json_option, pass_app, table
from partnercrm.vocabulary import AttendanceRole, EventKind

KINDS = click.Choice([k.value for k in EventKind], case_sensitive=False)
ROLES = click.Choice([r.value for r in AttendanceRole], case_sensitive=False)


@click.group()
def event() -> None:
    """Summits, roundtables and other events: add, list, show, edit, attendance."""


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
    emit_table(
        data,
        as_json,
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
        [
            ("organisation", "Organisation"),
            ("mission_names", "Missions"),
            ("role_names", "Roles"),
        ],
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


@event.command("edit")
@click.argument("event_name", metavar="NAME")
@click.option("--name", help="A corrected name.")
@click.option("--kind", type=KINDS, help="Summit, roundtable or other.")
@click.option("--date", "held_on", help="When it is or was held.")
@click.option("--host", help="The host organisation ('' for none).")
@json_option
@pass_app
def edit(
    app: AppContext,
    event_name: str,
    name: str | None,
    kind: str | None,
    held_on: str | None,
    host: str | None,
    as_json: bool,
) -> None:
    """Correct the event NAME (a name or id); only the options given change."""
    from partnercrm import events, organisations

    with app.transaction() as s:
        found = events.find_event(s, event_name)
        events.edit_event(
            s,
            found,
            name=name,
            kind=kind,
            held_on=held_on,
            host=organisations.find_organisation(s, host) if host else None,
            clear_host=host is not None and not host.strip(),
        )
        data = events.event_dict(found)
    emit(data, as_json, lambda d: click.echo(f"Saved {d['name']} on {d['date']} (id {d['id']})."))


@event.command("attendance")
@click.argument("event_name", metavar="EVENT")
@click.argument("contact")
@click.option("--role", type=ROLES, help="Their role there: attendee, speaker or host.")
@click.option("--remove", is_flag=True, help="They were not there: remove them from the event.")
@json_option
@pass_app
def attendance(
    app: AppContext,
    event_name: str,
    contact: str,
    role: str | None,
    remove: bool,
    as_json: bool,
) -> None:
    """Correct CONTACT's attendance at EVENT: their role, or remove them."""
    from partnercrm import contacts, events

    if remove == (role is not None):
        raise click.UsageError("give either --role ROLE or --remove")
    with app.transaction() as s:
        found = events.get_attendance(
            s, events.find_event(s, event_name), contacts.find_contact(s, contact)
        )
        data = events.attendance_dict(found)
        if remove:
            events.remove_attendance(s, found)
            data["removed"] = True
        else:
            events.set_attendance_role(s, found, role or "")
            data = events.attendance_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Removed {d['contact']} from {d['event']}."
            if d.get("removed")
            else f"{d['contact']} at {d['event']}: {d['role']}."
        ),
    )
