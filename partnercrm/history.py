"""The audit trail: every change to every record, written in the same transaction by one mechanism.

`install()` hooks the session factory so any flush records what it created, changed,
archived, restored or deleted. Services that do something a flush cannot describe (a merge,
an erasure, a subject-access export, a bulk import through Core) call `record()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.base import NO_VALUE

from partnercrm import chain
from partnercrm import models as m

SKIPPED_FIELDS = {"version", "created_at", "updated_at", "updated_by", "name_key", "alias_key"}
UNAUDITED = (m.HistoryEntry, m.ImportRun)


def install(factory: sessionmaker[Any]) -> None:
    event.listen(factory, "before_flush", _stamp_editor)
    event.listen(factory, "after_flush", _record_flush)


UNKNOWN_ACTOR = "unknown"  # no one was named: the database's setup (its missions and roles)
DEMO_DATA = "demo data"  # Who, in the history, for what the demo loader wrote
SETUP = "setup"


def actor_of(session: Session) -> str:
    return str(session.info.get("actor") or UNKNOWN_ACTOR)


def _stamp_editor(session: Session, _ctx: Any, _instances: Any) -> None:
    actor = actor_of(session)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, m.Versioned):
            continue
        if session.is_modified(obj, include_collections=False):
            obj.updated_by = actor
        elif obj in session.dirty and _collection_changes(inspect(obj)):
            # a change to its missions or contacts alone writes no column: touching updated_at
            # makes it one, so its version moves on like any other edit
            obj.updated_by, obj.updated_at = actor, m.utcnow()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _organisation_id(session: Session, obj: Any) -> int | None:
    if isinstance(obj, m.Organisation):
        return obj.id
    if isinstance(obj, m.OrganisationAlias | m.Contact | m.Conversation | m.Commitment):
        return obj.organisation_id
    if isinstance(obj, m.Ambassadorship | m.Attendance):
        return obj.organisation_id
    if isinstance(obj, m.Event):
        return obj.host_id
    if isinstance(obj, m.Step | m.Touchpoint | m.StageChange):
        conv = session.get(m.Conversation, obj.conversation_id)
        return conv.organisation_id if conv else None
    if isinstance(obj, m.Delivery):
        com = session.get(m.Commitment, obj.commitment_id)
        return com.organisation_id if com else None
    if isinstance(obj, m.ContactEmail):
        contact = session.get(m.Contact, obj.contact_id)
        return contact.organisation_id if contact else None
    return None


def _label(obj: Any) -> str | None:
    for attr in ("name", "description", "alias", "email", "to_stage", "kind"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            return value[:200]
    return None


def _record_flush(session: Session, _ctx: Any) -> None:
    rows: list[dict[str, Any]] = []
    actor = actor_of(session)
    for obj in session.new:
        if isinstance(obj, UNAUDITED) or not isinstance(obj, m.Base):
            continue
        state = inspect(obj)
        fields = {
            a.key: _jsonable(a.value)
            for a in state.attrs
            if a.key in state.mapper.columns and a.key not in SKIPPED_FIELDS and a.value is not None
        }
        rows.append(_row(session, obj, actor, "create", {k: [None, v] for k, v in fields.items()}))
    for obj in session.dirty:
        if isinstance(obj, UNAUDITED) or not isinstance(obj, m.Base):
            continue
        state = inspect(obj)
        changes: dict[str, list[Any]] = {}
        for a in state.attrs:
            if a.key not in state.mapper.columns or a.key in SKIPPED_FIELDS:
                continue
            hist = a.history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    changes[a.key] = [_jsonable(old), _jsonable(new)]
        changes.update(_collection_changes(state))
        if not changes:
            continue
        action = "update"
        if "archived" in changes:
            action = "archive" if changes["archived"][1] else "restore"
        rows.append(_row(session, obj, actor, action, changes))
    for obj in session.deleted:
        if isinstance(obj, UNAUDITED) or not isinstance(obj, m.Base):
            continue
        # what was removed, so the history keeps it (an undone delivery, a removed attendance)
        state = inspect(obj)
        gone = {
            a.key: [_jsonable(a.loaded_value), None]
            for a in state.attrs
            if a.key in state.mapper.columns
            and a.key not in SKIPPED_FIELDS
            and a.loaded_value not in (None, NO_VALUE)
        }
        rows.append(_row(session, obj, actor, "delete", gone or None))
    write(session, rows)


def _collection_changes(state: Any) -> dict[str, list[Any]]:
    """Many-to-many collections changed on a record (missions, contacts), as before and after."""
    changes: dict[str, list[Any]] = {}
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        hist = state.attrs[rel.key].history
        if not hist.added and not hist.deleted:
            continue
        kept = list(hist.unchanged or ())
        before = sorted(_ref(o) for o in kept + list(hist.deleted or ()))
        after = sorted(_ref(o) for o in kept + list(hist.added or ()))
        if before != after:
            changes[rel.key] = [before, after]
    return changes


def _ref(obj: Any) -> Any:
    """How a member of a collection is named in the history: its key, else its id."""
    return getattr(obj, "key", None) or obj.id


def _row(
    session: Session, obj: Any, actor: str, action: str, changes: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "at": m.utcnow(),
        "actor": actor,
        "login": session.info.get("login"),
        "action": action,
        "entity": obj.__tablename__,
        "entity_id": obj.id,
        "organisation_id": _organisation_id(session, obj),
        "summary": _label(obj),
        "changes": changes,
    }


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: int,
    *,
    organisation_id: int | None = None,
    summary: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record something a flush cannot describe (a merge, an erasure, an export)."""
    record_many(
        session,
        [
            {
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "organisation_id": organisation_id,
                "summary": summary,
                "changes": changes,
            }
        ],
    )


def record_many(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Record many entries at once (bulk paths that write through Core)."""
    if not entries:
        return
    write(session, rows_for(session, entries))


def rows_for(session: Session, entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """History rows for `entries`, by the acting user, now (not yet in the chain)."""
    actor, login, now = actor_of(session), session.info.get("login"), m.utcnow()
    return [
        {
            "at": now,
            "actor": actor,
            "login": login,
            "action": e["action"],
            "entity": e["entity"],
            "entity_id": e["entity_id"],
            "organisation_id": e.get("organisation_id"),
            "summary": e.get("summary"),
            "changes": e.get("changes"),
        }
        for e in entries
    ]


def write(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert history rows, chained: the one way entries enter the history."""
    if not rows:
        return
    # every row with the same keys, through Core: the ORM's bulk path costs ~10x more per row
    session.connection().execute(
        insert(m.Base.metadata.tables["history"]), grouped(session, chain.seal(session, rows))
    )


def grouped(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sealed rows with the id of the change they belong to: one per transaction.

    A change is named by the `seq` of its first entry. The chain's lock holds until the
    transaction ends, so no other writer can take a number in between; entries a rolled-back
    savepoint took away leave the number to this transaction's later entries.
    """
    if not rows:
        return rows
    tx = session.get_transaction()
    current = session.info.get("change")
    if current is None or current[0] is not tx:
        current = session.info["change"] = (tx, rows[0]["seq"])
    for row in rows:
        row["change_id"] = current[1]
    return rows


def change_of(session: Session) -> int | None:
    """The id of the change this session's transaction is writing, if it has written any."""
    current = session.info.get("change")
    return current[1] if current and current[0] is session.get_transaction() else None


def last_change(session: Session) -> int:
    """The number of the newest history entry (0 before any). Every write leaves one in its
    own transaction, so what was read when this number was current is still current while it
    stays the same."""
    return session.scalar(select(func.max(m.HistoryEntry.id))) or 0


# entries that record a reading of personal data in bulk, shown by `history --access`
ACCESS_ACTIONS = ("access", "export", "import")


def record_access(
    session: Session,
    what: str,
    entity: str,
    entity_id: int = 0,
    *,
    organisation_id: int | None = None,
    rows: int | None = None,
) -> None:
    """Record that the acting user read personal data in bulk: a brief, a pack, a list."""
    record(
        session,
        "access",
        entity,
        entity_id,
        organisation_id=organisation_id,
        summary=what[:300],
        changes=None if rows is None else {"rows": rows},
    )


@dataclass
class HistoryItem:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int
    organisation_id: int | None
    summary: str | None
    changes: dict[str, Any] | None
    change_id: int | None = None
    login: str | None = None  # the database or computer login the actor used

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change_id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "login": self.login,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "organisation_id": self.organisation_id,
            "summary": self.summary,
            "changes": self.changes,
        }


def entries(
    session: Session,
    *,
    organisation_id: int | None = None,
    contact_id: int | None = None,
    conversation_id: int | None = None,
    since: datetime | None = None,
    actor: str | Sequence[str] | None = None,
    change_id: int | None = None,
    limit: int | None = 500,
    access: bool = False,
) -> list[HistoryItem]:
    """History entries, newest first, narrowed by what they are about, when, who, or change.

    `access` gives the readings of personal data (briefs, packs, exports, imports) instead
    of the changes.
    """
    q = select(m.HistoryEntry)
    if change_id is not None:
        q = q.where(m.HistoryEntry.change_id == change_id)
    if access:
        q = q.where(m.HistoryEntry.action.in_(ACCESS_ACTIONS))
    else:
        q = q.where(m.HistoryEntry.action != "access")
    if organisation_id is not None:
        q = q.where(m.HistoryEntry.organisation_id == organisation_id)
    if contact_id is not None:
        # the person's record, their other addresses and the events they attended
        email_ids = select(m.ContactEmail.id).where(m.ContactEmail.contact_id == contact_id)
        attended = select(m.Attendance.id).where(m.Attendance.contact_id == contact_id)
        q = q.where(
            or_(
                (m.HistoryEntry.entity == "contact") & (m.HistoryEntry.entity_id == contact_id),
                (m.HistoryEntry.entity == "contact_email")
                & m.HistoryEntry.entity_id.in_(email_ids),
                (m.HistoryEntry.entity == "attendance") & m.HistoryEntry.entity_id.in_(attended),
            )
        )
    if conversation_id is not None:
        step_ids = select(m.Step.id).where(m.Step.conversation_id == conversation_id)
        touch_ids = select(m.Touchpoint.id).where(m.Touchpoint.conversation_id == conversation_id)
        q = q.where(
            or_(
                (m.HistoryEntry.entity == "conversation")
                & (m.HistoryEntry.entity_id == conversation_id),
                (m.HistoryEntry.entity == "step") & m.HistoryEntry.entity_id.in_(step_ids),
                (m.HistoryEntry.entity == "touchpoint") & m.HistoryEntry.entity_id.in_(touch_ids),
            )
        )
    if since is not None:
        q = q.where(m.HistoryEntry.at >= since)
    if actor is not None:
        # one person may have acted as their name, their email or their login
        names = [actor] if isinstance(actor, str) else list(actor)
        q = q.where(
            or_(*[m.HistoryEntry.actor.ilike(n, escape="\\") for n in map(_literal, names)])
        )
    q = q.order_by(m.HistoryEntry.at.desc(), m.HistoryEntry.id.desc())
    if limit:
        q = q.limit(limit)
    return [_item(h) for h in session.scalars(q)]


def _literal(text: str) -> str:
    """`text` for ILIKE with its wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _item(h: m.HistoryEntry) -> HistoryItem:
    return HistoryItem(
        at=h.at if h.at.tzinfo else h.at.replace(tzinfo=UTC),  # SQLite drops the zone: it is UTC
        actor=h.actor,
        action=h.action,
        entity=h.entity,
        entity_id=h.entity_id,
        organisation_id=h.organisation_id,
        summary=h.summary,
        changes=h.changes,
        change_id=h.change_id,
        login=h.login,
    )


PAST_TENSE = {
    "create": "added",
    "update": "changed",
    "archive": "archived",
    "restore": "restored",
    "delete": "deleted",
    "merge": "merged into",
    "erase": "erased",
    "export": "exported",
    "undo": "undid",
    "access": "read",
    "import": "imported into",
    "override_block": "overrode the erasure block on",
}
# what each record is called, in the team's words
ENTITY_WORDS = {
    "organisation": "partner",
    "organisation_alias": "alias",
    "contact": "contact",
    "contact_email": "email address",
    "conversation": "conversation",
    "touchpoint": "touchpoint",
    "step": "step",
    "commitment": "commitment",
    "delivery": "delivery",
    "ambassadorship": "ambassador role",
    "event": "event",
    "attendance": "attendance",
    "colleague": "colleague",
    "ambassador_role": "role",
    "mission": "mission",
}
# a field's name as people say it; a field mapped to None is worked out from others
# (a conversation's last touch follows its touchpoints) and is left out as noise
FIELD_WORDS: dict[str, str | None] = {
    "due_on": "due date",
    "done_on": "done date",
    "happened_on": "date",
    "started_on": "start date",
    "agreed_on": "agreed date",
    "closed_on": "closed date",
    "delivered_on": "delivery date",
    "held_on": "date",
    "since": "start date",
    "status_changed_on": None,
    "ended_on": "end date",
    "last_touch_on": None,
    "changed_at": None,
    "registered_at": None,
    "erased_at": None,
    "lead_id": "lead",
    "owner_id": "owner",
    "colleague_id": "colleague",
    "contact_id": "contact",
    "host_id": "host",
    "role_id": "role",
    "mission_id": "mission",
    "ask_role_id": "ask",
    "ask_kind": "ask",
    "organisation_id": "partner",
    "conversation_id": "conversation",
    "commitment_id": "commitment",
    "event_id": "event",
    "promised_gbp": "promised £",
    "promised_hours": "promised hours",
    "promised_opportunities": "promised opportunities",
    "promised_people": "promised people",
    "gbp": "£",
    "job_title": "job title",
    "lawful_basis": "lawful basis",
    "consent_source": "consent source",
    "consent_date": "consent date",
    "consent_expires": "consent expiry",
    "recorded_by": None,
}
# a field set as a consequence of another field's change in the same entry: a commitment's
# closed date follows its status (delivered, lapsed), an ambassador role's end date its status
FOLLOWS = {"closed_on": "status", "ended_on": "status"}
# the vocabulary (partnercrm.labels) a field's codes are worded from
FIELD_VOCABULARY = {
    "sector": "sector",
    "stage": "stage",
    "kind": "kind",
    "ask_kind": "kind",
    "channel": "channel",
    "role": "attendance_role",
}
# records written only as a consequence of another change the history already tells
DERIVED_ENTITIES = {"stage_change", "conversation_contact", "conversation_mission"}
# records whose stored summary is a code, not a name: they are called by number
CODE_SUMMARIES = {"commitment", "stage_change"}
# ids shown as the names of the records they point at
NAMED_BY_ID = {
    "lead_id": "colleague",
    "owner_id": "colleague",
    "colleague_id": "colleague",
    "contact_id": "contact",
    "host_id": "organisation",
    "organisation_id": "organisation",
    "role_id": "ambassador_role",
    "mission_id": "mission",
    "ask_role_id": "ambassador_role",
    "event_id": "event",
}


@dataclass(frozen=True)
class HistoryLine:
    """One change as people read it: when, who (their full name) and what, in words."""

    at: datetime
    who: str
    what: str
    entity: str
    entity_id: int
    change_id: int | None = None  # the change it is part of (what `undo` takes back)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "who": self.who,
            "what": self.what,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "change": self.change_id,
        }


@dataclass
class Names:
    """Full names for actors and for the ids a change points at (read once for many lines)."""

    actors: dict[str, str]
    records: dict[tuple[str, int], str]
    today: date | None = None
    demo_changes: frozenset[int] = frozenset()  # the changes that loaded the demo data
    changes: dict[int, tuple[str, datetime]] = dataclasses.field(default_factory=dict)  # undone

    def change(self, change_id: int) -> str:
        """A change as people say it: "Ruth Craven's change of 30 Nov 18:27"."""
        from partnercrm import labels

        if change_id not in self.changes:
            return f"change #{change_id}"
        actor, at = self.changes[change_id]
        return f"{self.who(actor, change_id)}'s change of {labels.moment(at, self.today)}"

    def who(self, actor: str, change_id: int | None = None) -> str:
        """The colleague's full name; for what no colleague did, what made it: the demo loader
        (run as a computer login such as `root`) or the database's own setup."""
        name = self.actors.get(actor.strip().lower())
        if name is not None:
            return name
        if change_id is not None and change_id in self.demo_changes:
            return DEMO_DATA
        return SETUP if actor == UNKNOWN_ACTOR else actor

    def value(self, field: str, value: Any) -> str:
        from partnercrm import labels

        if value is None or value == "" or value == []:
            return "nothing"
        if isinstance(value, list):  # a collection: missions or contacts, by key or id
            return ", ".join(labels.label(str(v)) for v in value)
        target = NAMED_BY_ID.get(field)
        if target is not None and isinstance(value, int):
            return self.records.get((target, value), f"#{value}")
        text = labels.as_words(value, FIELD_VOCABULARY.get(field), self.today)
        if field == "status":
            text = labels.label(str(value))
        return text if len(text) <= 60 else text[:57] + "…"


def readable(
    session: Session, items: Sequence[HistoryItem], today: date | None = None
) -> list[HistoryLine]:
    """The entries as people read them, derived records left out (a constant number of reads)."""
    shown = [i for i in items if i.entity not in DERIVED_ENTITIES]
    names = naming(session, shown, today)
    found = []
    for item in shown:
        what = _what(item, names)
        if what:
            found.append(
                HistoryLine(
                    item.at,
                    names.who(item.actor, item.change_id),
                    what,
                    item.entity,
                    item.entity_id,
                    item.change_id,
                )
            )
    return found


def naming(
    session: Session, items: Sequence[HistoryItem | m.HistoryEntry], today: date | None = None
) -> Names:
    """The full names of the actors, and of the records these entries' ids point at."""
    actors: dict[str, str] = {}
    for c in session.execute(select(m.Colleague.name, m.Colleague.email)):
        actors[c.name.lower()] = c.name
        actors[c.email.lower()] = c.name
        actors.setdefault(c.email.split("@")[0].lower(), c.name)
        actors.setdefault(c.name.split()[0].lower(), c.name)
    wanted: dict[str, set[int]] = {}
    for item in items:
        for field, change in (item.changes or {}).items():
            target = NAMED_BY_ID.get(field)
            if target is None or not isinstance(change, list):
                continue
            wanted.setdefault(target, set()).update(v for v in change if isinstance(v, int))
    models = {
        "colleague": m.Colleague,
        "contact": m.Contact,
        "organisation": m.Organisation,
        "ambassador_role": m.AmbassadorRole,
        "mission": m.Mission,
        "event": m.Event,
    }
    records: dict[tuple[str, int], str] = {}
    for target, model in models.items():
        # one read per kind of record, asked even when empty: the count stays the same
        ids = sorted(wanted.get(target, ()))
        found: Any = model
        for row in session.execute(select(found.id, found.name).where(found.id.in_(ids))):
            records[(target, row.id)] = row.name
    undone = sorted({i.entity_id for i in items if i.action == "undo" and i.entity == "change"})
    h = m.HistoryEntry
    changes: dict[int, tuple[str, datetime]] = {}
    first = select(func.min(h.id)).where(h.change_id.in_(undone)).group_by(h.change_id)
    for row in session.execute(  # asked even when empty: the count stays the same
        select(h.change_id, h.actor, h.at).where(h.id.in_(first.scalar_subquery()))
    ):
        changes[row.change_id] = (row.actor, row.at)
    return Names(actors, records, today, _demo_changes(session), changes)


def _demo_changes(session: Session) -> frozenset[int]:
    """The change that loaded the demo data: the one that added its marker partner."""
    from partnercrm.demo import MARKER
    from partnercrm.matching import name_key

    h, o = m.HistoryEntry, m.Organisation
    found = session.scalars(
        select(h.change_id)
        .join(o, (h.entity == "organisation") & (h.entity_id == o.id))
        .where(o.name_key == name_key(MARKER), h.action == "create", h.change_id.is_not(None))
    )
    return frozenset(c for c in found if c is not None)


def entity_words(entity: str) -> str:
    """What a record is called in the team's words: an `organisation` is a 'partner'."""
    return ENTITY_WORDS.get(entity, entity.replace("_", " "))


def field_words(field: str) -> str:
    """A field's name as people say it: `owner_id` is 'owner', `due_on` 'due date'."""
    return FIELD_WORDS.get(field) or field.replace("_", " ")


def reference(entity: str, entity_id: int, summary: str | None) -> str:
    """A record as the history names it: 'step “send the pack”', or 'commitment #4'."""
    thing = entity_words(entity)
    named = summary and entity not in CODE_SUMMARIES
    return f"{thing} “{summary}”" if named else f"{thing} #{entity_id}"


def what(item: HistoryItem, names: Names) -> str:
    """What happened, in words: 'changed due date from 3 Dec to 10 Dec (step “send the pack”)'
    (undo says what it put back in these words too)."""
    return _what(item, names)


def _what(item: HistoryItem, names: Names) -> str:
    thing = entity_words(item.entity)
    ref = reference(item.entity, item.entity_id, item.summary)
    changes = item.changes or {}
    if item.action == "access":  # a read of personal data, recorded for the DPO
        rows = changes.get("rows")
        return f"read the {item.summary}" + (f" ({rows} rows)" if isinstance(rows, int) else "")
    if item.action == "undo" and item.entity == "change":  # what it put back follows
        return f"undid {names.change(item.entity_id)}"
    if item.entity == "database":  # a backup, a restore, a check: the summary says it
        return item.summary or PAST_TENSE.get(item.action, item.action)
    if item.action == "create":
        return _created(item, thing, ref, changes, names)
    if item.action != "update":
        done = PAST_TENSE.get(item.action, item.action.replace("_", " "))
        return f"{done} {ref}"
    if item.entity == "step" and "done_on" in changes and len(changes) == 1:
        old, new = changes["done_on"]
        if old is None:
            return f"marked {ref} done on {names.value('done_on', new)}"
        if new is None:
            return f"reopened {ref}"
    if item.entity == "conversation" and "stage" in changes:
        old, new = changes["stage"]
        rest = {k: v for k, v in changes.items() if k != "stage"}
        moved = f"moved {ref} from {names.value('stage', old)} to {names.value('stage', new)}"
        others = _changes(rest, names)
        return moved + (f"; {others}" if others else "")
    said = _changes(changes, names)
    return f"{said} ({ref})" if said else ""


def _created(item: HistoryItem, thing: str, ref: str, changes: dict[str, Any], names: Names) -> str:
    def new(field: str) -> Any:
        change = changes.get(field)
        return change[1] if isinstance(change, list) else None

    if not changes:  # a bulk import names what it created by its summary alone
        if item.entity == "conversation" and item.summary:
            return f"logged conversation #{item.entity_id} “{item.summary}”"
        return f"added {ref}"
    if item.entity == "touchpoint":
        channel = names.value("channel", new("channel"))
        article = "an" if channel[:1] in "aeiou" else "a"
        return f"added {article} {channel} on {names.value('happened_on', new('happened_on'))}" + (
            f" to conversation #{new('conversation_id')}" if new("conversation_id") else ""
        )
    if item.entity == "step":
        return f"added {ref}, due {names.value('due_on', new('due_on'))}"
    if item.entity == "conversation":
        about = new("subject")
        return f"logged conversation #{item.entity_id}" + (f" “{about}”" if about else "")
    if item.entity == "commitment":
        return f"recorded commitment #{item.entity_id}: {names.value('kind', new('kind'))}"
    if item.entity == "delivery":
        return f"recorded a delivery on commitment #{new('commitment_id')}" + _delivered(new)
    if item.entity == "ambassadorship":
        return f"enrolled the partner as {names.value('role_id', new('role_id'))} (ambassador role #{item.entity_id})"
    if item.entity == "attendance" and new("event_id"):
        who = names.value("contact_id", new("contact_id"))
        return f"recorded {who} at {names.value('event_id', new('event_id'))}"
    return f"added {ref}"


def _delivered(new: Callable[[str], Any]) -> str:
    """What a delivery brought, in the words its figures have elsewhere: ': £750, 12 people'."""
    from partnercrm.commitments import figures_text

    values = {}
    for field in ("gbp", "hours", "opportunities", "people"):
        value = new(field)
        if value not in (None, ""):
            amount = Decimal(str(value))
            values[field] = int(amount) if amount == amount.to_integral_value() else amount
    said = figures_text(values)
    return f": {said}" if said else ""


def _changes(changes: dict[str, Any], names: Names) -> str:
    parts = []
    for field, change in changes.items():
        if field in SKIPPED_FIELDS or field in FIELD_WORDS and FIELD_WORDS[field] is None:
            continue
        if FOLLOWS.get(field) in changes:  # set by the status change told beside it
            continue
        if not isinstance(change, list) or len(change) != 2:
            continue
        old, new = change
        words = field_words(field)
        if old is None:
            parts.append(f"set {words} to {names.value(field, new)}")
        elif new is None:
            parts.append(f"cleared {words} (was {names.value(field, old)})")
        else:
            parts.append(
                f"changed {words} from {names.value(field, old)} to {names.value(field, new)}"
            )
    return "; ".join(parts)


def describe(item: HistoryItem, today: date | None = None) -> str:
    """One line a person can read: '3 Dec 10:04 [812] ruth changed ward from … to … (partner …)'.

    The number in brackets is the change the entry is part of (what `undo` takes). Without a
    session the actor and the ids a change points at are shown as stored; `readable()` names
    them.
    """
    from partnercrm import labels

    names = Names({}, {}, today)
    what = _what(item, names) or f"{PAST_TENSE.get(item.action, item.action)} {item.entity}"
    change = f" [{item.change_id}]" if item.change_id is not None else ""
    return f"{labels.moment(item.at, today)}{change} {item.actor} {what}"
