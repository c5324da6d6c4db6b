"""Missions and ambassador roles: data, not code. The defaults ship in `defaults.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.errors import Ambiguous, Invalid, NotFound
from partnercrm.matching import closest, name_key


@dataclass
class Defaults:
    missions: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)


def read_defaults(path: str | Path | None = None) -> Defaults:
    """Read a defaults file (the packaged one when `path` is None)."""
    try:
        if path is None:
            raw = resources.files("partnercrm").joinpath("defaults.toml").read_text("utf-8")
            where = "the packaged defaults.toml"
        else:
            raw = Path(path).read_text("utf-8")
            where = str(path)
        data = tomllib.loads(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(f"cannot read defaults from {path}: {exc}", field="defaults") from exc
    defaults = Defaults(missions=data.get("missions", []), roles=data.get("roles", []))
    for i, mission in enumerate(defaults.missions, 1):
        for required in ("key", "name"):
            if not mission.get(required):
                raise Invalid(f"{where}: mission {i} has no {required}", field="defaults")
    for i, role in enumerate(defaults.roles, 1):
        for required in ("key", "name"):
            if not role.get(required):
                raise Invalid(f"{where}: role {i} has no {required}", field="defaults")
    return defaults


def install_defaults(session: Session, defaults: Defaults | None = None) -> tuple[int, int]:
    """Add the missions and roles a database lacks (by key); returns how many of each were added."""
    defaults = defaults or read_defaults()
    have_missions = set(session.scalars(select(m.Mission.key)))
    have_roles = set(session.scalars(select(m.AmbassadorRole.key)))
    added_m = added_r = 0
    for mission in defaults.missions:
        if mission["key"] not in have_missions:
            session.add(
                m.Mission(
                    key=mission["key"],
                    name=mission["name"],
                    statement=mission.get("statement", ""),
                    target_year=mission.get("target_year"),
                )
            )
            added_m += 1
    for role in defaults.roles:
        if role["key"] not in have_roles:
            session.add(
                m.AmbassadorRole(
                    key=role["key"],
                    name=role["name"],
                    description=role.get("description", ""),
                    ask_of_partner=role.get("ask_of_partner", ""),
                    value_for_council=role.get("value_for_council", ""),
                    value_for_partner=role.get("value_for_partner", ""),
                    commitment_kinds=" ".join(role.get("commitment_kinds", [])),
                )
            )
            added_r += 1
    session.flush()
    return added_m, added_r


def list_missions(session: Session) -> list[m.Mission]:
    return list(session.scalars(select(m.Mission).order_by(m.Mission.id)))


def list_roles(session: Session) -> list[m.AmbassadorRole]:
    return list(session.scalars(select(m.AmbassadorRole).order_by(m.AmbassadorRole.id)))


def find_mission(session: Session, text: str) -> m.Mission:
    """A mission by key or name, case-insensitively ('food', 'Young people', 'young')."""
    found: m.Mission = _find(session, m.Mission, "mission", text)
    return found


def find_role(session: Session, text: str) -> m.AmbassadorRole:
    """An ambassador role by key or name ('sponsorship', 'Advocate/champion', 'advocate')."""
    found: m.AmbassadorRole = _find(session, m.AmbassadorRole, "ambassador role", text)
    return found


def _find(session: Session, model: Any, what: str, text: str) -> Any:
    given = text.strip()
    lowered = given.lower()
    exact = session.scalars(
        select(model).where(
            or_(func.lower(model.key) == lowered, func.lower(model.name) == lowered)
        )
    ).all()
    if len(exact) == 1:
        return exact[0]
    everything = session.scalars(select(model)).all()
    wanted = name_key(given)
    starts = [
        x for x in everything if name_key(x.name).startswith(wanted) or x.key.startswith(lowered)
    ]
    if len(starts) == 1 and wanted:
        return starts[0]
    if starts and wanted:
        raise Ambiguous(what, given, [x.key for x in starts])
    # suggest keys: a close name stands for its key, so no record is offered twice
    key_of = {x.name: x.key for x in everything} | {x.key: x.key for x in everything}
    near = list(dict.fromkeys(key_of[c] for c in closest(given, key_of)))
    raise NotFound(what, given, near or [x.key for x in everything])


def mission_dict(mission: m.Mission) -> dict[str, Any]:
    return {
        "id": mission.id,
        "key": mission.key,
        "name": mission.name,
        "statement": mission.statement,
        "target_year": mission.target_year,
    }


def role_dict(role: m.AmbassadorRole) -> dict[str, Any]:
    return {
        "id": role.id,
        "key": role.key,
        "name": role.name,
        "description": role.description,
        "ask_of_partner": role.ask_of_partner,
        "value_for_council": role.value_for_council,
        "value_for_partner": role.value_for_partner,
        "commitment_kinds": role.commitment_kinds.split(),
    }
