"""Coverage: the mission x ambassador-role matrix of active Missions Ambassadors, and its gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.reports.filters import Filters, for_reports
from partnercrm.reports.table import Table

ANY_MISSION = "any"  # the row for ambassadorships held for no one mission

COMING = (m.AmbassadorStatus.PROPOSED, m.AmbassadorStatus.ONBOARDING)


@dataclass
class CoverageCell:
    mission: str  # mission key, or 'any'
    role: str  # role key
    active: int  # active ambassadorships in this cell
    organisations: list[str]  # the active ambassadors, by name
    coming: int  # proposed or onboarding: help on the way

    @property
    def gap(self) -> bool:
        return self.active == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "mission": self.mission,
            "role": self.role,
            "active": self.active,
            "organisations": list(self.organisations),
            "proposed_or_onboarding": self.coming,
            "gap": self.gap,
        }


@dataclass
class Coverage:
    """Active ambassadors per mission and role; a cell with none is a gap to work on.

    Coverage is as of today: the period filter does not apply. Ambassadorships held for no
    one mission appear in their own row ('any') and do not fill a mission's gap.
    """

    filters: Filters
    missions: list[tuple[str, str]]  # (key, name), in order; may end with ('any', ...)
    roles: list[tuple[str, str]]
    cells: list[CoverageCell] = field(default_factory=list)

    def cell(self, mission: str, role: str) -> CoverageCell:
        for c in self.cells:
            if c.mission == mission and c.role == role:
                return c
        raise KeyError((mission, role))

    @property
    def gaps(self) -> list[CoverageCell]:
        return [c for c in self.cells if c.gap and c.mission != ANY_MISSION]

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.as_dict(),
            "missions": [{"key": k, "name": n} for k, n in self.missions],
            "roles": [{"key": k, "name": n} for k, n in self.roles],
            "cells": [c.as_dict() for c in self.cells],
            "gaps": [{"mission": c.mission, "role": c.role} for c in self.gaps],
        }

    def tables(self) -> list[Table]:
        columns = [("mission_name", "Mission")] + [(key, name) for key, name in self.roles]
        rows = []
        for key, name in self.missions:
            row: dict[str, Any] = {"mission": key, "mission_name": name}
            for role_key, _ in self.roles:
                c = self.cell(key, role_key)
                text = f"{c.active}: {'; '.join(c.organisations)}" if c.active else "gap"
                if c.coming:
                    text += f" (+{c.coming} coming)"
                row[role_key] = text
            rows.append(row)
        return [
            Table(
                "coverage",
                f"Active ambassadors by mission and role ({len(self.gaps)} gaps)",
                columns,
                rows,
                note="'gap': no active ambassador; '+N coming': proposed or onboarding.",
            )
        ]


def coverage(session: Session, filters: Filters | None = None) -> Coverage:
    """The mission x role matrix of ACTIVE ambassadorships, with the organisations named.

    Filters: mission (one row), sector and lead (the organisation's). Counts are grouped in
    the database; the names come from one ordered query over active ambassadorships only.
    """
    for_reports(session)
    f = filters or Filters()
    a = m.Ambassadorship
    o = m.Organisation
    scope: list[Any] = [o.archived.is_(False)]
    if f.sector:
        scope.append(o.sector == f.sector)
    if f.lead_id is not None:
        scope.append(o.lead_id == f.lead_id)
    if f.mission_id is not None:
        scope.append(a.mission_id == f.mission_id)

    base = select().select_from(a).join(o, o.id == a.organisation_id).where(*scope)
    counts = session.execute(
        base.add_columns(a.mission_id, a.role_id, a.status, func.count(func.distinct(o.id)))
        .where(a.status.in_([m.AmbassadorStatus.ACTIVE, *COMING]))
        .group_by(a.mission_id, a.role_id, a.status)
    ).all()
    names = session.execute(
        base.add_columns(a.mission_id, a.role_id, o.name)
        .where(a.status == m.AmbassadorStatus.ACTIVE)
        .distinct()
    ).all()

    mission_q = select(m.Mission.id, m.Mission.key, m.Mission.name).order_by(m.Mission.id)
    if f.mission_id is not None:
        mission_q = mission_q.where(m.Mission.id == f.mission_id)
    missions: list[tuple[int | None, str, str]] = [
        (mid, key, name) for mid, key, name in session.execute(mission_q)
    ]
    roles = list(
        session.execute(
            select(m.AmbassadorRole.id, m.AmbassadorRole.key, m.AmbassadorRole.name).order_by(
                m.AmbassadorRole.id
            )
        )
    )
    if any(mission_id is None for mission_id, *_ in counts):
        missions.append((None, ANY_MISSION, "Across all missions"))

    active: dict[tuple[Any, int], int] = {}
    coming: dict[tuple[Any, int], int] = {}
    for mission_id, role_id, status, n in counts:
        bucket = active if status == m.AmbassadorStatus.ACTIVE else coming
        bucket[(mission_id, role_id)] = bucket.get((mission_id, role_id), 0) + n
    named: dict[tuple[Any, int], list[str]] = {}
    for mission_id, role_id, name in names:
        named.setdefault((mission_id, role_id), []).append(name)
    for listed in named.values():
        listed.sort(key=str.casefold)  # the same order whatever the database's collation

    cells = [
        CoverageCell(
            mission=mkey,
            role=rkey,
            active=active.get((mid, rid), 0),
            organisations=named.get((mid, rid), []),
            coming=coming.get((mid, rid), 0),
        )
        for mid, mkey, _ in missions
        for rid, rkey, _ in roles
    ]
    return Coverage(
        filters=f,
        missions=[(key, name) for _, key, name in missions],
        roles=[(key, name) for _, key, name in roles],
        cells=cells,
    )
