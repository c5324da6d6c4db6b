"""What a tracker spreadsheet's columns hold, and sector and stage as people write them.

The team's own sheets name their columns their own way ("Partner", "Who with", "Anchor?");
each kind of sheet has its own table of names, then words a longer header may hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from partnercrm.errors import Invalid
from partnercrm.importing.columns import ColumnMap, compact
from partnercrm.importing.fields import SHEET_FIELDS
from partnercrm.matching import name_key

KINDS = ("partners", "contacts", "conversations")
FOLLOW_UP_DAYS = 14

# kind -> {compact header: field}; a header not named here is read by the words in it
_NAMES: dict[str, dict[str, str]] = {
    "partners": {
        "organisation": "organisation",
        "organization": "organisation",
        "organisationname": "organisation",
        "organizationname": "organisation",
        "partner": "organisation",
        "partnername": "organisation",
        "name": "organisation",
        "company": "organisation",
        "companyname": "organisation",
        "accountname": "organisation",
        "aliases": "aliases",
        "alias": "aliases",
        "alsoknownas": "aliases",
        "aka": "aliases",
        "othernames": "aliases",
        "sector": "sector",
        "type": "sector",
        "organisationtype": "sector",
        "ward": "ward",
        "website": "website",
        "web": "website",
        "url": "website",
        "lead": "lead",
        "relationshiplead": "lead",
        "owner": "lead",
        "councillead": "lead",
        "anchor": "anchor",
        "anchorinstitution": "anchor",
        "notes": "notes",
        "note": "notes",
        "comments": "notes",
    },
    "contacts": {
        "name": "full_name",
        "fullname": "full_name",
        "contact": "full_name",
        "contactname": "full_name",
        "firstname": "first_name",
        "forename": "first_name",
        "lastname": "last_name",
        "surname": "last_name",
        "email": "email",
        "emailaddress": "email",
        "organisation": "organisation",
        "organization": "organisation",
        "company": "organisation",
        "partner": "organisation",
        "jobtitle": "job_title",
        "title": "job_title",
        "role": "job_title",
        "position": "job_title",
        "phone": "phone",
        "telephone": "phone",
        "mobile": "phone",
        "lawfulbasis": "lawful_basis",
        "basis": "lawful_basis",
        "gdprbasis": "lawful_basis",
        "source": "source",
        "consentsource": "source",
        "howwemet": "source",
    },
    "conversations": {
        "date": "date",
        "when": "date",
        "dateofcontact": "date",
        "lastcontact": "date",
        "organisation": "organisation",
        "organization": "organisation",
        "partner": "organisation",
        "company": "organisation",
        "colleague": "colleague",
        "lead": "colleague",
        "owner": "colleague",
        "whospoketothem": "colleague",
        "councillead": "colleague",
        "contacts": "contacts",
        "contact": "contacts",
        "with": "contacts",
        "whowith": "contacts",
        "metwith": "contacts",
        "partnercontacts": "contacts",
        "people": "contacts",
        "mission": "missions",
        "missions": "missions",
        "ask": "ask",
        "theask": "ask",
        "opportunity": "ask",
        "stage": "stage",
        "status": "stage",
        "note": "note",
        "notes": "note",
        "summary": "note",
        "comments": "note",
        "nextstep": "next_step",
        "nextsteps": "next_step",
        "nextaction": "next_step",
        "action": "next_step",
        "due": "due",
        "duedate": "due",
        "nextstepdue": "due",
        "by": "due",
        "channel": "channel",
        "how": "channel",
    },
}
# words a longer header may hold ("Organisation name (as on Companies House)")
_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "partners": (
        ("organisation", "organisation"),
        ("organization", "organisation"),
        ("alias", "aliases"),
        ("sector", "sector"),
        ("ward", "ward"),
        ("website", "website"),
        ("lead", "lead"),
        ("anchor", "anchor"),
        ("note", "notes"),
    ),
    "contacts": (
        ("email", "email"),
        ("organisation", "organisation"),
        ("organization", "organisation"),
        ("jobtitle", "job_title"),
        ("phone", "phone"),
        ("lawful", "lawful_basis"),
        ("source", "source"),
    ),
    "conversations": (
        ("nextstep", "next_step"),
        ("due", "due"),
        ("organisation", "organisation"),
        ("organization", "organisation"),
        ("colleague", "colleague"),
        ("contact", "contacts"),
        ("mission", "missions"),
        ("ask", "ask"),
        ("stage", "stage"),
        ("note", "note"),
        ("date", "date"),
    ),
}
# the field without which a row means nothing
_NEEDED: dict[str, set[str]] = {
    "partners": {"organisation"},
    "contacts": {"full_name", "first_name", "last_name"},
    "conversations": {"organisation"},
}
FIELDS = SHEET_FIELDS

# sector and stage as people write them in a tracker
_SECTORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "vcs",
        (
            "vcs",
            "vcse",
            "voluntary",
            "charity",
            "charities",
            "third sector",
            "community",
            "not for profit",
            "non profit",
            "nonprofit",
            "faith",
        ),
    ),
    ("social_action", ("social action", "social enterprise", "mutual aid", "grassroots")),
    (
        "higher_education",
        ("higher education", "he", "hei", "university", "universities", "academic", "college"),
    ),
    (
        "public_sector",
        ("public", "public sector", "nhs", "council", "local authority", "government", "health"),
    ),
    ("culture", ("culture", "cultural", "arts", "art", "creative", "heritage", "museum")),
    ("business", ("business", "private", "private sector", "corporate", "commercial", "sme")),
)
_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("declined", ("declined", "decline", "not interested", "lost", "closed lost", "no", "dead")),
    ("parked", ("parked", "on hold", "paused", "hold", "dormant", "later")),
    (
        "committed",
        ("committed", "commitment", "agreed", "signed", "won", "closed won", "confirmed"),
    ),
    (
        "exploring",
        ("exploring", "in discussion", "discussing", "in progress", "active", "warm", "developing"),
    ),
    ("initiated", ("initiated", "new", "initial", "first contact", "intro", "introduced", "lead")),
)
YES = {"yes", "y", "true", "1", "x", "anchor", "✓", "✔"}
SPLIT = re.compile(r"[;|\n]+|,(?![^()]*\))")


def loose_choice(text: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The value a loosely written word names: 'Voluntary & Community', 'VCS' and 'charity'
    are vcs; the first value with a word the text starts with or holds wins."""
    key = f" {name_key(text).replace('_', ' ')} ".replace(" and ", " ").strip()
    if not key:
        return None
    for value, words in table:
        if key == value.replace("_", " ") or key in words:
            return value
    for value, words in table:
        if any(re.search(rf"\b{re.escape(w)}\b", key) for w in words if len(w) > 2):
            return value
    return None


def loose_sector(text: str) -> str | None:
    return loose_choice(text, _SECTORS)


def loose_stage(text: str) -> str | None:
    return loose_choice(text, _STAGES)


def sheet_header_score(kind: str) -> Callable[[Sequence[str]], int]:
    """How much a row looks like the header of a `kind` sheet (0 when it is not one)."""

    def score(cells: Sequence[str]) -> int:
        found = {f for c in cells if c and (f := _field(kind, compact(c))) is not None}
        return len(found) if len(found) >= 2 and found & _NEEDED[kind] else 0

    return score


def _field(kind: str, key: str) -> str | None:
    if key in _NAMES[kind]:
        return _NAMES[kind][key]
    return next((f for word, f in _WORDS[kind] if word in key), None)


def map_sheet(
    kind: str, header: Sequence[str], overrides: dict[str, str] | None = None
) -> ColumnMap:
    """Which column holds which field of a `kind` sheet; `overrides` ({header: field}) win."""
    cmap = ColumnMap(header=list(header), layout=kind)
    forced = {compact(h): f for h, f in (overrides or {}).items()}
    for given, wanted in (overrides or {}).items():
        if wanted not in FIELDS[kind]:
            raise Invalid(f"{wanted!r} is not one of {', '.join(FIELDS[kind])}", field="map")
        if compact(given) not in {compact(h) for h in header if h}:
            shown = ", ".join(repr(h) for h in header if h)
            raise Invalid(f"the file has no column {given!r}; its columns are {shown}", field="map")
    for i, text in enumerate(header):
        if not text:
            continue
        key = compact(text)
        target: str | None = forced.get(key) or _field(kind, key)
        if target is None:
            cmap.unmapped.append(text)
        elif target == "ignore":
            cmap.ignored.append(text)
        elif target in cmap.indexes:
            cmap.unmapped.append(text)  # the first column for a field wins
        else:
            cmap.indexes[target] = [i]
            cmap.mapped[text] = target
    if not _NEEDED[kind] & cmap.indexes.keys():
        wanted = "an organisation" if kind != "contacts" else "a name"
        shown = ", ".join(repr(h) for h in header if h)
        raise Invalid(
            f"no column holds {wanted} (the columns are {shown}); name it with a column map",
            field="map",
        )
    return cmap
