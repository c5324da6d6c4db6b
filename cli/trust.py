"""`partnercrm history`, `backup`, `restore` and `check`: nothing is lost, and we can show it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.context import (
    AppContext,
    DataError,
    ask_first,
    change_option,
    emit,
    errors,
    force_option,
    json_option,
    pass_app,
    table,
)


@click.command()
@click.argument("org", required=False)
@click.option("--contact", help="Only changes to this contact (name, email or id).")
@click.option(
    "--conversation",
    "conversation_id",
    metavar="ID",
    help="Only changes to this conversation, its steps and touchpoints.",
)
@click.option("--since", metavar="DATE", help="Only changes on or after DATE (e.g. 1/11/2024).")
@click.option("--by", metavar="COLLEAGUE", help="Only changes made by this colleague or login.")
@change_option("Only the entries of this change (the number in brackets; `undo --change ID`).")
@click.option(
    "--access",
    "access_only",
    is_flag=True,
    help="Show who read personal data in bulk (briefs, packs, exports, imports), not changes.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Show at most this many, newest first.",
)
@json_option
@pass_app
def history(
    app: AppContext,
    org: str | None,
    contact: str | None,
    conversation_id: str | None,
    since: str | None,
    by: str | None,
    change_id: int | None,
    access_only: bool,
    limit: int,
    as_json: bool,
) -> None:
    """The audit trail: who changed what, and when (ORG narrows it to one organisation).

    Each line starts with when, then the change it is part of in brackets: one command or one
    TUI action is one change, which `partnercrm undo --change ID` takes back.
    """
    from datetime import UTC, datetime, time

    from partnercrm import contacts, conversations, labels, organisations
    from partnercrm import history as audit
    from partnercrm.dates import parse_date

    with app.reading() as s:
        when = datetime.combine(parse_date(since, "since"), time.min, tzinfo=UTC) if since else None
        items = audit.entries(
            s,
            organisation_id=organisations.find_organisation(s, org).id if org else None,
            contact_id=contacts.find_contact(s, contact).id if contact else None,
            conversation_id=(
                conversations.get_conversation(s, conversation_id).id if conversation_id else None
            ),
            since=when,
            actor=_actors(s, by) if by else None,
            change_id=change_id,
            limit=limit,
            access=access_only,
        )
        data = [i.as_dict() for i in items]
        today = datetime.now(UTC).date()
        lines = [
            f"{labels.moment(line.at, today)}"
            + (f" [{line.change_id}]" if line.change_id is not None else "")
            + f" {line.who} {line.what}"
            for line in audit.readable(s, items, today)
        ]
    emit(
        data,
        as_json,
        lambda _d: click.echo(
            "\n".join([*lines, "(times are UK time)"]) if lines else "No changes match."
        ),
    )


def _actors(session: Any, by: str) -> list[str]:
    """The names a colleague may have acted under: as typed, their name and their email."""
    from partnercrm import colleagues
    from partnercrm.errors import PartnerCRMError

    names = [by.strip()]
    try:
        found = colleagues.find_colleague(session, by)
    except PartnerCRMError:
        return names  # a login name that is not a colleague
    return [*names, found.name, found.email, *([found.login] if found.login else [])]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@force_option
@json_option
@pass_app
def backup(app: AppContext, file: str, force: bool, as_json: bool) -> None:
    """Write a consistent copy of the database to FILE while others keep working (SQLite)."""
    from partnercrm import backup as backups

    with errors():
        result = backups.backup(app.db, file, force=force)
    emit(
        result.as_dict(),
        as_json,
        lambda d: click.echo(
            f"Backed up to {d['path']} ({_size(d['bytes'])}, {d['seconds']:.1f} s); "
            f"its integrity check passed."
        ),
    )


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_app
def restore(app: AppContext, file: str, yes: bool, as_json: bool) -> None:
    """Replace the database with the backup FILE, after checking FILE is sound.

    The database being replaced is kept beside itself as a before-restore copy.
    """
    from partnercrm import backup as backups
    from partnercrm.database import resolve_url

    with errors():
        url = resolve_url(app.url)
        target = backups.sqlite_path(url)
        problems = backups.file_problems(Path(file)) if target else []
    if problems:
        raise DataError(f"refusing to restore: {problems[0]}; the database was not changed")
    if target is not None:
        ask_first(
            yes,
            f"Replace the database {target} with {file}? (the current one is kept as a copy)",
            "nothing was restored",
        )
    with errors():
        result = backups.restore(url, file, actor=app.actor, verify=True)
    emit(result.as_dict(), as_json, _render_restore)


def _render_restore(d: dict[str, Any]) -> None:
    kept = (
        f"; the database it replaced is kept as {d['previous_copy']}" if d["previous_copy"] else ""
    )
    click.echo(f"Restored from {d['restored_from']}{kept}.")
    if d["erasures_unknown"]:
        click.echo(
            "The database it replaced could not be read, so erasures made since the backup "
            "could not be applied again: check the erasure log."
        )
    elif d["erasures_reapplied"]:
        n = d["erasures_reapplied"]
        click.echo(
            f"Re-applied {n} erasure{'s' if n != 1 else ''} recorded since the backup: "
            f"{'those people stay' if n != 1 else 'that person stays'} erased."
        )
    else:
        click.echo("Every erasure recorded in the database it replaced still holds.")
    click.echo("The restore is recorded in the history.")


@click.command()
@json_option
@pass_app
def check(app: AppContext, as_json: bool) -> None:
    """Check the database: integrity (SQLite), references to missing records, and consistency.

    Exits with status 1 when there is a problem.
    """
    from partnercrm import backup as backups

    with errors():
        report = backups.check_url(app.url, actor=app.actor)
    emit(report.as_dict(), as_json, _render_check)
    if not report.ok:
        raise SystemExit(1)


def _render_check(d: dict[str, Any]) -> None:
    for sentence in d.get("repaired", []):
        click.echo(f"Put right: {sentence}.")
    checks = ", ".join(d["checks"])
    if d["ok"]:
        click.echo(f"All is well ({d['backend']}): {checks}.")
        return
    click.echo(f"{len(d['problems'])} problem(s) found ({d['backend']}; checked {checks}):")
    table(d["problems"], [("check", "Check"), ("message", "Problem")])
