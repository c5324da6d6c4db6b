"""The tamper-evident history: `check` names the first entry changed, removed or slipped in,
and still passes after an erasure took personal data out of old entries."""

from __future__ import annotations

from sqlalchemy import select, text

from partnercrm import backup, colleagues, contacts, conversations, organisations, privacy
from partnercrm import models as m


def _some_history(db) -> dict[str, int]:
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        rh = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        ada = contacts.add_contact(
            s, "Ada Lovelace", "ada@roundhouse.org.uk", rh, phone="07700 900123"
        )
        conversations.log_conversation(
            s,
            rh,
            ruth,
            contacts=[ada],
            note="Ada keen to host; call 07700900123",
            subject="a first talk",
        )
        organisations.edit_organisation(s, rh, ward="Camden Town")
        ids = list(s.scalars(select(m.HistoryEntry.id).order_by(m.HistoryEntry.seq)))
    return {"ada": ada.id, "middle": ids[len(ids) // 2], "count": len(ids)}


def _problems(db) -> list[str]:
    return [p.message for p in backup.check(db).problems if p.check == "history chain"]


def test_a_fresh_history_verifies_and_every_entry_is_chained(db):
    made = _some_history(db)
    report = backup.check(db)
    assert report.ok and "history chain" in report.checks
    assert report.history_entries >= made["count"]
    with db.reader() as s:
        seqs = list(s.scalars(select(m.HistoryEntry.seq).order_by(m.HistoryEntry.seq)))
    assert seqs == list(range(1, len(seqs) + 1))


def test_check_names_a_changed_entry(db):
    made = _some_history(db)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE history SET actor = 'Mallory' WHERE id = :i"), {"i": made["middle"]}
        )
    assert _problems(db) == [
        _starts(f"history entry {made['middle']} (", "Mallory", "was changed after it was written")
    ]


class _starts(str):
    """Equal to a message that starts with `head`, holds `inner` and ends with `tail`."""

    def __new__(cls, head: str, inner: str, tail: str) -> _starts:
        self = super().__new__(cls, head)
        self.inner, self.tail = inner, tail
        return self

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, str)
            and other.startswith(str.__str__(self))
            and self.inner in other
            and other.endswith(self.tail)
        )

    __hash__ = str.__hash__


def test_check_names_a_removed_entry(db):
    made = _some_history(db)
    with db.engine.begin() as conn:
        seq = conn.execute(
            text("SELECT seq FROM history WHERE id = :i"), {"i": made["middle"]}
        ).scalar()
        conn.execute(text("DELETE FROM history WHERE id = :i"), {"i": made["middle"]})
    (message,) = _problems(db)
    assert message.startswith(f"the history entry at position {seq} was removed (just before")


def test_check_names_an_entry_inserted_out_of_turn(db):
    _some_history(db)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO history (at, actor, action, entity, entity_id, summary) "
                "VALUES ('2025-01-01 09:00:00', 'Mallory', 'update', 'organisation', 1, 'forged')"
            )
        )
        forged = conn.execute(text("SELECT max(id) FROM history")).scalar()
    (message,) = _problems(db)
    assert message.startswith(f"history entry {forged} (") and "inserted out of turn" in message
    assert "Mallory" in message


def test_a_redaction_without_a_recorded_erasure_is_a_change(db):
    made = _some_history(db)
    with db.transaction() as s:
        entry = s.get(m.HistoryEntry, made["middle"])
        privacy.redact_history(s, [(entry, "[erased]", entry.changes)])
    (message,) = _problems(db)
    assert f"history entry {made['middle']} (" in message and "was changed" in message


def test_check_passes_after_an_erasure_took_the_person_out_of_the_history(db):
    made = _some_history(db)
    with db.transaction() as s:
        privacy.erase(s, s.get(m.Contact, made["ada"]))
    with db.reader() as s:
        everything = " ".join(f"{h.summary} {h.changes}" for h in s.scalars(select(m.HistoryEntry)))
        erase_entry = s.scalar(select(m.HistoryEntry).where(m.HistoryEntry.action == "erase"))
    assert "Ada" not in everything and "ada@roundhouse.org.uk" not in everything
    assert erase_entry.changes["redacted"]  # the erasure lists what it redacted
    report = backup.check(db)
    assert report.ok, report.problems
    # and a later change to an erased entry is still caught
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE history SET summary = 'Ada Lovelace' WHERE id = :i"),
            {"i": int(next(iter(erase_entry.changes["redacted"])))},
        )
    assert _problems(db)


def test_cli_check_fails_on_a_changed_history(cli, db):
    made = _some_history(db)
    assert cli.ok("check").stdout.startswith("All is well")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE history SET entity_id = 99 WHERE id = :i"), {"i": made["middle"]})
    result = cli("check")
    assert result.exit_code == 1
    assert f"history entry {made['middle']}" in result.stdout
