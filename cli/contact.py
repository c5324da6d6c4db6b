"""`partnercrm contact`: people at partner organisations."""

from __future__ import annotations

from typing import Any

import click

from cli.context import (
    AppContext,
    Decorator,
    emit,
    emit_table,
    fields,
    json_option,
    option_group,
    pass_app,
)
from partnercrm.vocabulary import LawfulBasis

BASES = click.Choice([b.value for b in LawfulBasis], case_sensitive=False)


def _details_options(editing: bool) -> Decorator:
    """A contact's details, as `contact add` records them and `contact edit` corrects them
    (`details`, keyed as the library takes them)."""
    basis_default: dict[str, Any] = (
        {} if editing else {"default": LawfulBasis.LEGITIMATE_INTERESTS.value, "show_default": True}
    )
    return option_group(
        "details",
        click.option("--title", "job_title", help="Job title ('' clears it)."),
        click.option("--phone", help="Phone number ('' clears it)."),
        click.option(
            "--senior/--not-senior", default=None, help="Mark or unmark as a senior leader."
        )
        if editing
        else click.option(
            "--senior", is_flag=True, help="A senior leader (shown first in briefs)."
        ),
        click.option(
            "--basis",
            "lawful_basis",
            type=BASES,
            help="Lawful basis for holding their data.",
            **basis_default,
        ),
        click.option(
            "--source",
            "consent_source",
            help="Where their details came from"
            + ("." if editing else " (e.g. 'Summit 2024 registration')."),
        ),
        click.option("--consent-expires", help="For consent: when it expires ('' clears it)."),
    )


override_erasure_option = click.option(
    "--override-erasure",
    metavar="REASON",
    help="Admin only: add an address whose person was erased, for this recorded reason.",
)


@click.group()
def contact() -> None:
    """People at partner organisations (personal data: UK GDPR applies)."""


@contact.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Their email address (checked, stored normalised).")
@click.option("--org", required=True, help="Their organisation (name, alias or id).")
@_details_options(editing=False)
@click.option("--new", is_flag=True, help="Add them although they look like an existing contact.")
@override_erasure_option
@json_option
@pass_app
def add(
    app: AppContext,
    name: str,
    email: str,
    org: str,
    details: dict[str, Any],
    new: bool,
    override_erasure: str | None,
    as_json: bool,
) -> None:
    """Add a contact called NAME at an organisation."""
    from partnercrm import contacts, organisations

    with app.transaction() as s:
        found = contacts.add_contact(
            s,
            name,
            email,
            organisations.find_organisation(s, org),
            **details,
            new=new,
            override_erasure=override_erasure,
        )
        data = contacts.contact_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Added {d['name']} <{d['email']}> at {d['organisation']} (id {d['id']})."
        ),
    )


@contact.command("list")
@click.option("--org", help="Only contacts at this organisation.")
@click.option("--archived", is_flag=True, help="Include archived contacts.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@pass_app
def list_(
    app: AppContext, org: str | None, archived: bool, limit: int | None, as_json: bool
) -> None:
    """List contacts, by name."""
    from partnercrm import contacts, organisations

    with app.reading() as s:
        found = organisations.find_organisation(s, org) if org else None
        data = [
            contacts.contact_dict(c)
            for c in contacts.list_contacts(s, found, include_archived=archived, limit=limit)
        ]
    if as_json:  # every contact's details, for a script: a bulk reading of personal data
        app.record_access("contact list as JSON", "contact", rows=len(data))
    emit_table(
        data,
        as_json,
        [
            ("id", "ID"),
            ("name", "Name"),
            ("job_title", "Title"),
            ("organisation", "Organisation"),
            ("email", "Email"),
            ("senior", "Senior"),
        ],
        empty="No contacts yet. Add one with `partnercrm contact add NAME --email EMAIL --org ORG`.",
    )


@contact.command("show")
@click.argument("name_or_email")
@json_option
@pass_app
def show(app: AppContext, name_or_email: str, as_json: bool) -> None:
    """Show one contact, found by name, email or id."""
    from partnercrm import contacts

    with app.reading() as s:
        data = contacts.contact_dict(contacts.find_contact(s, name_or_email))
    emit(data, as_json, _render)


def _render(d: dict[str, Any]) -> None:
    click.secho(d["name"] + (" (archived)" if d["archived"] else ""), bold=True)
    fields(
        [
            ("Organisation", d["organisation"] or "—"),
            ("Job title", d["job_title"] or "—"),
            ("Email", d["email"] or "—"),
            ("Other emails", ", ".join(d["other_emails"]) or "—"),
            ("Phone", d["phone"] or "—"),
            ("Senior", "yes" if d["senior"] else "no"),
            ("Lawful basis", d["lawful_basis"] or "—"),
            ("Source", d["consent_source"] or "—"),
            ("Since", d["consent_date"] or "—"),
            ("Consent expires", d["consent_expires"] or "—"),
        ]
    )


@contact.command("edit")
@click.argument("name_or_email")
@click.option("--name", help="A corrected name.")
@click.option("--email", help="A new email address ('' clears it).")
@click.option("--org", help="Move them to another organisation ('' for none).")
@_details_options(editing=True)
@override_erasure_option
@json_option
@pass_app
def edit(
    app: AppContext,
    name_or_email: str,
    name: str | None,
    email: str | None,
    org: str | None,
    details: dict[str, Any],
    override_erasure: str | None,
    as_json: bool,
) -> None:
    """Change a contact's details; only the options given change."""
    from partnercrm import contacts, organisations

    with app.transaction() as s:
        found = contacts.find_contact(s, name_or_email)
        contacts.edit_contact(
            s,
            found,
            name=name,
            email=email,
            organisation=organisations.find_organisation(s, org) if org else None,
            clear_organisation=org is not None and not org.strip(),
            **details,
            override_erasure=override_erasure,
        )
        data = contacts.contact_dict(found)
    emit(data, as_json, lambda d: click.echo(f"Saved {d['name']} (id {d['id']})."))


@contact.command("archive")
@click.argument("name_or_email")
@pass_app
def archive(app: AppContext, name_or_email: str) -> None:
    """Archive a contact: hidden from lists and briefs; history kept."""
    from partnercrm import contacts

    ident, name = app.set_archived(lambda s: contacts.find_contact(s, name_or_email), True)
    click.echo(f"Archived {name}. `partnercrm contact restore {ident}` brings them back.")


@contact.command("restore")
@click.argument("name_or_email")
@pass_app
def restore(app: AppContext, name_or_email: str) -> None:
    """Bring an archived contact back."""
    from partnercrm import contacts

    _, name = app.set_archived(lambda s: contacts.find_contact(s, name_or_email), False)
    click.echo(f"Restored {name}.")
