"""Search: prefix, case and accent matching, literal special characters, an index kept in step."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text

from partnercrm import (
    colleagues,
    commitments,
    contacts,
    conversations,
    migrations,
    organisations,
    search,
)
from partnercrm import models as m
from partnercrm.database import make_engine, open_database


@pytest.fixture
def world(db):
    """A few partners, people, conversations, touchpoints and a delivery story."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        wellcome = organisations.add_organisation(
            s, "Wellcome Collection", "culture", aliases=["The Wellcome"], ward="Euston"
        )
        senate = organisations.add_organisation(s, "Senate House Library", "higher_education")
        cafe = organisations.add_organisation(s, "Café Rouge Camden", "business")
        organisations.add_organisation(s, "Offer 50%_ Ltd", "business")
        organisations.add_organisation(s, "Room 500 Studios", "culture")
        ada = contacts.add_contact(
            s, "Ada Ólafsdóttir", "ada@wellcome.org", wellcome, job_title="Head of Community"
        )
        conv = conversations.log_conversation(
            s, senate, ruth, subject="Reading room placements", note="Met the chief librarian"
        )
        conversations.add_touchpoint(s, conv, note="They want 12 apprentices by spring")
        com = commitments.add_commitment(s, conv, "opportunities", opportunities=5)
        commitments.deliver(s, com, opportunities=5, story="Five young people catalogued maps")
        ids = {
            "wellcome": wellcome.id,
            "senate": senate.id,
            "cafe": cafe.id,
            "ada": ada.id,
            "conv": conv.id,
            "commitment": com.id,
        }
    return ids


def find(db, query, **kw):
    with db.reader() as s:
        return search.search(s, query, **kw)


def titles(hits):
    return [h.title for h in hits]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("wellc", "Wellcome Collection"),
        ("WELLCOME coll", "Wellcome Collection"),
        ("Senate Hous", "Senate House Library"),
        ("cafe", "Café Rouge Camden"),
        ("CAFÉ rou", "Café Rouge Camden"),
        ("olafsdottir", "Ada Ólafsdóttir"),
        ("ada@wellcome.org", "Ada Ólafsdóttir"),
    ],
)
def test_prefix_case_and_accent_insensitive(db, world, typed, expected):
    hits = find(db, typed)
    assert hits and hits[0].title == expected


def test_one_ranked_list_with_kind_snippet_and_owner(db, world):
    hits = find(db, "wellc")
    assert [(h.kind, h.title) for h in hits] == [
        ("organisation", "Wellcome Collection"),
        ("contact", "Ada Ólafsdóttir"),  # matched by her email address
    ]
    org, ada = hits
    assert org.marked() == "[Wellc]ome Collection" and org.organisation_id == world["wellcome"]
    assert ada.field == "email" and ada.marked() == "ada@[wellc]ome.org"
    assert ada.organisation == "Wellcome Collection" and ada.id == world["ada"]

    touch = find(db, "apprent")
    assert [h.kind for h in touch] == ["touchpoint"]
    assert touch[0].marked() == "They want 12 [apprent]ices by spring"
    assert touch[0].organisation == "Senate House Library"
    assert touch[0].ids == {"conversation_id": world["conv"]}

    story = find(db, "maps")
    assert [(h.kind, h.ids) for h in story] == [
        ("delivery", {"commitment_id": world["commitment"]})
    ]
    subject = find(db, "reading room")
    assert [(h.kind, h.id) for h in subject] == [("conversation", world["conv"])]


def test_alias_and_kinds_and_limit(db, world):
    alias = find(db, "the wellcome")
    assert alias[0].title == "Wellcome Collection" and alias[0].field == "alias"
    assert titles(find(db, "wellc", kinds=["contact"])) == ["Ada Ólafsdóttir"]
    assert len(find(db, "wellc", limit=1)) == 1


@pytest.mark.parametrize(
    "typed",
    [
        "%",
        "_",
        "%%",
        "' OR 1=1--",
        '"',
        "*",
        "NEAR(",
        "a:b",
        "'; DROP TABLE organisation; --",
        "wellc*",
        "x) OR (y",
        "^w",
        "-",
        "{name}:w",
    ],
)
def test_syntax_and_wildcards_are_never_operators(db, world, typed):
    hits = find(db, typed)  # no error, and no everything-matches wildcard
    assert len(hits) <= 1
    for hit in hits:
        assert hit.title == "Wellcome Collection"  # "wellc*" and "^w"-style words still prefix
    with db.reader() as s:
        assert s.scalar(text("SELECT count(*) FROM organisation")) == 5


def test_like_wildcards_are_matched_literally(db, world):
    assert titles(find(db, "50%_")) == ["Offer 50%_ Ltd"]  # not Room 500 Studios
    assert find(db, "50%_")[0].marked() == "Offer [50%_] Ltd"
    assert sorted(titles(find(db, "50"))) == ["Offer 50%_ Ltd", "Room 500 Studios"]
    assert titles(find(db, "5_0")) == []
    assert titles(find(db, "50__")) == []


def test_an_edit_is_found_at_once_and_a_removed_row_is_gone(db, world):
    with db.transaction() as s:
        org = s.get(m.Organisation, world["cafe"])
        organisations.edit_organisation(s, org, name="Bistro Verte", remove_aliases=[])
        # the old name stays findable as an alias
    assert find(db, "bistro v")[0].title == "Bistro Verte"
    assert find(db, "cafe rouge")[0].field == "alias"
    with db.transaction() as s:
        org = s.get(m.Organisation, world["cafe"])
        organisations.edit_organisation(s, org, remove_aliases=["Café Rouge Camden"])
    assert find(db, "cafe rouge") == []

    with db.transaction() as s:
        contacts.edit_contact(s, s.get(m.Contact, world["ada"]), job_title="Director of Learning")
    assert find(db, "community") == []
    assert find(db, "director learn")[0].title == "Ada Ólafsdóttir"

    with db.transaction() as s:
        organisations.set_archived(s, s.get(m.Organisation, world["senate"]), True)
    assert find(db, "senate") == []
    assert find(db, "apprent") == []  # its conversations' touchpoints go with it
    with db.transaction() as s:
        organisations.set_archived(s, s.get(m.Organisation, world["senate"]), False)
    assert titles(find(db, "senate")) == ["Senate House Library"]

    with db.transaction() as s:
        conv = s.get(m.Conversation, world["conv"])
        for tp in conversations.touchpoints(s, conv):
            if tp.note and "apprentices" in tp.note:
                s.delete(tp)
    assert find(db, "apprent") == []
    with db.reader() as s:
        table = "search_touchpoint"
        assert s.scalar(text(f"SELECT count(*) FROM {table}")) == 1  # the opening note only


def test_bulk_core_inserts_are_indexed(db, world):
    with db.transaction() as s:
        s.execute(
            insert(m.Organisation),
            [
                {
                    "name": f"Bulk Partner {i}",
                    "name_key": f"bulk partner {i}",
                    "sector": "vcs",
                    "anchor": False,
                    "archived": False,
                    "version": 1,
                }
                for i in range(50)
            ],
        )
    with db.reader() as s:
        assert len(search.organisation_ids(s, "bulk part")) == 50
    assert find(db, "bulk partner 17")[0].title == "Bulk Partner 17"


def test_partner_list_narrows_as_you_type(db, world):
    with db.reader() as s:
        names = [r.name for r in organisations.list_organisations(s, query="wellc")]
        assert names == ["Wellcome Collection"]
        assert [r.name for r in organisations.list_organisations(s, query="euston")] == names
        assert [r.name for r in organisations.list_organisations(s, query="the well")] == names
        assert len(organisations.list_organisations(s, query="")) == 5
        assert organisations.list_organisations(s, query="%") == []
        culture = organisations.list_organisations(s, query="cult")
        assert {r.name for r in culture} == {"Wellcome Collection", "Room 500 Studios"}


def test_upgrading_an_existing_database_indexes_what_is_there(db_url):
    url = db_url if "://" in db_url else f"sqlite:///{db_url}"
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        m.Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        for kind in search.KINDS:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS search_{kind}")
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, name_key, sector, anchor, archived, version, "
                "created_at, updated_at) VALUES (7, 'Wellcome Collection', 'wellcome collection', "
                "'culture', false, false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO organisation_alias (organisation_id, alias, alias_key) "
                "VALUES (7, 'Wellcome Trust', 'wellcome trust')"
            )
        )
    engine.dispose()
    db = open_database(url)
    try:
        assert titles(find(db, "trust")) == ["Wellcome Collection"]
    finally:
        db.dispose()


def test_cli_search(cli, world):
    data = cli.json("search", "wellc")
    assert [(d["kind"], d["title"], d["marked"]) for d in data][0] == (
        "organisation",
        "Wellcome Collection",
        "[Wellc]ome Collection",
    )
    out = cli.ok("search", "Senate", "Hous").output
    assert out.splitlines()[1].split() == ["partner", "2", "[Senate]", "[Hous]e", "Library"]
    assert cli.ok("search", "zzzz").output.strip() == "Nothing matches 'zzzz'."
    assert len(cli.json("search", "wellc", "--limit", "1")) == 1
    assert cli.json("search", "wellc", "--kind", "contact")[0]["title"] == "Ada Ólafsdóttir"


def test_one_letter_words(db, world):
    # one letter alone lists the names that start with it; beside longer words it narrows
    assert [(h.kind, h.title) for h in find(db, "w")] == [("organisation", "Wellcome Collection")]
    assert titles(find(db, "ada o")) == ["Ada Ólafsdóttir"]
    assert titles(find(db, "ada x")) == []
    assert titles(find(db, "senate h l")) == ["Senate House Library"]


def test_postgresql_fold_without_unaccent(db):
    """Where the unaccent extension cannot be installed, a translate() folds the usual accents."""
    import importlib.util
    from pathlib import Path

    if db.is_sqlite:
        pytest.skip("SQLite folds in its FTS5 tokenizer")
    path = Path(migrations.__file__).parent / "versions" / "0003_search.py"
    spec = importlib.util.spec_from_file_location("search_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert len(module.ACCENTED) == len(module.PLAIN)
    body = module.FALLBACK_FOLD.replace("$1", ":text")
    with db.reader() as s:
        assert s.scalar(text(body), {"text": "Café Łódź Søren ÀÉÎÕÜ"}) == "cafe lodz soren aeiou"


def test_an_older_partner_is_found_by_a_later_word_of_its_alias(db, monkeypatch):
    # PostgreSQL once read an older partner's aliases as none when the newest rows were probed
    # first, so a partner found only by a word inside its alias was dropped
    monkeypatch.setattr(search, "PROBE_ROWS", 1)
    with db.transaction() as s:
        organisations.add_organisation(
            s, "Somers Town Trust", "vcs", aliases=["Friends of Crick Gardens"]
        )
        for name in ("Regent's Park Allotments", "Kentish Town City Farm"):
            organisations.add_organisation(s, name, "vcs")
    hits = find(db, "crick")
    assert [(h.title, h.field, h.snippet) for h in hits] == [
        ("Somers Town Trust", "alias", "Friends of Crick Gardens")
    ]
