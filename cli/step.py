"""`partnercrm step`: next actions on warm conversations."""

from __future__ import annotations

import click

from cli.context import AppContext, emit, emit_table, json_option, pass_app, yes_option


@click.group()
def step() -> None:
    """Next steps that move warm conversations on."""


@step.command("add")
@click.argument("conversation_id", metavar="CONVERSATION_ID")
@click.argument("text")
@click.option("--owner", required=True, help="The colleague who will do it.")
@click.option("--due", required=True, help="When it is due (e.g. 12/11/2024, 'tomorrow', '+7').")
@yes_option
@json_option
@pass_app
def add(
    app: AppContext,
    conversation_id: str,
    text: str,
    owner: str,
    due: str,
    confirm: bool,
    as_json: bool,
) -> None:
    """Add a step (TEXT) to a conversation."""
    from partnercrm import colleagues, conversations, steps

    with app.transaction() as s:
        new = steps.add_step(
            s,
            conversations.get_conversation(s, conversation_id),
            text,
            colleagues.find_colleague(s, owner),
            due,
            confirm=confirm,
        )
        data = steps.step_dict(new)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Step {d['id']} added: {d['description']} ({d['owner']}, due {d['due']})."
        ),
    )


@step.command("done")
@click.argument("step_id", metavar="ID")
@click.option("--date", "on", help="When it was done (default today).")
@pass_app
def done(app: AppContext, step_id: str, on: str | None) -> None:
    """Mark step ID done."""
    from partnercrm import steps

    with app.transaction() as s:
        found = steps.complete_step(s, steps.get_step(s, step_id), on)
        text, when = found.description, found.done_on
    click.echo(f"Done: {text} ({when:%d %b %Y}).")


@step.command("edit")
@click.argument("step_id", metavar="ID")
@click.option("--text", help="What to do.")
@click.option("--owner", help="The colleague who will do it.")
@click.option("--due", help="When it is due (e.g. 12/11/2024, 'tomorrow', '+7').")
@yes_option
@json_option
@pass_app
def edit(
    app: AppContext,
    step_id: str,
    text: str | None,
    owner: str | None,
    due: str | None,
    confirm: bool,
    as_json: bool,
) -> None:
    """Correct step ID; only the options given change."""
    from partnercrm import colleagues, steps

    if owner is not None and not owner.strip():
        raise click.BadParameter("a step needs an owner; name a colleague", param_hint="--owner")
    if due is not None and not due.strip():
        raise click.BadParameter("a step needs a due date", param_hint="--due")
    with app.transaction() as s:
        found = steps.get_step(s, step_id)
        steps.edit_step(
            s,
            found,
            description=text,
            owner=colleagues.find_colleague(s, owner) if owner else None,
            due=due,
            confirm=confirm,
        )
        data = steps.step_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Saved step {d['id']}: {d['description']} ({d['owner']}, due {d['due']})."
        ),
    )


@step.command("reopen")
@click.argument("step_id", metavar="ID")
@json_option
@pass_app
def reopen(app: AppContext, step_id: str, as_json: bool) -> None:
    """Open step ID again (it was marked done by mistake)."""
    from partnercrm import steps

    with app.transaction() as s:
        found = steps.reopen_step(s, steps.get_step(s, step_id))
        data = steps.step_dict(found)
    emit(
        data,
        as_json,
        lambda d: click.echo(f"Reopened step {d['id']}: {d['description']} (due {d['due']})."),
    )


@step.command("list")
@click.option("--owner", help="Only this colleague's steps.")
@click.option("--overdue", is_flag=True, help="Only steps past their due date.")
@click.option("--all", "include_done", is_flag=True, help="Include steps already done.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@pass_app
def list_(
    app: AppContext,
    owner: str | None,
    overdue: bool,
    include_done: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """List open steps, soonest due first (overdue ones first)."""
    from partnercrm import colleagues, steps

    with app.reading() as s:
        data = [
            steps.step_dict(x)
            for x in steps.list_steps(
                s,
                owner=colleagues.find_colleague(s, owner) if owner else None,
                overdue=overdue,
                include_done=include_done,
                limit=limit,
            )
        ]
    emit_table(
        data,
        as_json,
        [
            ("id", "ID"),
            ("due", "Due"),
            ("owner", "Owner"),
            ("organisation", "Organisation"),
            ("description", "Step"),
            ("conversation_id", "Conversation"),
        ],
        rows=lambda d: [{**x, "due": x["due"] + (" overdue" if x["overdue"] else "")} for x in d],
        empty="No open steps.",
    )
