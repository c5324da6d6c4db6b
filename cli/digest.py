"""`partnercrm calendar` and `partnercrm digest`: steps and events out, as a calendar file and
as a daily digest printed or emailed."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.context import AppContext, DataError, emit, errors, force_option, json_option, pass_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from partnercrm.digest import Action
    from partnercrm.models import Colleague

SMTP_URL_ENV = "PARTNERCRM_SMTP_URL"

# what acts on a digest item or calendar entry, as the command to type (the library names the
# action by what it does: partnercrm.digest.ACTIONS)
COMMAND_FOR = {
    "step_done": "partnercrm step done {id}",
    "touch_conversation": "partnercrm conversation touch {id} --channel call --note ...",
    "deliver_commitment": "partnercrm commitment deliver {id} --people N --story ...",
    "brief_event": 'partnercrm brief --event "{name}" --out-dir briefs/ --format html',
    "show_partner": "partnercrm partner show {id}",
    "show_event": "partnercrm event show {id}",
}
# a calendar entry's line is a reminder, not a form to fill in
CALENDAR_COMMAND_FOR = {
    **COMMAND_FOR,
    "deliver_commitment": "partnercrm commitment deliver {id}",
}


def command_for(action: Action, commands: dict[str, str] = COMMAND_FOR) -> str:
    """The command that does what `action` names."""
    return commands[action.kind].format(id=action.ident, name=action.name)


def _calendar_command(action: Action) -> str:
    return command_for(action, CALENDAR_COMMAND_FOR)


SMTP_PASSWORD_ENV = "PARTNERCRM_SMTP_PASSWORD"
SMTP_FROM_ENV = "PARTNERCRM_SMTP_FROM"


def _who(session: Session, given: str | None) -> Colleague | None:
    """The colleague named, else the acting one; None (everyone) when the actor is nobody."""
    from partnercrm.colleagues import colleague_for_actor, find_colleague

    if given:
        return find_colleague(session, given)
    return colleague_for_actor(session)


@click.command("calendar")
@click.option("--for", "for_", metavar="COLLEAGUE", help="Whose calendar (default: yours).")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .ics file to write (re-export with --force to update a subscribed calendar).",
)
@click.option(
    "--steps-as",
    type=click.Choice(["event", "todo"]),
    default="event",
    show_default=True,
    help="Steps as all-day events (Outlook shows these) or as to-dos (Thunderbird's tasks).",
)
@force_option
@json_option
@pass_app
def calendar(
    app: AppContext, for_: str | None, out: Path, steps_as: str, force: bool, as_json: bool
) -> None:
    """Write open steps, commitments due and upcoming events as an iCalendar file.

    Without --for, the acting colleague's (--as); when that is nobody in the CRM, the whole
    team's. Each entry keeps its UID from one export to the next.
    """
    from partnercrm import outputs
    from partnercrm.calendar_out import calendar_entries, calendar_ics

    with app.reading() as s:
        colleague = _who(s, for_)
        entries = calendar_entries(s, colleague)
        name = f"partnercrm: {colleague.name}" if colleague else "partnercrm: the team"
        data = calendar_ics(entries, name=name, steps_as=steps_as, say=_calendar_command)
    with errors():
        outputs.write_bytes(out, data, force=force, database=app.db.url)
    counts = {
        kind: sum(1 for e in entries if e.kind == kind) for kind in ("step", "commitment", "event")
    }
    summary = {"file": str(out), "colleague": colleague.name if colleague else None, **counts}

    def show(_: Any) -> None:
        whose = colleague.name if colleague else "the whole team (nobody named; use --for)"
        click.echo(
            f"Wrote {len(entries)} entries for {whose} to {out}: {counts['step']} steps, "
            f"{counts['commitment']} commitments due, {counts['event']} upcoming events."
        )

    emit(summary, as_json, show)


@click.command("digest")
@click.option("--for", "for_", metavar="COLLEAGUE", help="Whose digest (default: yours).")
@click.option("--all", "everyone", is_flag=True, help="Every active colleague's digest.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "md"]),
    default="text",
    show_default=True,
    help="How to print it.",
)
@click.option(
    "--send",
    is_flag=True,
    help=f"Email each digest to its colleague through ${SMTP_URL_ENV} "
    f"(smtp://user@host:587, STARTTLS; password in ${SMTP_PASSWORD_ENV}).",
)
@click.option("--date", "on", metavar="DATE", help="As if today were DATE (default today).")
@json_option
@pass_app
def digest(
    app: AppContext,
    for_: str | None,
    everyone: bool,
    fmt: str,
    send: bool,
    on: str | None,
    as_json: bool,
) -> None:
    """Each colleague's digest: overdue steps and this week's, conversations gone cold,
    commitments due this month, events coming up and new attendees who expressed interest,
    each with the command to act on it. Nothing is printed for a colleague with nothing to do.

    Without --for or --all, the acting colleague's (--as); when that is nobody in the CRM,
    everyone's.
    """
    from partnercrm.dates import parse_date
    from partnercrm.digest import digest_for, digests_for

    if for_ and everyone:
        raise click.UsageError("give --for COLLEAGUE or --all, not both")
    settings = _smtp_settings() if send else None
    with app.reading() as s:
        today = parse_date(on, "date") if on else None
        colleague = None if everyone else _who(s, for_)
        if colleague is not None:
            found = [digest_for(s, colleague, today=today)]
        else:
            found = digests_for(s, today=today)
    if settings is not None:
        _send(found, settings, as_json)
        return
    shown = [d for d in found if not d.empty]
    if as_json:
        emit([_with_commands(d.as_dict()) for d in shown], True, lambda _: None)
        return
    from partnercrm.digest.render import render_many

    text = render_many(shown, fmt, command_for)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _with_commands(digest: dict[str, Any]) -> dict[str, Any]:
    """A digest's JSON, each item with `act`: the command for its action."""
    from partnercrm.digest import Action

    for section in digest["sections"]:
        for item in section["items"]:
            action = item["action"]
            item["act"] = command_for(Action(action["kind"], action["id"], action["name"]))
    return digest


def _smtp_settings() -> Any:
    from partnercrm.digest.send import smtp_settings
    from partnercrm.errors import Invalid

    url = os.environ.get(SMTP_URL_ENV)
    if not url:
        raise DataError(
            f"--send needs the SMTP server in {SMTP_URL_ENV} (smtp://user@host:587), "
            f"and its password in {SMTP_PASSWORD_ENV}"
        )
    try:
        return smtp_settings(
            url,
            password=os.environ.get(SMTP_PASSWORD_ENV) or None,
            sender=os.environ.get(SMTP_FROM_ENV) or None,
        )
    except Invalid as exc:
        raise DataError(f"{SMTP_URL_ENV}: {exc}") from exc


def _send(found: list[Any], settings: Any, as_json: bool) -> None:
    from partnercrm.digest.send import send_digests

    def report(result: Any) -> None:
        if as_json:
            return
        if result.sent:
            click.echo(f"Sent the digest to {result.colleague} <{result.email}>.")
        else:
            click.echo(
                f"Could not send to {result.colleague} <{result.email}>: {result.error}", err=True
            )

    results = send_digests(found, settings, progress=report, say=command_for)
    failed = [r for r in results if not r.sent]
    if as_json:
        emit([r.as_dict() for r in results], True, lambda _: None)
    elif not results:
        click.echo("Nobody has anything to do: no digest sent.")
    else:
        click.echo(f"{len(results) - len(failed)} digests sent, {len(failed)} failed.")
    if failed:
        sys.exit(1)
