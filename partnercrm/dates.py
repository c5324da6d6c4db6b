"""Dates as people type them (UK, day first), and as they are stored."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser

from partnercrm.errors import Invalid, NeedsConfirmation

_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAY = re.compile(
    r"(next\s+)(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
    r"(day|sday|nesday|rsday|urday)?"
)
_DAY_MONTH = re.compile(r"^\d{1,2}[/.-](\d{1,2})[/.-]\d{2,4}$")


def parse_date(
    text: str | date | None,
    label: str = "date",
    *,
    field: str = "on",
    today: date | None = None,
    future: bool = False,
) -> date:
    """'12/11/2024' is 12 November; '12 Nov 2024', ISO, 'today', 'tomorrow' and '+7' (days) also work.

    `label` is how the sentence names the date; `field` is the Invalid's field: the name of the
    keyword argument that was given it (see partnercrm.errors.Invalid). A day and month typed
    without a year are this year's; with `future` (a due date), one already past this year is
    next year's: '31 Jan' typed in December is due next January.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    base = today or date.today()
    if text is None or not text.strip():
        raise Invalid(f"{label} is empty; give a date such as 12/11/2024", field=field)
    raw = text.strip()
    lowered = raw.lower()
    if lowered in _RELATIVE:
        return base + timedelta(days=_RELATIVE[lowered])
    if lowered.startswith("+") and lowered[1:].isdigit():
        return base + timedelta(days=int(lowered[1:]))
    weekday = _WEEKDAY.fullmatch(lowered)
    if weekday:
        # 'next friday' or 'next fri': the next one after today (a bare 'friday' is refused:
        # a touchpoint on Friday was last Friday, a step due Friday is next Friday)
        wanted = _DAYS.index(weekday.group(2)[:3])
        return base + timedelta(days=(wanted - base.weekday() - 1) % 7 + 1)
    try:
        return datetime.fromisoformat(raw).date()  # 2024-11-12, also with a time
    except ValueError:
        pass
    numeric = _DAY_MONTH.match(raw)
    if numeric and int(numeric[1]) > 12:  # dateutil would quietly read 12/13/2024 the US way
        raise Invalid(
            f"{label} {raw!r} is not a date: dates are day first (12/11/2024 is 12 November)",
            field=field,
        )
    try:
        # parsed against two different defaults: a day or month not typed shows as a difference
        # ('monday', 'Nov', '5' are not dates); a missing year is this year (or, below, next)
        first: date
        second: date
        first, second = (
            parser.parse(raw, dayfirst=True, default=datetime(base.year, month, month)).date()
            for month in (1, 2)
        )
    except (ValueError, OverflowError) as exc:
        raise Invalid(
            f"{label} {raw!r} is not a date; use a form such as 12/11/2024 or 12 Nov 2024",
            field=field,
        ) from exc
    if first != second:
        raise Invalid(
            f"{label} {raw!r} is not a whole date; give the day and month, such as 12/11/2024 "
            "or 12 Nov",
            field=field,
        )
    if future and first < base and not _year_typed(raw):
        try:
            return first.replace(year=base.year + 1)
        except ValueError:  # 29 February, typed in a leap year once it has gone
            raise Invalid(
                f"{label} {raw!r} has gone this year and next year has no {first:%d %B}; "
                "give the year",
                field=field,
            ) from None
    return first


def _year_typed(raw: str) -> bool:
    """Whether a date dateutil reads has its year in the text rather than from the default."""
    # read against defaults four years apart, both leap years so 29 February reads in each: a
    # year left out follows the default, a typed one (also '25' for 2025) does not
    first: datetime
    second: datetime
    first, second = (
        parser.parse(raw, dayfirst=True, default=datetime(year, 1, 1)) for year in (2000, 2004)
    )
    return first.year == second.year


def as_date(value: Any) -> date | None:
    """A date from a raw SQL row (SQLite hands back ISO text for computed columns)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def parse_optional_date(
    text: str | date | None,
    label: str = "date",
    *,
    field: str = "on",
    today: date | None = None,
    future: bool = False,
) -> date | None:
    """As `parse_date`, but nothing typed is no date."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse_date(text, label, field=field, today=today, future=future)


# the earliest date anything recorded here can have happened on
EARLIEST = date(2000, 1, 1)
# a due date further ahead than this many years is asked about
DUE_YEARS_AHEAD = 5
UK = ZoneInfo("Europe/London")


def uk_today() -> date:
    """Today as the team counts it: the latest of the machine's date and the UK date."""
    return max(date.today(), datetime.now(UTC).astimezone(UK).date())


def happened(
    value: str | date | None,
    label: str = "date",
    *,
    field: str = "on",
    today: date | None = None,
) -> date:
    """The date of something that happened: not in the future, not before 2000 (default today).

    `label` names the date in the sentence, `field` is the keyword argument it came in.
    """
    base = today or uk_today()
    when = parse_date(value, label, field=field, today=base) if value not in (None, "") else base
    if when > base:
        raise Invalid(
            f"{label} {when:%d %b %Y} is in the future; something that happened is dated "
            f"today ({base:%d %b %Y}) or earlier",
            field=field,
        )
    if when < EARLIEST:
        raise Invalid(
            f"{label} {when:%d %b %Y} is before {EARLIEST:%Y}; check the year",
            field=field,
        )
    return when


def check_due(
    due: date | None,
    label: str = "due date",
    *,
    field: str = "due",
    confirm: bool = False,
    today: date | None = None,
) -> date | None:
    """A due date as set by a person: one in the past, or over five years ahead, is asked about."""
    if due is None or confirm:
        return due
    base = today or uk_today()
    if due < base:
        raise NeedsConfirmation(
            f"the {label} {due:%d %b %Y} is already past", "set it anyway?", field=field
        )
    try:
        horizon = base.replace(year=base.year + DUE_YEARS_AHEAD)
    except ValueError:  # 29 February
        horizon = base.replace(year=base.year + DUE_YEARS_AHEAD, day=28)
    if due > horizon:
        raise NeedsConfirmation(
            f"the {label} {due:%d %b %Y} is more than {DUE_YEARS_AHEAD} years ahead",
            "set it anyway?",
            field=field,
        )
    return due


def today_of(session: Any) -> date:
    """Today for a unit of work: the day a session was pinned to (tests, a fixed TUI), else today."""
    pinned = session.info.get("today")
    return pinned if isinstance(pinned, date) else uk_today()


def ago(value: date | None, today: date) -> str:
    """How long before `today` (or after it) `value` is, as people say it: "3 days ago"."""
    if value is None:
        return ""
    days = (today - value).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 0:
        return f"in {-days} days"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{round(days / 30.4)} months ago"
    return f"{days // 365} years ago"
