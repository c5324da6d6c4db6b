"""Reading meeting invitations (.ics, `icalendar`) into `Captured` items, one per occurrence
that has happened (`recurring-ical-events` expands the repeats, time zones included)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from partnercrm.capture.items import Address, Captured, Unreadable

EARLIEST = date(1970, 1, 1)


def read_meetings(
    paths: Iterable[str | Path], *, now: datetime | None = None
) -> Iterator[Captured | Unreadable]:
    """Each occurrence, up to `now`, of each meeting in the given .ics files.

    Cancelled meetings and occurrences are left out, and so are attendees who declined.
    """
    now = now or datetime.now(UTC)
    for given in paths:
        path = Path(given)
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Unreadable(str(path), f"cannot be read ({exc.strerror or exc})")
            continue
        try:
            found = list(_occurrences(data, str(path), now))
        except Exception as exc:  # a calendar shaped in a way no check above foresaw
            found = [Unreadable(str(path), f"cannot be read ({exc.__class__.__name__}: {exc})")]
        yield from found


def _occurrences(data: bytes, source: str, now: datetime) -> Iterator[Captured | Unreadable]:
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError and others for a broken file
        yield Unreadable(source, f"is not an iCalendar file ({exc})")
        return
    if str(calendar.get("METHOD", "")).upper() == "CANCEL":
        return  # a cancellation: nothing happened
    repeating = {
        str(e.get("UID"))
        for e in calendar.walk("VEVENT")
        if e.get("RRULE") or e.get("RDATE") or e.get("RECURRENCE-ID")
    }
    try:
        events = recurring_ical_events.of(calendar).between(EARLIEST, now)
    except Exception as exc:  # a rule or time zone it cannot expand
        yield Unreadable(source, f"has a meeting whose dates cannot be read ({exc})")
        return
    found = False
    for event in sorted(events, key=lambda e: _utc(e.get("DTSTART").dt)):
        found = True
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = event.get("DTSTART").dt
        if _utc(start) > _utc(now):
            continue
        uid = str(event.get("UID") or "").strip()
        if not uid:
            yield Unreadable(source, f"has a meeting on {start:%d %b %Y} without a UID")
            continue
        try:
            yield _captured(event, source, uid, start, uid in repeating)
        except Exception as exc:  # an attendee or text value icalendar could not decode
            yield Unreadable(
                source, f"has a meeting on {start:%d %b %Y} that cannot be read ({exc})"
            )
    if not found and not list(calendar.walk("VEVENT")):
        yield Unreadable(source, "holds no meeting (no VEVENT)")


def _captured(event: Any, source: str, uid: str, start: Any, repeats: bool) -> Captured:
    ident = uid
    if repeats:  # one touchpoint per occurrence, named by its original slot
        slot = event.get("RECURRENCE-ID")
        ident = f"{uid}/{_stamp(slot.dt if slot is not None else start)}"
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    return Captured(
        source=f"{source} ({start:%d %b %Y})",
        message_id=ident[:998],
        channel="meeting",
        when=start,
        subject=str(event.get("SUMMARY") or "").strip(),
        sender=_address(event.get("ORGANIZER")),
        recipients=[a for a in (_address(x) for x in attendees if _attended(x)) if a is not None],
        body=str(event.get("DESCRIPTION") or ""),
    )


def _attended(attendee: Any) -> bool:
    params = getattr(attendee, "params", {})
    return str(params.get("PARTSTAT", "")).upper() != "DECLINED"


def _address(value: Any) -> Address | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if "@" not in text:
        return None
    name = str(getattr(value, "params", {}).get("CN", "") or "").strip().strip('"')
    return Address(name, text.strip().lower())


def _utc(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _stamp(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return _utc(value).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")
