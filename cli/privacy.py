"""`partnercrm privacy`: personal-data rights under UK GDPR (access, erasure, retention)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli.context import (
    AppContext,
    DataError,
    emit,
    errors,
    force_option,
    json_option,
    pass_app,
    table,
)


@click.group()
def privacy() -> None:
    """Personal-data rights: subject access export, erasure, retention review."""


@privacy.command("export")
@click.argument("contact")
@click.option(
    "--out",
    required=True,
    metavar="FILE.json",
    help="Where to write the export ('-' for standard output).",
)
@force_option
@pass_app
def export(app: AppContext, contact: str, out: str, force: bool) -> None:
    """Export everything held about CONTACT (a subject access request); the export is logged."""
    from partnercrm import contacts, outputs
    from partnercrm import privacy as rights

    path = None if out == "-" else Path(out).expanduser()
    if path is not None:
        with errors():  # refused before the export is logged
            outputs.check_target(path, force=force, database=app.db.url, field="out")
    with app.transaction() as s:
        person = contacts.find_contact(s, contact)
        document = rights.subject_access(s, person)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        # written before the transaction ends: if the file cannot be written, no export is logged
        if path is None:
            sys.stdout.write(text)
        else:
            outputs.write_text(path, text, force=force, database=s)
    if path is not None:
        counts = ", ".join(
            _count(len(document[k]), noun)
            for k, noun in (
                ("conversations", "conversation"),
                ("touchpoints", "touchpoint"),
                ("attendances", "attendance"),
                ("history", "history entry"),
            )
        )
        click.echo(
            f"Wrote everything held about {document['contact']['name']} to {path} ({counts}). "
            "The export is recorded in the history."
        )


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


@privacy.command("erase")
@click.argument("contact")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_app
def erase(app: AppContext, contact: str, dry_run: bool, yes: bool, as_json: bool) -> None:
    """Erase CONTACT's personal data everywhere, keeping anonymous counts (cannot be undone)."""
    from partnercrm import contacts
    from partnercrm import privacy as rights

    if dry_run:
        with app.reading() as s:
            person = contacts.find_contact(s, contact)
            name = person.name
            result = rights.erase(s, person, dry_run=True)
        emit({**result.as_dict(), "name": name}, as_json, _render_erasure)
        return
    with app.reading() as s:
        person = contacts.find_contact(s, contact)
        name, ident = person.name, person.id
    if not yes and not click.confirm(
        f"Erase {name}'s personal data everywhere? This cannot be undone"
    ):
        raise DataError("nothing was erased")
    with app.transaction() as s:
        # by id: the person confirmed, even if the text would now find someone else
        result = rights.erase(s, contacts.find_contact(s, str(ident)))
    emit({**result.as_dict(), "name": name}, as_json, _render_erasure)


def _render_erasure(d: dict[str, Any]) -> None:
    texts = sum(d["free_text_changed"].values())
    where = ", ".join(f"{n} {k}" for k, n in sorted(d["free_text_changed"].items()))
    verb = "Would erase" if d["dry_run"] else "Erased"
    click.echo(
        f"{verb} {d['name']} (contact {d['contact_id']}): the contact record, "
        f"{_count(texts, 'free-text field')} naming them{f' ({where})' if where else ''}, "
        f"{_count(d['history_entries_cleaned'], 'history entry')}; "
        f"{_count(d['addresses_blocked'], 'email address')} blocked from re-import."
    )
    click.echo(
        f"Kept as anonymous counts: {_count(d['attendances_kept'], 'attendance')}, "
        f"{_count(d['conversations_kept'], 'conversation')}."
    )
    if not d["dry_run"]:
        click.echo(f"The contact is now 'Erased person #{d['contact_id']}'.")


@privacy.command("stale")
@click.option(
    "--years",
    type=click.IntRange(min=1),
    required=True,
    help="List contacts with no touchpoint or attendance in this many years.",
)
@json_option
@pass_app
def stale(app: AppContext, years: int, as_json: bool) -> None:
    """List contacts not seen in N years, for a retention review (erase or keep)."""
    from partnercrm import privacy as rights

    with app.reading() as s:
        data = [c.as_dict() for c in rights.stale_contacts(s, years)]
    emit(
        data,
        as_json,
        lambda d: table(
            d,
            [
                ("id", "ID"),
                ("name", "Name"),
                ("organisation", "Organisation"),
                ("last_seen", "Last seen"),
                ("added", "Added"),
                ("archived", "Archived"),
            ],
            title=f"Contacts not seen in {years} year(s)",
            empty=f"No contacts unseen for {years} year(s).",
        ),
    )
