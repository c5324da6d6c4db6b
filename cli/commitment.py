"""`partnercrm commitment`: what conversations convert into, and what they deliver."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from cli.context import (
    AppContext,
    Decorator,
    emit,
    emit_table,
    json_option,
    option_group,
    pass_app,
    table,
    yes_option,
)
from partnercrm.vocabulary import CommitmentKind, CommitmentStatus

KINDS = click.Choice([k.value for k in CommitmentKind], case_sensitive=False)
STATUSES = click.Choice(["open", *[s.value for s in CommitmentStatus]], case_sensitive=False)


@click.group()
def commitment() -> None:
    """Commitments: add, edit, deliver, correct a delivery, lapse, list, show."""


def _promise_options(editing: bool) -> Decorator:
    """What a commitment promises, as `commitment add` records it and `commitment edit` corrects
    it (`promise`, with --yes for an unusual value)."""

    def said(text: str, adding: str = "") -> str:
        return f"{text} ('' clears it)." if editing else f"{text}{adding}."

    return option_group(
        "promise",
        click.option(
            "--beneficiary", help=said("Who benefits", " (a school, a VCS organisation, …)")
        ),
        click.option("--gbp", help=said("Money promised, in pounds")),
        click.option(
            "--hours",
            help=said("Hours promised") if editing else "Volunteer or expert hours promised.",
        ),
        click.option(
            "--opportunities",
            help=said("Opportunities promised", " (placements, work experience …)"),
        ),
        click.option("--people", help=said("People to be involved")),
        click.option("--due", help=said("When it is due")),
        click.option(
            "--date",
            "on",
            help="When it was agreed." if editing else "When it was agreed (default today).",
        ),
        click.option(
            "--nothing-promised",
            is_flag=True,
            help="Keep it although no figure or beneficiary is promised."
            if editing
            else "Record it although no figure or beneficiary was promised.",
        ),
        yes_option,
    )


def _delivery_options(editing: bool) -> Decorator:
    """What a commitment delivered, as `commitment deliver` records it and `commitment
    delivery-edit` corrects it (`delivery`)."""

    def said(text: str, adding: str = "") -> str:
        return f"{text} ('' clears it)." if editing else f"{text}{adding}."

    return option_group(
        "delivery",
        click.option("--opportunities", help=said("Opportunities actually delivered")),
        click.option("--people", help=said("People actually involved")),
        click.option("--gbp", help=said("Money actually given, in pounds")),
        click.option("--hours", help=said("Hours actually given")),
        click.option(
            "--story", help=said("What happened", ": the journey and its knock-on impact")
        ),
        click.option(
            "--date",
            "on",
            help="When it was delivered." if editing else "When it was delivered (default today).",
        ),
    )


@commitment.command("add")
@click.argument("conversation_id", metavar="CONVERSATION_ID")
@click.option("--kind", type=KINDS, required=True, help="The way the partner contributes.")
@click.option(
    "--mission",
    "mission_keys",
    multiple=True,
    help="A mission it serves (repeatable; default: the conversation's).",
)
@_promise_options(editing=False)
@json_option
@pass_app
def add(
    app: AppContext,
    conversation_id: str,
    kind: str,
    mission_keys: tuple[str, ...],
    promise: dict[str, Any],
    as_json: bool,
) -> None:
    """Record the commitment a conversation converted into (the conversation becomes committed)."""
    from partnercrm import commitments, conversations, missions

    with app.transaction() as s:
        new = commitments.add_commitment(
            s,
            conversations.get_conversation(s, conversation_id),
            kind,
            missions=[missions.find_mission(s, k) for k in mission_keys],
            **promise,
        )
        data = commitments.commitment_dict(new)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Commitment {d['id']} agreed with {d['organisation']} ({d['kind']})."
        ),
    )


@commitment.command("deliver")
@click.argument("commitment_id", metavar="ID")
@_delivery_options(editing=False)
@click.option("--partial", is_flag=True, help="Part delivered: keep it open (in progress).")
@json_option
@pass_app
def deliver(
    app: AppContext,
    commitment_id: str,
    delivery: dict[str, Any],
    partial: bool,
    as_json: bool,
) -> None:
    """Record what commitment ID delivered, with its impact and story."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.get_commitment(s, commitment_id)
        commitments.deliver(s, found, **delivery, partial=partial)
        data = commitments.commitment_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(f"Commitment {d['id']} with {d['organisation']} is {d['status']}."),
    )


@commitment.command("edit")
@click.argument("commitment_id", metavar="ID")
@click.option("--kind", type=KINDS, help="The way the partner contributes.")
@click.option(
    "--mission",
    "mission_keys",
    multiple=True,
    help="A mission it serves (repeatable; replaces the missions; '' for none).",
)
@_promise_options(editing=True)
@json_option
@pass_app
def edit(
    app: AppContext,
    commitment_id: str,
    kind: str | None,
    mission_keys: tuple[str, ...],
    promise: dict[str, Any],
    as_json: bool,
) -> None:
    """Correct commitment ID's promise; only the options given change."""
    from cli.conversation import given
    from partnercrm import commitments, missions

    with app.transaction() as s:
        found = commitments.get_commitment(s, commitment_id)
        commitments.edit_commitment(
            s,
            found,
            kind=kind,
            missions=[missions.find_mission(s, k) for k in given(mission_keys)]
            if mission_keys
            else None,
            **promise,
        )
        data = commitments.commitment_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(f"Saved commitment {d['id']} with {d['organisation']}."),
    )


@commitment.command("delivery-edit")
@click.argument("commitment_id", metavar="ID")
@click.option(
    "--delivery",
    "delivery_id",
    help="Which of its deliveries (an id from `commitment show`; default the latest).",
)
@_delivery_options(editing=True)
@json_option
@pass_app
def delivery_edit(
    app: AppContext,
    commitment_id: str,
    delivery_id: str | None,
    delivery: dict[str, Any],
    as_json: bool,
) -> None:
    """Correct what commitment ID delivered (its latest delivery); only the options given change."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.get_commitment(s, commitment_id)
        commitments.edit_delivery(s, commitments.get_delivery(s, found, delivery_id), **delivery)
        data = commitments.commitment_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Saved the delivery of commitment {d['id']} with {d['organisation']}."
        ),
    )


@commitment.command("undeliver")
@click.argument("commitment_id", metavar="ID")
@json_option
@pass_app
def undeliver(app: AppContext, commitment_id: str, as_json: bool) -> None:
    """Commitment ID was marked delivered by mistake: back to in progress (the history keeps the delivery)."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.undeliver(s, commitments.get_commitment(s, commitment_id))
        data = commitments.commitment_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Commitment {d['id']} with {d['organisation']} is in progress again."
        ),
    )


@commitment.command("start")
@click.argument("commitment_id", metavar="ID")
@pass_app
def start(app: AppContext, commitment_id: str) -> None:
    """Mark commitment ID as in progress."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.start(s, commitments.get_commitment(s, commitment_id))
        ident = found.id
    click.echo(f"Commitment {ident} is in progress.")


@commitment.command("lapse")
@click.argument("commitment_id", metavar="ID")
@click.option("--date", "on", help="When it lapsed (default today).")
@pass_app
def lapse(app: AppContext, commitment_id: str, on: str | None) -> None:
    """Mark commitment ID as lapsed: it will not be delivered."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.lapse(s, commitments.get_commitment(s, commitment_id), on)
        ident = found.id
    click.echo(f"Commitment {ident} has lapsed.")


@commitment.command("show")
@click.argument("commitment_id", metavar="ID")
@json_option
@pass_app
def show(app: AppContext, commitment_id: str, as_json: bool) -> None:
    """Show commitment ID: its promise and each delivery (with the delivery's id)."""
    from partnercrm import commitments

    with app.reading() as s:
        data = commitments.commitment_dict(commitments.get_commitment(s, commitment_id))
    emit(data, as_json, _render)


def _render(d: dict[str, Any]) -> None:
    from cli.context import fields

    click.secho(f"Commitment {d['id']} with {d['organisation']}", bold=True)
    fields(
        [
            ("Kind", d["kind"]),
            ("Status", d["status"]),
            ("Missions", ", ".join(d["mission_names"]) or "—"),
            ("Beneficiary", d["beneficiary"] or "—"),
            ("Agreed", d["agreed_on"]),
            ("Due", d["due"] or "—"),
            ("Promised", figures(d["promised"])),
            ("Delivered", figures(d["delivered"])),
        ]
    )
    click.echo()
    table(
        [{**x, "figures": figures(x)} for x in d["deliveries"]],
        [("id", "ID"), ("date", "Date"), ("figures", "Figures"), ("story", "Story")],
        title="Deliveries",
        empty="No delivery recorded.",
    )


@commitment.command("list")
@click.option("--status", type=STATUSES, help="Only this status ('open' = agreed or in progress).")
@click.option("--mission", help="Only commitments to this mission.")
@click.option("--org", help="Only this organisation's commitments.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@pass_app
def list_(
    app: AppContext,
    status: str | None,
    mission: str | None,
    org: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List commitments, newest first."""
    from partnercrm import commitments, missions, organisations

    with app.reading() as s:
        data = [
            commitments.commitment_dict(c)
            for c in commitments.list_commitments(
                s,
                status=status,
                mission=missions.find_mission(s, mission) if mission else None,
                organisation=organisations.find_organisation(s, org) if org else None,
                limit=limit,
            )
        ]
    emit_table(
        data,
        as_json,
        [
            ("id", "ID"),
            ("organisation", "Organisation"),
            ("kind", "Kind"),
            ("status", "Status"),
            ("mission_names", "Missions"),
            ("due", "Due"),
            ("promise", "Promised"),
            ("impact", "Delivered"),
        ],
        rows=with_figures,
        empty="No commitments match.",
    )


def with_figures(commitments: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Commitments with what they promised and delivered as table cells."""
    return [
        {**c, "promise": figures(c["promised"]), "impact": figures(c["delivered"])}
        for c in commitments
    ]


def figures(values: dict[str, Any]) -> str:
    """Figures for a table cell (a dash when there are none)."""
    from partnercrm.commitments import figures_text

    return figures_text(values) or "—"
