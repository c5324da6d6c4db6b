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
