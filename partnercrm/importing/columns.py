"""Which column holds what: headers found by name, Eventbrite's UK and US layouts, and a column map."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from partnercrm.errors import Invalid
from partnercrm.importing.fields import FIELDS
from partnercrm.importing.fields import PRESETS as PRESET_TOOLS
from partnercrm.matching import name_key

# fields several columns may feed (interest cells are pooled; every status column has a say)
MULTI_FIELDS = {"interest_missions", "interest_roles", "status"}
PERSON_FIELDS = {"email", "full_name", "first_name", "last_name"}
SPARE_FIELDS = {"email", "full_name", "organisation", "job_title", "phone"}


@dataclass(frozen=True)
class Preset:
    """A tool's export layout: its name, what gives it away in a header, and its date order."""

    name: str
    hints: frozenset[str]
    month_first: bool = False

    @property
    def tool(self) -> str:
        return PRESET_TOOLS[self.name]


# most specific first: the first preset with a hint in the header names the layout
_PRESETS = (
    Preset(
        "teams",
        frozenset({"firstjoin", "lastleave", "inmeetingduration", "participantidupn"}),
    ),
    Preset(
        "zoom-webinar",
        frozenset({"timeinsessionminutes", "isguest", "usernameoriginalname"}),
        month_first=True,
    ),
    Preset(
        "zoom",
        frozenset({"nameoriginalname", "durationminutes"}),
        month_first=True,
    ),
    Preset(
        "microsoft-forms",
        frozenset({"completiontime", "lastmodifiedtime"}),
    ),
    Preset("google-forms", frozenset({"timestamp"})),
    Preset(
        "tito",
        frozenset({"ticketfullname", "ticketemail", "ticketcompanyname", "ticketreference"}),
    ),
    Preset(
        "meetup",
        frozenset({"rsvpedon", "urlofmemberprofile", "joinedgroupon"}),
    ),
    Preset(
        "luma",
        frozenset({"approvalstatus", "checkedinat", "qrcodeurl", "apiid"}),
    ),
    Preset(
        "civicrm",
        frozenset({"currentemployer", "participantstatus", "sortname", "participantrole"}),
    ),
    Preset(
        "salesforce",
        frozenset({"accountname", "leadsource", "mailingcity", "contactowner"}),
    ),
    Preset(
        "hubspot",
        frozenset({"recordid", "associatedcompany", "lifecyclestage", "hubspotowner"}),
    ),
    Preset(
        "mailchimp",
        frozenset({"optintime", "confirmtime", "memberrating", "leid", "euid"}),
    ),
    Preset(
        "ticket-tailor",
        frozenset({"ticketholdername", "checkedintime", "voided", "ticketid"}),
    ),
    Preset(
        "eventbrite-us",
        frozenset(),
        month_first=True,
    ),
    Preset("eventbrite-uk", frozenset()),
    Preset("eventbrite", frozenset()),
    Preset("generic", frozenset()),
)
PRESETS = tuple(PRESET_TOOLS)

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
# other tools' columns that say nothing about the person for a CRM (meeting lengths, ids,
# links, the buyer of an order rather than the holder of the ticket)
_OTHER_IGNORED = {
    "leavetime",
    "lastleave",
    "durationminutes",
    "inmeetingduration",
    "duration",
    "timeinsessionminutes",
    "guest",
    "isguest",
    "participantidupn",
    "countryregionname",
    "id",
    "recordid",
    "contactid",
    "userid",
    "memberid",
    "apiid",
    "qrcodeurl",
    "urlofmemberprofile",
    "ticketid",
    "ticketreference",
    "uniqueticketurl",
    "number",
    "lastmodifiedtime",
    "lastchanged",
    "lastactivitydate",
    "leid",
    "euid",
    "memberrating",
    "optinip",
    "confirmip",
    "latitude",
    "longitude",
    "gmtoff",
    "dstoff",
    "timezone",
    "cc",
    "region",
    "tags",
    "contacttype",
    "contactowner",
    "hubspotowner",
    "lifecyclestage",
    "leadsource",
    "event",
    "eventtitle",
    "guests",
    "eventhost",
    "joinedgroupon",
    "amount",
    "amounttax",
    "amountdiscount",
    "couponcode",
    "ticketprice",
    "discountcode",
    "discountstatus",
    "ticketlastupdateddate",
    "checkedinat",
    "checkedintime",
    "mailingcity",
    "mailingcountry",
    "address",
    "city",
    "country",
    "countryregion",
    "zippostalcode",
    "stateprovince",
    "postcode",
}

_GENERIC: dict[str, tuple[str, int]] = {
    "givenname": ("first_name", 1),
    "forename": ("first_name", 1),
    "attendeefirstname": ("first_name", 1),
    "ticketfirstname": ("first_name", 0),
    "familyname": ("last_name", 1),
    "attendeelastname": ("last_name", 1),
    "attendeesurname": ("last_name", 1),
    "ticketlastname": ("last_name", 0),
    "fullname": ("full_name", 0),
    "ticketfullname": ("full_name", 0),
    "name": ("full_name", 1),
    "displayname": ("full_name", 1),
    "nameoriginalname": ("full_name", 0),
    "usernameoriginalname": ("full_name", 0),
    "participantname": ("full_name", 1),
    "sortname": ("full_name", 2),
    "username": ("full_name", 2),
    "attendeename": ("full_name", 1),
    "guestname": ("full_name", 1),
    "delegatename": ("full_name", 1),
    "ticketholdername": ("full_name", 1),
    "yourname": ("full_name", 2),
    "contactname": ("full_name", 2),
    "emailaddress": ("email", 1),
    "attendeeemail": ("email", 1),
    "ticketemail": ("email", 0),
    "useremail": ("email", 1),
    "guestemail": ("email", 1),
    "workemail": ("email", 1),
    "emailaddresswork": ("email", 1),
    "youremail": ("email", 2),
    "youremailaddress": ("email", 2),
    "emailaddresses": ("email", 2),
    "organisation": ("organisation", 0),
    "organization": ("organisation", 0),
    "organisationname": ("organisation", 0),
    "organizationname": ("organisation", 0),
    "companyname": ("organisation", 0),
    "ticketcompanyname": ("organisation", 0),
    "accountname": ("organisation", 0),
    "currentemployer": ("organisation", 0),
    "associatedcompany": ("organisation", 1),
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
    "ticketphonenumber": ("phone", 0),
    "tel": ("phone", 1),
    "mobile": ("phone", 2),
    "mobilenumber": ("phone", 2),
    "contactnumber": ("phone", 1),
    "ticket": ("role", 2),
    "ticketname": ("role", 1),
    "attendeetype": ("role", 1),
    "registrationtype": ("role", 1),
    "delegatetype": ("role", 1),
    "participantrole": ("role", 1),
    "role": ("role", 3),
    "status": ("status", 1),
    "registrationstatus": ("status", 1),
    "participantstatus": ("status", 0),
    "approvalstatus": ("status", 0),
    "rsvp": ("status", 0),
    "attended": ("status", 0),
    "voidstatus": ("status", 0),
    "ordercancelled": ("status", 0),
    "cancelled": ("status", 0),
    "voided": ("status", 0),
    "checkedin": ("status", 1),
    "registrationdate": ("registered_at", 1),
    "registrationtime": ("registered_at", 1),
    "registerdate": ("registered_at", 1),
    "dateregistered": ("registered_at", 1),
    "registered": ("registered_at", 2),
    "registeredat": ("registered_at", 1),
    "registeredon": ("registered_at", 1),
    "rsvpedon": ("registered_at", 1),
    "signedup": ("registered_at", 2),
    "createdat": ("registered_at", 2),
    "createddate": ("registered_at", 3),
    "createdate": ("registered_at", 3),
    "purchasedate": ("registered_at", 1),
    "ticketcreateddate": ("registered_at", 1),
    "purchasedat": ("registered_at", 1),
    "timestamp": ("registered_at", 2),
    "completiontime": ("registered_at", 2),
    "starttime": ("registered_at", 4),
    "optintime": ("registered_at", 2),
    "confirmtime": ("registered_at", 3),
    "jointime": ("registered_at", 4),
    "firstjoin": ("registered_at", 4),
    "date": ("registered_at", 3),
    "interestmissions": ("interest_missions", 0),
    "missions": ("interest_missions", 0),
    "interestroles": ("interest_roles", 0),
    "ambassadorroles": ("interest_roles", 0),
}

# a header no table names exactly is read by the words in it: "What organisation are you
# from?" holds an organisation, "Your e-mail address" an email. Checked in this order.
_BUYER = ("order", "buyer", "purchaser", "billing", "booker", "host")
_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    # (words one of which the key contains, words that rule it out, field)
    (
        ("email",),
        ("optin", "consent", "subscri", "marketing", "bounce", "format", "opened", "sent"),
        "email",
    ),
    (
        ("organisation", "organization", "company", "employer", "workfor", "workplace"),
        ("size", "employees", "type", "website", "url", "address", "phone", "industry", "id"),
        "organisation",
    ),
    (("jobtitle", "yourrole", "jobrole", "position", "yourtitle"), (), "job_title"),
    (("firstname", "forename", "givenname"), (), "first_name"),
    (("lastname", "surname", "familyname"), (), "last_name"),
    (("fullname", "yourname"), (), "full_name"),
    (("phone", "mobile", "telephone"), (), "phone"),
    (
        ("status", "attended", "rsvp", "cancel", "void", "checkedin"),
        ("payment", "email", "discount", "lead", "subscri", "marketing", "lifecycle"),
        "status",
    ),
    (("registrationdate", "registeredon", "dateregistered", "signedupon"), (), "registered_at"),
    (("tickettype", "ticketname", "registrationtype"), (), "role"),
)


def compact(header: str) -> str:
    """A header as a key: 'E-mail', 'Email', 'EMAIL ' and 'e_mail' are one key, 'email'."""
    return name_key(header).replace(" ", "").replace("_", "")


def preset_list() -> list[dict[str, str]]:
    """The layouts a `preset` can name, each with the tool it is for."""
    return [{"name": p.name, "tool": p.tool} for p in _PRESETS]


def _vocabulary(preset: str | None) -> tuple[dict[str, tuple[str, int]], set[str]]:
    if preset is not None and preset.startswith("eventbrite"):
        return dict(_EVENTBRITE), set(_EVENTBRITE_IGNORED)
    if preset == "generic":
        return {**_GENERIC, **{k: v for k, v in _EVENTBRITE.items() if k != "tickettype"}}, set()
    return {**_GENERIC, **_EVENTBRITE}, _EVENTBRITE_IGNORED | _OTHER_IGNORED


_ALL_WORDS, _ALL_IGNORED = _vocabulary(None)


def _by_words(key: str) -> tuple[str, int] | None:
    """The field a header's words name, ranked below any exact name."""
    if key.startswith(_BUYER):
        return "ignore", 9  # the buyer's or host's details, not the attendee's
    for words, unless, target in _WORDS:
        if any(w in key for w in words) and not any(u in key for u in unless):
            return target, 5
    return None


def _interest_field(key: str) -> str | None:
    # custom questions: "Which missions interest you?", "Missions Ambassador role(s)"
    if "ambassador" in key or ("role" in key and ("mission" in key or "interest" in key)):
        return "interest_roles"
    if "mission" in key:
        return "interest_missions"
    return None


def _field_of(key: str) -> str | None:
    if key in _ALL_WORDS:
        return _ALL_WORDS[key][0]
    if key in _ALL_IGNORED:
        return None
    found = _interest_field(key) or (_by_words(key) or (None, 0))[0]
    return None if found == "ignore" else found


def header_score(cells: Sequence[str]) -> int:
    """How much a row looks like our header: the number of fields it names, 0 when it names
    no person (an email or a name) or fewer than two fields."""
    found = {f for c in cells if c and (f := _field_of(compact(c))) is not None}
    if len(found) < 2 or not found & PERSON_FIELDS:
        return 0
    return len(found)


def looks_like_header(cells: Sequence[str]) -> bool:
    """True when a row names at least two columns we know, one of them an email or a name."""
    return header_score(cells) > 0


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
    # columns the user named in the column map: only these fail loudly on a value they cannot read
    forced: set[int] = field(default_factory=set)
    # a second column for a field, read when the first is blank or anonymous: HubSpot's
    # Associated Company beside an empty Company Name, a form's "Your email address"
    spare: dict[str, list[int]] = field(default_factory=dict)

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


def parse_map_option(
    values: Sequence[str], fields: Sequence[str] | None = FIELDS
) -> dict[str, str]:
    """ "Header=field" values (a column map as typed) as {header: field}, each checked.

    `fields` are those the import knows; None leaves the field to be checked by the importer
    (a tracker sheet's map, which knows its kind).
    """
    result: dict[str, str] = {}
    for value in values:
        header, sep, target = value.rpartition("=")
        header, target = header.strip(), target.strip().lower()
        if not sep or not header:
            raise Invalid(f'{value!r} is not of the form "Header=field"', field="map")
        if fields is not None and target not in fields:
            raise Invalid(f"{value!r}: {target!r} is not one of {', '.join(fields)}", field="map")
        result[header] = target
    return result


def map_columns(
    header: Sequence[str], *, preset: str | None = None, overrides: dict[str, str] | None = None
) -> ColumnMap:
    """Decide which column holds which field; the column map wins over names."""
    if preset is not None and preset not in PRESETS:
        raise Invalid(f"preset {preset!r} is not one of {', '.join(PRESETS)}", field="preset")
    keys = [compact(h) for h in header]
    forced = _forced(header, keys, overrides or {})
    cmap = ColumnMap(header=list(header), layout=_layout(keys, preset), forced=set(forced))
    cmap.month_first = next(p.month_first for p in _PRESETS if p.name == cmap.layout)
    claim = _claimer(preset)
    claims: dict[str, list[tuple[int, int]]] = {}  # field -> [(rank, index)]
    for i, (text, key) in enumerate(zip(header, keys, strict=True)):
        if not text:
            continue
        target, rank = (forced[i], -1) if i in forced else claim(key)
        if target is None:
            cmap.unmapped.append(text)
        elif target == "ignore":
            cmap.ignored.append(text)
        else:
            claims.setdefault(target, []).append((rank, i))
    for target, claimed in claims.items():
        _settle(cmap, target, sorted(claimed))
    if not PERSON_FIELDS & cmap.indexes.keys():
        shown = ", ".join(repr(h) for h in header if h)
        raise Invalid(
            f"no column holds an email or a name (the columns are {shown}); say which column "
            "holds the email or the full name",
            field="map",
        )
    return cmap


def _forced(header: Sequence[str], keys: list[str], overrides: dict[str, str]) -> dict[int, str]:
    """The columns the column map names, by index."""
    forced: dict[int, str] = {}
    for given, target in overrides.items():
        wanted = compact(given)
        matches = [i for i, k in enumerate(keys) if k == wanted and header[i]]
        if not matches:
            shown = ", ".join(repr(h) for h in header if h)
            raise Invalid(f"the file has no column {given!r}; its columns are {shown}", field="map")
        forced[matches[0]] = target
    return forced


def _claimer(preset: str | None) -> Callable[[str], tuple[str | None, int]]:
    """How a header claims a field under a preset: (field or None, rank)."""
    vocabulary, ignorable = _vocabulary(preset)
    only_named = preset is not None and preset.startswith("eventbrite")  # its names alone

    def claim(key: str) -> tuple[str | None, int]:
        if key in vocabulary:
            return vocabulary[key]
        if key in ignorable:
            return "ignore", 0
        if (interest := _interest_field(key)) is not None:
            return interest, 0
        if not only_named and (by_words := _by_words(key)) is not None:
            return by_words
        return None, 0

    return claim


def _settle(cmap: ColumnMap, target: str, claimed: list[tuple[int, int]]) -> None:
    """Give a field the column that claimed it best (all of them for pooled fields); keep a
    runner-up as a spare, list the rest as unmapped."""
    header = cmap.header
    kept = {i for _, i in (claimed if target in MULTI_FIELDS else claimed[:1])}
    cmap.indexes[target] = sorted(kept)
    for _, i in claimed:
        if i in kept:
            cmap.mapped[header[i]] = target
        elif target in SPARE_FIELDS and header[i]:
            cmap.spare.setdefault(target, []).append(i)
            cmap.mapped[header[i]] = target
        else:
            cmap.unmapped.append(header[i])


def _layout(keys: Sequence[str], preset: str | None) -> str:
    if preset is not None and preset != "eventbrite":
        return preset
    present = set(keys)
    if preset is None:
        for candidate in _PRESETS:
            if candidate.hints & present:
                return candidate.name
    if preset == "eventbrite" or present & _EVENTBRITE_HINTS:
        return "eventbrite-us" if present & _US_HINTS else "eventbrite-uk"
    return "generic"
