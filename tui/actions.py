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
    role: str = "editor"  # the access role it needs (partnercrm.access)

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
        "add_colleague",
        "Add a colleague",
        "A council officer or leader who leads partners and owns steps.",
        needs_partner=False,
        show=False,
        opens="colleague.AddColleagueDialog",
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
        opens="enrol_ambassador.EnrolAmbassadorDialog",
    ),
    Action(
        "ambassador_status",
        "Change an ambassador's status",
        "proposed → onboarding → active → paused → ended.",
        binding="u",
        short="Ambassador status",
        opens="ambassador_status.AmbassadorStatusDialog",
        takes=("ambassadorship_id",),
    ),
    # correcting what is stored: `E` on the partner page opens the one for the highlighted row
    Action(
        "edit_conversation",
        "Edit a conversation",
        "Correct its subject, ask, missions, people, lead or start date.",
        opens="edit_conversation.EditConversationDialog",
        takes=("conversation_id",),
    ),
    Action(
        "edit_touchpoint",
        "Edit a touchpoint",
        "Correct a touchpoint's date, channel, person or note; or archive one logged by mistake.",
        opens="edit_touchpoint.EditTouchpointDialog",
        takes=("touchpoint_id", "conversation_id"),
    ),
    Action(
        "edit_step",
        "Edit a step",
        "Change what a step says, its owner or due date; or reopen one marked done by mistake.",
        opens="edit_step.EditStepDialog",
        takes=("step_id", "conversation_id"),
    ),
    Action(
        "edit_commitment",
        "Edit a commitment",
        "Correct its kind, missions, beneficiary, promised figures or dates.",
        opens="edit_commitment.EditCommitmentDialog",
        takes=("commitment_id",),
    ),
    Action(
        "edit_delivery",
        "Edit a delivery",
        "Correct what a commitment delivered; or take back a delivery recorded by mistake.",
        opens="edit_delivery.EditDeliveryDialog",
        takes=("commitment_id",),
    ),
    Action(
        "edit_ambassadorship",
        "Edit an ambassador role",
        "Correct the role, its mission or since when.",
        opens="edit_ambassadorship.EditAmbassadorshipDialog",
        takes=("ambassadorship_id",),
    ),
    Action(
        "edit_event",
        "Edit an event",
        "Correct an event's name, kind, date or host.",
        opens="edit_event.EditEventDialog",
        takes=("event_id",),
    ),
    Action(
        "edit_attendance",
        "Edit an attendance",
        "Correct someone's role at an event, or remove someone who was not there.",
        opens="edit_attendance.EditAttendanceDialog",
        takes=("event_id",),
    ),
    Action(
        "export_brief",
        "Export the brief",
        "Write the partner's brief to a Markdown or HTML file.",
        binding="b",
        short="Export brief",
        opens="export_brief.ExportBriefDialog",
        role="viewer",
    ),
]
ACTIONS += [
    Action(
        "edit_colleague",
        "Edit a colleague",
        "Correct a colleague's name, email or team.",
        needs_partner=False,
        show=False,
        opens="edit_colleague.EditColleagueDialog",
    ),
    Action(
        "colleague_leaves",
        "A colleague leaves",
        "They stop being offered as an owner or lead; their open work goes to a colleague.",
        needs_partner=False,
        show=False,
        opens="colleague_leaves.ColleagueLeavesDialog",
    ),
]
BY_KEY = {a.key: a for a in ACTIONS}


def refusal(identity: Any, key: str) -> str | None:
    """Why the acting user may not take this action (one sentence), or None when they may."""
    from partnercrm import access

    action = BY_KEY[key]
    # reading needs no role (partnercrm.access): a brief is exported by editors and admins too
    if identity is None or action.role == "viewer" or identity.may(action.role):
        return None
    return str(access.refusal(identity, action.title[0].lower() + action.title[1:]))


# what `e` edits on each tab of the partner page (the conversations tab: see edit_key)
EDIT_BY_TAB = {
    "conversations": "edit_conversation",
    "commitments": "edit_commitment",
    "ambassadors": "edit_ambassadorship",
    "events": "edit_event",
}


def edit_key(tab: str, context: dict[str, int | None]) -> str | None:
    """The edit action for the highlighted row of `tab` (a step or touchpoint in a thread)."""
    if tab == "conversations" and context.get("step_id") is not None:
        return "edit_step"
    if tab == "conversations" and context.get("touchpoint_id") is not None:
        return "edit_touchpoint"
    return EDIT_BY_TAB.get(tab)
