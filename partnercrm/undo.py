"""Undo: a change (one command, one TUI action) reverted by applying the inverse of its history.

Every history entry names the change it is part of (`history.change_id`). Undoing a change
writes a new change, itself in the history, with an entry `undo` of `change N` beside the
inverted records:

- a record the change created is deleted (the history keeps what it held);
- a field the change set goes back to what it was (archiving and restoring included);
- a record the change deleted is put back as it was.

It is refused, with who and when, when a later change touched the same fields of the same
records (or, for a created record, touched it at all, or hung something off it). Merges,
erasures, imports and other bulk writes are not undone: their history does not hold what
would be needed to put everything back. Undoing an undo makes the change again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NoReturn

from sqlalchemy import Date, DateTime, Numeric, func, or_, select
from sqlalchemy.orm import Session

from partnercrm import history, labels
from partnercrm import models as m
from partnercrm.errors import Conflict, Invalid, NotFound, UndoRefused

REVERSIBLE = ("create", "update", "archive", "restore", "delete")
# entries that change nothing a person can undo: read-outs and the undo marks themselves
INERT = ("export", "undo", "access", "override_block")
IRREVERSIBLE = {
    "merge": (
        "a merge cannot be undone: no command reverses it (the history keeps what the merged "
        "record held, to re-enter it by hand)"
    ),
    "erase": "an erasure cannot be undone: the personal data it removed is gone",
    "dispose": "a disposal under the retention schedule cannot be undone: the data is gone",
    "restore_erasures": "re-applying erasures after a restore cannot be undone",
    "import": "an import cannot be undone as one change",
    "bulk_create": "a bulk load cannot be undone as one change",
}


@dataclass
class Undone:
    """What an undo did: which change it reverted (who made it, when) and the new change."""

    change_id: int
    actor: str
    at: datetime
    undo_change_id: int | None
    lines: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """'change 812 (Ruth Craven, 30 Nov 10:04): reopened step “Send the pack”', for the
        command line, where changes go by their number."""
        what = "; ".join(self.lines[:3]) + ("; …" if len(self.lines) > 3 else "")
        return f"change {self.change_id} ({self.actor}, {labels.moment(self.at)}): {what}"

    def said(self, today: date | None = None) -> str:
        """ "Ruth Craven's change of 30 Nov 10:04: reopened step “Send the pack”" in one line,
        in the history's words and its one date style."""
        what = "; ".join(self.lines[:3]) + ("; …" if len(self.lines) > 3 else "")
        return f"{self.actor}'s change of {labels.moment(self.at, today)}: {what}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "undone": self.change_id,
            "by": self.actor,
            "at": self.at.isoformat(),
            "change": self.undo_change_id,
            "what": self.lines,
        }


def undo_last(session: Session, today: date | None = None) -> Undone:
    """Undo the acting colleague's last change that is not undone already (nor an undo).

    `today` is the day refusals date changes against (the year is said only when not this one).
    """
    names = acting_names(session)
    h = m.HistoryEntry
    candidates = session.scalars(
        select(h.change_id)
        .where(
            h.change_id.is_not(None),
            h.action.not_in(INERT),
            or_(*[func.lower(h.actor) == n.lower() for n in names]),
        )
        .group_by(h.change_id)
        .order_by(h.change_id.desc())
        .limit(200)
    ).all()
    undone = _undone_changes(session)
    undos = set(_undo_targets(session))
    for change_id in candidates:
        if change_id is None or change_id in undone or change_id in undos:
            continue
        return undo_change(session, change_id, today)
    raise Invalid(f"there is no change by {names[0]} left to undo", field="change")


def undo_change(session: Session, change_id: int, today: date | None = None) -> Undone:
    """Undo change `change_id` as a new change in the history ("undo of change 812")."""
    entries = _entries(session, change_id)
    first = entries[0]
    when = _aware(first.at)
    asked = _Asked(session, change_id, first, today)
    for entry in entries:
        if entry.action in IRREVERSIBLE:
            asked.refuse(f"cannot be undone: {IRREVERSIBLE[entry.action]}")
    for entry in entries:
        if entry.action == "create" and entry.changes is None:
            asked.refuse(
                "cannot be undone: it was written in bulk (an import), and its history does not "
                "hold each record"
            )
    work = [e for e in entries if e.action in REVERSIBLE]
    if not work:
        asked.refuse("changed no record, so there is nothing to undo")
    by = _undone_changes(session).get(change_id)
    if by is not None:
        mark = session.scalars(
            select(m.HistoryEntry).where(m.HistoryEntry.change_id == by).limit(1)
        ).one()
        asked.refuse(f"was already undone by {asked.who_when(mark)}", in_the_way=mark)
    _refuse_if_touched_later(session, asked, work)
    names = history.naming(session, work)  # the ids' names, read before anything goes back
    lines = []
    for entry in reversed(work):
        line = _invert(session, entry, names)
        if entry.entity not in history.DERIVED_ENTITIES:  # told by the change it follows
            lines.append(line)
    session.flush()
    _resync_logins(session, work)
    history.record(
        session,
        "undo",
        "change",
        change_id,
        organisation_id=next((e.organisation_id for e in work if e.organisation_id), None),
        summary=f"undo of change {change_id}",
    )
    return Undone(
        change_id=change_id,
        actor=names.who(first.actor, change_id),
        at=when,
        undo_change_id=history.change_of(session),
        lines=list(reversed(lines)),
    )


def _resync_logins(session: Session, work: Sequence[m.HistoryEntry]) -> None:
    """A colleague whose leaving (or roles) came back: their login's groups follow (PostgreSQL)."""
    from partnercrm import pg_roles

    for entry in work:
        if entry.entity == "colleague" and entry.action != "create":
            colleague = session.get(m.Colleague, entry.entity_id)
            if colleague is not None:
                pg_roles.sync_member(session, colleague)


def acting_names(session: Session) -> list[str]:
    """The names the acting person may have written history under: as given, name, email."""
    from partnercrm.colleagues import colleague_for_actor

    # not the login alone: on SQLite, colleagues acting `--as` themselves share the computer's
    names = [history.actor_of(session)]
    if (me := colleague_for_actor(session)) is not None:
        names += [me.name, me.email]
    return list(dict.fromkeys(names))


# --- reading the history -------------------------------------------------------------------


def _entries(session: Session, change_id: int) -> list[m.HistoryEntry]:
    found = list(
        session.scalars(
            select(m.HistoryEntry)
            .where(m.HistoryEntry.change_id == change_id)
            .order_by(m.HistoryEntry.seq, m.HistoryEntry.id)
        )
    )
    if not found:
        raise NotFound("change", str(change_id))
    return found


def _undo_targets(session: Session) -> dict[int, int]:
    """Each undo change's id -> the change it undid."""
    h = m.HistoryEntry
    rows = session.execute(
        select(h.change_id, h.entity_id).where(h.action == "undo", h.entity == "change")
    )
    return {undo: target for undo, target in rows if undo is not None}


def _undone_changes(session: Session) -> dict[int, int]:
    """Each change that stands undone -> the undo that undid it (an undone undo does not count)."""
    targets = _undo_targets(session)
    by_target: dict[int, list[int]] = {}
    for undo, target in targets.items():
        by_target.setdefault(target, []).append(undo)
    memo: dict[int, bool] = {}

    def stands_undone(change: int, depth: int = 0) -> bool:
        if change not in memo:
            memo[change] = depth < 50 and any(
                not stands_undone(u, depth + 1) for u in by_target.get(change, [])
            )
        return memo[change]

    return {
        target: max(u for u in undos if not stands_undone(u))
        for target, undos in by_target.items()
        if stands_undone(target)
    }


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the zone: it is UTC


@dataclass
class _Asked:
    """The change asked to be undone, and how a refusal names it and the changes in its way:
    "Ruth Craven's change of 30 Nov 19:47", as the history and the undo itself say it."""

    session: Session
    change_id: int
    first: m.HistoryEntry  # the change's first entry: who made it, and when
    today: date | None
    _names: history.Names | None = None

    def names(self) -> history.Names:
        if self._names is None:  # read only for a refusal: an undo that goes ahead reads its own
            self._names = history.naming(self.session, [], self.today)
            self._names.changes[self.change_id] = (self.first.actor, _aware(self.first.at))
        return self._names

    def who(self, entry: m.HistoryEntry) -> str:
        return self.names().who(entry.actor, entry.change_id)

    def when(self, entry: m.HistoryEntry) -> str:
        return labels.moment(_aware(entry.at), self.today)

    def who_when(self, entry: m.HistoryEntry) -> str:
        """'Jo Director on 30 Nov 19:52'."""
        return f"{self.who(entry)} on {self.when(entry)}"

    def refuse(self, why: str, in_the_way: m.HistoryEntry | None = None) -> NoReturn:
        raise UndoRefused(
            f"{self.names().change(self.change_id)} {why}",
            self.change_id,
            in_the_way.change_id if in_the_way else None,
        )


# --- what came after -----------------------------------------------------------------------


def _refuse_if_touched_later(
    session: Session, asked: _Asked, work: Sequence[m.HistoryEntry]
) -> None:
    """Refused, naming who and when, if a later change touched what this one changed."""
    change_id = asked.change_id
    last_seq = max(e.seq or 0 for e in work)
    h = m.HistoryEntry
    records = {(e.entity, e.entity_id) for e in work}
    later = list(
        session.scalars(
            select(h)
            .where(
                h.seq > last_seq,
                h.change_id != change_id,
                h.action.not_in(INERT),
                or_(*[(h.entity == ent) & (h.entity_id == ident) for ent, ident in records]),
            )
            .order_by(h.seq)
        )
    )
    undone = _undone_changes(session)
    undo_of = _undo_targets(session)
    # a later change that was itself undone, and the undo that reverted it, leave things as
    # this change left them
    settled = set(undone) | {u for u, target in undo_of.items() if target in undone}
    later = [e for e in later if e.change_id not in settled]
    for entry in work:
        touched = _fields(entry)
        for other in later:
            if (other.entity, other.entity_id) != (entry.entity, entry.entity_id):
                continue
            theirs = _fields(other)
            clash = (
                entry.action in ("create", "delete")
                or other.action in ("create", "delete")
                or bool(touched & theirs)
            )
            if clash:
                _refuse(asked, entry, other, sorted(touched & theirs))
    created = [e for e in work if e.action == "create"]
    if created:
        _refuse_if_hung_off(session, asked, last_seq, created, settled)


def _refuse_if_hung_off(
    session: Session,
    asked: _Asked,
    last_seq: int,
    created: Sequence[m.HistoryEntry],
    settled: set[int],
) -> None:
    """A record this change created that a later change pointed something at stays."""
    h = m.HistoryEntry
    wanted = {(e.entity, e.entity_id): e for e in created}
    pointing = _foreign_keys()
    later = session.scalars(
        select(h)
        .where(
            h.seq > last_seq,
            h.change_id != asked.change_id,
            h.action.in_(("create", "update")),
            h.entity.in_({table for table, _, _ in pointing}),
        )
        .order_by(h.seq)
    )
    for other in later:
        if other.change_id in settled or not other.changes:
            continue
        for table, column, target in pointing:
            if other.entity != table or column not in other.changes:
                continue
            value = other.changes[column][1]
            if (target, value) in wanted:
                _refuse(asked, wanted[(target, value)], other, [])


def _foreign_keys() -> list[tuple[str, str, str]]:
    """(table, column, table it points at) for every foreign key of the audited tables."""
    found = []
    for table in m.Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            found.append((table.name, fk.parent.name, fk.column.table.name))
    return found


def _fields(entry: m.HistoryEntry) -> set[str]:
    return set(entry.changes or {}) - history.SKIPPED_FIELDS


def _refuse(
    asked: _Asked, entry: m.HistoryEntry, other: m.HistoryEntry, fields: list[str]
) -> NoReturn:
    what = _record(entry.entity, entry.entity_id, entry.summary)
    if fields:
        touched = f"changed the {_words(fields)} of {what}"
    elif other.entity == entry.entity and other.entity_id == entry.entity_id:
        touched = f"{history.PAST_TENSE.get(other.action, other.action)} {what}"
    else:
        touched = f"added {_record(other.entity, other.entity_id, other.summary)} to {what}"
    asked.refuse(
        f"cannot be undone: {asked.who(other)} {touched} later, on {asked.when(other)}",
        in_the_way=other,
    )


def _record(entity: str, ident: int, summary: str | None) -> str:
    text = f"{history.entity_words(entity)} {ident}"
    return f"{text} ({summary})" if summary else text


def _words(fields: Iterable[str]) -> str:
    names = [history.field_words(f) for f in fields]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- putting things back -------------------------------------------------------------------


def _model(entity: str) -> Any:
    for mapper in m.Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == entity:
            return mapper.class_
    raise Invalid(f"the history names {entity!r}, which this version does not know", field="change")


def _invert(session: Session, entry: m.HistoryEntry, names: history.Names) -> str:
    """Apply the inverse of one entry; returns what was put back, in words."""
    cls = _model(entry.entity)
    what = _record(entry.entity, entry.entity_id, entry.summary)
    ref = history.reference(entry.entity, entry.entity_id, entry.summary)
    if entry.action == "delete":
        if session.get(cls, entry.entity_id) is not None:
            raise Conflict(f"{what} exists again, so it cannot be put back")
        values = {k: v[0] for k, v in (entry.changes or {}).items()}
        record = cls(id=entry.entity_id)
        _assign(session, record, values)
        session.add(record)
        return f"put back {ref}"
    record = session.get(cls, entry.entity_id)
    if record is None:
        raise Conflict(f"{what} no longer exists, so the change to it cannot be undone")
    if entry.action == "create":
        session.delete(record)
        return f"removed {ref}"
    changes = entry.changes or {}
    _check_unchanged(record, changes, what, names)
    _assign(session, record, {k: v[0] for k, v in changes.items()})
    # what was put back, as the history will tell it (the same words, fields and dates)
    back = history.HistoryItem(
        at=entry.at,
        actor=entry.actor,
        action="update",
        entity=entry.entity,
        entity_id=entry.entity_id,
        organisation_id=entry.organisation_id,
        summary=entry.summary,
        changes={k: [v[1], v[0]] for k, v in changes.items() if isinstance(v, list)},
    )
    return history.what(back, names) or f"put back {ref}"


def _check_unchanged(record: Any, changes: dict[str, Any], what: str, names: history.Names) -> None:
    """The record still holds what the change left (a write outside the history would not)."""
    for key, (_old, new) in changes.items():
        current = _current(record, key)
        if not _same(current, new):
            raise Conflict(
                f"{what} has changed since (its {history.field_words(key)} is now "
                f"{names.value(key, current)}, not {names.value(key, new)}), so the change "
                "cannot be undone"
            )


def _same(a: Any, b: Any) -> bool:
    """Equal as the history writes them (a timestamp read back from SQLite has lost its zone)."""
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        try:
            return _aware(datetime.fromisoformat(a)) == _aware(datetime.fromisoformat(b))
        except ValueError:
            return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return False


def _current(record: Any, key: str) -> Any:
    mapper = type(record).__mapper__
    if key in mapper.relationships:
        return sorted(history._ref(o) for o in getattr(record, key))
    return history._jsonable(getattr(record, key))


def _assign(session: Session, record: Any, values: dict[str, Any]) -> None:
    mapper = type(record).__mapper__
    for key, value in values.items():
        if key in mapper.relationships:
            rel = mapper.relationships[key]
            target = rel.mapper.class_
            refs = list(value or [])
            column = (
                target.key
                if hasattr(target, "key") and refs and isinstance(refs[0], str)
                else target.id
            )
            members = list(session.scalars(select(target).where(column.in_(refs))))
            setattr(record, key, members)
        elif key in mapper.columns:
            setattr(record, key, _typed(mapper.columns[key].type, value))


def _typed(kind: Any, value: Any) -> Any:
    """A value from the history's JSON as the column holds it."""
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(str(value)[:10])
    if isinstance(kind, Numeric):
        return Decimal(str(value))
    return value
