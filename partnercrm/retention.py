"""Retention by schedule: how long each class of personal data is kept, and its disposal.

The schedule is data (`retention.toml` beside `defaults.toml`; a council may use its own):
contacts not seen in N years are erased, touchpoint notes older than N years removed,
rejects files of imports older than N days deleted, and old values of personal fields in the
history (a previous email or phone) redacted. `due` lists what the schedule reaches today;
`dispose` acts on it and writes one "dispose" entry in the history: the disposal log.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from partnercrm import access, chain, history, privacy
from partnercrm import models as m
from partnercrm.errors import Invalid

DISPOSED = "[disposed under the retention schedule]"
# fields of a person whose earlier values the history keeps
PERSONAL_FIELDS = ("name", "email", "phone", "job_title", "note")
PERSONAL_ENTITIES = ("contact", "contact_email", "touchpoint")


@dataclass
class Schedule:
    contacts_not_seen_years: int
    touchpoint_notes_years: int
    rejected_imports_days: int
    history_old_values_years: int
    source: str = "the packaged retention.toml"

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts_not_seen_years": self.contacts_not_seen_years,
            "touchpoint_notes_years": self.touchpoint_notes_years,
            "rejected_imports_days": self.rejected_imports_days,
            "history_old_values_years": self.history_old_values_years,
            "source": self.source,
        }


def read_schedule(path: str | Path | None = None) -> Schedule:
    """The retention schedule in `path` (the packaged one when None)."""
    try:
        if path is None:
            raw = resources.files("partnercrm").joinpath("retention.toml").read_text("utf-8")
        else:
            raw = Path(path).read_text("utf-8")
        data = tomllib.loads(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(
            f"cannot read the retention schedule {path}: {exc}", field="schedule"
        ) from exc

    def number(section: str, key: str) -> int:
        value = data.get(section, {}).get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise Invalid(
                f"the retention schedule needs [{section}] {key} as a whole number of at least 1",
                field="schedule",
            )
        return value

    return Schedule(
        contacts_not_seen_years=number("contacts", "not_seen_years"),
        touchpoint_notes_years=number("touchpoint_notes", "older_than_years"),
        rejected_imports_days=number("rejected_imports", "older_than_days"),
        history_old_values_years=number("history_old_values", "older_than_years"),
        source="the packaged retention.toml" if path is None else str(path),
    )


@dataclass
class Due:
    """One thing the schedule reaches: what, which, and why."""

    kind: str  # contact, touchpoint_note, rejects_file, history_values
    id: int
    label: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "label": self.label, "reason": self.reason}


@dataclass
class Disposal:
    schedule: Schedule
    applied: bool
    items: list[Due] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            out[item.kind] = out.get(item.kind, 0) + 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "schedule": self.schedule.as_dict(),
            "applied": self.applied,
            "counts": self.counts(),
            "items": [i.as_dict() for i in self.items],
        }


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def due(session: Session, schedule: Schedule, *, today: date | None = None) -> list[Due]:
    """Everything the schedule reaches today, oldest rule first."""
    today = today or date.today()
    items = [
        Due(
            "contact",
            s.id,
            s.name,
            f"not seen since {(s.last_seen or s.added):%d %b %Y}",
        )
        for s in privacy.stale_contacts(session, schedule.contacts_not_seen_years, today=today)
    ]
    notes_before = today - relativedelta(years=schedule.touchpoint_notes_years)
    t = m.Touchpoint
    for row in session.execute(
        select(t.id, t.happened_on)
        .where(t.happened_on < notes_before, t.note.is_not(None), t.note != DISPOSED)
        .order_by(t.happened_on, t.id)
    ):
        items.append(
            Due(
                "touchpoint_note",
                row.id,
                f"touchpoint {row.id}",
                f"from {row.happened_on:%d %b %Y}",
            )
        )
    files_before = _start(today - timedelta(days=schedule.rejected_imports_days))
    r = m.ImportRun
    for row in session.execute(
        select(r.id, r.started_at, r.summary).where(r.started_at < files_before).order_by(r.id)
    ):
        path = (row.summary or {}).get("rejects_file") if isinstance(row.summary, dict) else None
        if path and Path(path).exists():
            items.append(
                Due("rejects_file", row.id, str(path), f"written {row.started_at:%d %b %Y}")
            )
    for entry in _old_value_entries(session, schedule, today):
        items.append(
            Due(
                "history_values",
                entry.id,
                f"history entry {entry.id} ({entry.entity} {entry.entity_id})",
                f"earlier values from {entry.at:%d %b %Y}",
            )
        )
    return items


def _old_value_entries(session: Session, schedule: Schedule, today: date) -> list[m.HistoryEntry]:
    before = _start(today - relativedelta(years=schedule.history_old_values_years))
    h = m.HistoryEntry
    rows = session.scalars(
        select(h)
        .where(h.at < before, h.action == "update", h.entity.in_(PERSONAL_ENTITIES))
        .order_by(h.seq)
    )
    return [e for e in rows if _old_values(e.changes) != e.changes]


def _old_values(changes: Any) -> Any:
    """`changes` with the earlier values of personal fields disposed of."""
    if not isinstance(changes, dict):
        return changes
    out = dict(changes)
    for key in PERSONAL_FIELDS:
        pair = out.get(key)
        if isinstance(pair, list) and len(pair) == 2 and pair[0] not in (None, DISPOSED):
            out[key] = [DISPOSED, pair[1]]
    return out


def review(session: Session, schedule: Schedule, *, today: date | None = None) -> Disposal:
    """What the schedule reaches today, changing nothing."""
    return Disposal(schedule, applied=False, items=due(session, schedule, today=today))


def dispose(session: Session, schedule: Schedule, *, today: date | None = None) -> Disposal:
    """Erase, remove, delete or redact everything due, and log the disposal in the history."""
    access.require(session, "privacy", "apply the retention schedule")
    today = today or date.today()
    items = due(session, schedule, today=today)
    redacted: dict[str, dict[str, str]] = {}
    for item in (i for i in items if i.kind == "contact"):
        privacy.erase(session, session.get(m.Contact, item.id))  # type: ignore[arg-type]
    note_ids = [i.id for i in items if i.kind == "touchpoint_note"]
    if note_ids:
        t = m.Base.metadata.tables["touchpoint"]
        session.execute(update(t).where(t.c.id.in_(note_ids)).values(note=DISPOSED))
        h = m.HistoryEntry
        entries = session.scalars(
            select(h).where(h.entity == "touchpoint", h.entity_id.in_(note_ids))
        ).all()
        redacted |= privacy.redact_history(
            session,
            [(e, e.summary, _notes_disposed(e.changes)) for e in entries],
        )
    for item in (i for i in items if i.kind == "rejects_file"):
        Path(item.label).unlink(missing_ok=True)
    old = [session.get(m.HistoryEntry, i.id) for i in items if i.kind == "history_values"]
    redacted |= privacy.redact_history(
        session, [(e, e.summary, _old_values(e.changes)) for e in old if e is not None]
    )
    if note_ids:
        privacy.forget_search_terms(session, {"touchpoint"})
    disposal = Disposal(schedule, applied=True, items=items)
    if items:
        history.record(
            session,
            "dispose",
            "retention",
            0,
            summary="retention schedule applied: "
            + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in disposal.counts().items()),
            changes={
                "counts": disposal.counts(),
                "schedule": schedule.as_dict(),
                "rejects_files": [i.id for i in items if i.kind == "rejects_file"],
                chain.REDACTED_KEY: redacted,
            },
        )
    session.expire_all()
    return disposal


def _notes_disposed(changes: Any) -> Any:
    if not isinstance(changes, dict) or "note" not in changes:
        return changes
    pair = changes["note"]
    if isinstance(pair, list):
        return {**changes, "note": [None if v is None else DISPOSED for v in pair]}
    return {**changes, "note": DISPOSED}


def log(session: Session, limit: int = 50) -> list[history.HistoryItem]:
    """The disposal log: every application of the schedule, newest first."""
    h = m.HistoryEntry
    rows = session.scalars(
        select(h).where(h.action == "dispose").order_by(h.seq.desc()).limit(limit)
    )
    return [history._item(e) for e in rows]
