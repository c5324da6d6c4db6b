"""What a captured email or meeting is, once read: the few facts the CRM keeps, nothing more."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


class Address(NamedTuple):
    name: str  # the display name, "" when the message gives none
    email: str  # lower-cased; not yet validated


@dataclass
class Captured:
    """One email, or one occurrence of a meeting, as read from a file."""

    source: str  # the file, and the message within it, for the report
    message_id: str  # the Message-ID, or the meeting's UID and occurrence
    channel: str  # "email" or "meeting"
    when: datetime | date
    subject: str
    sender: Address | None  # From, or the meeting's organiser
    recipients: list[Address] = field(default_factory=list)  # To and Cc, or the attendees
    body: str = ""  # plain text; only its first lines are ever stored

    @property
    def on(self) -> date:
        """The day it happened where it happened: in the meeting's or the sender's time zone."""
        return self.when.date() if isinstance(self.when, datetime) else self.when

    def is_future(self, today: date) -> bool:
        # a day ahead is allowed for a time zone east of here (Sydney's morning is our night)
        ahead = 1 if isinstance(self.when, datetime) and self.when.tzinfo else 0
        return (self.on - today).days > ahead

    @property
    def people(self) -> list[Address]:
        """Everyone on it, sender first, each address once."""
        seen: dict[str, Address] = {}
        for person in [self.sender, *self.recipients]:
            if person is not None and person.email and person.email not in seen:
                seen[person.email] = person
        return list(seen.values())


@dataclass
class Unreadable:
    """A file (or a message inside a maildir) that could not be read, and why."""

    source: str
    reason: str


# where the new part of a reply ends: the quoted message below is someone else's older text
_QUOTE_STARTS = re.compile(
    r"^(on .{3,200} wrote:|-{2,}\s*original message\s*-{2,}|_{10,}|from:\s.+|-- ?)$",
    re.IGNORECASE,
)


def first_lines(body: str, count: int) -> list[str]:
    """The first `count` non-blank lines of a body, before any quoted reply or signature."""
    lines: list[str] = []
    if count <= 0:
        return lines
    for raw in body.splitlines():
        line = raw.strip()
        if _QUOTE_STARTS.match(line):
            break
        if not line or line.startswith(">"):
            continue
        lines.append(line[:300])
        if len(lines) == count:
            break
    return lines


def clean_subject(subject: str) -> str:
    """The subject without reply and forward prefixes ("RE: FW: Placements" -> "Placements")."""
    return re.sub(
        r"^(\s*(re|fw|fwd|aw|wg)\s*:\s*)+", "", subject or "", flags=re.IGNORECASE
    ).strip()
