"""`partnercrm demo`, `init`, `db` and `dashboard`: getting started and housekeeping."""

from __future__ import annotations

import sys

import click

from cli.context import AppContext, emit, errors, json_option, pass_app


@click.command()
@click.option(
    "--scale",
    type=click.IntRange(min=1),
    metavar="N",
    help="Instead of the demo, build a council-scale data set N times its size.",
)
@json_option
@pass_app
def demo(app: AppContext, scale: int | None, as_json: bool) -> None:
    """Load the demo data set (safe to run twice: nothing is duplicated)."""
    app.setting_up = True
    if scale:
        from partnercrm import scale as scale_data

        show = sys.stderr.isatty() and not as_json

        def progress(what: str, done: int, total: int) -> None:
            if show:
                click.echo(f"\r{what}: {done:,}/{total:,}   ", nl=False, err=True)

        with errors():
            summary = scale_data.build(app.db, scale, progress=progress)
        if show:
            click.echo(err=True)
    else:
        from partnercrm.demo import load_demo

        with app.transaction() as s:
            summary = load_demo(s)
    emit(summary, as_json, lambda d: click.echo(_summary_line(d)))


def _summary_line(summary: dict) -> str:
    if summary.get("already_loaded"):
        return "The demo data is already loaded; nothing was added."
    counts = ", ".join(f"{v:,} {k}" for k, v in summary.items() if isinstance(v, int) and v)
    return f"Loaded: {counts}." if counts else "Loaded."


@click.command()
@click.option(
    "--defaults",
    "defaults_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A TOML file of missions and roles to start from (default: Camden's).",
)
@pass_app
def init(app: AppContext, defaults_file: str | None) -> None:
    """Create or upgrade the database and install missions and roles."""
    app.setting_up = True
    from partnercrm import pg_roles
    from partnercrm.missions import install_defaults, read_defaults

    with app.transaction() as s:
        added_missions, added_roles = install_defaults(s, read_defaults(defaults_file))
    click.echo(
        f"Database ready at {app.db.url}: added {added_missions} missions and {added_roles} roles."
    )
    if app.db.engine.dialect.name == "postgresql":
        try:
            with app.transaction() as s:
                groups, _ = pg_roles.set_up(s)
            click.echo(f"PostgreSQL group roles ready: {', '.join(groups.values())}.")
        except click.ClickException as exc:
            click.echo(
                f"warning: the PostgreSQL group roles were not created ({exc.format_message()}); "
                "a login with CREATEROLE can run `partnercrm db setup-roles`.",
                err=True,
            )


@click.group()
def db() -> None:
    """Database housekeeping."""


@db.command("where")
@pass_app
def where(app: AppContext) -> None:
    """Print the database URL in use."""
    from partnercrm.database import resolve_url

    with errors():
        click.echo(resolve_url(app.url))


@db.command("setup-roles")
@json_option
@pass_app
def setup_roles(app: AppContext, as_json: bool) -> None:
    """Create this database's PostgreSQL group roles and grant them to colleagues' logins.

    Run it as the database's owner, with the right to create roles (CREATEROLE).
    """
    from partnercrm import pg_roles

    with app.transaction() as s:
        groups, members = pg_roles.set_up(s)
    data = {"groups": groups, "logins": members}
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Group roles ready: {', '.join(d['groups'].values())}; "
            f"{d['logins']} colleague login(s) given their roles."
        ),
    )


@db.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Bring the database to the latest schema."""
    from partnercrm import migrations

    with errors():
        revision = migrations.current(app.db.engine)
    click.echo(f"The database is at the latest schema ({revision}).")


@click.command()
@click.option(
    "--for",
    "for_",
    metavar="COLLEAGUE",
    help="Whose steps to show (default: the acting colleague, --as).",
)
@json_option
@pass_app
def dashboard(app: AppContext, for_: str | None, as_json: bool) -> None:
    """Today's summary: the pipeline, your steps, stale conversations, what is due, coverage."""
    from datetime import date

    from partnercrm import colleagues, reports

    with app.reading() as s:
        who = colleagues.find_colleague(s, for_) if for_ else colleagues.colleague_for_actor(s)
        board = reports.dashboard(s, who, date.today(), stale_limit=5)
    data = {**board.as_dict(), "acting_as": app.db.actor}
    emit(data, as_json, _render_dashboard)


def _render_dashboard(d: dict) -> None:
    from cli.context import table

    click.secho(f"partnercrm — {d['today']}", bold=True)
    stages = d["pipeline"]
    click.echo(
        f"Warm conversations: {d['open_conversations']} open (initiated "
        f"{stages['initiated']}, exploring {stages['exploring']}); committed "
        f"{stages['committed']}, parked {stages['parked']}, declined {stages['declined']}"
    )
    click.echo()
    if d["my_steps"] is not None:
        steps = d["my_steps"]
        rows = [{**x, "when": f"{x['days_overdue']} days overdue"} for x in steps["overdue"]]
        rows += [{**x, "when": x["due"]} for x in steps["this_week"]]
        table(
            rows,
            [
                ("when", "Due"),
                ("organisation", "Organisation"),
                ("description", "Step"),
                ("conversation_id", "Conversation"),
            ],
            title=f"Steps for {d['colleague']}: overdue, then this week",
            empty=f"No steps for {d['colleague']} overdue or due this week.",
        )
    else:
        click.echo(
            f"{d['acting_as']!r} is not one colleague's name. Say who you are with --as "
            "NAME (or PARTNERCRM_USER) to see your steps, or use --for NAME."
        )
    click.echo()
    stale = d["stale"]
    table(
        stale["conversations"],
        [
            ("organisation", "Organisation"),
            ("lead", "Lead"),
            ("last_touch", "Last touch"),
            ("days_since", "Days"),
        ],
        title=f"No touch in {stale['days']}+ days: {stale['total']} (oldest shown)",
        empty=f"No conversation has gone {stale['days']} days without a touch.",
    )
    click.echo()
    table(
        d["commitments_due"],
        [("organisation", "Organisation"), ("kind", "Kind"), ("status", "Status"), ("due", "Due")],
        title="Commitments due this month",
        empty="No commitments due this month.",
    )
    click.echo()
    gaps = d["coverage"]["gaps"]
    click.echo(
        f"Ambassador coverage: {len(gaps)} mission × role cells with no active ambassador"
        + (" — `partnercrm report coverage` shows them." if gaps else ".")
    )
