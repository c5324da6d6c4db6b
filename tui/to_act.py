"""What acts on a digest item or calendar entry, in the TUI's words: its keys, from tui.actions.

The library names the action by what it does (partnercrm.digest.ACTIONS); the CLI says it as a
command, the TUI as the key that does it and where.
"""

from __future__ import annotations

from partnercrm.digest import Action
from tui.actions import ACTIONS

# the library's action -> (the TUI's action, where its key works)
_KEYS = {
    "step_done": ("complete_step", "My work or the partner's page"),
    "touch_conversation": ("add_touchpoint", "the partner's page"),
    "deliver_commitment": ("record_delivery", "the partner's page"),
    "brief_event": ("export_brief", "each partner's page"),
}
_OPENS = {
    "show_partner": "Enter on the partner in Partners (p)",
    "show_event": "Enter on the event in Events (e)",
}


def say(action: Action) -> str:
    """The key that does what `action` names, where, and the action's title."""
    if action.kind in _OPENS:
        return _OPENS[action.kind]
    key, where = _KEYS[action.kind]
    found = next(a for a in ACTIONS if a.key == key)
    return f"{found.binding} on {where} ({found.title})"
