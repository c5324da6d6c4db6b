"""The tamper-evident audit trail: every history entry is chained to the one before it.

Each entry has a position (`seq`, 1, 2, 3 ... with no gaps) and a digest: SHA-256 over its
position, its predecessor's digest, its plain fields (when, who, what) and one digest per
value (the summary, and each changed field). Changing, removing or slipping in an entry
breaks the chain from that entry on, and `verify` names the first one.

Erasure must still take personal data out of old entries. It replaces a value and keeps
the value's digest in the entry's `redacted` map, so the chain still verifies; the erasure's
own entry (written after, and itself chained) lists which values it redacted, so a value
"redacted" without a recorded erasure is reported as a change.

Writers are serialised: on SQLite by the write lock every write transaction takes at BEGIN,
on PostgreSQL by a transaction-scoped advisory lock taken before the first write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from partnercrm import models as m

GENESIS = "0" * 64
# the history entries that may redact values of earlier ones, and where they list them
REDACTING_ACTIONS = ("erase", "dispose", "restore_erasures")
REDACTED_KEY = "redacted"


def lock(session: Session) -> None:
    """Take the chain's lock for this transaction (PostgreSQL; SQLite's writers queue at BEGIN)."""
    tx = session.get_transaction()
    if tx is None or session.info.get("chain_locked_tx") is tx:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "SELECT pg_advisory_xact_lock("
                "hashtextextended('partnercrm.history.' || current_schema(), 0))"
            )
        )
    session.info["chain_locked_tx"] = tx


# what json.dumps builds on every call with these options, built once: a bulk import digests
# a few values for each of its rows
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _canonical(value: Any) -> str:
    return _ENCODER.encode(value)


def value_digest(seq: int, value: Any) -> str:
    """The digest of one value of entry `seq` (the position salts it, so equal values differ)."""
    return hashlib.sha256(f"{seq}:{_canonical(value)}".encode()).hexdigest()


def _at(value: datetime | str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def components(changes: Any) -> dict[str, Any]:
    """The values of `changes` digested one by one: each changed field, or the whole."""
    if isinstance(changes, dict):
        return {f"changes.{k}": v for k, v in changes.items()}
    return {"changes": changes}


def entry_digest(prev: str, row: dict[str, Any], redacted: dict[str, str] | None = None) -> str:
    """The digest of one entry given its predecessor's; `redacted` values count by their digest."""
    seq = row["seq"]
    kept = redacted or {}
    # canonical JSON (sorted keys, tuples as lists) is the same before and after the database
    values = {"summary": row.get("summary"), **components(row["changes"])}
    digests = {k: kept.get(k) or value_digest(seq, v) for k, v in values.items()}
    plain = [
        prev,
        seq,
        _at(row["at"]),
        row["actor"],
        row.get("login"),
        row["action"],
        row["entity"],
        row["entity_id"],
        row.get("organisation_id"),
        digests,
    ]
    return hashlib.sha256(_canonical(plain).encode()).hexdigest()


def _head(conn: Connection) -> tuple[int, str]:
    h = m.HistoryEntry
    row = conn.execute(select(h.seq, h.digest).order_by(h.seq.desc()).limit(1)).first()
    if row is None or row.seq is None:
        return 0, GENESIS
    return row.seq, row.digest or GENESIS


def seal(session: Session, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` (history rows about to be inserted) with their place in the chain and digest."""
    lock(session)
    seq, prev = _head(session.connection())
    sealed = []
    for row in rows:
        seq += 1
        row = {**row, "seq": seq, "redacted": None}
        row.setdefault("login", None)
        row.setdefault("changes", None)
        row.setdefault("summary", None)
        row.setdefault("organisation_id", None)
        prev = row["digest"] = entry_digest(prev, row)
        sealed.append(row)
    return sealed


def redaction(entry: m.HistoryEntry, summary: Any, changes: Any) -> dict[str, str] | None:
    """The `redacted` map for `entry` once its summary and changes are replaced by these.

    A value redacted before keeps the digest of what it first was.
    """
    if entry.seq is None:
        return entry.redacted
    kept = dict(entry.redacted or {})
    before = {"summary": entry.summary, **components(entry.changes)}
    after = {"summary": summary, **components(changes)}
    for key, old in before.items():
        if key not in kept and after.get(key) != old:
            kept[key] = value_digest(entry.seq, old)
    return kept or None


def authorisation(
    seq: int, kept: dict[str, str] | None, summary: Any, changes: Any
) -> dict[str, Any]:
    """What a redacting entry lists for one entry it redacted: each value's new digest."""
    now = {"summary": summary, **components(changes)}
    return {key: value_digest(seq, now.get(key)) for key in sorted(kept or {})}


# --- verification ---------------------------------------------------------------------------


@dataclass
class Break:
    """The first place the chain does not hold, in words."""

    entry_id: int
    seq: int | None
    message: str


@dataclass
class Verification:
    entries: int
    head_seq: int
    head_digest: str
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _describe(row: Any) -> str:
    at = _at(row.at)[:16].replace("T", " ")
    return f"history entry {row.id} ({at} {row.actor} {row.action} {row.entity} {row.entity_id})"


def _authorised(conn: Connection) -> dict[int, dict[str, str]]:
    """Entry id -> the digest each redacted value must have now (the latest redaction wins)."""
    h = m.HistoryEntry
    out: dict[int, dict[str, str]] = {}
    rows = conn.execute(select(h.changes).where(h.action.in_(REDACTING_ACTIONS)).order_by(h.seq))
    for (changes,) in rows:
        listed = (changes or {}).get(REDACTED_KEY) if isinstance(changes, dict) else None
        if isinstance(listed, dict):
            for entry_id, digests in listed.items():
                if str(entry_id).isdigit() and isinstance(digests, dict):
                    out.setdefault(int(entry_id), {}).update(digests)
    return out


def _redactions_hold(row: Any, authorised: dict[str, str]) -> bool:
    """Each redacted value of `row` is what a recorded erasure or disposal left there."""
    if not row.redacted:
        return True
    now = authorisation(row.seq, row.redacted, row.summary, row.changes)
    return all(authorised.get(key) == digest for key, digest in now.items())


def verify(conn: Connection) -> Verification:
    """Walk the chain in order and name the first entry changed, removed or inserted out of turn."""
    h = m.HistoryEntry
    authorised = _authorised(conn)
    first: Break | None = None
    prev, expected, count = GENESIS, 1, 0
    q = select(
        h.id,
        h.at,
        h.actor,
        h.login,
        h.action,
        h.entity,
        h.entity_id,
        h.organisation_id,
        h.summary,
        h.changes,
        h.seq,
        h.digest,
        h.redacted,
    ).order_by(h.seq.is_(None), h.seq, h.id)
    for row in conn.execute(q).yield_per(2000):
        count += 1
        if first is not None:
            continue
        if row.seq is None or row.digest is None or row.seq < expected:
            first = Break(row.id, row.seq, f"{_describe(row)} was inserted out of turn")
            continue
        if row.seq > expected:
            missing = (
                f"the history entry at position {expected} was removed"
                if row.seq == expected + 1
                else f"the history entries at positions {expected}-{row.seq - 1} were removed"
            )
            first = Break(row.id, row.seq, f"{missing} (just before {_describe(row)})")
            continue
        digest = entry_digest(prev, row._asdict(), row.redacted)
        if digest != row.digest or not _redactions_hold(row, authorised.get(row.id, {})):
            first = Break(row.id, row.seq, f"{_describe(row)} was changed after it was written")
        prev, expected = row.digest, row.seq + 1
    return Verification(entries=count, head_seq=expected - 1, head_digest=prev, first_break=first)
