"""Sectors: organisations and commitments by sector and by anchor flag."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.reports.filters import (
    Filters,
    commitments_joined,
    conversations_joined,
    for_reports,
    live_commitment,
    live_conversation,
)
from partnercrm.reports.table import Table, number, sector_name

SECTORS = [s.value for s in m.Sector]


@dataclass
class SectorLine:
    sector: str  # a sector, or 'all'
    anchor: bool | None  # None: anchors and others together
    organisations: int  # organisations (not archived)
    open_conversations: int  # open warm conversations now
    partners_committed: int  # organisations with a commitment agreed in the period
    commitments: int  # commitments agreed in the period
    delivered: int  # of those, delivered
    delivered_gbp: int | float  # GBP delivered in the period (deliveries)
    delivered_people: int | float

    anchors: int = 0  # of the organisations, how many are anchor institutions

    @property
    def label(self) -> str:
        if self.sector == "all":
            if self.anchor is None:
                return "All sectors"
            return "Anchor institutions" if self.anchor else "Other organisations"
        name = sector_name(self.sector)
        if self.anchor is None:
            return name
        return f"{name} ({'anchor' if self.anchor else 'not anchor'})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "anchor": self.anchor,
            "label": self.label,
            "organisations": self.organisations,
            "anchors": self.anchors,
            "open_conversations": self.open_conversations,
            "partners_committed": self.partners_committed,
            "commitments": self.commitments,
            "delivered": self.delivered,
            "delivered_gbp": self.delivered_gbp,
            "delivered_people": self.delivered_people,
        }


@dataclass
class Sectors:
    """Organisations and commitments per sector, split by anchor flag, with subtotals."""

    filters: Filters
    lines: list[SectorLine] = field(default_factory=list)  # sector x anchor
    sectors: list[SectorLine] = field(default_factory=list)  # per sector (anchor=None)
    anchors: list[SectorLine] = field(default_factory=list)  # anchors, not anchors
    total: SectorLine | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "by_sector_and_anchor": [x.as_dict() for x in self.lines],
            "by_sector": [x.as_dict() for x in self.sectors],
            "by_anchor": [x.as_dict() for x in self.anchors],
            "total": self.total.as_dict() if self.total else None,
        }

    def tables(self) -> list[Table]:
        columns = [
            ("label", "Sector"),
            ("organisations", "Organisations"),
            ("anchors", "Anchors"),
            ("open_conversations", "Open conversations"),
            ("partners_committed", "Partners committed"),
            ("commitments", "Commitments"),
            ("delivered", "Delivered"),
            ("delivered_gbp", "GBP delivered"),
            ("delivered_people", "People involved"),
        ]
        everything = [*self.sectors, *self.anchors]
        if self.total:
            everything.append(self.total)
        return [
            Table(
                "sectors",
                "Organisations and commitments by sector, and anchors against others",
                columns,
                [x.as_dict() for x in everything],
                note="Commitments: agreed in the period; GBP and people: delivered in the period.",
            )
        ]


def _organisation_scope(session: Session, f: Filters) -> list[Any]:
    """The organisations counted: not archived, and the sector, lead and mission filters."""
    o = m.Organisation
    org_scope: list[Any] = [o.archived.is_(False)]
    if f.sector:
        org_scope.append(o.sector == f.sector)
    if f.lead_id is not None:
        org_scope.append(o.lead_id == f.lead_id)
    if f.mission_id is not None:
        from partnercrm.organisations import organisations_with_mission

        mission = session.get(m.Mission, f.mission_id)
        assert mission is not None
        org_scope.append(o.id.in_(organisations_with_mission(mission)))
    return org_scope


def _figures(
    session: Session, f: Filters, org_scope: list[Any]
) -> dict[tuple[str, bool], dict[str, Any]]:
    """Per (sector, anchor): organisations, open conversations, commitments and deliveries."""
    o = m.Organisation
    # the conversation/commitment helpers apply the lead to the conversation; here it is the
    # organisation's, so they get filters without it
    from dataclasses import replace

    inner = replace(f, lead_id=None, lead=None)

    orgs = session.execute(
        select(o.sector, o.anchor, func.count()).where(*org_scope).group_by(o.sector, o.anchor)
    ).all()
    c = m.Conversation
    talking = session.execute(
        conversations_joined(o.sector, o.anchor, func.count(), organisation=True)
        .where(live_conversation(inner), c.stage.in_(m.OPEN_STAGES), *org_scope)
        .group_by(o.sector, o.anchor)
    ).all()
    cm = m.Commitment
    committed = session.execute(
        commitments_joined(
            o.sector,
            o.anchor,
            func.count(func.distinct(o.id)),
            func.count(),
            func.coalesce(
                func.sum(case((cm.status == m.CommitmentStatus.DELIVERED, 1), else_=0)), 0
            ),
            organisation=True,
        )
        .where(live_commitment(inner), f.in_period(cm.agreed_on), *org_scope)
        .group_by(o.sector, o.anchor)
    ).all()
    d = m.Delivery
    delivered = session.execute(
        commitments_joined(
            o.sector, o.anchor, func.sum(d.gbp), func.sum(d.people), organisation=True
        )
        .join(d, d.commitment_id == cm.id)
        .where(live_commitment(inner), f.in_period(d.delivered_on), *org_scope)
        .group_by(o.sector, o.anchor)
    ).all()

    figures: dict[tuple[str, bool], dict[str, Any]] = {}

    def slot(sector: str, anchor: Any) -> dict[str, Any]:
        return figures.setdefault((sector, bool(anchor)), {})

    for sector, anchor, n in orgs:
        slot(sector, anchor)["organisations"] = n
    for sector, anchor, n in talking:
        slot(sector, anchor)["open_conversations"] = n
    for sector, anchor, partners, n, done in committed:
        slot(sector, anchor).update(partners_committed=partners, commitments=n, delivered=done)
    for sector, anchor, gbp, people in delivered:
        slot(sector, anchor).update(delivered_gbp=number(gbp), delivered_people=number(people))
    return figures


def sectors(session: Session, filters: Filters | None = None) -> Sectors:
    """Per sector and anchor flag: organisations, open conversations, partners committed,
    commitments agreed and delivered (in the period), GBP and people delivered (in the period).

    Mission narrows organisations to those working on it (a conversation, commitment or
    ambassadorship for it); lead is the organisation's relationship lead.
    """
    for_reports(session)
    f = filters or Filters()
    figures = _figures(session, f, _organisation_scope(session, f))

    def make(sector: str, anchor: bool | None, keys: list[tuple[str, bool]]) -> SectorLine:
        def total(name: str) -> Any:
            return sum(figures.get(k, {}).get(name, 0) for k in keys)

        return SectorLine(
            anchors=sum(figures.get(k, {}).get("organisations", 0) for k in keys if k[1]),
            sector=sector,
            anchor=anchor,
            organisations=total("organisations"),
            open_conversations=total("open_conversations"),
            partners_committed=total("partners_committed"),
            commitments=total("commitments"),
            delivered=int(total("delivered")),
            delivered_gbp=number(total("delivered_gbp")),
            delivered_people=number(total("delivered_people")),
        )

    known = [s for s in SECTORS if f.sector in (None, s)]
    known += sorted({s for s, _ in figures} - set(known))
    lines = [make(s, a, [(s, a)]) for s in known for a in (True, False) if (s, a) in figures]
    per_sector = [make(s, None, [(s, True), (s, False)]) for s in known]
    anchors = [make("all", a, [k for k in figures if k[1] == a]) for a in (True, False)]
    return Sectors(
        filters=f,
        lines=lines,
        sectors=per_sector,
        anchors=anchors,
        total=make("all", None, list(figures)),
    )
