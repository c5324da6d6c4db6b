"""A database made by the first migration upgrades to head with its data intact."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from partnercrm import migrations
from partnercrm.database import make_engine, open_database
from partnercrm.errors import Invalid


@pytest.fixture
def blank_url(db_url):
    """A database with no schema at all (the `db_url` one, emptied)."""
    engine = make_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        from partnercrm.models import Base

        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        for kind in ("organisation", "contact", "conversation", "touchpoint", "delivery"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS search_{kind}")  # 0003's indexes
    engine.dispose()
    return db_url if "://" in db_url else f"sqlite:///{db_url}"


def test_first_migration_upgrades_to_head_with_data_intact(blank_url):
    engine = make_engine(blank_url)
    migrations.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO colleague (id, name, name_key, email, archived, version, created_at, updated_at) "
                "VALUES (1, 'Ruth Craven', 'ruth craven', 'ruth@camden.gov.uk', false, 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, name_key, sector, anchor, archived, lead_id, version, "
                "created_at, updated_at) VALUES (1, 'Roundhouse', 'roundhouse', 'culture', true, false, 1, "
                "1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO conversation (id, organisation_id, lead_id, stage, started_on, last_touch_on, "
                "archived, version, created_at, updated_at) VALUES (1, 1, 1, 'exploring', '2024-06-01', "
                "'2024-07-01', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    assert migrations.current(engine) == "0001"
    engine.dispose()

    db = open_database(blank_url)  # opening upgrades
    assert migrations.current(db.engine) == migrations.head()
    from partnercrm import conversations, organisations

    with db.transaction() as s:
        org = organisations.find_organisation(s, "roundhouse")
        assert org.anchor is True and org.lead.name == "Ruth Craven"
        conv = conversations.get_conversation(s, 1)
        assert conv.stage == "exploring" and conv.organisation is org
        organisations.edit_organisation(s, org, ward="Chalk Farm")
    db.dispose()


def test_a_database_from_a_newer_version_is_refused_clearly(db):
    url = db.url
    db.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(Invalid, match="written by a newer partnercrm"):
        open_database(url)


def test_a_database_behind_is_refused_by_field_when_upgrading_is_not_allowed(blank_url):
    engine = make_engine(blank_url)
    migrations.upgrade(engine, "0001")
    engine.dispose()
    with pytest.raises(Invalid) as refused:
        open_database(blank_url, upgrade=False)
    assert refused.value.field == "schema"  # the CLI names its `db upgrade` command for it
    assert str(refused.value) == (
        f"the database is at schema revision 0001 and needs upgrading to {migrations.head()} "
        "before it can be opened"
    )
    engine = make_engine(blank_url)
    assert migrations.current(engine) == "0001"  # left as it was
    engine.dispose()


def test_the_quick_head_read_from_the_files_is_alembics_head():
    assert migrations.quick_head() == migrations.head()
