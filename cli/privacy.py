"""`partnercrm privacy`: personal-data rights under UK GDPR (access, erasure, retention)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli.context import (
    AppContext,
    ask_first,
    emit,
    emit_table,
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
    ask_first(
        yes, f"Erase {name}'s personal data everywhere? This cannot be undone", "nothing was erased"
    )
    with app.transaction() as s:
        # by id: the person confirmed, even if the text would now find someone else
        result = rights.erase(s, contacts.find_contact(s, str(ident)))
    emit({**result.as_dict(), "name": name}, as_json, _render_erasure)


def _render_erasure(d: dict[str, Any]) -> None:
    from partnercrm.stored_text import shown

    if d["dry_run"] and d["passages"]:
        click.echo("Each passage that will change (review what the rules might miss):")
        for p in d["passages"]:
            click.echo(f"  {p['record']} {p['id']} {p['field']}:")
            click.echo(f"    now:   {shown(p['text'])}")
            click.echo(f"    after: {shown(p['erased'])}")
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
    emit_table(
        data,
        as_json,
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
    )


@privacy.command("retention")
@click.option("--apply", "apply_", is_flag=True, help="Dispose of what is due, and log it.")
@click.option(
    "--schedule",
    "schedule_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A retention schedule (TOML) instead of the packaged one.",
)
@click.option("--log", "show_log", is_flag=True, help="Show the disposal log instead.")
@json_option
@pass_app
def retention(
    app: AppContext, apply_: bool, schedule_file: str | None, show_log: bool, as_json: bool
) -> None:
    """List what the retention schedule says is due today; --apply disposes of it.

    Contacts not seen for the scheduled years are erased, old touchpoint notes removed,
    old rejects files deleted and earlier personal values in the history redacted.
    """
    from partnercrm import history
    from partnercrm import retention as schedule
    from partnercrm.stored_text import shown

    if show_log:
        with app.reading() as s:
            entries = schedule.log(s)
        emit(
            [e.as_dict() for e in entries],
            as_json,
            lambda _d: click.echo(
                "\n".join(shown(history.describe(e)) for e in entries)
                if entries
                else "Nothing has been disposed of under the retention schedule yet."
            ),
        )
        return
    with app.transaction() as s:
        rules = schedule.read_schedule(schedule_file)
        result = schedule.dispose(s, rules) if apply_ else schedule.review(s, rules)
    emit(result.as_dict(), as_json, _render_retention)


KINDS = {
    "contact": "contact(s) to erase",
    "touchpoint_note": "touchpoint note(s)",
    "rejects_file": "rejects file(s)",
    "history_values": "history entries with earlier values",
}


def _render_retention(d: dict[str, Any]) -> None:
    rules = d["schedule"]
    click.echo(
        f"Retention schedule ({rules['source']}): contacts unseen {rules['contacts_not_seen_years']} "
        f"years, touchpoint notes {rules['touchpoint_notes_years']} years, rejects files "
        f"{rules['rejected_imports_days']} days, earlier values in the history "
        f"{rules['history_old_values_years']} years."
    )
    if not d["items"]:
        click.echo("Nothing is due.")
        return
    table(
        d["items"],
        [("kind", "What"), ("id", "ID"), ("label", "Which"), ("reason", "Why")],
    )
    counts = ", ".join(f"{n} {KINDS.get(k, k)}" for k, n in d["counts"].items())
    if d["applied"]:
        click.echo(f"Disposed of: {counts}. The disposal is logged in the history.")
    else:
        click.echo(f"Due: {counts}. Nothing was changed; --apply disposes of them.")
