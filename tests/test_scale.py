"""Council-scale data at a small N: the right amounts, a consistent database, and a live one."""

from __future__ import annotations

import shutil
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from partnercrm import commitments, conversations, history, organisations, scale
from partnercrm import models as m
from partnercrm.backup import sqlite_problems
from partnercrm.database import open_database
from tests.conftest import BACKENDS, PG_URL, _pg_schema_url

TODAY = date(2026, 3, 2)


def _count(session, model, *where) -> int:
    q = select(func.count()).select_from(model)
    for w in where:
        q = q.where(w)
    return session.scalar(q)


@pytest.fixture(scope="module", params=BACKENDS)
def built_once(request, tmp_path_factory, sqlite_template):
    """One N=1 build per backend for the tests that only read it (a build takes seconds)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("scale") / "scale.db"
        shutil.copy(sqlite_template, path)
        url, schema = str(path), None
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL: PARTNERCRM_TEST_PG_URL is not set")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _pg_schema_url(schema)
    database = open_database(url, actor="tester")
    seen: list[tuple[str, int, int]] = []
    summary = scale.build(database, 1, progress=lambda *a: seen.append(a), today=TODAY)
    yield database, summary, seen
    database.dispose()
    if schema:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def built(built_once):
    return built_once[1], built_once[2]


@pytest.fixture
def db(built_once):
    return built_once[0]


def test_one_unit_of_scale_has_the_promised_amounts(db, built) -> None:
    summary, seen = built
    big = scale.BIG_CONVERSATIONS
    with db.reader() as s:
        per = scale.PER_UNIT
        # the demo is loaded first, then one unit of generated data and the big partner
        assert summary["organisations"] == per["organisations"] + 1
        assert summary["contacts"] == per["contacts"] + 200
        assert (
            abs(summary["conversations"] - (per["conversations"] + big))
            < 0.05 * per["conversations"]
        )
        assert (
            abs(summary["touchpoints"] - (per["touchpoints"] + 3 * big)) < 0.1 * per["touchpoints"]
        )
        assert summary["steps"] == per["steps"] + int(1.5 * big)
        assert summary["events"] == per["events"]
        assert abs(summary["attendances"] - per["attendances"]) < 0.1 * per["attendances"]
        assert _count(s, m.Conversation) == summary["conversations"] + _demo_count(
            s, "conversation"
        )
        assert _count(s, m.Organisation, m.Organisation.name_key == "phoenix court works") == 1
    # progress is reported per table, ending with the whole of each
    finished = {label for label, done, total in seen if done == total}
    assert {"organisations", "contacts", "conversations", "touchpoints", "attendances"} <= finished


def _demo_count(s, entity: str) -> int:
    return _count(
        s, m.HistoryEntry, m.HistoryEntry.entity == entity, m.HistoryEntry.action == "create"
    )


def test_the_skew_of_a_real_borough(db, built) -> None:
    summary, _ = built
    with db.reader() as s:
        per_org = dict(
            s.execute(
                select(m.Conversation.organisation_id, func.count()).group_by(
                    m.Conversation.organisation_id
                )
            ).all()
        )
        orgs = list(s.scalars(select(m.Organisation.id)))
        big = summary["big_partner"]
        assert per_org[big["id"]] == scale.BIG_CONVERSATIONS == big["conversations"]
        assert max(per_org.values()) == scale.BIG_CONVERSATIONS
        with_one = sum(1 for o in orgs if per_org.get(o) == 1)
        with_none = sum(1 for o in orgs if o not in per_org)
        assert with_one >= 0.2 * len(orgs)
        assert with_none >= 0.05 * len(orgs)
        stages = set(organisations.relationship_stages(s, orgs).values())
        assert stages == set(m.RelationshipStage)
        assert {st for (st,) in s.execute(select(m.Commitment.status).distinct())} == {
            st.value for st in m.CommitmentStatus
        }


def test_the_database_is_consistent(db, built) -> None:
    with db.reader() as s:
        # last_touch_on is the latest touchpoint, and nothing happened after today
        mismatched = s.scalar(
            select(func.count()).select_from(
                select(m.Conversation.id)
                .join(m.Touchpoint, m.Touchpoint.conversation_id == m.Conversation.id)
                .group_by(m.Conversation.id, m.Conversation.last_touch_on)
                .having(func.max(m.Touchpoint.happened_on) != m.Conversation.last_touch_on)
                .subquery()
            )
        )
        assert mismatched == 0
        assert _count(s, m.Conversation, m.Conversation.last_touch_on > TODAY) == 0
        assert _count(s, m.Touchpoint, m.Touchpoint.happened_on > TODAY) == 0
        # every conversation started with an 'initiated' change on its first day
        initiated = _count(
            s,
            m.StageChange.__table__.join(
                m.Conversation.__table__, m.Conversation.id == m.StageChange.conversation_id
            ),
            m.StageChange.to_stage == "initiated",
            m.StageChange.from_stage.is_(None),
            m.StageChange.changed_on == m.Conversation.started_on,
        )
        assert initiated == _count(s, m.Conversation)
        # committed conversations: one commitment each, agreed the day the stage changed
        committed = _count(s, m.Conversation, m.Conversation.stage == "committed")
        assert committed == _count(s, m.Commitment) > 0
        agreed_on_the_day = _count(
            s,
            m.StageChange.__table__.join(
                m.Commitment.__table__,
                m.Commitment.conversation_id == m.StageChange.conversation_id,
            ),
            m.StageChange.to_stage == "committed",
            m.StageChange.changed_on == m.Commitment.agreed_on,
        )
        assert agreed_on_the_day == committed
        # a conversation's current stage is the last one it moved to
        for conv in s.scalars(select(m.Conversation).limit(300)):
            moves = conversations.stage_changes(s, conv)
            assert moves[-1].to_stage == conv.stage
        delivered = _count(s, m.Commitment, m.Commitment.status == "delivered")
        with_delivery = s.scalar(
            select(func.count(func.distinct(m.Delivery.commitment_id)))
            .join(m.Commitment)
            .where(m.Commitment.status == "delivered")
        )
        assert with_delivery == delivered
        assert (
            _count(
                s,
                m.Commitment,
                m.Commitment.status == "delivered",
                m.Commitment.closed_on.is_(None),
            )
            == 0
        )
        # attendees came for the organisation they work at
        wrong_org = _count(
            s,
            m.Attendance.__table__.join(m.Contact.__table__),
            m.Attendance.organisation_id != m.Contact.organisation_id,
        )
        assert wrong_org == 0
    if db.is_sqlite:
        assert sqlite_problems(db.engine) == []
        # the search triggers ran once per table over the bulk rows: every row is indexed
        with db.reader() as s:
            for search, source, where in (
                ("search_organisation", "organisation", ""),
                ("search_contact", "contact", ""),
                ("search_conversation", "conversation", " WHERE subject IS NOT NULL"),
                ("search_touchpoint", "touchpoint", " WHERE note IS NOT NULL"),
            ):
                indexed = s.scalar(text(f"SELECT count(*) FROM {search}"))
                assert indexed == s.scalar(text(f"SELECT count(*) FROM {source}{where}")) > 0


def test_history_gets_one_entry_per_table_not_per_row(db, built) -> None:
    summary, _ = built
    with db.reader() as s:
        bulk = [h for h in history.entries(s, limit=None) if h.action == "bulk_create"]
        by_entity = {h.entity: h for h in bulk}
        assert len(bulk) == len(by_entity) >= 10
        assert by_entity["touchpoint"].changes["count"] == summary["touchpoints"]
        # the entry names the first and last of the rows it stands for: the newest, all there
        entry = by_entity["touchpoint"]
        first, last = entry.entity_id, entry.changes["last_id"]
        assert last == s.scalar(select(func.max(m.Touchpoint.id)))
        between = select(func.count()).where(m.Touchpoint.id.between(first, last))
        assert s.scalar(between) == last - first + 1 == summary["touchpoints"]


def _schema(db) -> dict:
    """Every table's foreign keys and indexes, as the database reports them."""
    found = {}
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            fks = sorted(
                (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            )
            indexes = sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(table)
            )
            found[table] = (fks, indexes)
    return found


def test_the_built_database_takes_ordinary_work_and_a_second_build(fresh_db) -> None:
    db = fresh_db
    before = _schema(db)
    summary = scale.build(db, 1, today=TODAY)
    # PostgreSQL builds drop foreign keys and plain indexes for speed: all must be back
    assert _schema(db) == before
    # ids written in bulk must not collide with ids the services hand out afterwards
    with db.transaction() as s:
        lead = s.scalar(select(m.Colleague).limit(1))
        org = organisations.add_organisation(s, "A Brand New Partner", "vcs")
        big = organisations.find_organisation(s, summary["big_partner"]["name"])
        conv = conversations.log_conversation(s, big, lead, ask="research", on=TODAY)
        commitments.add_commitment(s, conv, "research", on=TODAY, nothing_promised=True)
        assert org.id > summary["big_partner"]["id"]
    again = scale.build(db, 1, seed=2, today=TODAY)
    assert again["build"] == {"scale": 1, "seed": 2, "seconds": again["build"]["seconds"]}
    assert again["big_partner"]["name"] != summary["big_partner"]["name"]
    assert again["organisations"] == summary["organisations"]
    with db.reader() as s:
        keys = list(s.scalars(select(m.Organisation.name_key)))
        assert len(keys) == len(set(keys))
        assert _count(s, m.Organisation, m.Organisation.name_key == "phoenix court works") == 1


@pytest.fixture
def fresh_db(db_url):
    database = open_database(db_url, actor="tester")
    yield database
    database.dispose()
