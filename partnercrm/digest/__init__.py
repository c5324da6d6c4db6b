"""The daily digest: for each colleague, what needs them today, each item with what acts on
it (an `Action`, which the CLI says as a command and the TUI as its keys). The rules are the reports' (`reports.steps_for`, `reports.stale`,
`reports.commitments_due`); this module only gathers them per colleague.

- `digest_for(session, colleague)` -> `Digest` with `.sections` (empty ones included) and `.empty`
- `render(digest, "text"|"md"|"html", say)` in `partnercrm.digest.render`: `say` words an action
- `send_digests(digests, settings, say=...)` in `partnercrm.digest.send`
"""

from __future__ import annotations

from partnercrm.digest.model import (
    ACTIONS,
    COLD_DAYS,
    EVENTS_AHEAD_DAYS,
    INTEREST_DAYS,
    Action,
    Digest,
    DigestItem,
    DigestSection,
    digest_for,
    digests_for,
)

__all__ = [
    "ACTIONS",
    "COLD_DAYS",
    "EVENTS_AHEAD_DAYS",
    "INTEREST_DAYS",
    "Action",
    "Digest",
    "DigestItem",
    "DigestSection",
    "digest_for",
    "digests_for",
]
