"""`partnercrm undo`: take back your last change, or one picked from `history`."""

from __future__ import annotations

import click

from cli.context import AppContext, change_option, emit, json_option, pass_app


@click.command()
@change_option("The change to undo: the number in brackets in `partnercrm history`.")
@json_option
@pass_app
def undo(app: AppContext, change_id: int | None, as_json: bool) -> None:
    """Undo your last change (one command or one TUI action), or the change ID given.

    The undo is itself a change in the history ("undo of change 812"), so it can be undone
    in turn. It is refused when a later change touched the same fields, and for merges and
    erasures, which cannot be undone.
    """
    from partnercrm import undo as undoing

    with app.transaction() as s:
        done = undoing.undo_change(s, change_id) if change_id else undoing.undo_last(s)
        data = done.as_dict()
        summary = done.summary
    emit(
        data,
        as_json,
        lambda d: click.echo(f"Undone {summary}. Recorded as change {d['change']}."),
    )
