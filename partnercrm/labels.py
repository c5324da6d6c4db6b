"""The words people read for every stored code, and for every date: one place for the CLI,
the TUI, the briefs and the reports.

Codes are stored as short keys (`vcs`, `in_progress`, `sponsorship_in_kind`); people read
`voluntary and community sector`, `in progress`, `in-kind sponsorship`. Missions and roles are
rows with their own names; their keys are shown only when a name is not at hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from partnercrm.dates import UK

SECTOR = {
    "business": "business",
    "public_sector": "public sector",
    "higher_education": "higher education",
    "vcs": "voluntary and community sector",
    "social_action": "social action",
    "culture": "culture",
}
COMMITMENT_KIND = {
    "recognition": "recognition",
    "advocacy": "advocacy",
    "sponsorship_financial": "financial sponsorship",
    "sponsorship_in_kind": "in-kind sponsorship",
    "opportunities": "opportunities",
    "hosting": "hosting",
    "research": "research",
    "investment": "investment",
}
COMMITMENT_STATUS = {
    "agreed": "agreed",
    "in_progress": "in progress",
    "delivered": "delivered",
    "lapsed": "lapsed",
}
STAGE = {
    "initiated": "initiated",
    "exploring": "exploring",
    "committed": "committed",
    "parked": "parked",
    "declined": "declined",
}
AMBASSADOR_STATUS = {
    "proposed": "proposed",
    "onboarding": "onboarding",
    "active": "active",
    "paused": "paused",
    "ended": "ended",
}
RELATIONSHIP_STAGE = {
    "prospect": "prospect",
    "initiate": "initiate",
    "convert": "convert",
    "grow": "grow",
    "sustain": "sustain",
}
CHANNEL = {
    "meeting": "meeting",
    "call": "call",
    "email": "email",
    "event": "event",
    "other": "other",
}
ATTENDANCE_ROLE = {"attendee": "attendee", "speaker": "speaker", "host": "host"}
EVENT_KIND = {"summit": "summit", "roundtable": "roundtable", "other": "other event"}

# every code above, by what it is; `label()` looks a code up in the one it names
VOCABULARIES: dict[str, dict[str, str]] = {
    "sector": SECTOR,
    "kind": COMMITMENT_KIND,
    "status": COMMITMENT_STATUS,
    "stage": STAGE,
    "ambassador_status": AMBASSADOR_STATUS,
    "relationship_stage": RELATIONSHIP_STAGE,
    "channel": CHANNEL,
    "attendance_role": ATTENDANCE_ROLE,
    "event_kind": EVENT_KIND,
}


def label(code: str | None, vocabulary: str | None = None) -> str:
    """The words for a stored code: `label('vcs', 'sector')` is 'voluntary and community sector'.

    Without a vocabulary, any list that knows the code answers; an unknown code (a mission or
    role key, say) is shown with its underscores as spaces.
    """
    if not code:
        return ""
    text = str(code)
    if vocabulary is not None:
        return VOCABULARIES[vocabulary].get(text, text.replace("_", " "))
    for words in VOCABULARIES.values():
        if text in words:
            return words[text]
    return text.replace("_", " ")


def sector(code: str | None) -> str:
    return label(code, "sector")


def kind(code: str | None) -> str:
    return label(code, "kind")


def status(code: str | None) -> str:
    return label(code, "status")


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """(words, code) pairs for a form's list, in the vocabulary's order."""
    return [(words, code) for code, words in VOCABULARIES[vocabulary].items()]


def day(
    value: date | datetime | str | None, today: date | None = None, *, weekday: bool = False
) -> str:
    """A date as every screen and listing shows it: '3 Dec', or '3 Dec 2025' when not this year.

    `weekday` puts the day's name first ('Thu 3 Dec'), for what is due soon.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    this_year = (today or date.today()).year
    text = f"{value.day} {value:%b}" + ("" if value.year == this_year else f" {value.year}")
    return f"{value:%a} {text}" if weekday else text


def moment(value: datetime, today: date | None = None) -> str:
    """A time something happened, on the team's clock (UK time; stored times are UTC):
    '3 Dec 14:05', or '3 Dec 2025 14:05' when not this year."""
    if value.tzinfo is not None:
        value = value.astimezone(UK)
    return f"{day(value, today)} {value:%H:%M}"


def as_words(value: Any, vocabulary: str | None = None, today: date | None = None) -> str:
    """Any stored value as words: a date as `day()`, a code as `label()`, nothing as '—'."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return day(value, today)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return day(value, today)
        except ValueError:
            pass
    if isinstance(value, str) and vocabulary is not None:
        return label(value, vocabulary)
    return str(value)
