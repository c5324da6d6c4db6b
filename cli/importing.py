"""`partnercrm import`: event attendees, and the team's own partners, contacts and conversations."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click

from cli.context import (
    AppContext,
    DataError,
    Decorator,
    emit,
    errors,
    force_option,
    json_option,
    option_group,
    pass_app,
)
from partnercrm.importing.fields import FIELDS, PRESETS, SHEET_FIELDS
from partnercrm.vocabulary import EventKind

SHOWN = 15  # list items printed for people; --json has them all


@dataclass(frozen=True)
class Outcome:
    """What happens to the database and to bad rows, and how alike a name must be: the options
    every import shares."""

    fuzzy_threshold: float | None
    dry_run: bool
    strict: bool
    rejects: str | None
    force: bool

    def library_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "dry_run": self.dry_run,
            "strict": self.strict,
            "rejects": self.rejects,
            "replace_rejects": self.force,
        }
        if self.fuzzy_threshold is not None:  # else the library's own default
            options["fuzzy_threshold"] = self.fuzzy_threshold
        return options


outcome_options = option_group(
    "outcome",
    click.option(
        "--fuzzy-threshold",
        type=click.FloatRange(50, 100),
        default=None,
        help="How alike (0-100) a name must be to match an organisation [default: 92].",
    ),
    click.option("--dry-run", is_flag=True, help="Write nothing; print what would happen."),
    click.option("--strict", is_flag=True, help="Import nothing if any row is bad."),
    click.option(
        "--rejects",
        type=click.Path(dir_okay=False, writable=True),
        help="Write the rejected rows (with a `reason` column) to this CSV file.",
    ),
    force_option,
    into=Outcome,
)


def _map_option(fields: Iterable[str]) -> Decorator:
    """`--map "Header=field"`, naming the fields this import knows."""
    return click.option(
        "--map",
        "maps",
        multiple=True,
        metavar='"Header=field"',
        help="Say which field a column holds (repeatable). Fields: "
        + ", ".join(fields)
        + " (`ignore` drops the column).",
    )


def _run(
    app: AppContext,
    outcome: Outcome,
    as_json: bool,
    run: Callable[..., Any],
    bars: _Progress | None = None,
) -> None:
    """One import in one transaction (`run(session, **options)`), then its report; with --strict,
    bad rows fail the command."""
    try:
        with app.transaction() as s:
            report = run(s, **outcome.library_options())
    finally:
        if bars is not None:
            bars.close()
    emit(report.as_dict(), as_json, _render)
    if outcome.strict and not report.imported:
        raise DataError(f"--strict: {report.rows_rejected} bad row(s), so nothing was imported")


def _list_presets(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from partnercrm.importing import preset_list

    presets = preset_list()
    width = max(len(p["name"]) for p in presets)
    for p in presets:
        click.echo(f"{p['name'].ljust(width)}  {p['tool']}")
    ctx.exit(0)


@click.group("import")
def import_() -> None:
    """Bulk-import event attendees, and the team's own partners, contacts and conversations."""


@import_.command("attendees")
@click.option(
    "--list-presets",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_list_presets,
    help="List the layouts --preset accepts, one per tool, and exit.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--event", required=True, help="The event they attended (name or id).")
@click.option(
    "--create-event",
    is_flag=True,
    help="Add the event if it is not in the CRM (needs --kind and --date).",
)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in EventKind]),
    help="With --create-event: what kind of event.",
)
@click.option("--date", "held_on", help="With --create-event: when it was held (12/11/2024).")
@click.option("--host", help="With --create-event: the organisation that hosted it.")
@click.option(
    "--preset",
    type=click.Choice(list(PRESETS)),
    help="Force a tool's column layout instead of recognising it from the header "
    "(see --list-presets).",
)
@_map_option(FIELDS)
@click.option("--sheet", help="The XLSX sheet to read (default: the first).")
@click.option(
    "--lead",
    help="Colleague who leads the warm conversations interest opens (default: the event's owner).",
)
@click.option(
    "--follow-up-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="Follow-up steps fall due this many days after the event.",
)
@click.option(
    "--on-existing",
    type=click.Choice(["fill", "update", "skip"]),
    default="fill",
    show_default=True,
    help="Stored contacts: fill blanks only, update differing values, or leave alone.",
)
@outcome_options
@json_option
@pass_app
def attendees(
    app: AppContext,
    file: str,
    event: str,
    create_event: bool,
    kind: str | None,
    held_on: str | None,
    host: str | None,
    preset: str | None,
    maps: tuple[str, ...],
    sheet: str | None,
    lead: str | None,
    follow_up_days: int,
    on_existing: str,
    outcome: Outcome,
    as_json: bool,
) -> None:
    """Import an event's attendees from a registration or attendance export.

    Teams, Zoom, Microsoft and Google Forms, Tito, Meetup, Luma, Salesforce, CiviCRM,
    Eventbrite, HubSpot, Mailchimp and Ticket Tailor exports import without flags
    (--list-presets), as does any CSV or XLSX with a header row. People are matched by email,
    organisations by name, alias or a close spelling; stored values are never overwritten
    unless --on-existing update is given; interest in missions or ambassador roles opens warm
    conversations. Importing the same file again changes nothing.
    """
    from partnercrm import importing

    if create_event and not (kind and held_on):
        raise click.UsageError("--create-event needs --kind and --date")
    if not create_event and (kind or held_on or host):
        raise click.UsageError("--kind, --date and --host go with --create-event")
    with errors():
        overrides = importing.parse_map_option(maps)
    new_event = importing.NewEvent(kind, held_on, host) if create_event else None  # type: ignore[arg-type]
    bars = _Progress() if not as_json and sys.stdout.isatty() else None
    _run(
        app,
        outcome,
        as_json,
        lambda s, **options: importing.import_attendees(
            s,
            file,
            event=event,
            create_event=new_event,
            preset=preset,
            column_map=overrides,
            sheet=sheet,
            lead=lead,
            follow_up_days=follow_up_days,
            on_existing=on_existing,
            progress=bars,
            **options,
        ),
        bars,
    )


def _sheet_command(kind: str, summary: str) -> None:
    @import_.command(kind, help=summary)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @_map_option(SHEET_FIELDS[kind])
    @click.option("--sheet", help="The XLSX sheet to read (default: the first).")
    @outcome_options
    @json_option
    @pass_app
    def command(
        app: AppContext,
        file: str,
        maps: tuple[str, ...],
        sheet: str | None,
        outcome: Outcome,
        as_json: bool,
    ) -> None:
        from partnercrm.importing import parse_map_option, tracker

        with errors():
            overrides = parse_map_option(maps, fields=None)  # the sheet's kind checks the fields
        _run(
            app,
            outcome,
            as_json,
            lambda s, **options: tracker.import_sheet(
                s, file, kind, column_map=overrides, sheet=sheet, **options
            ),
        )


_sheet_command(
    "partners",
    "Import the team's partner list (organisation, aliases, sector, ward, website, lead, "
    "anchor, notes). Sectors are read loosely ('Voluntary & Community', 'VCS', 'charity'); "
    "stored values are kept and differences listed; importing it again changes nothing.",
)
_sheet_command(
    "contacts",
    "Import the team's contact list (people with their organisation, job title, phone, lawful "
    "basis and source; no event). People are matched by email, else by name at the "
    "organisation; importing it again changes nothing.",
)
_sheet_command(
    "conversations",
    "Import the team's conversation log (date, organisation, colleague, contacts, mission, "
    "ask, stage, note, next step): one warm conversation per organisation and ask, a "
    "touchpoint per row; stages read loosely. Importing it again changes nothing.",
)


class _Progress:
    """click progress bars fed by the library's callback, one per phase."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase, self.done = phase, 0
            self.bar = click.progressbar(
                length=max(total, 1), label=phase.capitalize().ljust(9), file=sys.stderr
            )
            self.bar.__enter__()
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _render(d: dict[str, Any]) -> None:
    source = d["source"].rsplit("/", 1)[-1]
    into = d["event"] if d["kind"] == "attendees" else f"the CRM ({d['kind']})"
    if d["dry_run"]:
        click.secho(f"Dry run of {source} into {into}: nothing was written.", bold=True)
    elif not d["imported"]:
        click.secho(f"Nothing imported from {source}: --strict and some rows are bad.", bold=True)
    else:
        click.secho(f"Imported {source} into {into}.", bold=True)
    for note in d["notes"]:
        click.echo(f"  Note: {note}")
    contacts, orgs, att = d["contacts"], d["organisations"], d["attendances"]
    conv, steps = d["conversations"], d["steps"]
    lines = [
        (
            "Rows",
            f"{d['rows']:,} read, {d['rows_rejected']:,} rejected, "
            f"{len(d['erased']):,} skipped as erased, {d['not_attending']:,} not attending, "
            f"{d['anonymous']:,} anonymous",
        ),
        (
            "Contacts",
            f"{contacts['created']:,} new, {contacts['matched']:,} already known "
            f"({contacts['updated']:,} of them updated)",
        ),
        (
            "Organisations",
            f"{orgs['created']:,} new, {orgs['matched']:,} already known "
            f"({orgs['updated']:,} of them updated); "
            f"{len(orgs['fuzzy']):,} spelling(s) matched by likeness",
        ),
        ("Attendances", f"{att['created']:,} recorded, {att['existing']:,} already recorded"),
        (
            "Warm conversations",
            f"{conv['opened']:,} opened, {conv['touched']:,} touched; "
            f"{steps['created']:,} follow-up step(s)",
        ),
    ]
    width = max(len(label) for label, _ in lines)
    for label, text in lines:
        click.echo(f"  {label.rjust(width)}: {text}")
    _listing("New organisations", orgs["new"], str)
    _listing(
        "Matched by likeness",
        orgs["fuzzy"],
        lambda f: f"{f['given']!r} -> {f['matched']} ({f['score']:g})",
    )
    _listing(
        "Conflicts (the stored value was kept)",
        d["conflicts"],
        lambda c: (
            f"line {c['line']}: {c['contact']}, {c['field'].replace('_', ' ')}: "
            f"stored {c['stored']!r}, "
            f"file {c['given']!r}"
        ),
    )
    _listing(
        "Probable duplicates (new email, same name at the organisation)",
        d["probable_duplicates"],
        lambda p: (
            f"line {p['line']}: {p['name']} <{p['email']}> at {p['organisation']}, "
            "like " + ", ".join(f"{e['name']} <{e['email'] or 'no email'}>" for e in p["existing"])
        ),
    )
    _listing(
        "Rejected",
        d["rejected"],
        lambda r: f"line {r['line']}, {r['column']} {r['value']!r}: {r['reason']}",
    )
    _listing("Erased people skipped", d["erased"], lambda e: f"line {e['line']}")
    cols = d["columns"]
    if cols["unmapped"]:
        click.echo(
            '\nColumns not imported (name them with --map "Header=field"): '
            + ", ".join(repr(c) for c in cols["unmapped"])
        )
    if d["rejects_file"]:
        click.echo(f"\nRejected rows are in {d['rejects_file']}: fix them and import that file.")
    if d["imported"] and not d["changed"] and not d["dry_run"]:
        click.echo("\nNothing changed: everyone in the file was already recorded.")


def _listing(title: str, items: list[Any], line: Any) -> None:
    if not items:
        return
    click.echo(f"\n{title}:")
    for item in items[:SHOWN]:
        click.echo(f"  {line(item)}")
    if len(items) > SHOWN:
        click.echo(f"  … and {len(items) - SHOWN} more (--json lists them all)")
