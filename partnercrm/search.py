"""Find anything: one ranked list across organisations, people, conversations, touchpoints and stories.

The indexes are built by migration 0003 and kept in step by triggers in the database: FTS5
tables on SQLite, tsvector tables with GIN indexes on PostgreSQL (`search_<kind>`, keyed by
the id of the record they index). This module turns what someone typed into a safe query:

- Words are letters and digits; every word is matched as a prefix ("wellc" finds Wellcome
  Collection, "senate hous" finds Senate House Library), ignoring case and accents ("cafe"
  finds Café). Punctuation separates words, as the index tokenisers do.
- The query goes to the database as a bound parameter built only from those words, so FTS
  syntax (`"`, `*`, `NEAR`, `OR`, `:`) and LIKE wildcards (`%`, `_`) never act as operators.
  A typed word that carries such characters ("50%_", "1=1--") must also appear literally
  in the hit, so they are matched as the characters they are.
- Each kind yields a bounded set of candidates (name-prefix look-ups on the name keys, then
  the newest full-text matches), which are scored here: which field matched (a name beats an
  email beats a job title beats free text), whole word beats prefix, a field that starts with
  the query beats one that merely contains it; ties go to the newer record.

Archived records, erased contacts and the conversations of archived organisations are left out.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session

from partnercrm import labels
from partnercrm import models as m
from partnercrm.matching import name_key

KINDS = ("organisation", "contact", "conversation", "touchpoint", "delivery")
KIND_WEIGHT = {
    "organisation": 1.0,
    "contact": 0.9,
    "conversation": 0.7,
    "delivery": 0.6,
    "touchpoint": 0.5,
}
# within a kind, how much a match in each field counts
FIELD_WEIGHT = {
    "name": 1.0,
    "alias": 0.9,
    "email": 0.85,
    "job_title": 0.6,
    "subject": 1.0,
    "note": 1.0,
    "story": 1.0,
}
FREE_TEXT = {"note", "story"}
MAX_WORDS = 8
# PostgreSQL: how many of the newest rows are tested before a word counts as rare
PROBE_ROWS = 1_000
MIN_INDEXED_PREFIX = 2
SNIPPET_WIDTH = 90
# characters that are ordinary inside names and addresses; any other punctuation in a typed
# word means the person wants those characters matched literally
ORDINARY_PUNCTUATION = set(".,'’-@&/()")

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents, as the SQLite index sees text ('Café' -> 'cafe')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The distinct words of `text`, folded, in order (at most MAX_WORDS)."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))[:MAX_WORDS]


def literal_parts(text: str) -> list[str]:
    """The typed words that carry characters to be matched literally (like '50%_'), folded."""
    parts = []
    for part in text.split():
        if any(not (c.isalnum() or c in ORDINARY_PUNCTUATION) for c in part):
            parts.append(fold(part))
    return parts


@dataclass
class Hit:
    """One search result: what it is, where the words matched, and what it belongs to."""

    kind: str
    id: int
    title: str
    field: str
    snippet: str
    marks: list[tuple[int, int]]
    organisation_id: int | None
    organisation: str | None
    score: float
    ids: dict[str, int] = dataclasses.field(default_factory=dict)

    def marked(self, start: str = "[", end: str = "]") -> str:
        """The snippet with each match wrapped in `start` and `end`."""
        out, pos = [], 0
        for a, b in self.marks:
            out += [self.snippet[pos:a], start, self.snippet[a:b], end]
            pos = b
        out.append(self.snippet[pos:])
        return "".join(out)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "field": self.field,
            "snippet": self.snippet,
            "marked": self.marked(),
            "marks": [list(mk) for mk in self.marks],
            "organisation_id": self.organisation_id,
            "organisation": self.organisation,
            "score": round(self.score, 2),
            **self.ids,
        }


# --- scoring and snippets ---------------------------------------------------------------


def _fold_fast(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded, and for each folded character the index of the character it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def _quality(found: Sequence[str], tokens: Sequence[str], whole_field: bool = True) -> float:
    """How well `tokens` match a field whose folded words are `found`: whole words beat
    prefixes, a field starting with the query beats one that only contains it; 0 when no
    token matches."""
    quality = 0.0
    for token in tokens:
        best = 0.0
        for word in found:
            if word.startswith(token):
                if word == token:
                    best = 1.0
                    break
                best = 0.7
        quality += best
    if not quality:
        return 0.0
    quality /= len(tokens)
    if not whole_field:  # free text: where in the note the words fall says little
        return quality
    joined, phrase = " ".join(found), " ".join(tokens)
    if joined == phrase:
        quality += 0.6
    elif joined.startswith(phrase):
        quality += 0.4
    return quality


def _spans(text: str, tokens: Sequence[str], literals: Sequence[str] = ()) -> list[tuple[int, int]]:
    """The parts of `text` the tokens matched (the start of each matching word), and any
    literal parts ('50%_') whole, overlapping spans merged."""
    folded, where = _folded_with_map(text)
    spans = []
    for w in _WORD.finditer(folded):
        word = w.group()
        longest = max((len(t) for t in tokens if word.startswith(t)), default=0)
        if longest:
            spans.append((where[w.start()], where[w.start() + longest - 1] + 1))
    for part in literals:
        at = folded.find(part)
        while part and at >= 0:
            spans.append((where[at], where[at + len(part) - 1] + 1))
            at = folded.find(part, at + len(part))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around its first match, with the spans moved to fit."""
    if len(text) <= SNIPPET_WIDTH or not spans:
        return text[:SNIPPET_WIDTH] + ("…" if len(text) > SNIPPET_WIDTH else ""), [
            s for s in spans if s[1] <= SNIPPET_WIDTH
        ]
    first = spans[0][0]
    start = max(0, first - SNIPPET_WIDTH // 3)
    end = min(len(text), start + SNIPPET_WIDTH)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    kept = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return prefix + text[start:end] + suffix, kept


@dataclass
class _Candidate:
    kind: str
    id: int
    title: str
    fields: list[tuple[str, str | None]]
    organisation_id: int | None
    organisation: str | None
    ids: dict[str, int] = dataclasses.field(default_factory=dict)
    score: float = 0.0
    field: str = ""
    value: str = ""


def _score(c: _Candidate, tokens: Sequence[str], literals: Sequence[str]) -> bool:
    """Score `c` by its best-matching field; False when it does not match after all."""
    if literals:
        everything = fold(" ".join(v for _, v in c.fields if v))
        if not all(part in everything for part in literals):
            return False
    seen: list[str] = []
    for name, value in c.fields:
        if not value:
            continue
        found = _WORD.findall(_fold_fast(value))
        seen += found
        quality = _quality(found, tokens, whole_field=name not in FREE_TEXT)
        weighted = quality * FIELD_WEIGHT.get(name, 0.5)
        if weighted > c.score:
            c.score, c.field, c.value = weighted, name, value
    # every word typed must start a word somewhere in the record (the index was asked only
    # about the longer ones)
    if not c.score or not all(any(w.startswith(t) for w in seen) for t in tokens):
        return False
    c.score *= 100 * KIND_WEIGHT[c.kind]
    return True


def _hit(c: _Candidate, tokens: Sequence[str], literals: Sequence[str] = ()) -> Hit:
    value = " ".join(c.value.split())  # snippets are one line
    snippet, marks = _snippet(value, _spans(value, tokens, literals))
    return Hit(
        kind=c.kind,
        id=c.id,
        title=c.title,
        field=c.field,
        snippet=snippet,
        marks=marks,
        organisation_id=c.organisation_id,
        organisation=c.organisation,
        score=c.score,
        ids=c.ids,
    )


# --- the index, per backend ---------------------------------------------------------------
#
# Candidates come from a few fixed statements ("branches"), each returning rows of one
# shape, with every value a bound parameter. SQLite runs them one by one (in-process, a
# statement costs microseconds); PostgreSQL runs them as one UNION ALL, as each round trip
# to the server costs more than the queries themselves.
#
# Row shape: kind, id, text1, text2, text3, organisation id, organisation name, related id,
# day, packed list (aliases or other emails, joined by UNIT).

UNIT = "\x1f"
NO_TEXT, NO_ID = "CAST(NULL AS TEXT)", "CAST(NULL AS INTEGER)"  # typed, so UNION ALL agrees


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _param(name: str, sqlite: bool) -> str:
    return f":{name}" if sqlite else f"%({name})s"


def _packed(sqlite: bool, column: str, table: str, key: str, owner: str) -> str:
    agg = f"group_concat({column}, char(31))" if sqlite else f"string_agg({column}, chr(31))"
    return f"(SELECT {agg} FROM {table} WHERE {key} = {owner})"


@dataclass(frozen=True)
class _Dialect:
    """How a search statement is written on SQLite or on PostgreSQL."""

    sqlite: bool

    def p(self, name: str) -> str:
        return _param(name, self.sqlite)

    def starts(self, col: str, *, email: bool = False) -> str:
        if self.sqlite:
            key = ":email" if email else ":key"
            return f"{col} >= {key} AND {col} < {key}_end"
        return f"{col} LIKE %({'email' if email else 'key'}_like)s ESCAPE '/'"

    def order(self, col: str) -> str:
        # PostgreSQL: the order of the text_pattern_ops indexes, so prefix and order are one scan
        return col if self.sqlite else f"{col} USING ~<~"

    def prefixed(self, select_from: str, col: str, where: str, *, email: bool = False) -> str:
        return (
            f"{select_from} WHERE {self.starts(col, email=email)} AND {where} "
            f"ORDER BY {self.order(col)} LIMIT {self.p('cap')}"
        )

    def indexed(
        self, kind: str, select_from: str, source: str, where: str, q: str = "q"
    ) -> tuple[str, bool]:
        if self.sqlite:
            hit, match = f"search_{kind}.rowid", f"search_{kind} MATCH :{q}"
        else:
            hit = f"search_{kind}.id"
            match = (
                f"search_{kind}.doc @@ to_tsquery('simple'::regconfig, partnercrm_fold(%({q})s))"
            )
        return (
            f"{select_from} JOIN search_{kind} ON {hit} = {source} "
            f"WHERE {match} AND {where} ORDER BY {hit} DESC LIMIT {self.p('cap')}",
            True,
        )


def _branches(
    sqlite: bool, kinds: set[str], prefix: bool, email: bool, indexed: bool
) -> list[tuple[str, bool]]:
    """The candidate statements for a search: (SQL, whether it asks the full-text index)."""
    d = _Dialect(sqlite)
    out: list[tuple[str, bool]] = []
    if "organisation" in kinds:
        out += _organisation_branches(d, prefix, indexed)
    if "contact" in kinds:
        out += _contact_branches(d, prefix, email, indexed)
    if indexed:
        out += _text_branches(d, kinds)
    return out


def _organisation_branches(d: _Dialect, prefix: bool, indexed: bool) -> list[tuple[str, bool]]:
    org = (
        f"SELECT 'organisation', o.id, o.name, {NO_TEXT}, {NO_TEXT}, o.id, o.name, {NO_ID}, "
        f"{NO_TEXT}, " + _packed(d.sqlite, "alias", "organisation_alias", "organisation_id", "o.id")
    )
    out: list[tuple[str, bool]] = []
    if prefix:
        out.append(
            (d.prefixed(f"{org} FROM organisation o", "o.name_key", "NOT o.archived"), False)
        )
        aliases = f"{org} FROM organisation_alias a JOIN organisation o ON o.id = a.organisation_id"
        out.append((d.prefixed(aliases, "a.alias_key", "NOT o.archived"), False))
    if indexed:
        out.append(
            d.indexed(
                "organisation", f"{org} FROM organisation o", "o.id", "NOT o.archived", q="q_names"
            )
        )
    return out


def _contact_branches(
    d: _Dialect, prefix: bool, email: bool, indexed: bool
) -> list[tuple[str, bool]]:
    contact = (
        "SELECT 'contact', c.id, c.name, c.email, c.job_title, c.organisation_id, o.name, "
        f"{NO_ID}, {NO_TEXT}, "
        + _packed(d.sqlite, "email", "contact_email", "contact_id", "c.id")
        + " FROM contact c LEFT JOIN organisation o ON o.id = c.organisation_id"
    )
    live_contact = "NOT c.archived AND c.erased_at IS NULL"
    out: list[tuple[str, bool]] = []
    if prefix:
        out.append((d.prefixed(contact, "c.name_key", live_contact), False))
    if email:
        out.append((d.prefixed(contact, "c.email", live_contact, email=True), False))
    if indexed:
        out.append(d.indexed("contact", contact, "c.id", live_contact))
    return out


def _text_branches(d: _Dialect, kinds: set[str]) -> list[tuple[str, bool]]:
    """Conversations, touchpoints and delivery stories: by the full-text index only."""
    out: list[tuple[str, bool]] = []
    if "conversation" in kinds:
        out.append(
            d.indexed(
                "conversation",
                f"SELECT 'conversation', v.id, v.subject, {NO_TEXT}, {NO_TEXT}, v.organisation_id, "
                f"o.name, v.id, {NO_TEXT}, {NO_TEXT} FROM conversation v "
                "JOIN organisation o ON o.id = v.organisation_id",
                "v.id",
                "NOT v.archived AND NOT o.archived",
            )
        )
    if "touchpoint" in kinds:
        out.append(
            d.indexed(
                "touchpoint",
                "SELECT 'touchpoint', t.id, t.note, v.subject, t.channel, o.id, o.name, v.id, "
                f"{'t.happened_on' if d.sqlite else 't.happened_on::text'}, {NO_TEXT} "
                "FROM touchpoint t JOIN conversation v ON v.id = t.conversation_id "
                "JOIN organisation o ON o.id = v.organisation_id",
                "t.id",
                "NOT t.archived AND NOT v.archived AND NOT o.archived",
            )
        )
    if "delivery" in kinds:
        out.append(
            d.indexed(
                "delivery",
                f"SELECT 'delivery', d.id, d.story, {NO_TEXT}, cm.kind, o.id, o.name, cm.id, "
                f"{'d.delivered_on' if d.sqlite else 'd.delivered_on::text'}, {NO_TEXT} "
                "FROM delivery d JOIN commitment cm ON cm.id = d.commitment_id "
                "JOIN organisation o ON o.id = cm.organisation_id",
                "d.id",
                "NOT o.archived",
            )
        )
    return out


_MATCH = re.compile(r"WHERE (search_\w+\.doc @@ to_tsquery\(.*?\)\)) AND")
_INDEX_TABLE = re.compile(r"JOIN (search_\w+) ON")
# names and people: asked plainly, the planner's own choice (newest rows first for a common
# word, the GIN index for a rare one) was measured quicker on these tables than the probe
_PLAIN_INDEXED = {"search_organisation", "search_contact"}


def _postgresql_statement(branches: list[tuple[str, bool]]) -> str:
    """All branches as one statement.

    PostgreSQL's planner either walks the newest rows of a search table testing each one
    (quick for a common word, a full scan for a rare one) or reads the whole table (it rates
    a GIN prefix search dear). So each indexed branch over conversations, touchpoints and
    stories first tests only the newest PROBE_ROWS rows; when they hold fewer than `cap`
    matches the word is rare, and the same branch with the order taken off the index collects
    its matches from the GIN index (the caller turns sequential scans off for this one
    statement). Names and people are asked plainly (`_PLAIN_INDEXED`).
    """
    parts = []
    for n, (sql, indexed) in enumerate(branches):
        table = _INDEX_TABLE.search(sql) if indexed else None
        if table is None or table.group(1) in _PLAIN_INDEXED:
            parts.append(f"({sql})")
            continue
        t = table.group(1)
        probe = sql.replace(
            " WHERE ", f" WHERE {t}.id > (SELECT max(id) FROM {t}) - {PROBE_ROWS} AND ", 1
        )
        # the rare way: the newest matches by id from the GIN index, then the joins
        match = _MATCH.search(sql)
        assert match is not None
        rare = sql.replace(
            f"JOIN {t} ON",
            f"JOIN (SELECT id, doc FROM {t} WHERE {match.group(1)} "
            f"ORDER BY id + 0 DESC LIMIT 3 * %(cap)s) {t} ON",
            1,
        )
        parts.append(
            f"(SELECT * FROM (WITH probe{n} AS MATERIALIZED ({probe}) "
            f"SELECT * FROM probe{n} UNION ALL SELECT * FROM ({rare}) rare{n} "
            f"WHERE (SELECT count(*) FROM probe{n}) < %(cap)s) branch{n})"
        )
    return " UNION ALL ".join(parts)


def _candidate_rows(
    session: Session, query: str, tokens: Sequence[str], kinds: set[str], cap: int
) -> list[Any]:
    sqlite = _is_sqlite(session)
    # a one-letter prefix matches much of any index and is not in its prefix indexes: such
    # words are left to the scoring, and with nothing longer only the name look-ups run
    # (typing "w" lists the partners and people whose names start with w)
    index_tokens = [t for t in tokens if len(t) >= MIN_INDEXED_PREFIX]
    key = name_key(query)
    typed = query.strip().lower()
    email = bool(typed) and not any(ch.isspace() for ch in typed)
    branches = _branches(sqlite, kinds, bool(key), email, bool(index_tokens))
    if not branches:
        return []
    params: dict[str, Any] = {"cap": cap}
    if index_tokens:
        params["q"] = _fts_query(index_tokens, sqlite)
        params["q_names"] = _fts_query(index_tokens, sqlite, names_only=True)
    # the session's own connection and transaction, through the driver's cursor: the
    # statements are fixed, so SQLAlchemy's per-statement bookkeeping would be pure overhead
    cursor = session.connection().connection.cursor()
    try:
        if sqlite:
            params.update(
                key=key, key_end=key + "\U0010ffff", email=typed, email_end=typed + "\U0010ffff"
            )
            rows: list[Any] = []
            for sql, _ in branches:
                cursor.execute(sql, params)
                rows += cursor.fetchall()
            return rows
        params.update(key_like=_like_prefix(key), email_like=_like_prefix(typed))
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
        )
        previous = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute(_postgresql_statement(branches), params)
        rows = list(cursor.fetchall())
        cursor.execute("SELECT set_config('enable_seqscan', %(v)s, true)", {"v": previous})
        return rows
    finally:
        cursor.close()


def _like_prefix(key: str) -> str:
    return key.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _fts_query(tokens: Sequence[str], sqlite: bool, names_only: bool = False) -> str:
    """The index query for 'a word starting with each token' (tokens are letters and digits)."""
    if sqlite:
        expr = " ".join(f'"{t}"*' for t in tokens)
        return "{name aliases} : (" + expr + ")" if names_only else expr
    weight = "A" if names_only else ""
    return " & ".join(f"'{t}':*{weight}" for t in tokens)


def organisation_id_query(session: Session, text: str, *, names_only: bool = False) -> Select[Any]:
    """A subquery of the ids of organisations whose name, aliases, ward or sector hold words
    starting with every word of `text` (with `names_only`, name and aliases only)."""
    tokens = words(text)
    if not tokens:
        return select(m.Organisation.id).where(false())
    sqlite = _is_sqlite(session)
    expr = _fts_query(tokens, sqlite, names_only)
    if sqlite:
        t = table("search_organisation", column("rowid"))
        cond = literal_column("search_organisation").op("MATCH")(expr)
        return select(t.c.rowid.label("id")).where(cond)
    t = table("search_organisation", column("id"), column("doc"))
    query = func.to_tsquery(literal_column("'simple'::regconfig"), func.partnercrm_fold(expr))
    return select(t.c.id).where(t.c.doc.op("@@")(query))


def organisation_ids(session: Session, text: str, *, names_only: bool = False) -> list[int]:
    """The ids of organisations matching `text` as `organisation_id_query` describes."""
    return list(session.scalars(organisation_id_query(session, text, names_only=names_only)))


# --- candidates and the search ----------------------------------------------------------------


def _candidates(rows: Iterable[Any]) -> list[_Candidate]:
    out: dict[tuple[str, int], _Candidate] = {}
    for kind, ident, t1, t2, t3, org_id, org_name, ref, day, packed in rows:
        if (kind, ident) in out:
            continue
        listed = packed.split(UNIT) if packed else []
        ids: dict[str, int] = {}
        if kind == "organisation":
            title, fields = t1, [("name", t1), *(("alias", a) for a in sorted(listed))]
        elif kind == "contact":
            title = t1
            fields = [
                ("name", t1),
                ("email", t2),
                *(("email", e) for e in listed),
                ("job_title", t3),
            ]
        elif kind == "conversation":
            title, fields, ids = (
                t1 or f"conversation {ident}",
                [("subject", t1)],
                {"conversation_id": ref},
            )
        elif kind == "touchpoint":
            title = f"{labels.label(t3, 'channel')} on {labels.day(str(day))}" + (
                f" ({t2})" if t2 else ""
            )
            fields, ids = [("note", t1)], {"conversation_id": ref}
        else:
            title = f"{labels.kind(t3)} delivered on {labels.day(str(day))}"
            fields, ids = [("story", t1)], {"commitment_id": ref}
        out[(kind, ident)] = _Candidate(kind, ident, title, fields, org_id, org_name, ids)
    return list(out.values())


def search(
    session: Session, query: str, limit: int = 25, kinds: Iterable[str] | None = None
) -> list[Hit]:
    """One ranked list of what matches `query`, across the given kinds (default: all)."""
    tokens = words(query or "")
    if not tokens or limit <= 0:
        return []
    wanted = set(KINDS if kinds is None else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        from partnercrm.errors import Invalid

        raise Invalid(
            f"cannot search {', '.join(sorted(unknown))}; kinds are {', '.join(KINDS)}",
            field="kinds",
        )
    literals = literal_parts(query)
    rows = _candidate_rows(session, query, tokens, wanted, limit + 5)
    scored = [c for c in _candidates(rows) if _score(c, tokens, literals)]
    scored.sort(key=lambda c: (-c.score, KINDS.index(c.kind), -c.id))
    return [_hit(c, tokens, literals) for c in scored[:limit]]


__all__ = [
    "Hit",
    "KINDS",
    "fold",
    "organisation_id_query",
    "organisation_ids",
    "search",
    "words",
]
