"""Missions and ambassador roles: data, not code. The defaults ship in `defaults.toml`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.errors import Ambiguous, Conflict, Invalid, NotFound
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


def list_missions(session: Session, *, include_retired: bool = True) -> list[m.Mission]:
    """Every mission (reports count retired ones in their period); choices leave them out."""
    q = select(m.Mission).order_by(m.Mission.id)
    if not include_retired:
        q = q.where(m.Mission.retired.is_(False))
    return list(session.scalars(q))


def list_roles(session: Session, *, include_retired: bool = True) -> list[m.AmbassadorRole]:
    q = select(m.AmbassadorRole).order_by(m.AmbassadorRole.id)
    if not include_retired:
        q = q.where(m.AmbassadorRole.retired.is_(False))
    return list(session.scalars(q))


def check_offered(
    chosen: Sequence[m.Mission | m.AmbassadorRole],
    *,
    already: Sequence[m.Mission | m.AmbassadorRole | None] = (),
    field: str = "missions",
) -> None:
    """A retired mission or role is not taken up by a new record (one already there stays)."""
    for item in chosen:
        if item.retired and item not in already:
            what = "mission" if isinstance(item, m.Mission) else "ambassador role"
            raise Invalid(
                f"the {what} {item.name} ({item.key}) is retired: it keeps its history but "
                "takes no new records",
                field=field,
            )


_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")


def _key(session: Session, model: Any, what: str, key: str) -> str:
    value = (key or "").strip().lower().replace(" ", "_").replace("-", "_")
    if not _KEY.fullmatch(value):
        raise Invalid(
            f"{key!r} is not a usable {what} key: a short word of letters, digits and _",
            field="key",
        )
    if session.scalar(select(model).where(model.key == value)) is not None:
        raise Conflict(f"there is already a {what} with the key {value}")
    return value


def _name(session: Session, model: Any, what: str, name: str | None, other: Any = None) -> str:
    text = (name or "").strip()
    if not text:
        raise Invalid(f"a {what} needs a name", field="name")
    clash = session.scalar(select(model).where(func.lower(model.name) == text.lower()))
    if clash is not None and clash is not other:
        raise Conflict(f"there is already a {what} called {clash.name} ({clash.key})")
    return text


def _year(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"target year {value!r} is not a year", field="target_year") from None
    if not 2000 <= year <= 2100:
        raise Invalid(f"target year {year} is not between 2000 and 2100", field="target_year")
    return year


def add_mission(
    session: Session,
    key: str,
    name: str,
    *,
    statement: str | None = None,
    target_year: int | str | None = None,
) -> m.Mission:
    """A new mission the council has taken on."""
    mission = m.Mission(
        key=_key(session, m.Mission, "mission", key),
        name=_name(session, m.Mission, "mission", name),
        statement=(statement or "").strip(),
        target_year=_year(target_year),
    )
    session.add(mission)
    session.flush()
    return mission


def edit_mission(
    session: Session,
    mission: m.Mission,
    *,
    name: str | None = None,
    statement: str | None = None,
    target_year: int | str | None = None,
) -> m.Mission:
    """Change the given fields; None leaves a field as it is, '' clears the statement or year."""
    if name is not None:
        mission.name = _name(session, m.Mission, "mission", name, mission)
    if statement is not None:
        mission.statement = statement.strip()
    if target_year is not None:
        mission.target_year = _year(target_year)
    session.flush()
    return mission


def retire_mission(session: Session, mission: m.Mission) -> m.Mission:
    """No longer offered for new records; its history and its reports stay."""
    _retire(session, mission, "mission")
    return mission


def _retire(session: Session, record: m.Mission | m.AmbassadorRole, what: str) -> None:
    if record.retired:
        raise Invalid(f"the {what} {record.name} is already retired", field="key")
    record.retired = True
    session.flush()


ROLE_TEXTS = ("description", "ask_of_partner", "value_for_council", "value_for_partner")


def _kinds(kinds: Sequence[str] | str | None) -> str:
    from partnercrm.commitments import check_kind

    items = kinds.replace(",", " ").split() if isinstance(kinds, str) else list(kinds or [])
    return " ".join(dict.fromkeys(check_kind(k) for k in items))


def _check_texts(texts: dict[str, str | None]) -> None:
    unknown = set(texts) - set(ROLE_TEXTS)
    if unknown:
        raise TypeError(f"unknown role fields: {', '.join(sorted(unknown))}")


def add_role(
    session: Session,
    key: str,
    name: str,
    *,
    commitment_kinds: Sequence[str] | str | None = None,
    **texts: str | None,
) -> m.AmbassadorRole:
    """A new ambassador role; `texts` are the Figure 2 wording (description, ask_of_partner …)."""
    _check_texts(texts)
    role = m.AmbassadorRole(
        key=_key(session, m.AmbassadorRole, "ambassador role", key),
        name=_name(session, m.AmbassadorRole, "ambassador role", name),
        commitment_kinds=_kinds(commitment_kinds),
        **{k: (texts.get(k) or "").strip() for k in ROLE_TEXTS},
    )
    session.add(role)
    session.flush()
    return role


def edit_role(
    session: Session,
    role: m.AmbassadorRole,
    *,
    name: str | None = None,
    commitment_kinds: Sequence[str] | str | None = None,
    **texts: str | None,
) -> m.AmbassadorRole:
    """Change the given fields; None leaves a field as it is."""
    _check_texts(texts)
    if name is not None:
        role.name = _name(session, m.AmbassadorRole, "ambassador role", name, role)
    if commitment_kinds is not None:
        role.commitment_kinds = _kinds(commitment_kinds)
    for key, value in texts.items():
        if value is not None:
            setattr(role, key, value.strip())
    session.flush()
    return role


def retire_role(session: Session, role: m.AmbassadorRole) -> m.AmbassadorRole:
    """No longer offered to partners; the ambassadorships that hold it keep it."""
    _retire(session, role, "ambassador role")
    return role


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
        "retired": mission.retired,
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
        "retired": role.retired,
    }
