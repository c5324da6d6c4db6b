"""search: full-text indexes over organisations, contacts, conversations, touchpoints, stories

Revision ID: 0003
Revises: 0002

One search table per kind, named the same on both backends and kept in step by triggers in
the database itself, so ORM writes, bulk Core inserts (the importer, the scale generator) and
hand-written SQL are all indexed the moment they commit.

- SQLite: FTS5 tables (unicode61 with remove_diacritics 2, prefix indexes for 2-4 characters);
  the row id of each is the id of the record it indexes.
- PostgreSQL: a table of (id, tsvector) per kind with a GIN index, filled by statement-level
  triggers with transition tables (one INSERT per bulk statement, not one per row). Text is
  folded by `partnercrm_fold()`: `unaccent` when the extension is there or can be created,
  else a translate() of the common Latin accents.

Existing rows are copied into the indexes here, so an upgraded database finds them at once.
"""

import unicodedata

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'"

# --- SQLite -------------------------------------------------------------------------------

ORG_ALIASES = (
    "coalesce((SELECT group_concat(alias, ' ') FROM organisation_alias "
    "WHERE organisation_id = {id}), '')"
)
ORG_PLACE = "coalesce({row}.ward, '') || ' ' || replace({row}.sector, '_', ' ')"
CONTACT_EMAILS = (
    "coalesce((SELECT email FROM contact WHERE id = {id}), '') || ' ' || "
    "coalesce((SELECT group_concat(email, ' ') FROM contact_email WHERE contact_id = {id}), '')"
)

# (search table, source table, indexed column) for the kinds with one text column
SIMPLE_KINDS = [
    ("search_conversation", "conversation", "subject"),
    ("search_touchpoint", "touchpoint", "note"),
    ("search_delivery", "delivery", "story"),
]


def _sqlite_upgrade() -> None:
    run = op.execute
    run(f"CREATE VIRTUAL TABLE search_organisation USING fts5(name, aliases, place, {FTS_OPTIONS})")
    run(f"CREATE VIRTUAL TABLE search_contact USING fts5(name, email, job_title, {FTS_OPTIONS})")
    for table, _source, column in SIMPLE_KINDS:
        run(f"CREATE VIRTUAL TABLE {table} USING fts5({column}, {FTS_OPTIONS})")

    org_insert = (
        "INSERT INTO search_organisation(rowid, name, aliases, place) VALUES "
        f"(new.id, new.name, {ORG_ALIASES.format(id='new.id')}, {ORG_PLACE.format(row='new')});"
    )
    run(
        f"CREATE TRIGGER search_organisation_ai AFTER INSERT ON organisation BEGIN {org_insert} END"
    )
    run(
        "CREATE TRIGGER search_organisation_au AFTER UPDATE OF name, ward, sector ON organisation "
        f"BEGIN DELETE FROM search_organisation WHERE rowid = old.id; {org_insert} END"
    )
    run(
        "CREATE TRIGGER search_organisation_ad AFTER DELETE ON organisation "
        "BEGIN DELETE FROM search_organisation WHERE rowid = old.id; END"
    )
    for event, row in (("INSERT", "new"), ("DELETE", "old")):
        oid = f"{row}.organisation_id"
        run(
            f"CREATE TRIGGER search_alias_{event[0].lower()} AFTER {event} ON organisation_alias "
            f"BEGIN UPDATE search_organisation SET aliases = {ORG_ALIASES.format(id=oid)} "
            f"WHERE rowid = {oid}; END"
        )
    run(
        "CREATE TRIGGER search_alias_u AFTER UPDATE ON organisation_alias BEGIN "
        f"UPDATE search_organisation SET aliases = {ORG_ALIASES.format(id='old.organisation_id')} "
        "WHERE rowid = old.organisation_id; "
        f"UPDATE search_organisation SET aliases = {ORG_ALIASES.format(id='new.organisation_id')} "
        "WHERE rowid = new.organisation_id; END"
    )

    contact_insert = (
        "INSERT INTO search_contact(rowid, name, email, job_title) VALUES "
        f"(new.id, new.name, {CONTACT_EMAILS.format(id='new.id')}, new.job_title);"
    )
    run(f"CREATE TRIGGER search_contact_ai AFTER INSERT ON contact BEGIN {contact_insert} END")
    run(
        "CREATE TRIGGER search_contact_au AFTER UPDATE OF name, email, job_title ON contact "
        f"BEGIN DELETE FROM search_contact WHERE rowid = old.id; {contact_insert} END"
    )
    run(
        "CREATE TRIGGER search_contact_ad AFTER DELETE ON contact "
        "BEGIN DELETE FROM search_contact WHERE rowid = old.id; END"
    )
    for event, row in (("INSERT", "new"), ("DELETE", "old"), ("UPDATE", "new")):
        cid = f"{row}.contact_id"
        extra = ""
        if event == "UPDATE":
            extra = (
                f"UPDATE search_contact SET email = {CONTACT_EMAILS.format(id='old.contact_id')} "
                "WHERE rowid = old.contact_id; "
            )
        run(
            f"CREATE TRIGGER search_contact_email_{event[0].lower()} AFTER {event} ON contact_email "
            f"BEGIN {extra}UPDATE search_contact SET email = {CONTACT_EMAILS.format(id=cid)} "
            f"WHERE rowid = {cid}; END"
        )

    for table, source, column in SIMPLE_KINDS:
        insert = (
            f"INSERT INTO {table}(rowid, {column}) SELECT new.id, new.{column} "
            f"WHERE new.{column} IS NOT NULL;"
        )
        run(f"CREATE TRIGGER {table}_ai AFTER INSERT ON {source} BEGIN {insert} END")
        run(
            f"CREATE TRIGGER {table}_au AFTER UPDATE OF {column} ON {source} "
            f"BEGIN DELETE FROM {table} WHERE rowid = old.id; {insert} END"
        )
        run(
            f"CREATE TRIGGER {table}_ad AFTER DELETE ON {source} "
            f"BEGIN DELETE FROM {table} WHERE rowid = old.id; END"
        )

    # what is already there
    run(
        "INSERT INTO search_organisation(rowid, name, aliases, place) SELECT o.id, o.name, "
        f"{ORG_ALIASES.format(id='o.id')}, {ORG_PLACE.format(row='o')} FROM organisation o"
    )
    run(
        "INSERT INTO search_contact(rowid, name, email, job_title) SELECT c.id, c.name, "
        f"{CONTACT_EMAILS.format(id='c.id')}, c.job_title FROM contact c"
    )
    for table, source, column in SIMPLE_KINDS:
        run(
            f"INSERT INTO {table}(rowid, {column}) SELECT id, {column} FROM {source} "
            f"WHERE {column} IS NOT NULL"
        )


def _sqlite_downgrade() -> None:
    triggers = op.get_bind().execute(
        text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search\\_%' ESCAPE '\\'"
        )
    )
    for (name,) in list(triggers):
        op.execute(f"DROP TRIGGER {name}")
    for table in ("search_organisation", "search_contact", *(k[0] for k in SIMPLE_KINDS)):
        op.execute(f"DROP TABLE {table}")


# --- PostgreSQL ---------------------------------------------------------------------------

ACCENTED = "àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżž"
PLAIN = "".join({"ł": "l", "ø": "o"}.get(c, unicodedata.normalize("NFKD", c)[0]) for c in ACCENTED)
FALLBACK_FOLD = f"SELECT translate(lower(coalesce($1, '')), '{ACCENTED}', '{PLAIN}')"

# the document of each kind, over rows `r` of its source table
PG_DOCS = {
    "organisation": (
        "setweight(partnercrm_words(r.name || ' ' || coalesce((SELECT string_agg(a.alias, ' ') "
        "FROM organisation_alias a WHERE a.organisation_id = r.id), '')), 'A') || "
        "setweight(partnercrm_words(coalesce(r.ward, '') || ' ' || r.sector), 'D')"
    ),
    "contact": (
        "setweight(partnercrm_words(r.name), 'A') || setweight(partnercrm_words("
        "coalesce(r.email, '') || ' ' || coalesce((SELECT string_agg(e.email, ' ') "
        "FROM contact_email e WHERE e.contact_id = r.id), '')), 'B') || "
        "setweight(partnercrm_words(r.job_title), 'C')"
    ),
    "conversation": "partnercrm_words(r.subject)",
    "touchpoint": "partnercrm_words(r.note)",
    "delivery": "partnercrm_words(r.story)",
}
GIN_PENDING_LIST_KB = 256
PG_TEXT_COLUMN = {"conversation": "subject", "touchpoint": "note", "delivery": "story"}


def _pg_fold_function() -> None:
    bind = op.get_bind()
    # An extension exists once per database, in one schema. In `public` it outlives any one
    # CRM: made in this CRM's own schema (the first on its search path), a second CRM in the
    # same database would fold with it, and break when this one's schema is dropped. Where
    # `public` will not take it, it goes where the search path says.
    for where in (" SCHEMA public", ""):
        try:
            with bind.begin_nested():
                bind.execute(text(f"CREATE EXTENSION IF NOT EXISTS unaccent{where}"))
            break
        except Exception:  # noqa: BLE001 - no privilege to create it: fall back to translate()
            continue
    schema = bind.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    ).scalar()
    if schema:
        q = '"' + schema.replace('"', '""') + '"'
        body = f"SELECT lower({q}.unaccent('{q}.unaccent'::regdictionary, coalesce($1, '')))"
    else:
        body = FALLBACK_FOLD
    op.execute(
        f"CREATE OR REPLACE FUNCTION partnercrm_fold(text) RETURNS text LANGUAGE sql IMMUTABLE "
        f"PARALLEL SAFE AS $$ {body} $$"
    )
    # punctuation (including % and _) separates words, as unicode61 does on SQLite
    op.execute(
        "CREATE OR REPLACE FUNCTION partnercrm_words(text) RETURNS tsvector LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE AS $$ SELECT to_tsvector('simple', "
        "regexp_replace(partnercrm_fold($1), '[[:punct:]]+', ' ', 'g')) $$"
    )


def _pg_refresh(kind: str, ids: str) -> str:
    """SQL that (re)writes the search rows of `kind` for the ids selected by `ids`."""
    where = f"r.id IN ({ids})"
    if kind in PG_TEXT_COLUMN:
        column = PG_TEXT_COLUMN[kind]
        return (
            f"DELETE FROM search_{kind} WHERE id IN ({ids}); "
            f"INSERT INTO search_{kind} (id, doc) SELECT r.id, {PG_DOCS[kind]} FROM {kind} r "
            f"WHERE {where} AND r.{column} IS NOT NULL;"
        )
    return (
        f"INSERT INTO search_{kind} (id, doc) SELECT r.id, {PG_DOCS[kind]} FROM {kind} r "
        f"WHERE {where} ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;"
    )


def _pg_trigger(name: str, table: str, event: str, transition: str, body: str) -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
        "RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )


def _pg_upgrade() -> None:
    _pg_fold_function()
    for kind in PG_DOCS:
        op.execute(f"CREATE TABLE search_{kind} (id integer PRIMARY KEY, doc tsvector NOT NULL)")
        refresh_new = _pg_refresh(kind, "SELECT id FROM new_rows")
        _pg_trigger(f"search_{kind}_ai", kind, "INSERT", "NEW TABLE AS new_rows", refresh_new)
        _pg_trigger(f"search_{kind}_au", kind, "UPDATE", "NEW TABLE AS new_rows", refresh_new)
        _pg_trigger(
            f"search_{kind}_ad",
            kind,
            "DELETE",
            "OLD TABLE AS old_rows",
            f"DELETE FROM search_{kind} WHERE id IN (SELECT id FROM old_rows);",
        )
        op.execute(
            f"INSERT INTO search_{kind} (id, doc) SELECT r.id, {PG_DOCS[kind]} FROM {kind} r"
            + (f" WHERE r.{PG_TEXT_COLUMN[kind]} IS NOT NULL" if kind in PG_TEXT_COLUMN else "")
        )
        # built after the copy (faster on a large database); a short pending list, because
        # every search reads all of it: left at the default 4 MB after bulk inserts it made
        # searches three times slower
        op.execute(
            f"CREATE INDEX ix_search_{kind}_doc ON search_{kind} USING gin (doc) "
            f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KB})"
        )
    for child, kind, key in (
        ("organisation_alias", "organisation", "organisation_id"),
        ("contact_email", "contact", "contact_id"),
    ):
        for event, transition, rows in (
            ("INSERT", "NEW TABLE AS new_rows", "new_rows"),
            ("DELETE", "OLD TABLE AS old_rows", "old_rows"),
        ):
            _pg_trigger(
                f"search_{child}_{event[0].lower()}",
                child,
                event,
                transition,
                _pg_refresh(kind, f"SELECT {key} FROM {rows}"),
            )
        _pg_trigger(
            f"search_{child}_u",
            child,
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            _pg_refresh(kind, f"SELECT {key} FROM old_rows UNION SELECT {key} FROM new_rows"),
        )
    # prefix look-ups on name keys (`LIKE 'wellc%'`) use these whatever the collation
    for table, column in (
        ("organisation", "name_key"),
        ("organisation_alias", "alias_key"),
        ("contact", "name_key"),
        ("contact", "email"),
    ):
        op.execute(
            f"CREATE INDEX ix_{table}_{column}_prefix ON {table} ({column} text_pattern_ops)"
        )


def _pg_downgrade() -> None:
    for table, column in (
        ("organisation", "name_key"),
        ("organisation_alias", "alias_key"),
        ("contact", "name_key"),
        ("contact", "email"),
    ):
        op.execute(f"DROP INDEX ix_{table}_{column}_prefix")
    for child in ("organisation_alias", "contact_email"):
        for suffix in ("i", "d", "u"):
            op.execute(f"DROP TRIGGER search_{child}_{suffix} ON {child}")
            op.execute(f"DROP FUNCTION search_{child}_{suffix}()")
    for kind in PG_DOCS:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER search_{kind}_{suffix} ON {kind}")
            op.execute(f"DROP FUNCTION search_{kind}_{suffix}()")
        op.execute(f"DROP TABLE search_{kind}")
    op.execute("DROP FUNCTION partnercrm_words(text)")
    op.execute("DROP FUNCTION partnercrm_fold(text)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        _pg_downgrade()
