"""What a brokerage brief holds: plain dataclasses, rendered elsewhere, serialised as they are."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from partnercrm import labels

# the ways partners can contribute, in words a director can say aloud (strategy report, Figure 3)
KIND_WORDS = {
    "recognition": "their logo and story on We Make Camden communications",
    "advocacy": "sharing mission content and opportunities through their networks",
    "sponsorship_financial": "financial sponsorship of a local initiative",
    "sponsorship_in_kind": "skills, expertise or mentoring for a local organisation",
    "opportunities": "work experience, placements or apprenticeships",
    "hosting": "hosting a roundtable or the summit",
    "research": "acting as a critical friend on our mission work",
    "investment": "investment, for example in a community wealth fund",
}

KIND_NAMES = labels.COMMITMENT_KIND

SECTOR_NAMES = labels.SECTOR


@dataclass
class Totals:
    gbp: float | int = 0
    hours: float | int = 0
    opportunities: int = 0
    people: int = 0

    @property
    def any(self) -> bool:
        return bool(self.gbp or self.hours or self.opportunities or self.people)


@dataclass
class Header:
    """Who they are."""

    id: int
    name: str
    aliases: list[str]
    sector: str
    sector_name: str
    anchor: bool
    ward: str | None
    website: str | None
    stage: str
    lead: str | None
    notes: str | None = None


@dataclass
class Glance:
    first_contact: date | None
    last_contact: date | None
    days_since_contact: int | None
    conversations: int
    open_conversations: int
    commitments_open: int
    commitments_delivered: int
    commitments_lapsed: int
    delivered: Totals
    contacts: int
    events: int = 0  # summits and roundtables attended or hosted in the last three years


@dataclass
class KeyPerson:
    name: str
    job_title: str | None
    senior: bool
    last_touch: date | None
    why: str  # "senior", "recently engaged", or both


@dataclass
class AmbassadorRoleHeld:
    role: str
    role_name: str
    mission: str | None
    mission_name: str | None
    status: str
    since: date


@dataclass
class NextStep:
    description: str
    owner: str
    due: date
    overdue: bool


@dataclass
class LiveConversation:
    id: int
    stage: str
    lead: str
    ask: str | None
    ask_name: str | None
    subject: str | None
    missions: list[str]
    started_on: date
    last_touch: date
    days_since_touch: int
    next_step: NextStep | None
    overdue_steps: int


@dataclass
class CommitmentLine:
    id: int
    kind: str
    kind_name: str
    status: str
    missions: list[str]
    beneficiary: str | None
    agreed_on: date
    due: date | None
    closed_on: date | None
    overdue: bool
    promised: Totals
    delivered: Totals
    story: str | None


@dataclass
class EventAttended:
    name: str
    kind: str
    date: date
    hosted: bool
    people: list[str]
    others: int = 0  # how many more of their people came than are named


@dataclass
class Ask:
    """One suggested ask, in the partner's terms (Figure 2 wording), with the reasons for it."""

    rank: int
    role: str
    role_name: str
    headline: str
    why: list[str]
    ask_of_partner: str
    value_for_partner: str
    value_for_council: str
    mission: str | None = None
    mission_name: str | None = None
    kind: str | None = None
    kind_words: str | None = None
    score: float = 0.0


@dataclass
class WatchOut:
    kind: str  # overdue_step, due_before_meeting, overdue_commitment, lapsed_commitment, stale, other_colleagues
    text: str
    on: date | None = None


@dataclass
class ColleagueInContact:
    name: str
    team: str | None
    last_contact: date | None
    conversations: int
    open_conversations: int
    touchpoints: int
    is_lead: bool = False


@dataclass
class Prepared:
    on: date
    for_colleague: str | None = None
    meeting: date | None = None


@dataclass
class Brief:
    """A one-page brokerage brief: who they are, what is live, what to ask."""

    organisation: Header
    glance: Glance
    contacts: list[KeyPerson]
    ambassadorships: list[AmbassadorRoleHeld]
    conversations: list[LiveConversation]
    commitments: list[CommitmentLine]
    events: list[EventAttended]
    asks: list[Ask]
    watch_outs: list[WatchOut]
    colleagues: list[ColleagueInContact]
    prepared: Prepared


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def brief_dict(brief: Brief) -> dict[str, Any]:
    """The brief as JSON-ready data: the object as it is, dates as ISO strings."""
    plain: dict[str, Any] = _plain(asdict(brief))
    return plain
