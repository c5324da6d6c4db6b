"""The rows of council-scale data, table by table, from one seeded random source.

Each generator decides its rows (with ids from the plan, so rows refer to each other without
a round trip) and hands them to the bulk writer.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.bulk import BulkWriter
from partnercrm.conversations import first_stage_change, first_touchpoint
from partnercrm.matching import name_key
from partnercrm.scale.vocabulary import (
    AMBASSADOR_STATUSES,
    BIG_CONVERSATIONS,
    BIG_PARTNER,
    CHANNELS,
    COMMITMENT_STATUSES,
    DOMAIN_ENDING,
    EVENT_KINDS,
    FIRST,
    HISTORY_DAYS,
    LAST,
    NOTES,
    OTHER_EVENTS,
    PER_UNIT,
    PLACES,
    SECTOR_NAMES,
    SECTOR_WEIGHTS,
    SENIOR_TITLES,
    STAGES,
    STEP_TEXTS,
    STORIES,
    SUBJECTS,
    TITLES,
    WARDS,
)


def _table(model: type[m.Base]) -> Table:
    return m.Base.metadata.tables[model.__tablename__]


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class Plan:
    """What the generator has decided so far, shared between the tables it writes."""

    today: date
    now: datetime
    actor: str
    next_id: dict[str, int]
    used_keys: set[str]
    used_emails: set[str]
    used_events: set[str]
    stamp: dict[str, Any]  # a new versioned row's columns (BulkWriter.stamp)
    used_cores: set[str] = field(default_factory=set)
    colleagues: list[int] = field(default_factory=list)
    missions: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    orgs: list[tuple[int, str, bool]] = field(default_factory=list)  # id, name, anchor
    org_contacts: dict[int, list[int]] = field(default_factory=dict)
    contact_org: dict[int, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def ids(self, table: str, n: int) -> range:
        start = self.next_id[table]
        self.next_id[table] = start + n
        return range(start, start + n)


def start(s: Session, today: date, writer: BulkWriter) -> Plan:
    tables = [
        "organisation",
        "organisation_alias",
        "contact",
        "colleague",
        "conversation",
        "stage_change",
        "touchpoint",
        "step",
        "commitment",
        "delivery",
        "ambassadorship",
        "event",
        "attendance",
    ]
    next_id = {}
    for name in tables:
        table = m.Base.metadata.tables[name]
        next_id[name] = (s.scalar(select(func.max(table.c.id))) or 0) + 1
    used_keys = set(s.scalars(select(m.Organisation.name_key)))
    used_keys |= set(s.scalars(select(m.OrganisationAlias.alias_key)))
    used_emails = {e for e in s.scalars(select(m.Contact.email)) if e}
    used_emails |= set(s.scalars(select(m.ContactEmail.email)))
    used_emails |= set(s.scalars(select(m.Colleague.email)))
    plan = Plan(
        today=today,
        now=writer.now,
        actor=writer.actor,
        stamp=writer.stamp(),
        next_id=next_id,
        used_keys=used_keys,
        used_emails=used_emails,
        used_events=set(s.scalars(select(m.Event.name_key))),
    )
    plan.missions = list(s.scalars(select(m.Mission.id).order_by(m.Mission.id)))
    plan.roles = list(s.scalars(select(m.AmbassadorRole.id).order_by(m.AmbassadorRole.id)))
    plan.kinds = [k.value for k in m.CommitmentKind]
    plan.colleagues = list(s.scalars(select(m.Colleague.id).where(m.Colleague.archived.is_(False))))
    return plan


# --- organisations, contacts, colleagues ---------------------------------------------------


def _org_name(rng: random.Random, sector: str) -> tuple[str, str]:
    """A name and its core: the part two different organisations never share.

    Two names that differ only in a legal suffix or a form word ("Ltd"/"LLP", "Trust"/
    "Project") look like one organisation entered twice, so the generator keeps cores unique
    and leaves real near-duplicates to the importer's tests.
    """
    first, second = SECTOR_NAMES[sector]
    place = rng.choice(PLACES)
    if sector == "business":
        owner = place if rng.random() < 0.6 else rng.choice(LAST)
        core = f"{owner} {rng.choice(first)}"
        return f"{core} {rng.choice(second)}", core
    if sector == "public_sector":
        name = f"{place} {rng.choice(first)}"
        return name, name
    if sector == "higher_education":
        name = f"{place} {rng.choice(first)} {rng.choice(second)}"
        return name, name
    core = f"{place} {rng.choice(first)}"
    return f"{core} {rng.choice(second)}", core


def _unique_org_name(rng: random.Random, plan: Plan, sector: str) -> str:
    for _ in range(20):
        name, core = _org_name(rng, sector)
        if name_key(core) not in plan.used_cores and name_key(name) not in plan.used_keys:
            break
    n = 2
    base = name
    while name_key(name) in plan.used_keys:
        name = f"{base} {n}"
        n += 1
    plan.used_keys.add(name_key(name))
    plan.used_cores.add(name_key(core))
    return name


def _domain(name: str, sector: str) -> str:
    slug = name_key(name).replace(" and ", " ").replace(" ", "")[:28]
    return slug + DOMAIN_ENDING[sector]


def _email(plan: Plan, first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().replace("'", "")
    email = f"{local}@{domain}"
    n = 2
    while email in plan.used_emails:
        email = f"{local}{n}@{domain}"
        n += 1
    plan.used_emails.add(email)
    return email


def _colleagues(plan: Plan, writer: BulkWriter, rng: random.Random, count: int) -> None:
    ids = plan.ids("colleague", count)
    teams = ["Partnerships", "Missions", "Inclusive Economy", "Estates", "Youth", "Communities"]
    rows = []
    for cid in ids:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        rows.append(
            {
                "id": cid,
                "name": name,
                "name_key": name_key(name),
                "email": _email(plan, first, last, "camden.gov.uk"),
                "team": rng.choice(teams),
                "archived": False,
                **plan.stamp,
            }
        )
    plan.counts["colleagues"] = writer.write(_table(m.Colleague), rows, count, "colleagues")
    plan.colleagues.extend(ids)


def _organisations(
    plan: Plan,
    writer: BulkWriter,
    rng: random.Random,
    count: int,
    *,
    fixed: list[tuple[str, str, bool]] | None = None,
) -> list[int]:
    """Write `count` organisations (or the `fixed` (name, sector, anchor) ones); returns ids."""
    specs = fixed or []
    if not fixed:
        sectors = rng.choices(list(SECTOR_WEIGHTS), weights=list(SECTOR_WEIGHTS.values()), k=count)
        specs = [
            (_unique_org_name(rng, plan, sector), sector, rng.random() < 0.03) for sector in sectors
        ]
    ids = plan.ids("organisation", len(specs))
    rows, aliases = [], []
    for oid, (name, sector, anchor) in zip(ids, specs, strict=True):
        rows.append(
            {
                "id": oid,
                "name": name,
                "name_key": name_key(name),
                "sector": sector,
                "anchor": anchor,
                "ward": rng.choice(WARDS),
                "website": f"https://www.{_domain(name, sector)}",
                "notes": None,
                "lead_id": rng.choice(plan.colleagues) if rng.random() < 0.7 else None,
                "archived": rng.random() < 0.01,
                **plan.stamp,
            }
        )
        plan.orgs.append((oid, name, anchor))
        initials = "".join(w[0] for w in name.split() if w[0].isalpha()).upper()
        if len(initials) >= 3 and rng.random() < 0.1 and name_key(initials) not in plan.used_keys:
            plan.used_keys.add(name_key(initials))
            aliases.append((oid, initials))
    plan.counts["organisations"] = plan.counts.get("organisations", 0) + writer.write(
        _table(m.Organisation), rows, len(rows), "organisations"
    )
    alias_ids = plan.ids("organisation_alias", len(aliases))
    plan.counts["aliases"] = plan.counts.get("aliases", 0) + writer.write(
        _table(m.OrganisationAlias),
        (
            {"id": aid, "organisation_id": oid, "alias": alias, "alias_key": name_key(alias)}
            for aid, (oid, alias) in zip(alias_ids, aliases, strict=True)
        ),
        len(aliases),
        "aliases",
    )
    return list(ids)


def _contacts(
    plan: Plan,
    writer: BulkWriter,
    rng: random.Random,
    per_org: dict[int, int],
    sectors: dict[int, str],
) -> None:
    total = sum(per_org.values())
    ids = iter(plan.ids("contact", total))
    names = {oid: name for oid, name, _ in plan.orgs}
    consent_base = plan.today - timedelta(days=HISTORY_DAYS)

    def rows() -> Iterable[dict[str, Any]]:
        for oid, n in per_org.items():
            domain = _domain(names[oid], sectors[oid])
            people = plan.org_contacts.setdefault(oid, [])
            for _ in range(n):
                cid = next(ids)
                first, last = rng.choice(FIRST), rng.choice(LAST)
                name = f"{first} {last}"
                title = rng.choice(TITLES)
                people.append(cid)
                plan.contact_org[cid] = oid
                consent = consent_base + timedelta(days=rng.randrange(HISTORY_DAYS))
                yield {
                    "id": cid,
                    "name": name,
                    "name_key": name_key(name),
                    "email": _email(plan, first, last, domain) if rng.random() < 0.95 else None,
                    "phone": f"020 7{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
                    if rng.random() < 0.5
                    else None,
                    "job_title": title,
                    "senior": title in SENIOR_TITLES,
                    "organisation_id": oid,
                    "lawful_basis": "legitimate_interests",
                    "consent_source": "scale data",
                    "consent_date": consent,
                    "consent_expires": None,
                    "archived": rng.random() < 0.02,
                    "erased_at": None,
                    **plan.stamp,
                }

    plan.counts["contacts"] = plan.counts.get("contacts", 0) + writer.write(
        _table(m.Contact), rows(), total, "contacts"
    )


# --- conversations and everything that hangs off them --------------------------------------


@dataclass
class _Conversation:
    id: int
    org: int
    lead: int
    stage: str
    started: date
    touches: int
    contacts: list[int]
    last_touch: date = date.min
    committed_on: date | None = None


def _decided(
    plan: Plan, rng: random.Random, per_org: dict[int, int], touch_total: int
) -> list[_Conversation]:
    """Each conversation's organisation, lead, stage, start and number of touchpoints."""
    total = sum(per_org.values())
    ids = iter(plan.ids("conversation", total))
    today = plan.today
    convs: list[_Conversation] = []
    extra_touches = max(0, touch_total - total)
    for oid, n in per_org.items():
        people = plan.org_contacts.get(oid, [])
        for _ in range(n):
            # recent conversations are more common than old ones
            age = int(HISTORY_DAYS * rng.random() ** 1.6)
            stage = _weighted(rng, STAGES)
            if age < 20 and stage == "committed":
                stage = "exploring"
            elif age > 365 and stage in m.OPEN_STAGES and rng.random() < 0.7:
                # most conversations that went nowhere for a year were parked or declined
                stage = "parked" if rng.random() < 0.6 else "declined"
            k = 1 if len(people) < 2 or rng.random() < 0.7 else 2
            convs.append(
                _Conversation(
                    id=next(ids),
                    org=oid,
                    lead=rng.choice(plan.colleagues),
                    stage=stage,
                    started=today - timedelta(days=age),
                    touches=1,
                    contacts=rng.sample(people, k) if people else [],
                )
            )
    # extra touchpoints go to older and committed conversations more than to new ones
    weights = [
        (1 + (today - c.started).days / 120) * (2 if c.stage == "committed" else 1) for c in convs
    ]
    for c in rng.choices(convs, weights=weights, k=extra_touches):
        c.touches += 1
    return convs


def _conversations(
    s: Session,
    plan: Plan,
    writer: BulkWriter,
    rng: random.Random,
    per_org: dict[int, int],
    touch_total: int,
    step_total: int,
    label: str = "",
) -> list[_Conversation]:
    """Conversations with their contacts, missions, stage changes, touchpoints, steps and
    commitments; `per_org` says how many conversations each organisation has."""
    total = sum(per_org.values())
    convs = _decided(plan, rng, per_org, touch_total)
    today = plan.today

    asks = [("role", r) for r in plan.roles] + [("kind", k) for k in plan.kinds]
    subjects = SUBJECTS

    def conversation_rows() -> Iterable[dict[str, Any]]:
        for c in convs:
            kind, value = rng.choice(asks)
            # touchpoint dates are decided here so last_touch_on matches them
            span = max(1, min((today - c.started).days, 400))
            c.last_touch = c.started + timedelta(
                days=max((int(span * rng.random() ** 0.7) for _ in range(c.touches - 1)), default=0)
            )
            if c.stage == "committed":
                c.touches = max(c.touches, 2)  # the meeting where it was agreed is a touchpoint
                c.committed_on = c.started + timedelta(days=rng.randint(1, span))
                c.last_touch = max(c.last_touch, c.committed_on)
            yield {
                "id": c.id,
                "organisation_id": c.org,
                "lead_id": c.lead,
                "ask_role_id": value if kind == "role" else None,
                "ask_kind": value if kind == "kind" else None,
                "subject": rng.choice(subjects).format(place=rng.choice(PLACES)),
                "stage": c.stage,
                "started_on": c.started,
                "last_touch_on": c.last_touch,
                "archived": False,
                **plan.stamp,
            }

    plan.counts["conversations"] = plan.counts.get("conversations", 0) + writer.write(
        _table(m.Conversation), conversation_rows(), total, f"conversations{label}"
    )
    writer.write(
        m.conversation_contact,
        ({"conversation_id": c.id, "contact_id": p} for c in convs for p in c.contacts),
        total,
        f"conversation contacts{label}",
    )
    writer.write(
        m.conversation_mission,
        (
            {"conversation_id": c.id, "mission_id": mi}
            for c in convs
            for mi in rng.sample(plan.missions, 1 if rng.random() < 0.75 else 2)
        ),
        total,
        f"conversation missions{label}",
    )
    _stage_changes(plan, writer, rng, convs, label)
    _touchpoints(plan, writer, rng, convs, label)
    _steps(plan, writer, rng, convs, step_total, label)
    _commitments(plan, writer, rng, convs, label)
    return convs


def _stage_changes(
    plan: Plan, writer: BulkWriter, rng: random.Random, convs: list[_Conversation], label: str
) -> None:
    def rows() -> Iterable[dict[str, Any]]:
        for c in convs:
            yield first_stage_change(c.id, c.started, by=plan.actor, at=plan.now)
            moves: list[tuple[str | None, str, date]] = [(None, "initiated", c.started)]
            if c.stage != "initiated":
                end = c.committed_on or c.last_touch
                span = max(0, (end - c.started).days)
                if c.stage == "exploring" or rng.random() < 0.8:
                    explored = c.started + timedelta(days=rng.randint(0, span // 2) if span else 0)
                    moves.append(("initiated", "exploring", explored))
                if c.stage != "exploring":
                    moves.append((moves[-1][1], c.stage, end))
            for frm, to, on in moves[1:]:
                yield {
                    "conversation_id": c.id,
                    "from_stage": frm,
                    "to_stage": to,
                    "changed_on": on,
                    "changed_at": plan.now,
                    "changed_by": plan.actor,
                }

    def with_ids() -> Iterable[dict[str, Any]]:
        for row in rows():
            row["id"] = plan.ids("stage_change", 1)[0]
            yield row

    plan.counts["stage_changes"] = plan.counts.get("stage_changes", 0) + writer.write(
        _table(m.StageChange), with_ids(), len(convs) * 2, f"stage changes{label}"
    )


def _touchpoints(
    plan: Plan, writer: BulkWriter, rng: random.Random, convs: list[_Conversation], label: str
) -> None:
    total = sum(c.touches for c in convs)
    ids = iter(plan.ids("touchpoint", total))
    channels = [c[0] for c in CHANNELS]
    channel_weights = [c[1] for c in CHANNELS]

    def rows() -> Iterable[dict[str, Any]]:
        for c in convs:
            span = (c.last_touch - c.started).days
            days = [0] + sorted(rng.randint(0, span) for _ in range(c.touches - 2))
            if c.touches > 1:
                days.append(span)
            picked = rng.choices(channels, weights=channel_weights, k=len(days))
            first: dict[str, Any] = {}
            for d, channel in zip(days, picked, strict=True):
                note = rng.choice(NOTES)
                text = note.format(place=rng.choice(PLACES)) if note else None
                if not first:  # days[0] is 0: the conversation itself
                    first = first_touchpoint(
                        c.id,
                        c.started,
                        at=plan.now,
                        channel=channel,
                        colleague_id=c.lead,
                        contact_id=c.contacts[0] if c.contacts else None,
                        note=text,
                    )
                    yield {"id": next(ids), **first}
                    continue
                later = {"happened_on": c.started + timedelta(days=d), "channel": channel}
                yield {"id": next(ids), **first, **later, "note": text}

    plan.counts["touchpoints"] = plan.counts.get("touchpoints", 0) + writer.write(
        _table(m.Touchpoint), rows(), total, f"touchpoints{label}"
    )


def _steps(
    plan: Plan,
    writer: BulkWriter,
    rng: random.Random,
    convs: list[_Conversation],
    total: int,
    label: str,
) -> None:
    owners = rng.choices(convs, k=total)
    ids = iter(plan.ids("step", total))
    today = plan.today

    def rows() -> Iterable[dict[str, Any]]:
        for c in owners:
            due = c.started + timedelta(days=rng.randint(3, 60 + (today - c.started).days // 3))
            open_stage = c.stage in m.OPEN_STAGES
            # a step overdue for months is done or dropped; the overdue ones are recent
            recent = due > today - timedelta(days=60)
            if due <= today and (not open_stage or not recent or rng.random() < 0.6):
                done = max(c.started, min(today, due + timedelta(days=rng.randint(-5, 10))))
            elif due > today and not open_stage:
                due, done = today - timedelta(days=rng.randint(1, 30)), today
            else:
                done = None
            yield {
                "id": next(ids),
                "conversation_id": c.id,
                "description": rng.choice(STEP_TEXTS),
                "owner_id": c.lead if rng.random() < 0.8 else rng.choice(plan.colleagues),
                "due_on": due,
                "done_on": done,
                **plan.stamp,
            }

    plan.counts["steps"] = plan.counts.get("steps", 0) + writer.write(
        _table(m.Step), rows(), total, f"steps{label}"
    )


def _promised(
    rng: random.Random, kind: str
) -> tuple[Decimal | None, Decimal | None, int | None, int | None]:
    """What a commitment of `kind` promises: GBP, hours, opportunities, people."""
    gbp = (
        Decimal(rng.randrange(500, 100_000, 500))
        if "sponsorship" in kind or kind == "investment"
        else None
    )
    hours = Decimal(rng.randrange(4, 400)) if kind in ("sponsorship_in_kind", "research") else None
    opportunities = rng.randrange(1, 60) if kind in ("opportunities", "hosting") else None
    people = rng.randrange(5, 300) if rng.random() < 0.6 else None
    return gbp, hours, opportunities, people


def _commitments(
    plan: Plan, writer: BulkWriter, rng: random.Random, convs: list[_Conversation], label: str
) -> None:
    committed = [c for c in convs if c.stage == "committed"]
    ids = plan.ids("commitment", len(committed))
    today = plan.today
    deliveries: list[dict[str, Any]] = []
    missions: list[dict[str, Any]] = []

    def rows() -> Iterable[dict[str, Any]]:
        for cid, c in zip(ids, committed, strict=True):
            assert c.committed_on is not None
            status = _weighted(rng, COMMITMENT_STATUSES)
            agreed = c.committed_on
            age = (today - agreed).days
            if status in ("delivered", "lapsed") and age < 7:
                status = "in_progress"
            kind = rng.choice(plan.kinds)
            gbp, hours, opportunities, people = _promised(rng, kind)
            closed = None
            if status in ("delivered", "lapsed"):
                closed = agreed + timedelta(days=rng.randint(7, max(7, min(age, 365))))
            if status == "delivered" or (status == "in_progress" and rng.random() < 0.3):
                on = closed or agreed + timedelta(days=rng.randint(0, max(0, age)))
                story = (
                    rng.choice(STORIES).format(place=rng.choice(PLACES))
                    if rng.random() < 0.3
                    else None
                )
                deliveries.append(
                    {
                        "commitment_id": cid,
                        "delivered_on": on,
                        "opportunities": opportunities,
                        "people": people,
                        "gbp": gbp,
                        "hours": hours,
                        "story": story,
                        "recorded_by": plan.actor,
                    }
                )
            for mi in rng.sample(plan.missions, 1 if rng.random() < 0.7 else 2):
                missions.append({"commitment_id": cid, "mission_id": mi})
            yield {
                "id": cid,
                "organisation_id": c.org,
                "conversation_id": c.id,
                "kind": kind,
                "beneficiary": f"{rng.choice(PLACES)} residents" if rng.random() < 0.5 else None,
                "promised_gbp": gbp,
                "promised_hours": hours,
                "promised_opportunities": opportunities,
                "promised_people": people,
                "due_on": agreed + timedelta(days=rng.randint(30, 365)),
                "status": status,
                "agreed_on": agreed,
                "closed_on": closed,
                **plan.stamp,
            }

    plan.counts["commitments"] = plan.counts.get("commitments", 0) + writer.write(
        _table(m.Commitment), rows(), len(committed), f"commitments{label}"
    )
    delivery_ids = plan.ids("delivery", len(deliveries))
    for did, row in zip(delivery_ids, deliveries, strict=True):
        row["id"] = did
    plan.counts["deliveries"] = plan.counts.get("deliveries", 0) + writer.write(
        _table(m.Delivery), deliveries, len(deliveries), f"deliveries{label}"
    )
    writer.write(m.commitment_mission, missions, len(missions), f"commitment missions{label}")


# --- ambassadorships, events and attendances ------------------------------------------------


def _ambassadorships(
    plan: Plan, writer: BulkWriter, rng: random.Random, org_ids: list[int]
) -> None:
    chosen = rng.sample(org_ids, max(1, len(org_ids) // 50))
    ids = plan.ids("ambassadorship", len(chosen))
    today = plan.today
    rows = []
    for aid, oid in zip(ids, chosen, strict=True):
        status = _weighted(rng, AMBASSADOR_STATUSES)
        since = today - timedelta(days=rng.randrange(10, 700))
        changed = since + timedelta(days=rng.randint(0, (today - since).days))
        rows.append(
            {
                "id": aid,
                "organisation_id": oid,
                "role_id": rng.choice(plan.roles),
                "mission_id": rng.choice(plan.missions),
                "status": status,
                "since": since,
                "status_changed_on": changed if status != "proposed" else since,
                "ended_on": changed if status == "ended" else None,
                **plan.stamp,
            }
        )
    plan.counts["ambassadorships"] = writer.write(
        _table(m.Ambassadorship), rows, len(rows), "ambassadorships"
    )


def _events(
    plan: Plan, writer: BulkWriter, rng: random.Random, count: int, attendances: int, batch: int
) -> None:
    anchors = [oid for oid, _name, anchor in plan.orgs if anchor] or [o[0] for o in plan.orgs]
    ids = plan.ids("event", count)
    kinds = [k for k, _ in EVENT_KINDS]
    weights = [w for _, w in EVENT_KINDS]
    events = []
    for eid in ids:
        kind = rng.choices(kinds, weights=weights)[0]
        held = plan.today - timedelta(days=rng.randrange(1, HISTORY_DAYS))
        label = {"summit": "Partners' Summit", "roundtable": "Anchor Roundtable"}.get(
            kind, rng.choice(OTHER_EVENTS)
        )
        name = f"{label} {held:%d %b %Y} ({rng.choice(PLACES)}, batch {batch}.{eid})"
        plan.used_events.add(name_key(name))
        events.append(
            {
                "id": eid,
                "name": name,
                "name_key": name_key(name),
                "kind": kind,
                "held_on": held,
                "host_id": rng.choice(anchors),
                "owner_id": rng.choice(plan.colleagues),
                **plan.stamp,
            }
        )
    plan.counts["events"] = writer.write(_table(m.Event), events, count, "events")
    # summits are big, roundtables small; every event gets distinct contacts
    size = {"summit": 6.0, "roundtable": 0.3, "other": 1.0}
    scale = attendances / sum(size[e["kind"]] for e in events)
    everyone = list(plan.contact_org)
    att_rows: list[dict[str, Any]] = []
    interest_m: list[dict[str, Any]] = []
    interest_r: list[dict[str, Any]] = []
    for e in events:
        n = min(len(everyone), max(5, int(size[e["kind"]] * scale)))
        for contact in rng.sample(everyone, n):
            aid = plan.ids("attendance", 1)[0]
            att_rows.append(
                {
                    "id": aid,
                    "event_id": e["id"],
                    "contact_id": contact,
                    "organisation_id": plan.contact_org[contact],
                    "role": "attendee" if rng.random() < 0.95 else "speaker",
                    "registered_at": None,
                }
            )
            if rng.random() < 0.3:
                interest_m.append({"attendance_id": aid, "mission_id": rng.choice(plan.missions)})
                if rng.random() < 0.4:
                    interest_r.append({"attendance_id": aid, "role_id": rng.choice(plan.roles)})
    plan.counts["attendances"] = writer.write(
        _table(m.Attendance), att_rows, len(att_rows), "attendances"
    )
    writer.write(m.attendance_mission, interest_m, len(interest_m), "attendance interest")
    writer.write(m.attendance_role, interest_r, len(interest_r), "attendance interest")


# --- the whole build ------------------------------------------------------------------------


def _allocate(rng: random.Random, org_ids: list[int], total: int) -> dict[int, int]:
    """Skewed counts of conversations per organisation: some none, many one, a long tail."""
    counts: dict[int, int] = {}
    rest = []
    for oid in org_ids:
        r = rng.random()
        if r < 0.15:
            counts[oid] = 0
        elif r < 0.5:
            counts[oid] = 1
        else:
            rest.append(oid)
    remaining = max(0, total - sum(counts.values()))
    # a Pareto tail, softly capped so the busiest partners are many hundreds, not all one size
    weights = [w / (1 + w / 40) for w in (rng.paretovariate(1.1) for _ in rest)]
    scale = remaining / (sum(weights) or 1)
    for oid, w in zip(rest, weights, strict=True):
        # the big partner stays the one with the longest history
        counts[oid] = min(BIG_CONVERSATIONS - 1, max(2, round(w * scale)))
    return counts


def _spread(
    rng: random.Random, keys: Sequence[int], weights: Sequence[float], total: int, minimum: int = 1
) -> dict[int, int]:
    """`total` items spread over `keys` in proportion to `weights`, at least `minimum` each."""
    spare = max(0, total - minimum * len(keys))
    wsum = sum(weights) or 1.0
    out = {k: minimum + int(spare * w / wsum) for k, w in zip(keys, weights, strict=True)}
    short = total - sum(out.values())
    for k in rng.choices(list(keys), weights=list(weights), k=max(0, short)):
        out[k] += 1
    return out


def big_partner(s: Session, plan: Plan, writer: BulkWriter, seed: int) -> dict[str, Any]:
    """The anchor with a long history: the same size at every scale."""
    rng = random.Random(seed * 7919)
    name = BIG_PARTNER
    n = 2
    while name_key(name) in plan.used_keys:
        name = f"{BIG_PARTNER} {n}"
        n += 1
    plan.used_keys.add(name_key(name))
    [oid] = _organisations(plan, writer, rng, 1, fixed=[(name, "business", True)])
    _contacts(plan, writer, rng, {oid: 200}, {oid: "business"})
    convs = _conversations(
        s,
        plan,
        writer,
        rng,
        {oid: BIG_CONVERSATIONS},
        BIG_CONVERSATIONS * 3,
        int(BIG_CONVERSATIONS * 1.5),
        " (big partner)",
    )
    return {
        "id": oid,
        "name": name,
        "conversations": len(convs),
        "commitments": sum(1 for c in convs if c.stage == "committed"),
    }


def generate(s: Session, plan: Plan, writer: BulkWriter, rng: random.Random, scale: int) -> None:
    batch = (
        s.scalar(
            select(func.count()).where(
                m.HistoryEntry.action == "bulk_create", m.HistoryEntry.entity == "organisation"
            )
        )
        or 0
    )
    _colleagues(plan, writer, rng, 10 + scale // 2)
    n_orgs = PER_UNIT["organisations"] * scale
    org_ids = _organisations(plan, writer, rng, n_orgs)
    sectors = {
        oid: sec
        for oid, sec in s.execute(
            select(m.Organisation.id, m.Organisation.sector).where(m.Organisation.id >= org_ids[0])
        )
    }
    conv_counts = _allocate(rng, org_ids, PER_UNIT["conversations"] * scale)
    # bigger partners have more people; every partner has someone to talk to
    contact_counts = _spread(
        rng, org_ids, [(1 + conv_counts[o]) ** 0.8 for o in org_ids], PER_UNIT["contacts"] * scale
    )
    _contacts(plan, writer, rng, contact_counts, sectors)
    _conversations(
        s,
        plan,
        writer,
        rng,
        conv_counts,
        PER_UNIT["touchpoints"] * scale,
        PER_UNIT["steps"] * scale,
    )
    _ambassadorships(plan, writer, rng, org_ids)
    _events(
        plan, writer, rng, PER_UNIT["events"] * scale, PER_UNIT["attendances"] * scale, batch + 1
    )
