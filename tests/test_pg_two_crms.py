"""Two CRMs in one PostgreSQL database (a training copy beside the live one, in schemas of
their own): dropping one leaves the other whole, search and all.

`unaccent`, which search folds accents with, exists once per database; the search migration
makes it in `public`, not in the schema of the first CRM built there, so the second CRM's
search does not lean on a schema that may be dropped. A database of its own for the test:
the shared test database has `unaccent` in `public` already (tests/conftest.py)."""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text

from partnercrm import organisations, search
from partnercrm.database import open_database
from tests.conftest import PG_URL


def _in(database: str, schema: str) -> str:
    assert PG_URL
    parts = urlsplit(PG_URL)
    options = f"options={quote(f'-csearch_path={schema}')}"
    query = f"{parts.query}&{options}" if parts.query else options
    return urlunsplit(parts._replace(path=f"/{database}", query=query))


def test_dropping_one_crm_leaves_the_other_searching() -> None:
    if not PG_URL:
        pytest.skip("PostgreSQL: PARTNERCRM_TEST_PG_URL is not set")
    database = f"pcrm_two_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        here = create_engine(_in(database, "public"), isolation_level="AUTOCOMMIT")
        with here.connect() as conn:
            for schema in ("training", "live"):
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        crms = {}
        for schema in ("training", "live"):
            crms[schema] = open_database(_in(database, schema), actor="Ruth Craven")
            with crms[schema].transaction() as s:
                organisations.add_organisation(s, "Café Ólafsdóttir", "vcs")
        with here.connect() as conn:
            home = conn.scalar(
                text(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                    "ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
                )
            )
            assert home == "public"
            crms["training"].dispose()
            conn.execute(text('DROP SCHEMA "training" CASCADE'))
        live = crms["live"]
        with live.transaction() as s:  # writing runs the search triggers, which fold
            organisations.add_organisation(s, "Crème Bakery", "vcs")
        with live.reader() as s:
            assert [h.title for h in search.search(s, "olafsdottir")] == ["Café Ólafsdóttir"]
            assert [h.title for h in search.search(s, "creme")] == ["Crème Bakery"]
        live.dispose()
        here.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
