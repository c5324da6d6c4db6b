"""`partnercrm log email|meeting`: touchpoints from emails and meeting invitations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from cli.context import AppContext, emit, json_option, pass_app

if TYPE_CHECKING:
    from partnercrm.capture import CaptureReport

DEFAULT_BODY_LINES = 3  # partnercrm.capture.record.DEFAULT_BODY_LINES (not imported for --help)


@click.group("log")
def log() -> None:
    """Log emails and meetings as touchpoints, without typing them."""


def _capture_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option(
            "--no-open",
            is_flag=True,
            help="Do not open a conversation for a partner that has none open; only report.",
        ),
        click.option(
            "--add-contacts",
            is_flag=True,
            help="Add unknown people at a known partner's email domain as its contacts "
            "(lawful basis: legitimate interests; the message recorded as the source).",
        ),
        click.option(
            "--body-lines",
            type=click.IntRange(min=0),
            default=DEFAULT_BODY_LINES,
            show_default=True,
            help="Keep this many lines of the body in the note (0: the subject only).",
        ),
        click.option("--dry-run", is_flag=True, help="Show what would be logged; save nothing."),
        json_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


@log.command("email")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@_capture_options
@pass_app
def email(app: AppContext, files: tuple[str, ...], **options: Any) -> None:
    """Log emails (.eml, Outlook .msg, or maildir folders) as touchpoints.

    From, To and Cc are matched to contacts and colleagues by address; each partner
    organisation on a message gets a touchpoint (channel email) on its open warm conversation,
    or a new conversation. Logging the same messages again changes nothing (by Message-ID).
    Attachments are never stored.
    """
    from partnercrm.capture import read_emails

    _log(app, read_emails(files), "email", **options)


@log.command("meeting")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_capture_options
@pass_app
def meeting(app: AppContext, files: tuple[str, ...], **options: Any) -> None:
    """Log meeting invitations (.ics) as touchpoints, once per occurrence that has happened.

    The organiser and attendees (not those who declined) are matched as for emails; the
    touchpoint has channel meeting and the meeting's date.
    """
    from partnercrm.capture import read_meetings

    _log(app, read_meetings(files), "meeting", **options)


def _log(
    app: AppContext,
    items: Any,
    channel: str,
    *,
    no_open: bool,
    add_contacts: bool,
    body_lines: int,
    dry_run: bool,
    as_json: bool,
) -> None:
    from partnercrm.capture import log_captured

    with app.transaction() as s:
        report = log_captured(
            s,
            items,
            channel=channel,
            open_conversations=not no_open,
            add_contacts=add_contacts,
            body_lines=body_lines,
            dry_run=dry_run,
        )
    emit(report.as_dict(), as_json, lambda _: _render(report, add_contacts))
    totals = report.totals
    if totals["messages"] and totals["unreadable"] == totals["messages"]:
        click.echo(f"Error: none of the files given could be read as {channel} files", err=True)
        raise SystemExit(1)


def _render(report: CaptureReport, add_contacts: bool) -> None:
    from partnercrm.capture.record import ALREADY, NOT_OPENED, OPENED

    would = "would be " if report.dry_run else ""
    for msg in report.messages:
        about = " ".join(
            part
            for part in (
                f"{msg.on:%d %b %Y}" if msg.on else "",
                repr(msg.subject) if msg.subject else "",
            )
            if part
        )
        head = f"{msg.source}: {about}" if about else f"{msg.source}:"
        if msg.status != "matched":
            click.echo(f"{head} — {msg.status}: {msg.reason}")
            continue
        click.echo(head)
        for added in msg.contacts_added:
            click.echo(f"  + contact {would}added: {added}")
        for o in msg.organisations:
            if o.action == OPENED:
                text = f"conversation {o.conversation_id} {would}opened with this touchpoint"
            elif o.action == ALREADY:
                text = f"already logged (touchpoint {o.touchpoint_id}, conversation {o.conversation_id})"
            elif o.action == NOT_OPENED:
                text = "no open conversation; none opened (--no-open)"
            elif o.action == "logged":
                text = f"touchpoint {would}logged on conversation {o.conversation_id}"
            else:
                text = f"not logged: {o.reason}"
            click.echo(f"  {o.organisation}: {text}")
    t = report.totals
    verb = "Would log" if report.dry_run else "Logged"
    click.echo(
        f"{verb} {t['touchpoints']} touchpoints from {t['messages']} {report.channel}s "
        f"({t['conversations_opened']} conversations opened, {t['already_logged']} already "
        f"logged, {t['unmatched']} unmatched, {t['skipped'] + t['unreadable']} skipped"
        + (f", {t['contacts_added']} contacts added" if t["contacts_added"] else "")
        + ")."
        + (" Nothing was saved (--dry-run)." if report.dry_run else "")
    )
    if t["unmatched"] and not add_contacts:
        click.echo(
            "Unmatched messages were skipped; --add-contacts adds unknown people at a known "
            "partner's domain as contacts."
        )
