"""`partnercrm report`: pipeline, coverage, impact, activity, stale, overdue, sectors, pack."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from cli.context import AppContext, emit, force_option, pass_app, table
from partnercrm.vocabulary import Sector

SECTORS = click.Choice([s.value for s in Sector], case_sensitive=False)


def _option(*decls: str, **attrs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(*decls, **attrs)


def scope_options(period: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--mission, --sector, --lead and (where the report has one) --since/--until."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        if period:
            f = _option("--until", metavar="DATE", help="Period end (inclusive), e.g. 31/03/2026.")(
                f
            )
            f = _option("--since", metavar="DATE", help="Period start (inclusive), e.g. 1/4/2025.")(
                f
            )
        f = _option("--lead", metavar="COLLEAGUE", help="Only this colleague's work.")(f)
        f = _option("--sector", type=SECTORS, help="Only organisations in this sector.")(f)
        f = _option("--mission", help="Only this mission (key or name).")(f)
        return f

    return decorate


def output_options(tables: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--json, --csv and (for reports with several tables) --csv-table."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        if len(tables) > 1:
            f = _option(
                "--csv-table",
                type=click.Choice(tables),
                default=tables[0],
                show_default=True,
                help="Which of the report's tables --csv writes.",
            )(f)
        f = _option(
            "--csv", "as_csv", is_flag=True, help="Print CSV (safe to open in a spreadsheet)."
        )(f)
        f = _option("--json", "as_json", is_flag=True, help="Print one JSON document.")(f)
        return f

    return decorate


def _filters(session: Any, kw: dict[str, Any]) -> Any:
    from partnercrm.reports import Filters

    return Filters.resolve(
        session,
        mission=kw.get("mission"),
        sector=kw.get("sector"),
        since=kw.get("since"),
        until=kw.get("until"),
        lead=kw.get("lead"),
    )


def _as_of_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--as-of DATE: the day a report counts from (read with `_as_of`)."""
    return _option("--as-of", metavar="DATE", help=help_text)


def _limit_option(
    default: int, help_text: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--limit N: how many rows a report lists (0: all)."""
    return _option(
        "--limit", type=click.IntRange(min=0), default=default, show_default=True, help=help_text
    )


def _as_of(value: str | None) -> Any:
    from datetime import date

    from partnercrm.dates import parse_date

    return parse_date(value, "--as-of") if value else date.today()


def _print(report: Any, kw: dict[str, Any], heading: str) -> None:
    """The one output path for reports: JSON, CSV (one table) or text tables."""
    if kw.get("as_json"):
        emit(report.as_dict(), True, lambda d: None)
        return
    tables = report.tables()
    if kw.get("as_csv"):
        from partnercrm.csv_export import write_csv

        wanted = kw.get("csv_table") or tables[0].name
        chosen = next(t for t in tables if t.name == wanted)
        write_csv(sys.stdout, chosen.columns, chosen.rows)
        return
    described = report.filters.describe()
    click.secho(heading + (f" ({described})" if described else ""), bold=True)
    for t in tables:
        click.echo()
        table(
            [_readable(r) for r in t.rows],
            t.display_columns,
            title=t.title,
            empty=f"{t.title}: none.",
        )
        if t.note and t.rows:
            click.echo(t.note)


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, float):
            value = f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
        elif isinstance(value, int) and not isinstance(value, bool) and not key.endswith("id"):
            value = f"{value:,}"
        out[key] = value
    return out


@click.group()
def report() -> None:
    """Reports for leadership and the scrutiny committee (text, --json or --csv)."""


@report.command("pipeline", short_help="Conversations by stage, conversion, days to commit.")
@scope_options()
@output_options(["pipeline"])
@pass_app
def pipeline_(app: AppContext, **kw: Any) -> None:
    """Warm conversations by stage per mission, conversion rate and days to commitment.

    Stage counts cover conversations started in the period; days to commitment cover those
    committed in the period; 'moved stage' counts conversations that changed stage in it.
    """
    from partnercrm import reports

    with app.reading() as s:
        result = reports.pipeline(s, _filters(s, kw))
    _print(result, kw, "Pipeline")


@report.command("coverage", short_help="Ambassadors by mission and role, and the gaps.")
@scope_options(period=False)
@output_options(["coverage"])
@pass_app
def coverage_(app: AppContext, **kw: Any) -> None:
    """Active ambassadors by mission and role; empty cells are the gaps to work on."""
    from partnercrm import reports

    with app.reading() as s:
        result = reports.coverage(s, _filters(s, kw))
    _print(result, kw, "Coverage")
    if not (kw.get("as_json") or kw.get("as_csv")) and result.gaps:
        click.echo()
        missions, roles = dict(result.missions), dict(result.roles)
        click.echo(
            f"{len(result.gaps)} gaps: "
            + "; ".join(f"{missions[c.mission]} × {roles[c.role]}" for c in result.gaps)
        )


@report.command("impact", short_help="Promised and delivered, per mission; stories.")
@scope_options()
@click.option(
    "--stories",
    "story_count",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="How many stories to show, newest first.",
)
@output_options(["impact", "impact_by_month", "stories"])
@pass_app
def impact_(app: AppContext, story_count: int, **kw: Any) -> None:
    """What commitments promised and delivered per mission: opportunities, people, GBP, hours."""
    from partnercrm import reports

    with app.reading() as s:
        result = reports.impact(s, _filters(s, kw), stories=story_count)
    _print(result, kw, "Impact")
    if not (kw.get("as_json") or kw.get("as_csv")):
        click.echo()
        click.echo(result.headline() + ".")


@report.command("activity", short_help="Per colleague: conversations, touchpoints, steps.")
@scope_options()
@_as_of_option("Count overdue steps as of this date (default today).")
@output_options(["activity"])
@pass_app
def activity_(app: AppContext, as_of: str | None, **kw: Any) -> None:
    """Per colleague: conversations led, touchpoints, steps done and overdue, commitments."""
    from partnercrm import reports

    with app.reading() as s:
        result = reports.activity(s, _filters(s, kw), today=_as_of(as_of))
    _print(result, kw, "Activity")


@report.command("stale", short_help="Open conversations untouched for N days.")
@scope_options(period=False)
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Untouched for at least this many days.",
)
@_limit_option(100, "Show at most this many, oldest first (0: all).")
@_as_of_option("Measure from this date (default today).")
@output_options(["stale"])
@pass_app
def stale_(app: AppContext, days: int, limit: int, as_of: str | None, **kw: Any) -> None:
    """Open conversations nobody has touched in N days, oldest first."""
    from partnercrm import reports

    with app.reading() as s:
        result = reports.stale(
            s, _filters(s, kw), days=days, today=_as_of(as_of), limit=limit or None
        )
    _print(result, kw, "Stale conversations")


@report.command("overdue", short_help="Open steps past their due date, by owner.")
@scope_options(period=False)
@_limit_option(200, "List at most this many steps (0: all); owners' totals are always complete.")
@_as_of_option("Overdue as of this date (default today).")
@output_options(["overdue", "overdue_by_owner"])
@pass_app
def overdue_(app: AppContext, limit: int, as_of: str | None, **kw: Any) -> None:
    """Open steps past their due date, by owner (--lead: one owner)."""
    from partnercrm import reports

    with app.reading() as s:
        result = reports.overdue(s, _filters(s, kw), today=_as_of(as_of), limit=limit or None)
    _print(result, kw, "Overdue steps")


@report.command("sectors", short_help="Organisations and commitments by sector.")
@scope_options()
@output_options(["sectors"])
@pass_app
def sectors_(app: AppContext, **kw: Any) -> None:
    """Organisations and commitments by sector and by anchor flag."""
    from partnercrm import reports

    with app.reading() as s:
        result = reports.sectors(s, _filters(s, kw))
    _print(result, kw, "Sectors")


@report.command("pack", short_help="Write the HTML report pack (A4) and CSVs.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory to write the pack into (made if missing).",
)
@scope_options()
@click.option(
    "--title",
    default="Partnerships report",
    show_default=True,
    help="The title on the front of the pack.",
)
@_as_of_option("Stale and overdue as of this date (default today).")
@force_option
@pass_app
def pack(
    app: AppContext, out_dir: str, title: str, as_of: str | None, force: bool, **kw: Any
) -> None:
    """Write a self-contained HTML report pack (prints on A4) and a CSV of each table."""
    from pathlib import Path

    from partnercrm.reports.pack import write_pack

    with app.reading() as s:
        written = write_pack(
            s, Path(out_dir), _filters(s, kw), title=title, today=_as_of(as_of), force=force
        )
    app.record_access(f"report pack written to {written.index}", "report")
    click.echo(f"Wrote {written.index} and {len(written.csv_files)} CSV files.")
