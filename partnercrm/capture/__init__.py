"""Touchpoints captured without typing: emails (.eml, Outlook .msg, maildir) and meetings (.ics).

- `messages.read_emails(paths)` and `meetings.read_meetings(paths)` turn files into `Captured`
  items (who, when, subject, the first lines of the body) or `Unreadable` ones; nothing else of
  a message is kept (attachments are never read).
- `record.log_captured(session, items, ...)` matches each item's addresses to contacts and
  colleagues and records a touchpoint on each partner organisation's open warm conversation,
  idempotently by Message-ID (or meeting UID and occurrence).
"""

from partnercrm.capture.items import Address, Captured, Unreadable
from partnercrm.capture.meetings import read_meetings
from partnercrm.capture.messages import read_emails
from partnercrm.capture.record import (
    CaptureReport,
    MessageOutcome,
    OrganisationOutcome,
    log_captured,
)

__all__ = [
    "Address",
    "CaptureReport",
    "Captured",
    "MessageOutcome",
    "OrganisationOutcome",
    "Unreadable",
    "log_captured",
    "read_emails",
    "read_meetings",
]
