"""`partnercrm conversation`: warm conversations and their touchpoints."""

from __future__ import annotations

from typing import Any

import click

from cli.context import (
    AppContext,
    DataError,
    emit,
    emit_table,
    fields,
    json_option,
    pass_app,
    table,
)
from partnercrm.vocabulary import Channel, Stage

CHANNELS = click.Choice([c.value for c in Channel], case_sensitive=False)
STAGES = click.Choice([s.value for s in Stage], case_sensitive=False)
LIST_COLUMNS = [
    ("id", "ID"),
    ("organisation", "Organisation"),
    ("stage", "Stage"),
    ("lead", "Lead"),
    ("ask", "Ask"),
    ("last_touch", "Last touch"),
    ("next", "Next step"),
]


@click.group()
def conversation() -> None:
    """Warm conversations: log, touch, move on, list, show, edit."""


@conversation.command("log")
@click.argument("org")
@click.option("--lead", required=True, help="The colleague leading the conversation.")
@click.option("--with", "with_", multiple=True, help="A contact in it (name or email; repeatable).")
@click.option(
    "--mission", "mission_keys", multiple=True, help="A mission it is about (repeatable)."
)
@click.option("--ask", help="The possible ask: an ambassador role or a kind of commitment.")
@click.option("--subject", help="A few words on what it is about.")
@click.option("--date", "on", help="When it happened (default today; e.g. 12/11/2024).")
@click.option(
    "--channel", type=CHANNELS, default="meeting", show_default=True, help="How it happened."
)
@click.option("--note", help="What was said.")
@json_option
@pass_app
def log(
    app: AppContext,
    org: str,
    lead: str,
    with_: tuple[str, ...],
    mission_keys: tuple[str, ...],
    ask: str | None,
    subject: str | None,
    on: str | None,
    channel: str,
    note: str | None,
    as_json: bool,
) -> None:
    """Log a new warm conversation with ORG; prints its id."""
    from partnercrm import colleagues, contacts, conversations, missions, organisations

    with app.transaction() as s:
        conv = conversations.log_conversation(
            s,
            organisations.find_organisation(s, org),
            colleagues.find_colleague(s, lead),
            contacts=[contacts.find_contact(s, c) for c in with_],
            missions=[missions.find_mission(s, k) for k in mission_keys],
            ask=ask,
            subject=subject,
            on=on,
            note=note,
            channel=channel,
        )
        data = conversations.conversation_dict(conv)
    emit(data, as_json, lambda d: click.echo(d["id"]))


@conversation.command("touch")
@click.argument("conversation_id", metavar="ID")
@click.option("--date", "on", help="When (default today).")
@click.option(
    "--channel", type=CHANNELS, default="meeting", show_default=True, help="How it happened."
)
@click.option("--note", help="What was said.")
@click.option("--by", help="The colleague who was there (default: the lead).")
@click.option("--with", "with_", help="The contact who was there.")
@json_option
@pass_app
def touch(
    app: AppContext,
    conversation_id: str,
    on: str | None,
    channel: str,
    note: str | None,
    by: str | None,
    with_: str | None,
    as_json: bool,
) -> None:
    """Add a touchpoint (a meeting, call, email or event) to conversation ID."""
    from partnercrm import colleagues, contacts, conversations

    with app.transaction() as s:
        conv = conversations.get_conversation(s, conversation_id)
        tp = conversations.add_touchpoint(
            s,
            conv,
            on=on,
            channel=channel,
            note=note,
            colleague=colleagues.find_colleague(s, by) if by else conv.lead,
            contact=contacts.find_contact(s, with_) if with_ else None,
        )
        data = {
            "id": tp.id,
            "conversation_id": conv.id,
            "date": tp.happened_on.isoformat(),
            "channel": tp.channel,
            "note": tp.note,
        }
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Touchpoint {d['id']} added to conversation {d['conversation_id']} ({d['date']})."
        ),
    )


@conversation.command("stage")
@click.argument("conversation_id", metavar="ID")
@click.argument("stage", type=STAGES, metavar="STAGE")
@click.option("--date", "on", help="When it moved (default today).")
@pass_app
def stage(app: AppContext, conversation_id: str, stage: str, on: str | None) -> None:
    """Move conversation ID to STAGE (committed comes from `commitment add`)."""
    from partnercrm import conversations
    from partnercrm.errors import Invalid

    with app.transaction() as s:
        conv = conversations.get_conversation(s, conversation_id)
        before = conv.stage
        try:
            conversations.set_stage(s, conv, stage, on=on)
        except Invalid as exc:
            if stage != "committed":
                raise
            raise DataError(f"{exc}: use `commitment add {conv.id} --kind KIND`") from exc
        org = conv.organisation.name
    click.echo(f"Conversation {conversation_id} with {org}: {before} → {stage}.")


@conversation.command("list")
@click.option("--stage", type=STAGES, help="Only this stage (default: the open ones).")
@click.option("--lead", help="Only those this colleague leads.")
@click.option("--mission", help="Only those about this mission.")
@click.option("--org", help="Only those with this organisation.")
@click.option(
    "--stale",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only open ones with no touch in DAYS days, oldest first.",
)
@click.option("--all", "include_closed", is_flag=True, help="Include committed, parked, declined.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@pass_app
def list_(
    app: AppContext,
    stage: str | None,
    lead: str | None,
    mission: str | None,
    org: str | None,
    stale: int | None,
    include_closed: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """List warm conversations, most recently touched first."""
    from partnercrm import colleagues, conversations, missions, organisations

    with app.reading() as s:
        data = [
            conversations.conversation_dict(c)
            for c in conversations.list_conversations(
                s,
                organisation=organisations.find_organisation(s, org) if org else None,
                stage=stage,
                lead=colleagues.find_colleague(s, lead) if lead else None,
                mission=missions.find_mission(s, mission) if mission else None,
                stale_days=stale,
                include_closed=include_closed,
                limit=limit,
            )
        ]
    emit_table(
        data,
        as_json,
        LIST_COLUMNS,
        rows=lambda d: [{**c, "next": _next(c)} for c in d],
        empty="No conversations match. Log one with `partnercrm conversation log ORG --lead NAME`.",
    )


def _next(c: dict[str, Any]) -> str:
    step = c.get("next_step")
    return f"{step['description']} ({step['owner']}, {step['due']})" if step else "—"


@conversation.command("show")
@click.argument("conversation_id", metavar="ID")
@json_option
@pass_app
def show(app: AppContext, conversation_id: str, as_json: bool) -> None:
    """Show conversation ID with its touchpoints, steps and stage history."""
    from partnercrm import conversations

    with app.reading() as s:
        data = conversations.conversation_detail(
            s, conversations.get_conversation(s, conversation_id)
        )
    emit(data, as_json, _render)


def _render(d: dict[str, Any]) -> None:
    click.secho(f"Conversation {d['id']} with {d['organisation']}", bold=True)
    fields(
        [
            ("Stage", d["stage"]),
            ("Lead", d["lead"]),
            ("Ask", d["ask"] or "—"),
            ("Subject", d["subject"] or "—"),
            ("Missions", ", ".join(d["mission_names"]) or "—"),
            ("With", ", ".join(d["contacts"]) or "—"),
            ("Started", d["started_on"]),
            ("Last touch", d["last_touch"]),
        ]
    )
    click.echo()
    table(
        d["touchpoints"],
        [
            ("id", "ID"),
            ("date", "Date"),
            ("channel", "Channel"),
            ("colleague", "Who"),
            ("contact", "With"),
            ("note", "Note"),
        ],
        title="Touchpoints",
        empty="No touchpoints.",
    )
    click.echo()
    table(
        d["steps"],
        [
            ("id", "ID"),
            ("description", "Step"),
            ("owner", "Owner"),
            ("due", "Due"),
            ("done", "Done"),
        ],
        title="Steps",
        empty="No steps yet.",
    )
    click.echo()
    table(d["stage_history"], [("on", "Date"), ("from", "From"), ("to", "To")], title="Stages")


@conversation.command("archive")
@click.argument("conversation_id", metavar="ID")
@pass_app
def archive(app: AppContext, conversation_id: str) -> None:
    """Archive conversation ID: hidden from lists, briefs and reports; history kept."""
    from partnercrm import conversations

    app.set_archived(lambda s: conversations.get_conversation(s, conversation_id), True)
    click.echo(
        f"Archived conversation {conversation_id}. "
        f"`partnercrm conversation restore {conversation_id}` brings it back."
    )


@conversation.command("restore")
@click.argument("conversation_id", metavar="ID")
@pass_app
def restore(app: AppContext, conversation_id: str) -> None:
    """Bring archived conversation ID back."""
    from partnercrm import conversations

    app.set_archived(lambda s: conversations.get_conversation(s, conversation_id), False)
    click.echo(f"Restored conversation {conversation_id}.")


@conversation.command("edit")
@click.argument("conversation_id", metavar="ID")
@click.option("--subject", help="A few words on what it is about ('' clears it).")
@click.option(
    "--ask", help="The possible ask: an ambassador role or a kind of commitment ('' clears it)."
)
@click.option("--lead", help="The colleague leading it.")
@click.option(
    "--mission",
    "mission_keys",
    multiple=True,
    help="A mission it is about (repeatable; replaces the missions; '' for none).",
)
@click.option(
    "--with",
    "with_",
    multiple=True,
    help="A contact in it (repeatable; replaces the contacts; '' for nobody).",
)
@click.option("--date", "on", help="When it started (its first touchpoint moves with it).")
@json_option
@pass_app
def edit(
    app: AppContext,
    conversation_id: str,
    subject: str | None,
    ask: str | None,
    lead: str | None,
    mission_keys: tuple[str, ...],
    with_: tuple[str, ...],
    on: str | None,
    as_json: bool,
) -> None:
    """Correct conversation ID; only the options given change."""
    from partnercrm import colleagues, contacts, conversations, missions

    if lead is not None and not lead.strip():
        raise click.BadParameter(
            "a conversation needs a lead; name a colleague", param_hint="--lead"
        )
    with app.transaction() as s:
        conv = conversations.get_conversation(s, conversation_id)
        conversations.edit_conversation(
            s,
            conv,
            subject=subject,
            ask=ask,
            lead=colleagues.find_colleague(s, lead) if lead else None,
            missions=[missions.find_mission(s, k) for k in given(mission_keys)]
            if mission_keys
            else None,
            contacts=[contacts.find_contact(s, c) for c in given(with_)] if with_ else None,
            on=on,
        )
        data = conversations.conversation_dict(conv)
    emit(
        data,
        as_json,
        lambda d: click.echo(f"Saved conversation {d['id']} with {d['organisation']}."),
    )


def given(values: tuple[str, ...]) -> list[str]:
    """A repeatable option's values, where '' alone means 'none'."""
    return [v for v in values if v.strip()]


@conversation.command("touch-edit")
@click.argument("touchpoint_id", metavar="TOUCHPOINT_ID")
@click.option("--date", "on", help="When it happened.")
@click.option("--channel", type=CHANNELS, help="How it happened.")
@click.option("--note", help="What was said ('' clears it).")
@click.option("--with", "with_", help="The contact who was there ('' for nobody).")
@json_option
@pass_app
def touch_edit(
    app: AppContext,
    touchpoint_id: str,
    on: str | None,
    channel: str | None,
    note: str | None,
    with_: str | None,
    as_json: bool,
) -> None:
    """Correct touchpoint TOUCHPOINT_ID (its id is in `conversation show`); only the options given change."""
    from partnercrm import contacts, conversations

    with app.transaction() as s:
        tp = conversations.get_touchpoint(s, touchpoint_id)
        conversations.edit_touchpoint(
            s,
            tp,
            on=on,
            channel=channel,
            note=note,
            contact=contacts.find_contact(s, with_) if with_ else None,
            clear_contact=with_ is not None and not with_.strip(),
        )
        data = conversations.touchpoint_dict(tp)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Saved touchpoint {d['id']} of conversation {d['conversation_id']} ({d['date']})."
        ),
    )


@conversation.command("touch-archive")
@click.argument("touchpoint_id", metavar="TOUCHPOINT_ID")
@json_option
@pass_app
def touch_archive(app: AppContext, touchpoint_id: str, as_json: bool) -> None:
    """Archive touchpoint TOUCHPOINT_ID, logged by mistake: out of its conversation, kept in history."""
    from partnercrm import conversations

    with app.transaction() as s:
        tp = conversations.archive_touchpoint(s, conversations.get_touchpoint(s, touchpoint_id))
        data = conversations.touchpoint_dict(tp)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Archived touchpoint {d['id']} of conversation {d['conversation_id']}."
        ),
    )
