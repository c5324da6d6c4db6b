"""`partnercrm dedupe` and `partnercrm merge`: find probable duplicates and merge them."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, json_option, pass_app, table

ENTITY = click.Choice(
    ["organisation", "organisations", "contact", "contacts"], case_sensitive=False
)


@click.group()
def dedupe() -> None:
    """Suggest probable duplicate organisations or contacts, with a score and the reasons."""


def _suggest(
    app: AppContext, entity: str, min_score: float | None, limit: int | None, as_json: bool
) -> None:
    from partnercrm import dedupe as finding

    thresholds = finding.Thresholds()
    if min_score is not None:
        thresholds.min_score = min_score
    with app.reading() as s:
        found = finding.pairs(s, entity, thresholds, limit=limit)
        data = [p.as_dict() for p in found]
    emit(data, as_json, lambda d: _render_pairs(d, entity))


def _render_pairs(data: list[dict[str, Any]], entity: str) -> None:
    rows = [
        {
            "score": d["score"],
            "a": f"{d['a']['name']} (id {d['a']['id']})" + _extra(d["a"], entity),
            "b": f"{d['b']['name']} (id {d['b']['id']})" + _extra(d["b"], entity),
            "reasons": "; ".join(d["reasons"]),
        }
        for d in data
    ]
    table(
        rows,
        [("score", "Score"), ("a", "One"), ("b", "The other"), ("reasons", "Why")],
        empty=f"No probable duplicate {entity}s found.",
    )
    if data:
        kind = "organisation" if entity == "organisation" else "contact"
        click.echo(
            f"\nMerge with `partnercrm merge {kind} KEEP OTHER` (try --dry-run first), or record "
            f"`partnercrm dedupe not-duplicate {kind} A B`."
        )


def _extra(side: dict[str, Any], entity: str) -> str:
    if entity == "contact":
        bits = [side.get("email"), side.get("organisation")]
    else:
        bits = [f"{side.get('contacts', 0)} contacts", f"{side.get('conversations', 0)} conv."]
    shown = ", ".join(b for b in bits if b)
    return f" [{shown}]" if shown else ""


def _score_option(f: Any) -> Any:
    return click.option(
        "--min-score",
        type=click.FloatRange(0, 100),
        help="Only pairs scoring at least this (default 70).",
    )(f)


def _limit_option(f: Any) -> Any:
    return click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")(f)


@dedupe.command("organisations")
@_score_option
@_limit_option
@json_option
@pass_app
def organisations(
    app: AppContext, min_score: float | None, limit: int | None, as_json: bool
) -> None:
    """Probable duplicate organisations: same normalised name, alias, initials, similar name,
    shared email domain."""
    _suggest(app, "organisation", min_score, limit, as_json)


@dedupe.command("contacts")
@_score_option
@_limit_option
@json_option
@pass_app
def contacts(app: AppContext, min_score: float | None, limit: int | None, as_json: bool) -> None:
    """Probable duplicate contacts: same email, same name at the same organisation, similar
    name and the same phone."""
    _suggest(app, "contact", min_score, limit, as_json)


@dedupe.command("not-duplicate")
@click.argument("entity", type=ENTITY)
@click.argument("a")
@click.argument("b")
@pass_app
def not_duplicate(app: AppContext, entity: str, a: str, b: str) -> None:
    """Record that A and B (ids or names) are different, so they are not suggested again."""
    from partnercrm import dedupe as finding

    kind = finding.check_entity(entity)
    with app.transaction() as s:
        first, second = _find(s, kind, a), _find(s, kind, b)
        new = finding.mark_not_duplicate(s, kind, first.id, second.id)
        names = first.name, second.name
    if new:
        click.echo(f"Noted: {names[0]} and {names[1]} are different {kind}s.")
    else:
        click.echo(f"{names[0]} and {names[1]} were already noted as different.")


def _find(session: Any, kind: str, text: str) -> Any:
    if kind == "organisation":
        from partnercrm.organisations import find_organisation

        return find_organisation(session, text)
    from partnercrm.contacts import find_contact

    return find_contact(session, text)


@click.group()
def merge() -> None:
    """Merge a duplicate (OTHER) into the record to keep (KEEP); nothing is lost."""


def _merge(app: AppContext, kind: str, keep: str, other: str, dry_run: bool, as_json: bool) -> None:
    from partnercrm import merging

    with app.transaction() as s:
        kept, gone = _find(s, kind, keep), _find(s, kind, other)
        report = merging.merge(s, kind, kept.id, gone.id, dry_run=dry_run)
        data = report.as_dict()
    emit(data, as_json, _render_merge)


def _render_merge(d: dict[str, Any]) -> None:
    verb = "Would merge" if d["dry_run"] else "Merged"
    click.echo(
        f"{verb} {d['other']['name']} (id {d['other']['id']}) into "
        f"{d['keep']['name']} (id {d['keep']['id']})."
    )
    for what, n in d["moved"].items():
        click.echo(f"  moved {n} {what}")
    if d["kept_as"]:
        label = "aliases" if d["entity"] == "organisation" else "secondary emails"
        click.echo(f"  kept as {label}: {', '.join(d['kept_as'])}")
    for name, value in d["filled"].items():
        click.echo(f"  filled {name}: {value}")
    for name, (mine, theirs) in d["conflicts"].items():
        click.echo(f"  differs, kept {name} = {mine!s} (the other had {theirs!s})")
    if d["dry_run"]:
        click.echo("Nothing was changed (--dry-run).")


@merge.command("organisation")
@click.argument("keep")
@click.argument("other")
@click.option("--dry-run", is_flag=True, help="Show what would happen and change nothing.")
@json_option
@pass_app
def merge_organisation(
    app: AppContext, keep: str, other: str, dry_run: bool, as_json: bool
) -> None:
    """Merge organisation OTHER into KEEP (names, aliases or ids): its contacts, conversations,
    commitments, ambassador roles and events move over and its names become aliases."""
    _merge(app, "organisation", keep, other, dry_run, as_json)


@merge.command("contact")
@click.argument("keep")
@click.argument("other")
@click.option("--dry-run", is_flag=True, help="Show what would happen and change nothing.")
@json_option
@pass_app
def merge_contact(app: AppContext, keep: str, other: str, dry_run: bool, as_json: bool) -> None:
    """Merge contact OTHER into KEEP (emails, names or ids): conversations, touchpoints and
    attendance move over and OTHER's addresses become secondary emails."""
    _merge(app, "contact", keep, other, dry_run, as_json)
