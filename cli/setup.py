"""`partnercrm demo`, `init`, `db` and `dashboard`: getting started and housekeeping."""

from __future__ import annotations

import sys

import click

from cli.context import AppContext, emit, errors, json_option, pass_app


@click.command()
@click.option("--scale", type=click.IntRange(min=1), metavar="N",
              help="Instead of the demo, build a council-scale data set N times its size.")
@json_option
@pass_app
def demo(app: AppContext, scale: int | None, as_json: bool) -> None:
    """Load the demo data set (safe to run twice: nothing is duplicated)."""
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
@click.option("--defaults", "defaults_file", type=click.Path(exists=True, dir_okay=False),
              help="A TOML file of missions and roles to start from (default: Camden's).")
@pass_app
def init(app: AppContext, defaults_file: str | None) -> None:
    """Create or upgrade the database and install missions and roles."""
    from partnercrm.missions import install_defaults, read_defaults

    with app.transaction() as s:
        added_missions, added_roles = install_defaults(s, read_defaults(defaults_file))
    click.echo(f"Database ready at {app.db.url}: added {added_missions} missions "
               f"and {added_roles} roles.")


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


@db.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Bring the database to the latest schema."""
    from partnercrm import migrations

    with errors():
        revision = migrations.current(app.db.engine)
    click.echo(f"The database is at the latest schema ({revision}).")
