"""Every action the team can take, once: the partner page's keys, the palette and help read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import ModalScreen

    from tui.app import PartnerApp


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    help: str
    binding: str | None = None  # the key on the partner page
    short: str = ""  # the footer's word for it
    needs_partner: bool = True
    show: bool = True  # shown in the footer (all are in `?` help)


ACTIONS = [
    Action(
        "new_partner",
        "New partner",
        "Add an organisation the team talks to.",
        binding="n",
        short="New partner",
        needs_partner=False,
    ),
    Action(
        "new_contact",
        "New contact",
        "Add a person at the partner (email checked).",
        binding="c",
        short="Contact",
    ),
    Action(
        "log_conversation",
        "Log a warm conversation",
        "Start a thread with the partner about an ask, with its first touchpoint.",
        binding="l",
        short="Log",
    ),
    Action(
        "add_touchpoint",
        "Add a touchpoint",
        "Another meeting, call or email in a conversation.",
        binding="t",
        short="Touch",
    ),
    Action(
        "add_step",
        "Add a step",
        "The next action that moves a conversation on.",
        binding="s",
        short="Step",
    ),
    Action(
        "complete_step",
        "Mark a step done",
        "Tick off one of the partner's open steps.",
        binding="x",
        short="Done",
    ),
    Action(
        "change_stage",
        "Change a conversation's stage",
        "Move a conversation to exploring, parked or declined (or back).",
        binding="g",
        short="Stage",
    ),
    Action(
        "convert",
        "Convert to a commitment",
        "Record what a conversation converted into; it becomes committed.",
        binding="k",
        short="Commit",
    ),
    Action(
        "record_delivery",
        "Record a delivery",
        "What a commitment delivered: opportunities, people, £, hours and the story.",
        binding="v",
        short="Deliver",
    ),
    Action(
        "enrol_ambassador",
        "Enrol an ambassador",
        "Put the partner forward in a Missions Ambassador role.",
        binding="a",
        short="Enrol",
        show=False,
    ),
    Action(
        "ambassador_status",
        "Change an ambassador's status",
        "proposed → onboarding → active → paused → ended.",
        binding="u",
        short="Ambassador status",
        show=False,
    ),
    Action(
        "export_brief",
        "Export the brief",
        "Write the partner's brief to a Markdown file.",
        binding="b",
        short="Export brief",
        show=False,
    ),
]
BY_KEY = {a.key: a for a in ACTIONS}


def _dialog(key: str, organisation_id: int | None, context: dict[str, Any]) -> ModalScreen[Any]:
    from tui.dialogs import (
        add_step,
        add_touchpoint,
        ambassador_status,
        change_stage,
        complete_step,
        convert,
        enrol_ambassador,
        export_brief,
        log_conversation,
        new_contact,
        new_partner,
        record_delivery,
    )

    org = organisation_id
    conv = context.get("conversation_id")
    makers: dict[str, Callable[[], ModalScreen[Any]]] = {
        "new_partner": lambda: new_partner.NewPartnerDialog(),
        "new_contact": lambda: new_contact.NewContactDialog(org),  # type: ignore[arg-type]
        "log_conversation": lambda: log_conversation.LogConversationDialog(org),  # type: ignore[arg-type]
        "add_touchpoint": lambda: add_touchpoint.AddTouchpointDialog(org, conv),  # type: ignore[arg-type]
        "add_step": lambda: add_step.AddStepDialog(org, conv),  # type: ignore[arg-type]
        "complete_step": lambda: complete_step.CompleteStepDialog(org, context.get("step_id")),
        "change_stage": lambda: change_stage.ChangeStageDialog(org, conv),  # type: ignore[arg-type]
        "convert": lambda: convert.ConvertDialog(org, conv),  # type: ignore[arg-type]
        "record_delivery": lambda: record_delivery.RecordDeliveryDialog(
            org,
            context.get("commitment_id"),  # type: ignore[arg-type]
        ),
        "enrol_ambassador": lambda: enrol_ambassador.EnrolAmbassadorDialog(org),  # type: ignore[arg-type]
        "ambassador_status": lambda: ambassador_status.AmbassadorStatusDialog(
            org,
            context.get("ambassadorship_id"),  # type: ignore[arg-type]
        ),
        "export_brief": lambda: export_brief.ExportBriefDialog(org),  # type: ignore[arg-type]
    }
    return makers[key]()


def run(app: PartnerApp, key: str, organisation_id: int | None = None, **context: Any) -> None:
    """Open the action's form; a partner action with no partner asks which partner first."""
    action = BY_KEY[key]
    if action.needs_partner and organisation_id is None:
        from tui.screens.partner import PartnerScreen

        if isinstance(app.screen, PartnerScreen):
            run(app, key, app.screen.organisation_id, **app.screen.context())
            return
        from tui.dialogs.pick_partner import PickPartnerDialog

        def chosen(org_id: int | None) -> None:
            if org_id is not None:
                app.open_partner(org_id)
                app.call_later(run, app, key, org_id)

        app.push_screen(PickPartnerDialog(f"{action.title}: which partner?"), chosen)
        return

    def done(result: Any) -> None:
        # the screen beneath reads afresh when it comes back (DataScreen.on_screen_resume)
        if result is not None and key == "new_partner":
            app.open_partner(result)

    app.push_screen(_dialog(key, organisation_id, context), done)
