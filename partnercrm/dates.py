"""Dates as people type them (UK, day first), and as they are stored."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil import parser

from partnercrm.errors import Invalid

_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}


def parse_date(text: str | date | None, field: str = "date", *, today: date | None = None) -> date:
    """'12/11/2024' is 12 November; '12 Nov 2024', ISO, 'today', 'tomorrow' and '+7' (days) also work."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    base = today or date.today()
    if text is None or not text.strip():
        raise Invalid(f"{field} is empty; give a date such as 12/11/2024", field=field)
    raw = text.strip()
    lowered = raw.lower()
    if lowered in _RELATIVE:
        return base + timedelta(days=_RELATIVE[lowered])
    if lowered.startswith("+") and lowered[1:].isdigit():
        return base + timedelta(days=int(lowered[1:]))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return parser.parse(raw, dayfirst=True, default=datetime(base.year, 1, 1)).date()
    except (ValueError, OverflowError) as exc:
        raise Invalid(
            f"{field} {raw!r} is not a date; use a form such as 12/11/2024 or 12 Nov 2024",
            field=field,
        ) from exc


def parse_optional_date(text: str | date | None, field: str = "date") -> date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse_date(text, field)
