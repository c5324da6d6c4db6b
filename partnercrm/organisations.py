"""Organisations: partners and prospects, their aliases, and their derived relationship stage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from partnercrm import labels
from partnercrm import models as m
from partnercrm.archive import set_archived  # noqa: F401  (found where the noun is)
from partnercrm.concurrency import check_version
from partnercrm.dates import as_date
from partnercrm.errors import Conflict, Invalid, ProbableDuplicate
from partnercrm.matching import find_one, name_key

SUSTAIN_AFTER_DAYS = 365
_JOINING = {"and", "of", "the"}  # in a sector's words, not what a filter's word is about


def sectors_named(text: str) -> list[str]:
    """Sector codes that `text` names as a list shows them: the code, or the start of its words
    ('volunt', 'voluntary and community' -> vcs; 'sector' -> every sector called so)."""
    typed = " ".join(text.lower().split())
    if not typed or typed in _JOINING:
        return []
    return [
        code
        for code, words in labels.SECTOR.items()
        if code == typed.replace(" ", "_")
        or words.startswith(typed)
        or (" " not in typed and any(w.startswith(typed) for w in words.split()))
    ]


def _query_condition(session: Session, query: str) -> Any:
    """Organisations with every typed word in their name, aliases, ward or sector, the sector
    read as the list shows it ('voluntary') as well as its code ('vcs')."""
    from partnercrm.search import organisation_id_query, words

    o = m.Organisation
    tokens = words(query)
    plain = [t for t in tokens if not sectors_named(t)]
    conditions: list[Any] = []
    if plain:
        conditions.append(o.id.in_(organisation_id_query(session, " ".join(plain))))
    for token in tokens:
        if token not in plain:
            conditions.append(
                or_(
                    o.sector.in_(sectors_named(token)),
                    o.id.in_(organisation_id_query(session, token)),
                )
            )
    return and_(*conditions) if conditions else o.id.in_(organisation_id_query(session, query))


def check_sector(sector: str) -> str:
    """The code of a sector given as its code (`vcs`) or as the words people read for it."""
    value = (sector or "").strip().lower().replace(" ", "_").replace("-", "_")
    named = {words.replace(" ", "_"): code for code, words in labels.SECTOR.items()}
    value = named.get(value, value)
    if value not in {s.value for s in m.Sector}:
        raise Invalid(
            f"sector {sector!r} is not one of {', '.join(s.value for s in m.Sector)}",
            field="sector",
        )
    return value


def check_website(url: str | None) -> str | None:
    """A web address people can follow: http(s) only, so a `javascript:` link never reaches a page."""
    if url is None or not url.strip():
        return None
    raw = url.strip()
    if "://" not in raw and ":" not in raw.split("/")[0]:
        raw = "https://" + raw
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in parsed.netloc:
        raise Invalid(f"website {url!r} is not an http(s) address", field="website")
    return raw


def _claim_key(session: Session, key: str, given: str, owner_id: int | None = None) -> None:
    """Refuse a name or alias that another organisation already uses (case and punctuation aside)."""
    if not key:
        raise Invalid(f"{given!r} is not a usable organisation name", field="name")
    by_name = session.scalar(select(m.Organisation).where(m.Organisation.name_key == key))
    by_alias = session.scalar(
        select(m.Organisation).join(m.OrganisationAlias).where(m.OrganisationAlias.alias_key == key)
    )
    for other in (by_name, by_alias):
        if other is not None and other.id != owner_id:
            raise Conflict(
                f"{given!r} is already used by the organisation {other.name} (id {other.id})"
            )


def add_organisation(
    session: Session,
    name: str,
    sector: str,
    *,
    aliases: Iterable[str] = (),
    anchor: bool = False,
    ward: str | None = None,
    lead: m.Colleague | None = None,
    website: str | None = None,
    notes: str | None = None,
    new: bool = False,
) -> m.Organisation:
    """Add an organisation; one that looks like a stored one is refused unless `new` says so."""
    name = (name or "").strip()
    if not name:
        raise Invalid("an organisation needs a name", field="name")
    key = name_key(name)
    _claim_key(session, key, name)
    if lead is not None:
        from partnercrm.colleagues import check_active

        check_active(lead, "lead")
    if not new:
        from partnercrm.dedupe import organisation_lookalikes

        if found := organisation_lookalikes(session, name):
            raise ProbableDuplicate("organisation", name, [f"{o.name} (id {o.id})" for o in found])
    org = m.Organisation(
        name=name,
        name_key=key,
        sector=check_sector(sector),
        anchor=anchor,
        ward=(ward or "").strip() or None,
        lead=lead,
        website=check_website(website),
        notes=notes,
    )
    session.add(org)
    session.flush()
    for alias in aliases:
        add_alias(session, org, alias)
    return org


def add_alias(session: Session, org: m.Organisation, alias: str) -> None:
    alias = alias.strip()
    key = name_key(alias)
    if not alias or key == org.name_key or any(a.alias_key == key for a in org.aliases):
        return
    _claim_key(session, key, alias, owner_id=org.id)
    org.aliases.append(m.OrganisationAlias(alias=alias, alias_key=key))
    session.flush()


def _rename(session: Session, org: m.Organisation, name: str) -> None:
    """A new name; the old one becomes an alias (and an alias that is the new name goes)."""
    new_key = name_key(name)
    old_name = org.name
    if new_key != org.name_key:
        # the new name may be one of the organisation's own aliases: swap them
        own = [a for a in org.aliases if a.alias_key == new_key]
        for a in own:
            org.aliases.remove(a)
        session.flush()
        _claim_key(session, new_key, name, owner_id=org.id)
    org.name, org.name_key = name.strip(), new_key
    session.flush()
    if name_key(old_name) != new_key:
        add_alias(session, org, old_name)


def _remove_alias(org: m.Organisation, alias: str) -> None:
    key = name_key(alias)
    gone = [a for a in org.aliases if a.alias_key == key]
    if not gone:
        known = ", ".join(repr(a.alias) for a in org.aliases) or "none"
        raise Invalid(
            f"{alias!r} is not an alias of {org.name} (its aliases: {known})", field="alias"
        )
    for a in gone:
        org.aliases.remove(a)


def edit_organisation(
    session: Session,
    org: m.Organisation,
    *,
    expected_version: int | None = None,
    name: str | None = None,
    sector: str | None = None,
    anchor: bool | None = None,
    ward: str | None = None,
    lead: m.Colleague | None = None,
    clear_lead: bool = False,
    website: str | None = None,
    notes: str | None = None,
    add_aliases: Iterable[str] = (),
    remove_aliases: Iterable[str] = (),
) -> m.Organisation:
    """Change the given fields (None leaves a field as it is); the old name becomes an alias."""
    check_version(org, expected_version)
    if name is not None and not name.strip():
        raise Invalid("an organisation needs a name", field="name")
    if name is not None and name.strip() != org.name:
        _rename(session, org, name)
    if sector is not None:
        org.sector = check_sector(sector)
    if anchor is not None:
        org.anchor = anchor
    if ward is not None:
        org.ward = ward.strip() or None
    if lead is not None or clear_lead:
        if lead is not None and lead is not org.lead:
            from partnercrm.colleagues import check_active

            check_active(lead, "lead")
        org.lead = lead
    if website is not None:
        org.website = check_website(website)
    if notes is not None:
        org.notes = notes
    for alias in remove_aliases:
        _remove_alias(org, alias)
    for alias in add_aliases:
        add_alias(session, org, alias)
    session.flush()
    return org


def find_organisation(session: Session, text: str) -> m.Organisation:
    """An organisation by id, name or alias, ignoring case and punctuation; a unique prefix works."""
    given = text.strip()
    if given.isdigit() and (found := session.get(m.Organisation, int(given))):
        return found
    key = name_key(given)
    o, a = m.Organisation, m.OrganisationAlias
    alias_owner = select(a.organisation_id)
    return find_one(
        session,
        "organisation",
        given,
        exact=select(o).where(
            or_(o.name_key == key, o.id.in_(alias_owner.where(a.alias_key == key)))
        ),
        prefix=select(o)
        .where(
            o.archived.is_(False),
            or_(
                o.name_key.startswith(key, autoescape=True),
                o.id.in_(alias_owner.where(a.alias_key.startswith(key, autoescape=True))),
            ),
        )
        .order_by(o.name_key),
        names=select(o.name).union(select(a.alias)),
    )


def relationship_stages(session: Session, org_ids: Sequence[int]) -> dict[int, m.RelationshipStage]:
    """Each organisation's stage, derived in one statement whatever the number of ids.

    prospect: nothing yet; initiate: only conversations; convert: a commitment agreed;
    grow: two or more live commitments or an active ambassadorship; sustain: delivered
    commitments spread over more than twelve months.
    """
    if not org_ids:
        return {}
    ids = list(org_ids)
    Org, C = m.Organisation, m.Commitment
    live = C.status != m.CommitmentStatus.LAPSED
    delivered = C.status == m.CommitmentStatus.DELIVERED
    active = (
        select(m.Ambassadorship.id)
        .where(
            m.Ambassadorship.organisation_id == Org.id,
            m.Ambassadorship.status == m.AmbassadorStatus.ACTIVE,
        )
        .exists()
    )
    talking = (
        select(m.Conversation.id)
        .where(m.Conversation.organisation_id == Org.id, m.Conversation.archived.is_(False))
        .exists()
    )
    rows = session.execute(
        select(
            Org.id,
            func.count(C.id).filter(live).label("live"),
            func.min(case((delivered, C.closed_on))).label("first_delivered"),
            func.max(case((delivered, C.closed_on))).label("last_delivered"),
            active.label("active"),
            talking.label("talking"),
        )
        .outerjoin(C, C.organisation_id == Org.id)
        .where(Org.id.in_(ids))
        .group_by(Org.id)
    ).all()
    stages = dict.fromkeys(ids, m.RelationshipStage.PROSPECT)
    for row in rows:
        stages[row.id] = _stage(row)
    return stages


def _stage(row: Any) -> m.RelationshipStage:
    first, last = as_date(row.first_delivered), as_date(row.last_delivered)
    if first and last and (last - first).days > SUSTAIN_AFTER_DAYS:
        return m.RelationshipStage.SUSTAIN
    if row.live >= 2 or row.active:
        return m.RelationshipStage.GROW
    if row.live >= 1:
        return m.RelationshipStage.CONVERT
    if row.talking:
        return m.RelationshipStage.INITIATE
    return m.RelationshipStage.PROSPECT


def relationship_stage(session: Session, org: m.Organisation) -> m.RelationshipStage:
    return relationship_stages(session, [org.id])[org.id]


@dataclass
class PartnerRow:
    """One line of the partners list."""

    id: int
    name: str
    sector: str
    anchor: bool
    ward: str | None
    lead: str | None
    last_touch: date | None
    open_steps: int
    stage: m.RelationshipStage = m.RelationshipStage.PROSPECT

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "sector": self.sector,
            "anchor": self.anchor,
            "ward": self.ward,
            "lead": self.lead,
            "stage": self.stage.value,
            "last_touch": self.last_touch.isoformat() if self.last_touch else None,
            "open_steps": self.open_steps,
        }


def _filtered(
    session: Session,
    q: Any,
    sector: str | None,
    anchor: bool | None,
    ward: str | None,
    lead: m.Colleague | None,
    mission: m.Mission | None,
    query: str | None,
) -> Any:
    """`q` narrowed to the partners the list's filters keep."""
    o = m.Organisation
    if sector:
        q = q.where(o.sector.in_(sectors_named(sector) or [check_sector(sector)]))
    if anchor is not None:
        q = q.where(o.anchor.is_(anchor))
    if ward:
        q = q.where(func.lower(o.ward) == ward.strip().lower())
    if lead is not None:
        q = q.where(o.lead_id == lead.id)
    if mission is not None:
        q = q.where(o.id.in_(organisations_with_mission(mission)))
    if query and query.strip():
        q = q.where(_query_condition(session, query))
    return q


def list_organisations(
    session: Session,
    *,
    sector: str | None = None,
    anchor: bool | None = None,
    mission: m.Mission | None = None,
    ward: str | None = None,
    lead: m.Colleague | None = None,
    query: str | None = None,
    include_archived: bool = False,
    order: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[PartnerRow]:
    """Organisations with their last touch and open steps, filtered, sorted and paged in SQL.

    `query` keeps organisations with a word starting with each of its words in their name,
    aliases, ward or sector (as you type: "wellc" keeps Wellcome Collection), using the
    search index.
    """
    o = m.Organisation
    conv, step = m.Conversation, m.Step
    last_touch = (
        select(func.max(conv.last_touch_on))
        .where(conv.organisation_id == o.id, conv.archived.is_(False))
        .scalar_subquery()
    )
    open_steps = (
        select(func.count(step.id))
        .join(conv, conv.id == step.conversation_id)
        .where(conv.organisation_id == o.id, step.done_on.is_(None), conv.archived.is_(False))
        .scalar_subquery()
    )
    q = select(o.id, o.name, o.sector, o.anchor, o.ward, m.Colleague.name, last_touch, open_steps)
    q = q.outerjoin(m.Colleague, m.Colleague.id == o.lead_id)
    if not include_archived:
        q = q.where(o.archived.is_(False))
    q = _filtered(session, q, sector, anchor, ward, lead, mission, query)
    column = {
        "name": o.name_key,
        "sector": o.sector,
        "last_touch": last_touch,
        "open_steps": open_steps,
        "ward": o.ward,
    }.get(order)
    if column is None and order != "stage":
        raise Invalid(f"cannot sort partners by {order!r}", field="order")
    if column is not None:
        ordering = (column.desc() if descending else column, o.name_key)
        if limit and order in ("name", "sector", "ward"):
            # choose the page on the plain column first, so last touch and open steps are
            # computed for one page of rows rather than for every match (a filter typed in
            # the TUI can match thousands of partners at council scale)
            page = q.with_only_columns(o.id).order_by(*ordering).limit(limit).offset(offset)
            q = q.where(o.id.in_(page.scalar_subquery())).order_by(*ordering)
        else:
            q = q.order_by(*ordering)
            if limit:
                q = q.limit(limit).offset(offset)
    rows = [PartnerRow(*r) for r in session.execute(q)]
    for row in rows:
        row.last_touch = as_date(row.last_touch)
    stages = relationship_stages(session, [r.id for r in rows])
    for row in rows:
        row.stage = stages[row.id]
    if order == "stage":
        ranking = list(m.RelationshipStage)
        rows.sort(key=lambda r: (ranking.index(r.stage), r.name.lower()), reverse=descending)
        rows = rows[offset : offset + limit] if limit else rows[offset:]
    return rows


def organisations_with_mission(mission: m.Mission) -> Any:
    """A subquery of the ids of organisations working on `mission` in any way."""
    return (
        select(m.Conversation.organisation_id)
        .join(m.conversation_mission)
        .where(m.conversation_mission.c.mission_id == mission.id)
        .union(
            select(m.Commitment.organisation_id)
            .join(m.commitment_mission)
            .where(m.commitment_mission.c.mission_id == mission.id),
            select(m.Ambassadorship.organisation_id).where(
                m.Ambassadorship.mission_id == mission.id
            ),
        )
    )


def organisation_dict(
    org: m.Organisation, stage: m.RelationshipStage | None = None
) -> dict[str, Any]:
    data = {
        "id": org.id,
        "name": org.name,
        "aliases": [a.alias for a in org.aliases],
        "sector": org.sector,
        "anchor": org.anchor,
        "ward": org.ward,
        "website": org.website,
        "lead": org.lead.name if org.lead else None,
        "archived": org.archived,
        "version": org.version,
    }
    if stage is not None:
        data["stage"] = stage.value
    return data


def organisation_detail(session: Session, org: m.Organisation) -> dict[str, Any]:
    """Everything `partner show` prints: the record, its stage, and what hangs off it."""
    from partnercrm import ambassadors, commitments, contacts, conversations, events

    data = organisation_dict(org, relationship_stage(session, org))
    data["notes"] = org.notes
    data["contacts"] = [contacts.contact_dict(c) for c in contacts.list_contacts(session, org)]
    data["conversations"] = [
        conversations.conversation_dict(c)
        for c in conversations.list_conversations(session, organisation=org, include_closed=True)
    ]
    data["commitments"] = [
        commitments.commitment_dict(c)
        for c in commitments.list_commitments(session, organisation=org)
    ]
    data["ambassadorships"] = [
        ambassadors.ambassadorship_dict(a)
        for a in ambassadors.list_ambassadorships(session, organisation=org)
    ]
    data["events"] = events.events_attended(session, org)
    return data
