"""The daily digest: for each colleague, what needs them today, each item with the command to
act on it. The rules are the reports' (`reports.steps_for`, `reports.stale`,
`reports.commitments_due`); this module only gathers them per colleague.

- `digest_for(session, colleague)` -> `Digest` with `.sections` (empty ones included) and `.empty`
- `render(digest, "text"|"md"|"html")` in `partnercrm.digest.render`
- `send_digests(digests, smtp_url, password)` in `partnercrm.digest.send`
"""

from __future__ import annotations

from partnercrm.digest.model import (
    COLD_DAYS,
    EVENTS_AHEAD_DAYS,
    INTEREST_DAYS,
    Digest,
    DigestItem,
    DigestSection,
    digest_for,
    digests_for,
)

__all__ = [
    "COLD_DAYS",
    "EVENTS_AHEAD_DAYS",
    "INTEREST_DAYS",
    "Digest",
    "DigestItem",
    "DigestSection",
    "digest_for",
    "digests_for",
]
