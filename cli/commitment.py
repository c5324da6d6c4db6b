"""`partnercrm commitment`: what conversations convert into, and what they deliver."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext, emit, json_option, pass_app, table, yes_option
from partnercrm.vocabulary import CommitmentKind, CommitmentStatus

KINDS = click.Choice([k.value for k in CommitmentKind], case_sensitive=False)
STATUSES = click.Choice(["open", *[s.value for s in CommitmentStatus]], case_sensitive=False)


@click.group()
def commitment() -> None:
    """Commitments: add, edit, deliver, correct a delivery, lapse, list, show."""


@commitment.command("add")
@click.argument("conversation_id", metavar="CONVERSATION_ID")
@click.option("--kind", type=KINDS, required=True, help="The way the partner contributes.")
@click.option(
    "--mission",
    "mission_keys",
    multiple=True,
    help="A mission it serves (repeatable; default: the conversation's).",
)
@click.option("--beneficiary", help="Who benefits (a school, a VCS organisation, …).")
@click.option("--gbp", help="Money promised, in pounds.")
@click.option("--hours", help="Volunteer or expert hours promised.")
@click.option("--opportunities", help="Opportunities promised (placements, work experience …).")
@click.option("--people", help="People to be involved.")
@click.option("--due", help="When it is due.")
@click.option("--date", "on", help="When it was agreed (default today).")
@click.option(
    "--nothing-promised",
    is_flag=True,
    help="Record it although no figure or beneficiary was promised.",
)
@yes_option
@json_option
@pass_app
def add(
    app: AppContext,
    conversation_id: str,
    kind: str,
    mission_keys: tuple[str, ...],
    beneficiary: str | None,
    gbp: str | None,
    hours: str | None,
    opportunities: str | None,
    people: str | None,
    due: str | None,
    on: str | None,
    nothing_promised: bool,
    confirm: bool,
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
            beneficiary=beneficiary,
            gbp=gbp,
            hours=hours,
            opportunities=opportunities,
            people=people,
            due=due,
            on=on,
            nothing_promised=nothing_promised,
            confirm=confirm,
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
@click.option("--opportunities", help="Opportunities actually delivered.")
@click.option("--people", help="People actually involved.")
@click.option("--gbp", help="Money actually given, in pounds.")
@click.option("--hours", help="Hours actually given.")
@click.option("--story", help="What happened: the journey and its knock-on impact.")
@click.option("--date", "on", help="When it was delivered (default today).")
@click.option("--partial", is_flag=True, help="Part delivered: keep it open (in progress).")
@json_option
@pass_app
def deliver(
    app: AppContext,
    commitment_id: str,
    opportunities: str | None,
    people: str | None,
    gbp: str | None,
    hours: str | None,
    story: str | None,
    on: str | None,
    partial: bool,
    as_json: bool,
) -> None:
    """Record what commitment ID delivered, with its impact and story."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.get_commitment(s, commitment_id)
        commitments.deliver(
            s,
            found,
            opportunities=opportunities,
            people=people,
            gbp=gbp,
            hours=hours,
            story=story,
            on=on,
            partial=partial,
        )
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
@click.option("--beneficiary", help="Who benefits ('' clears it).")
@click.option("--gbp", help="Money promised, in pounds ('' clears it).")
@click.option("--hours", help="Hours promised ('' clears it).")
@click.option("--opportunities", help="Opportunities promised ('' clears it).")
@click.option("--people", help="People to be involved ('' clears it).")
@click.option("--due", help="When it is due ('' clears it).")
@click.option("--date", "on", help="When it was agreed.")
@click.option(
    "--nothing-promised",
    is_flag=True,
    help="Keep it although no figure or beneficiary is promised.",
)
@yes_option
@json_option
@pass_app
def edit(
    app: AppContext,
    commitment_id: str,
    kind: str | None,
    mission_keys: tuple[str, ...],
    beneficiary: str | None,
    gbp: str | None,
    hours: str | None,
    opportunities: str | None,
    people: str | None,
    due: str | None,
    on: str | None,
    nothing_promised: bool,
    confirm: bool,
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
            beneficiary=beneficiary,
            gbp=gbp,
            hours=hours,
            opportunities=opportunities,
            people=people,
            due=due,
            on=on,
            nothing_promised=nothing_promised,
            confirm=confirm,
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
@click.option("--opportunities", help="Opportunities actually delivered ('' clears it).")
@click.option("--people", help="People actually involved ('' clears it).")
@click.option("--gbp", help="Money actually given, in pounds ('' clears it).")
@click.option("--hours", help="Hours actually given ('' clears it).")
@click.option("--story", help="What happened ('' clears it).")
@click.option("--date", "on", help="When it was delivered.")
@json_option
@pass_app
def delivery_edit(
    app: AppContext,
    commitment_id: str,
    delivery_id: str | None,
    opportunities: str | None,
    people: str | None,
    gbp: str | None,
    hours: str | None,
    story: str | None,
    on: str | None,
    as_json: bool,
) -> None:
    """Correct what commitment ID delivered (its latest delivery); only the options given change."""
    from partnercrm import commitments

    with app.transaction() as s:
        found = commitments.get_commitment(s, commitment_id)
        commitments.edit_delivery(
            s,
            commitments.get_delivery(s, found, delivery_id),
            opportunities=opportunities,
            people=people,
            gbp=gbp,
            hours=hours,
            story=story,
            on=on,
        )
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
            ("Missions", ", ".join(d["missions"]) or "—"),
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
    emit(
        data,
        as_json,
        lambda d: table(
            [
                {**c, "promise": figures(c["promised"]), "impact": figures(c["delivered"])}
                for c in d
            ],
            [
                ("id", "ID"),
                ("organisation", "Organisation"),
                ("kind", "Kind"),
                ("status", "Status"),
                ("missions", "Missions"),
                ("due", "Due"),
                ("promise", "Promised"),
                ("impact", "Delivered"),
            ],
            empty="No commitments match.",
        ),
    )


def figures(values: dict[str, Any]) -> str:
    """Figures for a table cell (a dash when there are none)."""
    from partnercrm.commitments import figures_text

    return figures_text(values) or "—"
