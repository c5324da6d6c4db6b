"""`partnercrm tui`: the partnership team's terminal interface."""

from __future__ import annotations

import click

from cli.context import AppContext, pass_app


@click.command()
@pass_app
def tui(app: AppContext) -> None:
    """Open the terminal interface on the database (--db) as the colleague given by --as."""
    from tui.app import PartnerApp

    PartnerApp(app.db).run()
