"""`partnercrm search`: one ranked list across partners, people, conversations and stories."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, console, emit, json_option, pass_app

KIND_LABEL = {
    "organisation": "partner",
    "contact": "person",
    "conversation": "conversation",
    "touchpoint": "touchpoint",
    "delivery": "story",
}


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=500),
    default=25,
    show_default=True,
    help="Show at most this many results.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(list(KIND_LABEL), case_sensitive=False),
    help="Only this kind of record (repeatable).",
)
@json_option
@pass_app
def search(
    app: AppContext, query: tuple[str, ...], limit: int, kinds: tuple[str, ...], as_json: bool
) -> None:
    """Find organisations, people, conversations, touchpoints and delivery stories.

    Every word is matched as the start of a word, ignoring case and accents: `wellc` finds
    Wellcome Collection, `cafe` finds Café.
    """
    from partnercrm import search as searching

    text = " ".join(query)
    with app.reading() as s:
        hits = searching.search(s, text, limit=limit, kinds=kinds or None)
        data = [h.as_dict() for h in hits]
    emit(data, as_json, lambda d: _render(d, hits, text))


def _render(data: list[dict[str, Any]], hits: list[Any], text: str) -> None:
    if not hits:
        click.echo(f"Nothing matches {text!r}.")
        return
    import sys

    from rich.markup import escape
    from rich.table import Table

    # in a terminal the match is highlighted; piped into a file or pager it is [bracketed]
    start, end = ("[bold reverse]", "[/]") if sys.stdout.isatty() else ("\\[", "]")
    t = Table(box=None, pad_edge=False, header_style="bold")
    for header in ("Kind", "ID", "Match", "Where"):
        t.add_column(header, overflow="fold")
    for hit in hits:
        match = escape(hit.marked("\x00", "\x01")).replace("\x00", start).replace("\x01", end)
        where = [hit.title] if hit.title != hit.snippet else []
        if hit.organisation and hit.organisation != hit.title:
            where.append(hit.organisation)
        t.add_row(KIND_LABEL[hit.kind], str(hit.id), match, escape(" — ".join(where)))
    console().print(t)
