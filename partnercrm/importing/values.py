"""Reading one cell: emails, dates, names, ticket types, statuses and interest, each cached.

A 100,000-row export repeats the same domains, order dates and interest answers many times,
and `email_validator` (~30-60 µs a call) and `dateutil` (~70 µs) are the slow parts of a
row, so every reader here remembers what it has seen.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH

from partnercrm.matching import name_key

LOCAL_TIME = ZoneInfo("Europe/London")
# the same names and company spellings recur thousands of times in one export
key_of = functools.lru_cache(maxsize=100_000)(name_key)
BLANK_ANSWERS = {"", "none", "n a", "na", "no", "nil", "not applicable", "-", "no thanks"}


class EmailReader:
    """Normalised addresses, the same as `contacts.normalise_email` gives, at a fraction of the cost.

    An ASCII address whose local part is a plain dot-atom is valid exactly when its domain
    is, so the domain is checked once with email_validator and the local part with the
    library's own dot-atom pattern; anything else goes through email_validator whole.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str | None, str | None]] = {}
        self._domains: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, raw: str) -> tuple[str | None, str | None]:
        """(normalised address, None) or (None, why it is not valid)."""
        found = self._seen.get(raw)
        if found is None:
            found = self._seen[raw] = self._check(raw)
        return found

    def _check(self, raw: str) -> tuple[str | None, str | None]:
        local, at, domain = raw.rpartition("@")
        if (
            at
            and raw.isascii()
            and "@" not in local
            and len(raw) <= EMAIL_MAX_LENGTH
            and DOT_ATOM_TEXT.match(local)
        ):
            checked = self._domains.get(domain)
            if checked is None:
                checked = self._domains[domain] = self._full(f"a@{domain}")
            normal_domain, error = checked
            if normal_domain is None:
                return None, error
            return f"{local}@{normal_domain.partition('@')[2]}".lower(), None
        return self._full(raw)

    @staticmethod
    def _full(raw: str) -> tuple[str | None, str | None]:
        try:
            return validate_email(raw, check_deliverability=False).normalized.lower(), None
        except EmailNotValidError as exc:
            return None, str(exc)


_NUMERIC_DATE = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\Z"
)


def month_first_in(values: Iterable[str], default: bool) -> bool:
    """Whether numeric dates in a column are month first: decided by a day above 12, else `default`."""
    for value in values:
        found = _NUMERIC_DATE.match(value.strip())
        if found:
            first, second = int(found.group(1)), int(found.group(2))
            if first > 12 >= second:
                return False
            if second > 12 >= first:
                return True
    return default


class DateReader:
    """Registration dates as aware UTC datetimes; a time without a zone is London time."""

    def __init__(self, month_first: bool = False) -> None:
        self.month_first = month_first
        self._seen: dict[str, datetime | None] = {}

    def __call__(self, raw: str) -> datetime | None:
        """The moment `raw` names, or None when it cannot be read."""
        try:
            return self._seen[raw]
        except KeyError:
            pass
        value = self._seen[raw] = self._parse(raw.strip())
        return value

    def _parse(self, text: str) -> datetime | None:
        value: datetime | None = None
        found = _NUMERIC_DATE.match(text)
        if found:
            a, b, year, hour, minute, second, half = found.groups()
            day, month = (int(b), int(a)) if self.month_first else (int(a), int(b))
            h = int(hour or 0)
            if half:
                if not 1 <= h <= 12:
                    return None
                h = h % 12 + (12 if half.lower() == "pm" else 0)
            try:
                value = datetime(int(year), month, day, h, int(minute or 0), int(second or 0))
            except ValueError:
                return None
        else:
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                try:
                    value = dateutil_parser.parse(text, dayfirst=not self.month_first)
                except (ValueError, OverflowError):
                    return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TIME)
        return value.astimezone(UTC)


def clean(text: str) -> str:
    """A cell with its runs of whitespace (newlines, tabs, non-breaking spaces) made single spaces."""
    return " ".join(text.split())


def person_name(first: str, last: str, full: str) -> str:
    """The name to store: first and last name where given, else the full name."""
    joined = " ".join(f"{first} {last}".split())
    return joined or " ".join(full.split())


@functools.lru_cache(maxsize=4096)
def attendance_role(ticket: str) -> str:
    """Attendance role from a ticket type: 'Speaker pass' is a speaker; anything else an attendee."""
    lowered = ticket.lower()
    if "speaker" in lowered or "panel" in lowered or "presenter" in lowered:
        return "speaker"
    if "host" in lowered:
        return "host"
    return "attendee"


_NOT_ATTENDING = ("cancel", "refund", "not attending", "deleted", "transferred", "declined", "void")


@functools.lru_cache(maxsize=4096)
def is_attending(status: str) -> bool:
    """A cancelled or refunded registration is not an attendance (the person is still a contact)."""
    lowered = status.lower()
    return not any(word in lowered for word in _NOT_ATTENDING)


class InterestReader:
    """Missions or ambassador roles named in a cell, by key or name, several per cell.

    Items are separated by ';', '|' or new lines, and by commas where a comma does not
    belong to a name ('Research, learning & evaluation' is one role).
    """

    _SPLIT = re.compile(r"[;|\n\r]+")

    def __init__(self, what: str, items: Iterable[tuple[int, str, str]]) -> None:
        self.what = what
        self._ids: dict[str, int] = {}
        for ident, key, name in items:
            for text in (key, key.replace("_", " "), name):
                self._ids[name_key(text)] = ident
        self._seen: dict[str, tuple[tuple[int, ...], str | None]] = {}

    def __call__(self, raw: str) -> tuple[tuple[int, ...], str | None]:
        """(ids named, None) or ((), the first item that names nothing)."""
        found = self._seen.get(raw)
        if found is None:
            found = self._seen[raw] = self._parse(raw)
        return found

    def _parse(self, raw: str) -> tuple[tuple[int, ...], str | None]:
        ids: list[int] = []
        for part in self._SPLIT.split(raw):
            key = name_key(part)
            if key in BLANK_ANSWERS:
                continue
            if key in self._ids:
                ids.append(self._ids[key])
                continue
            pieces = part.split(",")
            start = 0
            while start < len(pieces):
                spans = [
                    (end, name_key(",".join(pieces[start:end])))
                    for end in range(len(pieces), start, -1)
                ]
                if spans[-1][1] in BLANK_ANSWERS:
                    start += 1
                    continue
                # the longest run of pieces that is a whole name ('Research, learning &
                # evaluation'), else the shortest worded the form's own way ('Food security')
                for lookup, order in ((self._ids.get, spans), (self._loosely, spans[::-1])):
                    found = next(
                        (
                            (end, ident)
                            for end, text in order
                            if (ident := lookup(text)) is not None
                        ),
                        None,
                    )
                    if found is not None:
                        ids.append(found[1])
                        start = found[0]
                        break
                else:
                    return (), clean(pieces[start])
        return tuple(dict.fromkeys(ids)), None

    def _loosely(self, key: str) -> int | None:
        """The one item `key` starts, or starts with: 'Food security' is Food, 'Estates' is
        Estates and neighbourhoods; an answer that fits two items fits none."""
        if not key:
            return None
        fits = {
            ident
            for known, ident in self._ids.items()
            if key.startswith(known + " ") or known.startswith(key + " ")
        }
        return fits.pop() if len(fits) == 1 else None


_SECTOR_WORDS = (
    ("higher_education", ("university", "college", "institute", "school of", "academy")),
    (
        "public_sector",
        (
            "council",
            "nhs",
            "police",
            "borough",
            "hospital",
            "government",
            "department",
            "authority",
            "school",
            "fire brigade",
            "library",
        ),
    ),
    (
        "culture",
        (
            "theatre",
            "museum",
            "gallery",
            "arts",
            "library",
            "opera",
            "cinema",
            "music",
            "dance",
            "festival",
            "orchestra",
        ),
    ),
    (
        "vcs",
        (
            "charity",
            "foundation",
            "trust",
            "association",
            "society",
            "cic",
            "community",
            "voluntary",
            "mission",
            "church",
            "network",
            "centre",
        ),
    ),
)


def guess_sector(name: str) -> str:
    """A first guess at a new organisation's sector from words in its name (business otherwise)."""
    key = f" {name_key(name)} "
    for sector, words in _SECTOR_WORDS:
        if any(f" {w} " in key for w in words):
            return sector
    return "business"
