"""Which column holds what: headers found by name, Eventbrite's UK and US layouts, and --map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from partnercrm.errors import Invalid
from partnercrm.matching import name_key

FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "organisation",
    "job_title",
    "phone",
    "role",
    "status",
    "registered_at",
    "interest_missions",
    "interest_roles",
    "ignore",
)
# fields several columns may feed (their cells are pooled)
MULTI_FIELDS = {"interest_missions", "interest_roles"}
PRESETS = ("eventbrite", "eventbrite-uk", "eventbrite-us", "generic")

# header (as a compact key) -> (field, rank); when two headers claim one field the lower rank wins
_EVENTBRITE: dict[str, tuple[str, int]] = {
    "firstname": ("first_name", 0),
    "lastname": ("last_name", 0),
    "surname": ("last_name", 0),
    "email": ("email", 0),
    "company": ("organisation", 0),
    "jobtitle": ("job_title", 0),
    "workphone": ("phone", 1),
    "cellphone": ("phone", 2),
    "mobilephone": ("phone", 2),
    "homephone": ("phone", 3),
    "tickettype": ("role", 0),
    "attendeestatus": ("status", 0),
    "orderdate": ("registered_at", 0),
}
# Eventbrite columns that say nothing about the person for a CRM: ignored by name, and listed
_EVENTBRITE_IGNORED = {
    "order",
    "orderno",
    "ordernumber",
    "orderid",
    "quantity",
    "attendee",
    "attendeeno",
    "attendeenumber",
    "attendeeid",
    "group",
    "ordertype",
    "currency",
    "totalpaid",
    "feespaid",
    "eventbritefees",
    "eventbritepaymentprocessing",
    "prefix",
    "suffix",
    "homeaddress1",
    "homeaddress2",
    "homecity",
    "homestate",
    "homezip",
    "homepostcode",
    "homecounty",
    "homecountry",
    "workaddress1",
    "workaddress2",
    "workcity",
    "workstate",
    "workzip",
    "workpostcode",
    "workcounty",
    "workcountry",
    "website",
    "blog",
    "gender",
    "age",
    "birthdate",
    "dateofbirth",
    "ticket",
    "ticketno",
    "barcode",
    "barcodeno",
    "checkindate",
    "devicename",
    "checkedindate",
    "eventname",
    "eventid",
    "venuename",
    "paymentstatus",
    "discount",
    "accesscode",
    "reason",  # `reason` is the column a rejects file adds
}
_US_HINTS = {"homezip", "workzip", "homestate", "workstate", "cellphone"}
_EVENTBRITE_HINTS = {"attendeestatus", "tickettype", "order", "orderno", "attendee", "attendeeno"}

_GENERIC: dict[str, tuple[str, int]] = {
    "givenname": ("first_name", 1),
    "forename": ("first_name", 1),
    "attendeefirstname": ("first_name", 1),
    "familyname": ("last_name", 1),
    "attendeelastname": ("last_name", 1),
    "attendeesurname": ("last_name", 1),
    "fullname": ("full_name", 0),
    "name": ("full_name", 1),
    "attendeename": ("full_name", 1),
    "delegatename": ("full_name", 1),
    "yourname": ("full_name", 2),
    "contactname": ("full_name", 2),
    "emailaddress": ("email", 1),
    "attendeeemail": ("email", 1),
    "workemail": ("email", 1),
    "youremail": ("email", 2),
    "emailaddresses": ("email", 2),
    "organisation": ("organisation", 0),
    "organization": ("organisation", 0),
    "organisationname": ("organisation", 0),
    "organizationname": ("organisation", 0),
    "companyname": ("organisation", 0),
    "employer": ("organisation", 1),
    "institution": ("organisation", 1),
    "affiliation": ("organisation", 2),
    "business": ("organisation", 2),
    "companyorganisation": ("organisation", 0),
    "companyorganization": ("organisation", 0),
    "organisationcompany": ("organisation", 0),
    "organizationcompany": ("organisation", 0),
    "jobrole": ("job_title", 1),
    "position": ("job_title", 1),
    "title": ("job_title", 2),
    "designation": ("job_title", 2),
    "phone": ("phone", 0),
    "phonenumber": ("phone", 0),
    "telephone": ("phone", 0),
    "telephonenumber": ("phone", 0),
    "tel": ("phone", 1),
    "mobile": ("phone", 2),
    "mobilenumber": ("phone", 2),
    "contactnumber": ("phone", 1),
    "ticket": ("role", 2),
    "ticketname": ("role", 1),
    "attendeetype": ("role", 1),
    "registrationtype": ("role", 1),
    "delegatetype": ("role", 1),
    "role": ("role", 3),
    "status": ("status", 1),
    "registrationstatus": ("status", 1),
    "registrationdate": ("registered_at", 1),
    "dateregistered": ("registered_at", 1),
    "registered": ("registered_at", 2),
    "registeredat": ("registered_at", 1),
    "signedup": ("registered_at", 2),
    "date": ("registered_at", 3),
    "interestmissions": ("interest_missions", 0),
    "missions": ("interest_missions", 0),
    "interestroles": ("interest_roles", 0),
    "ambassadorroles": ("interest_roles", 0),
}


def compact(header: str) -> str:
    """A header as a key: 'E-mail' and 'Email' and 'EMAIL ' are one key, 'email'."""
    return name_key(header).replace(" ", "")


def _vocabulary(preset: str | None) -> tuple[dict[str, tuple[str, int]], set[str]]:
    if preset is not None and preset.startswith("eventbrite"):
        return dict(_EVENTBRITE), set(_EVENTBRITE_IGNORED)
    if preset == "generic":
        return {**_GENERIC, **{k: v for k, v in _EVENTBRITE.items() if k != "tickettype"}}, set()
    return {**_GENERIC, **_EVENTBRITE}, set(_EVENTBRITE_IGNORED)


def _interest_field(key: str) -> str | None:
    # custom questions: "Which missions interest you?", "Missions Ambassador role(s)"
    if "ambassador" in key or ("role" in key and ("mission" in key or "interest" in key)):
        return "interest_roles"
    if "mission" in key:
        return "interest_missions"
    return None


def looks_like_header(cells: Sequence[str]) -> bool:
    """True when a row names at least two columns we know, one of them an email or a name."""
    vocabulary, _ = _vocabulary(None)
    found = {vocabulary[k][0] for c in cells if (k := compact(c)) in vocabulary}
    return len(found) >= 2 and bool(found & {"email", "full_name", "first_name", "last_name"})


@dataclass
class ColumnMap:
    """Where each field is: column indexes by field, and what happened to every header."""

    header: list[str]
    layout: str
    indexes: dict[str, list[int]] = field(default_factory=dict)
    mapped: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    month_first: bool = False

    def first(self, name: str) -> int | None:
        found = self.indexes.get(name)
        return found[0] if found else None

    def as_dict(self) -> dict[str, object]:
        return {
            "layout": self.layout,
            "mapped": dict(self.mapped),
            "ignored": list(self.ignored),
            "unmapped": list(self.unmapped),
        }


def parse_map_option(values: Sequence[str]) -> dict[str, str]:
    """`--map "Header=field"` values as {header: field}, each field checked."""
    result: dict[str, str] = {}
    for value in values:
        header, sep, target = value.rpartition("=")
        header, target = header.strip(), target.strip().lower()
        if not sep or not header:
            raise Invalid(f'--map {value!r} is not of the form "Header=field"', field="map")
        if target not in FIELDS:
            raise Invalid(
                f"--map {value!r}: {target!r} is not one of {', '.join(FIELDS)}", field="map"
            )
        result[header] = target
    return result


def map_columns(
    header: Sequence[str], *, preset: str | None = None, overrides: dict[str, str] | None = None
) -> ColumnMap:
    """Decide which column holds which field; --map overrides win over names."""
    if preset is not None and preset not in PRESETS:
        raise Invalid(f"preset {preset!r} is not one of {', '.join(PRESETS)}", field="preset")
    vocabulary, ignorable = _vocabulary(preset)
    keys = [compact(h) for h in header]
    forced: dict[int, str] = {}
    for given, target in (overrides or {}).items():
        wanted = compact(given)
        matches = [i for i, k in enumerate(keys) if k == wanted and header[i]]
        if not matches:
            shown = ", ".join(repr(h) for h in header if h)
            raise Invalid(
                f"--map: the file has no column {given!r}; its columns are {shown}", field="map"
            )
        forced[matches[0]] = target
    claims: dict[str, list[tuple[int, int]]] = {}  # field -> [(rank, index)]
    cmap = ColumnMap(header=list(header), layout=_layout(keys, preset))
    cmap.month_first = cmap.layout == "eventbrite-us"
    for i, (text, key) in enumerate(zip(header, keys, strict=True)):
        if not text:
            continue
        if i in forced:
            target, rank = forced[i], -1
        elif key in vocabulary:
            target, rank = vocabulary[key]
        elif (interest := _interest_field(key)) is not None:
            target, rank = interest, 0
        elif key in ignorable:
            target, rank = "ignore", 0
        else:
            cmap.unmapped.append(text)
            continue
        if target == "ignore":
            cmap.ignored.append(text)
            continue
        claims.setdefault(target, []).append((rank, i))
    for target, claimed in claims.items():
        claimed.sort()
        kept = {i for _, i in (claimed if target in MULTI_FIELDS else claimed[:1])}
        cmap.indexes[target] = sorted(kept)
        for _, i in claimed:
            if i in kept:
                cmap.mapped[header[i]] = target
            else:
                cmap.unmapped.append(header[i])
    if not {"email", "full_name", "first_name", "last_name"} & cmap.indexes.keys():
        shown = ", ".join(repr(h) for h in header if h)
        raise Invalid(
            "no column holds an email or a name (the columns are "
            f'{shown}); name them with --map "Header=email" or --map "Header=full_name"',
            field="map",
        )
    return cmap


def _layout(keys: Sequence[str], preset: str | None) -> str:
    if preset in ("eventbrite-uk", "eventbrite-us", "generic"):
        return preset
    present = set(keys)
    if preset == "eventbrite" or present & _EVENTBRITE_HINTS:
        return "eventbrite-us" if present & _US_HINTS else "eventbrite-uk"
    return "generic"
