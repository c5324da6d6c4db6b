"""Every action the team can take, once: the partner page's keys, the palette and help read it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import ModalScreen


@dataclass(frozen=True)
class Action:
    """One thing the team does: its words, its key, and the form it opens (run by the app)."""

    key: str
    title: str
    help: str
    binding: str | None = None  # the key on the partner page
    short: str = ""  # the footer's word for it
    needs_partner: bool = True
    show: bool = True  # shown in the footer (all are in `?` help)
    # the form: "module.Class" under tui.dialogs, and what the screen's context it is given
    opens: str = ""
    takes: tuple[str, ...] = ()

    def form(self, organisation_id: int | None, context: dict[str, Any]) -> ModalScreen[Any]:
        """The action's dialog, opened on the partner and on what the cursor points at."""
        module, name = self.opens.rsplit(".", 1)
        dialog = getattr(import_module(f"tui.dialogs.{module}"), name)
        args = [context.get(k) for k in self.takes]
        return dialog(*args) if not self.needs_partner else dialog(organisation_id, *args)  # type: ignore[no-any-return]


ACTIONS = [
    Action(
        "new_partner",
        "New partner",
        "Add an organisation the team talks to.",
        binding="n",
        short="New partner",
        needs_partner=False,
        opens="new_partner.NewPartnerDialog",
    ),
    Action(
        "new_contact",
        "New contact",
        "Add a person at the partner (email checked).",
        binding="c",
        short="Contact",
        opens="new_contact.NewContactDialog",
    ),
    Action(
        "log_conversation",
        "Log a warm conversation",
        "Start a thread with the partner about an ask, with its first touchpoint.",
        binding="l",
        short="Log",
        opens="log_conversation.LogConversationDialog",
    ),
    Action(
        "add_touchpoint",
        "Add a touchpoint",
        "Another meeting, call or email in a conversation.",
        binding="t",
        short="Touch",
        opens="add_touchpoint.AddTouchpointDialog",
        takes=("conversation_id",),
    ),
    Action(
        "add_step",
        "Add a step",
        "The next action that moves a conversation on.",
        binding="s",
        short="Step",
        opens="add_step.AddStepDialog",
        takes=("conversation_id",),
    ),
    Action(
        "complete_step",
        "Mark a step done",
        "Tick off one of the partner's open steps.",
        binding="x",
        short="Done",
        opens="complete_step.CompleteStepDialog",
        takes=("step_id",),
    ),
    Action(
        "change_stage",
        "Change a conversation's stage",
        "Move a conversation to exploring, parked or declined (or back).",
        binding="g",
        short="Stage",
        opens="change_stage.ChangeStageDialog",
        takes=("conversation_id",),
    ),
    Action(
        "convert",
        "Convert to a commitment",
        "Record what a conversation converted into; it becomes committed.",
        binding="k",
        short="Commit",
        opens="convert.ConvertDialog",
        takes=("conversation_id",),
    ),
    Action(
        "record_delivery",
        "Record a delivery",
        "What a commitment delivered: opportunities, people, £, hours and the story.",
        binding="v",
        short="Deliver",
        opens="record_delivery.RecordDeliveryDialog",
        takes=("commitment_id",),
    ),
    Action(
        "enrol_ambassador",
        "Enrol an ambassador",
        "Put the partner forward in a Missions Ambassador role.",
        binding="a",
        short="Enrol",
        show=False,
        opens="enrol_ambassador.EnrolAmbassadorDialog",
    ),
    Action(
        "ambassador_status",
        "Change an ambassador's status",
        "proposed → onboarding → active → paused → ended.",
        binding="u",
        short="Ambassador status",
        show=False,
        opens="ambassador_status.AmbassadorStatusDialog",
        takes=("ambassadorship_id",),
    ),
    Action(
        "export_brief",
        "Export the brief",
        "Write the partner's brief to a Markdown file.",
        binding="b",
        short="Export brief",
        show=False,
        opens="export_brief.ExportBriefDialog",
    ),
]
BY_KEY = {a.key: a for a in ACTIONS}
