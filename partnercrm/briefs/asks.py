"""The asks a brief suggests: the roles a partner could take next, ranked, each with reasons.

The reasons are the evidence a leader can use in the room: what their people said at events,
what others in their sector have committed to, what they already do with us, and what suits
their relationship stage; an ask already in play in an open conversation is built on, not
asked afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from partnercrm import labels
from partnercrm import models as m

from .model import KIND_NAMES, KIND_WORDS, Ask

ASKS = 3

# which roles suit a partner at each relationship stage: a first ask is light, later ones deeper
STAGE_FIT = {
    m.RelationshipStage.PROSPECT: ("recognition", "advocate"),
    m.RelationshipStage.INITIATE: ("recognition", "advocate"),
    m.RelationshipStage.CONVERT: ("advocate", "sponsorship"),
    m.RelationshipStage.GROW: ("sponsorship", "research"),
    m.RelationshipStage.SUSTAIN: ("sponsorship", "research"),
}

STAGE_WORDS = {
    m.RelationshipStage.PROSPECT: "A light first ask of a partner we have not yet worked with",
    m.RelationshipStage.INITIATE: "A light first ask while conversations are warm but nothing is agreed",
    m.RelationshipStage.CONVERT: "The usual next step once a first commitment is agreed",
    m.RelationshipStage.GROW: "Suits a partner that already delivers with us",
    m.RelationshipStage.SUSTAIN: "Suits a long-standing partner with a record of delivery",
}

# "2 other businesses made research commitments"
SECTOR_PEERS = {
    "business": ("business", "businesses"),
    "public_sector": ("public body", "public bodies"),
    "higher_education": ("university or college", "universities and colleges"),
    "vcs": ("voluntary or community organisation", "voluntary and community organisations"),
    "social_action": ("social action organisation", "social action organisations"),
    "culture": ("cultural organisation", "cultural organisations"),
}


class Said(NamedTuple):
    """Someone from the partner said they were interested, at an event."""

    event: str
    on: date
    person: str


class Peers(NamedTuple):
    """Other organisations in the sector that made one kind of commitment."""

    total: int
    names: list[str]  # examples: the first and last by name


class InPlay(NamedTuple):
    """Open conversations already asking for a role (or kind of commitment)."""

    conversations: int
    lead: str


@dataclass
class Interest:
    """What the partner's people said they were interested in at events, per mission or role
    id, most recent first."""

    missions: dict[int, list[Said]] = field(default_factory=dict)
    roles: dict[int, list[Said]] = field(default_factory=dict)


@dataclass
class Evidence:
    """What the asks are ranked on."""

    sector: str
    stage: m.RelationshipStage
    held: set[int]  # role ids held (not ended)
    made_kinds: set[str]  # kinds of commitment made (not lapsed)
    delivered: int  # commitments delivered
    committed_missions: set[int]
    interest: Interest
    peers: dict[str, Peers]  # by kind of commitment
    in_play: Sequence[Any]  # rows: role_id, kind, conversations, lead
    today: date  # the brief's day: its dates are shown as the rest of the brief shows them


def suggest_asks(
    roles: Sequence[m.AmbassadorRole], missions: dict[int, m.Mission], evidence: Evidence
) -> list[Ask]:
    """Rank the roles the partner could take next, each with the reasons for asking."""
    playing = _in_play(evidence.in_play)
    candidates = [ask for role in roles if (ask := _ask_for(role, evidence, playing)) is not None]
    order = {r.key: i for i, r in enumerate(roles)}
    candidates.sort(key=lambda a: (-a.score, order[a.role]))
    asks = candidates[:ASKS]
    # the reason an ask leads with: what their people said about the role (not held yet)
    said_first = {
        r.key for r in roles if r.id in evidence.interest.roles and r.id not in evidence.held
    }
    _with_missions(asks, missions, evidence, said_first)
    for rank, ask in enumerate(asks, 1):
        ask.rank = rank
    return asks


def _in_play(rows: Sequence[Any]) -> dict[int | str, InPlay]:
    """Asks already in open conversations: by role id, or by kind when no role."""
    found: dict[int | str, InPlay] = {}
    for row in rows:
        if row.role_id is not None:
            found[row.role_id] = InPlay(row.conversations, row.lead)
        elif row.kind:
            found[row.kind] = InPlay(row.conversations, row.lead)
    return found


def _ask_for(role: m.AmbassadorRole, e: Evidence, playing: dict[int | str, InPlay]) -> Ask | None:
    kinds = role.commitment_kinds.split()
    already = role.id in e.held
    score = 0.0 if already else 1.0
    why: list[str] = []
    said = e.interest.roles.get(role.id)
    if said:
        latest = said[0]
        score += 4
        why.append(
            f"{latest.person} expressed interest in this role at {latest.event} "
            f"({labels.day(latest.on, e.today)})"
        )
    # the kind most often committed by others in the sector, among the kinds this role covers
    peer_kind = max(
        (k for k in kinds if k in e.peers and (not already or k not in e.made_kinds)),
        key=lambda k: (e.peers[k].total, -kinds.index(k)),
        default=None,
    )
    if peer_kind:
        peers = e.peers[peer_kind]
        n = peers.total
        score += min(3, n) * 0.75
        one, many = SECTOR_PEERS.get(e.sector, ("organisation", "organisations"))
        text = f"{n} other {one if n == 1 else many} made {KIND_NAMES[peer_kind]} commitments"
        if peers.names:
            text += f" (for example {and_list(peers.names)})"
        why.append(text)
    score += _own_record(role, kinds, already, e, why)
    if already:
        if not peer_kind:
            return None
        why.insert(0, f"They already hold the {role.name} role; this deepens it")
    in_play = playing.get(role.id) or next((playing[k] for k in kinds if k in playing), None)
    if in_play:
        n = in_play.conversations
        score -= 1.5
        where = "an open conversation" if n == 1 else f"{n} open conversations"
        why.append(
            f"Already being discussed in {where} led by {in_play.lead}: build on it rather "
            "than ask afresh"
        )
    if not why:
        why.append(f"They do not yet hold the {role.name} role")
    suggested = peer_kind or (kinds[0] if kinds else None)
    return Ask(
        rank=0,
        role=role.key,
        role_name=role.name,
        headline=(
            f"Deepen their {role.name} role"
            if already
            else f"Invite them to take the {role.name} role"
        ),
        why=why,
        ask_of_partner=role.ask_of_partner,
        value_for_partner=role.value_for_partner,
        value_for_council=role.value_for_council,
        kind=suggested,
        kind_words=KIND_WORDS.get(suggested or ""),
        score=round(score, 2),
    )


def _own_record(
    role: m.AmbassadorRole, kinds: list[str], already: bool, e: Evidence, why: list[str]
) -> float:
    """What they already do with us, and their stage, for a role they do not hold yet."""
    if already:
        return 0.0
    score = 0.0
    own = [k for k in kinds if k in e.made_kinds]
    if own:
        score += 2
        why.append(
            f"They already make {and_list(KIND_NAMES[k] for k in own)} commitments: "
            f"the role would recognise and build on that"
        )
    if role.key == "recognition" and e.delivered:
        score += 1.5
        why.append(
            f"They have delivered {e.delivered} commitment{'s' if e.delivered != 1 else ''}: "
            "a story we can tell"
        )
    if role.key in STAGE_FIT.get(e.stage, ()):
        score += 1
        why.append(f"{STAGE_WORDS[e.stage]} ({e.stage.value} stage)")
    return score


def _with_missions(
    asks: list[Ask], missions: dict[int, m.Mission], e: Evidence, said_first: set[str]
) -> None:
    """Missions they showed interest in without committing go with the strongest asks, one each
    (most recent interest first), after what was said about the ask's role (`said_first`)."""
    latest = {mid: seen[0] for mid, seen in e.interest.missions.items()}
    open_interest = sorted(
        (mid for mid in latest if mid not in e.committed_missions),
        key=lambda mid: latest[mid].on,
        reverse=True,
    )
    for ask, mission_id in zip(asks, open_interest, strict=False):
        mission, said = missions[mission_id], latest[mission_id]
        ask.mission, ask.mission_name = mission.key, mission.name
        ask.headline += f" for the {mission.name} mission"
        ask.why.insert(
            1 if ask.role in said_first else 0,
            f"{said.person} showed interest in the {mission.name} mission at {said.event} "
            f"({labels.day(said.on, e.today)}), with no commitment to it yet",
        )


def and_list(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    found = list(items)
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
