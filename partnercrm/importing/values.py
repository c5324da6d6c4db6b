"""Reading one cell: emails, dates, names, ticket types, statuses and interest, each cached.

A 100,000-row export repeats the same domains, order dates and interest answers many times,
and `email_validator` (~30-60 µs a call) and `dateutil` (~70 µs) are the slow parts of a
row, so every reader here remembers what it has seen.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
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
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\Z"
)


_ISO_ORDER = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\b|T)")


def month_first_in(values: Iterable[str], default: bool) -> bool:
    """Whether numeric dates in a column are month first: decided by a day above 12, else by a
    12-hour clock (US exports, such as a Teams report from a US-English client, write
    '10/1/25, 2:00:00 PM'), else `default`."""
    twelve_hour = False
    for value in values:
        found = _NUMERIC_DATE.match(value.strip())
        if found:
            first, second = int(found.group(1)), int(found.group(2))
            if first > 12 >= second:
                return False
            if second > 12 >= first:
                return True
            twelve_hour = twelve_hour or found.group(7) is not None
    return default or twelve_hour


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
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            try:
                value = datetime(full_year, month, day, h, int(minute or 0), int(second or 0))
            except ValueError:
                return None
        else:
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                # a date in ISO order keeps that order whatever follows it ("2025-10-01
                # 22:00:51 UTC" is the first of October); only slash dates are day first
                iso = _ISO_ORDER.match(text) is not None
                try:
                    value = dateutil_parser.parse(
                        text, dayfirst=not (iso or self.month_first), yearfirst=iso
                    )
                except (ValueError, OverflowError):
                    return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TIME)
        return value.astimezone(UTC)


def clean(text: str) -> str:
    """A cell with its runs of whitespace (newlines, tabs, non-breaking spaces) made single spaces."""
    return " ".join(text.split())


def person_name(first: str, last: str, full: str) -> str:
    """The name to store: first and last name where given, else the full name as a person writes it."""
    joined = " ".join(f"{first} {last}".split())
    return joined or written_name(" ".join(full.split()))


@functools.lru_cache(maxsize=100_000)
def written_name(name: str) -> str:
    """A name as exported, the way a person writes it: 'Hopper, Grace' is Grace Hopper, and
    what meeting tools add in brackets goes ('Tom Baker (Guest)', Zoom's 'Grace Hopper (Grace)')."""
    if "," not in name and "(" not in name:
        return name
    from nameparser import HumanName

    parsed = HumanName(name)
    parts = (parsed.title, parsed.first, parsed.middle, parsed.last)
    cleaned = " ".join(p for p in parts if p)
    if parsed.suffix:
        cleaned += f" {parsed.suffix}"
    return cleaned or name


# a role column's words that make someone a speaker; Teams' Presenter and Organizer are
# meeting permissions, not a place on the programme
_SPEAKER_WORDS = ("speaker", "panel", "keynote")


@functools.lru_cache(maxsize=4096)
def attendance_role(ticket: str) -> str:
    """Attendance role from a ticket type: 'Speaker pass' is a speaker; anything else an attendee."""
    lowered = ticket.lower()
    if any(word in lowered for word in _SPEAKER_WORDS):
        return "speaker"
    if "host" in lowered and "co-host" not in lowered:
        return "host"
    return "attendee"


# words in a status that mean the person did not come (they are still a known contact)
_NOT_ATTENDING = (
    "cancel",
    "refund",
    "not attending",
    "not going",
    "deleted",
    "transferred",
    "declin",
    "reject",
    "void",
    "waitlist",
    "wait list",
    "waiting list",
    "on waitlist",
    "pending",
    "awaiting",
    "no show",
    "no-show",
    "noshow",
    "absent",
    "did not attend",
    "didn't attend",
    "invited",
    "not approved",
    "unpaid",
)
_NO = {"no", "n", "false", "0", "not attended", "x"}
_YES = {"yes", "y", "true", "1", "attended", "present", "checked in"}


@functools.lru_cache(maxsize=4096)
def is_attending(status: str) -> bool:
    """A cancelled, refunded, waitlisted, pending or absent registration is not an attendance."""
    lowered = status.strip().lower()
    if lowered in _NO:
        return False
    return not any(word in lowered for word in _NOT_ATTENDING)


def status_reader(header: str) -> Callable[[str], bool]:
    """How a status-like column says whether someone came, from what its header means.

    'Attended' or 'Checked in' answer yes or no (a blank says nothing); 'Order cancelled' or
    'Void status' say yes when the person did not come; anything else ('Attendee Status',
    'approval_status', 'RSVP') holds words such as cancelled, waitlisted or no-show.
    """
    key = name_key(header).replace(" ", "")
    if any(word in key for word in ("cancel", "void", "refund", "declin", "noshow", "deleted")):
        return _flag_means_absent
    if key in _ATTENDED_COLUMNS:
        return _flag_means_present
    return is_attending


_ATTENDED_COLUMNS = {"attended", "attendance", "present", "checkedin", "checkin", "showedup"}


@functools.lru_cache(maxsize=1024)
def _flag_means_absent(value: str) -> bool:
    lowered = value.strip().lower()
    if not lowered or lowered in _NO or lowered in ("active", "valid", "not void", "not voided"):
        return True
    return False


@functools.lru_cache(maxsize=1024)
def _flag_means_present(value: str) -> bool:
    lowered = value.strip().lower()
    return not (lowered in _NO or any(word in lowered for word in _NOT_ATTENDING))


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

    def partly(self, raw: str) -> tuple[tuple[int, ...], str]:
        """What an answer names item by item, and the words left that name nothing ('Food,
        and happy to host' is Food, and 'and happy to host')."""
        ids: list[int] = []
        rest: list[str] = []
        for part in re.split(r"[;|\n\r,]+", raw):
            if not part.strip():
                continue
            found, unknown = self(part)
            if unknown is None:
                ids.extend(found)
            else:
                rest.append(clean(part))
        return tuple(dict.fromkeys(ids)), ", ".join(rest)

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
