from sqlalchemy import text

from partnercrm import migrations
from partnercrm.missions import list_missions, list_roles


def test_new_database_is_migrated_and_has_the_default_missions_and_roles(db):
    assert migrations.current(db.engine) == migrations.head()
    with db.transaction() as s:
        assert [m.key for m in list_missions(s)] == ["diversity", "young_people", "food", "estates"]
        roles = list_roles(s)
        assert [r.name for r in roles] == [
            "Recognition of action",
            "Advocate/champion",
            "Sponsorship",
            "Research, learning & evaluation",
        ]
        assert roles[0].ask_of_partner.startswith("To become part of the We Make Camden story")


def test_sqlite_is_tuned(tmp_path):
    from partnercrm.database import open_database

    db = open_database(str(tmp_path / "x.db"))
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    db.dispose()


def test_opening_to_read_does_not_wait_for_a_writer(tmp_path):
    """While an import holds the write lock, `partner list` opens and reads at once (WAL)."""
    import sqlite3
    import threading

    from partnercrm.database import open_database
    from partnercrm.organisations import list_organisations

    path = tmp_path / "x.db"
    open_database(str(path)).dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    done: list[int] = []

    def read() -> None:
        db = open_database(str(path))
        with db.reader() as s, s.begin():
            done.append(len(list_organisations(s)))
        db.dispose()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    try:
        assert done == [0], "opening the database waited for the writer's lock"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        reader.join()


def test_an_unknown_kind_of_database_is_a_clear_error_that_hides_the_password():
    import pytest

    from partnercrm.database import resolve_url
    from partnercrm.errors import Invalid

    with pytest.raises(Invalid, match=r"^'postgres://ruth:\*\*\*@db/crm' is not a database URL"):
        resolve_url("postgres://ruth:secret@db/crm")
