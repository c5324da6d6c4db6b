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


def _quality(text: str, tokens: Sequence[str], whole_field: bool = True) -> float:
    """How well `tokens` match `text`: whole words beat prefixes, a field starting with the
    query beats one that only contains it; 0 when no token matches."""
    found = _WORD.findall(_fold_fast(text))
    quality = 0.0
    for token in tokens:
        best = 0.0
        for word in found:
            if word.startswith(token):
                best = 1.0 if word == token else max(best, 0.7)
                if best == 1.0:
                    break
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


def _spans(text: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """The parts of `text` the tokens matched (the start of each matching word), merged."""
    folded, where = _folded_with_map(text)
    spans = []
    for w in _WORD.finditer(folded):
        word = w.group()
        longest = max((len(t) for t in tokens if word.startswith(t)), default=0)
        if longest:
            spans.append((where[w.start()], where[w.start() + longest - 1] + 1))
    return spans


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
    everything = " ".join(v for _, v in c.fields if v)
    if literals:
        if not all(part in fold(everything) for part in literals):
            return False
    # every word typed must start a word somewhere in the record (the index was asked only
    # about the longer ones)
    found = _WORD.findall(_fold_fast(everything))
    if not all(any(w.startswith(t) for w in found) for t in tokens):
        return False
    for name, value in c.fields:
        if not value:
            continue
        quality = _quality(value, tokens, whole_field=name not in FREE_TEXT)
        weighted = quality * FIELD_WEIGHT.get(name, 0.5)
        if weighted > c.score:
            c.score, c.field, c.value = weighted, name, value
    c.score *= 100 * KIND_WEIGHT[c.kind]
    return c.score > 0


def _hit(c: _Candidate, tokens: Sequence[str]) -> Hit:
    value = " ".join(c.value.split())  # snippets are one line
    snippet, marks = _snippet(value, _spans(value, tokens))
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
# Candidate look-ups run often (on every key typed in the TUI), so they are fixed SQL
# statements executed on the session's connection, with every value a bound parameter:
# the per-statement overhead of building SQLAlchemy constructs would cost more than the
# queries themselves.


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@dataclass(frozen=True)
class _Statements:
    org_name: str
    org_alias: str
    org_text: str
    org_aliases: str
    contact_name: str
    contact_email: str
    contact_text: str
    contact_emails: str
    conversation: str
    touchpoint: str
    delivery: str


_ORG_COLUMNS = "o.id, o.name"
_CONTACT_COLUMNS = (
    "c.id, c.name, c.email, c.job_title, c.organisation_id, o.name FROM contact c "
    "LEFT JOIN organisation o ON o.id = c.organisation_id"
)
_CONTACT_LIVE = "NOT c.archived AND c.erased_at IS NULL"


def _statements(sqlite: bool) -> _Statements:
    p = "?" if sqlite else "%s"
    if sqlite:
        starts = "{col} >= ? AND {col} < ?"

        def hits(kind: str) -> str:
            return f"search_{kind}.rowid"

        def match(kind: str) -> str:
            return f"search_{kind} MATCH ?"

    else:
        starts = "{col} LIKE %s ESCAPE '/'"

        def hits(kind: str) -> str:
            return f"search_{kind}.id"

        def match(kind: str) -> str:
            return f"search_{kind}.doc @@ to_tsquery('simple'::regconfig, partnercrm_fold(%s))"

    def by_index(kind: str, columns: str, source: str) -> str:
        return f"SELECT {columns} JOIN search_{kind} ON {hits(kind)} = {source} WHERE {match(kind)}"

    return _Statements(
        org_name=f"SELECT {_ORG_COLUMNS} FROM organisation o WHERE "
        + starts.format(col="o.name_key")
        + f" AND NOT o.archived ORDER BY o.name_key LIMIT {p}",
        org_alias=f"SELECT {_ORG_COLUMNS} FROM organisation_alias a JOIN organisation o "
        "ON o.id = a.organisation_id WHERE "
        + starts.format(col="a.alias_key")
        + f" AND NOT o.archived ORDER BY a.alias_key LIMIT {p}",
        org_text=by_index("organisation", f"{_ORG_COLUMNS} FROM organisation o", "o.id")
        + f" AND NOT o.archived ORDER BY {hits('organisation')} DESC LIMIT {p}",
        org_aliases="SELECT organisation_id, alias FROM organisation_alias "
        "WHERE organisation_id IN ({ids}) ORDER BY id",
        contact_name=f"SELECT {_CONTACT_COLUMNS} WHERE "
        + starts.format(col="c.name_key")
        + f" AND {_CONTACT_LIVE} ORDER BY c.name_key LIMIT {p}",
        contact_email=f"SELECT {_CONTACT_COLUMNS} WHERE "
        + starts.format(col="c.email")
        + f" AND {_CONTACT_LIVE} ORDER BY c.email LIMIT {p}",
        contact_text=by_index("contact", _CONTACT_COLUMNS, "c.id")
        + f" AND {_CONTACT_LIVE} ORDER BY {hits('contact')} DESC LIMIT {p}",
        contact_emails="SELECT contact_id, email FROM contact_email "
        "WHERE contact_id IN ({ids}) ORDER BY id",
        conversation=by_index(
            "conversation",
            "v.id, v.subject, v.organisation_id, o.name FROM conversation v "
            "JOIN organisation o ON o.id = v.organisation_id",
            "v.id",
        )
        + f" AND NOT v.archived AND NOT o.archived ORDER BY {hits('conversation')} DESC "
        f"LIMIT {p}",
        touchpoint=by_index(
            "touchpoint",
            "t.id, t.note, t.happened_on, t.channel, v.id, v.subject, o.id, o.name "
            "FROM touchpoint t JOIN conversation v ON v.id = t.conversation_id "
            "JOIN organisation o ON o.id = v.organisation_id",
            "t.id",
        )
        + f" AND NOT v.archived AND NOT o.archived ORDER BY {hits('touchpoint')} DESC "
        f"LIMIT {p}",
        delivery=by_index(
            "delivery",
            "d.id, d.story, d.delivered_on, cm.id, cm.kind, o.id, o.name FROM delivery d "
            "JOIN commitment cm ON cm.id = d.commitment_id "
            "JOIN organisation o ON o.id = cm.organisation_id",
            "d.id",
        )
        + f" AND NOT o.archived ORDER BY {hits('delivery')} DESC LIMIT {p}",
    )


_SQL = {True: _statements(True), False: _statements(False)}


def _fts_query(tokens: Sequence[str], sqlite: bool, names_only: bool = False) -> str:
    """The index query for 'a word starting with each token' (tokens are letters and digits)."""
    if sqlite:
        expr = " ".join(f'"{t}"*' for t in tokens)
        return "{name aliases} : (" + expr + ")" if names_only else expr
    weight = "A" if names_only else ""
    return " & ".join(f"'{t}':*{weight}" for t in tokens)


def _prefix_params(key: str, sqlite: bool) -> tuple[str, ...]:
    """Parameters for the `starts` condition: a range on SQLite, a LIKE pattern on PostgreSQL."""
    if sqlite:
        return (key, key + "\U0010ffff")
    return (key.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%",)


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


# --- candidates per kind ----------------------------------------------------------------------


class _Lookup:
    """Runs the fixed statements of one backend on the session's connection."""

    def __init__(self, session: Session, tokens: Sequence[str], cap: int) -> None:
        self.sqlite = _is_sqlite(session)
        self.sql = _SQL[self.sqlite]
        self.conn = session.connection()
        self.cap = cap
        # a one-letter prefix matches a large part of any index and is not in its prefix
        # indexes: leave such words to the scoring, and with nothing longer use only the
        # name look-ups (typing "w" lists the partners and people whose names start with w)
        self.index_tokens = [t for t in tokens if len(t) >= MIN_INDEXED_PREFIX]

    def rows(self, statement: str, *params: Any) -> list[Any]:
        return list(self.conn.exec_driver_sql(statement, params))

    def by_index(self, statement: str, names_only: bool = False) -> list[Any]:
        if not self.index_tokens:
            return []
        query = _fts_query(self.index_tokens, self.sqlite, names_only)
        return self.rows(statement, query, self.cap)

    def by_prefix(self, statement: str, key: str) -> list[Any]:
        return self.rows(statement, *_prefix_params(key, self.sqlite), self.cap)

    def grouped(self, statement: str, ids: Iterable[int]) -> dict[int, list[str]]:
        ids = [int(i) for i in ids]
        out: dict[int, list[str]] = {}
        if ids:
            placeholders = ", ".join("?" if self.sqlite else "%s" for _ in ids)
            for owner, value in self.rows(statement.format(ids=placeholders), *ids):
                out.setdefault(owner, []).append(value)
        return out


def _organisations(look: _Lookup, text: str) -> list[_Candidate]:
    found: dict[int, str] = {}
    key = name_key(text)
    if key:
        found.update(look.by_prefix(look.sql.org_name, key))
        found.update(look.by_prefix(look.sql.org_alias, key))
    found.update(look.by_index(look.sql.org_text, names_only=True))
    aliases = look.grouped(look.sql.org_aliases, found)
    return [
        _Candidate(
            "organisation",
            org_id,
            name,
            [("name", name), *(("alias", al) for al in aliases.get(org_id, []))],
            org_id,
            name,
        )
        for org_id, name in found.items()
    ]


def _contacts(look: _Lookup, text: str) -> list[_Candidate]:
    found: dict[int, Any] = {}
    key = name_key(text)
    if key:
        found.update((r[0], r) for r in look.by_prefix(look.sql.contact_name, key))
    typed = text.strip().lower()
    if typed and not any(ch.isspace() for ch in typed):
        found.update((r[0], r) for r in look.by_prefix(look.sql.contact_email, typed))
    found.update((r[0], r) for r in look.by_index(look.sql.contact_text))
    others = look.grouped(look.sql.contact_emails, found)
    return [
        _Candidate(
            "contact",
            cid,
            name,
            [
                ("name", name),
                ("email", email),
                *(("email", e) for e in others.get(cid, [])),
                ("job_title", job),
            ],
            org_id,
            org_name,
        )
        for cid, name, email, job, org_id, org_name in found.values()
    ]


def _conversations(look: _Lookup) -> list[_Candidate]:
    return [
        _Candidate(
            "conversation",
            cid,
            subject or f"conversation {cid}",
            [("subject", subject)],
            org_id,
            org_name,
            {"conversation_id": cid},
        )
        for cid, subject, org_id, org_name in look.by_index(look.sql.conversation)
    ]


def _touchpoints(look: _Lookup) -> list[_Candidate]:
    return [
        _Candidate(
            "touchpoint",
            tid,
            f"{channel} on {str(happened)[:10]}" + (f" ({subject})" if subject else ""),
            [("note", note)],
            org_id,
            org_name,
            {"conversation_id": conv_id},
        )
        for tid, note, happened, channel, conv_id, subject, org_id, org_name in look.by_index(
            look.sql.touchpoint
        )
    ]


def _deliveries(look: _Lookup) -> list[_Candidate]:
    return [
        _Candidate(
            "delivery",
            did,
            f"{kind.replace('_', ' ')} delivered on {str(delivered)[:10]}",
            [("story", story)],
            org_id,
            org_name,
            {"commitment_id": commitment_id},
        )
        for did, story, delivered, commitment_id, kind, org_id, org_name in look.by_index(
            look.sql.delivery
        )
    ]


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
    look = _Lookup(session, tokens, max(limit + 15, 30))
    candidates: list[_Candidate] = []
    if "organisation" in wanted:
        candidates += _organisations(look, query)
    if "contact" in wanted:
        candidates += _contacts(look, query)
    if "conversation" in wanted:
        candidates += _conversations(look)
    if "touchpoint" in wanted:
        candidates += _touchpoints(look)
    if "delivery" in wanted:
        candidates += _deliveries(look)
    scored = [c for c in candidates if _score(c, tokens, literals)]
    scored.sort(key=lambda c: (-c.score, KINDS.index(c.kind), -c.id))
    return [_hit(c, tokens) for c in scored[:limit]]


__all__ = [
    "Hit",
    "KINDS",
    "fold",
    "organisation_id_query",
    "organisation_ids",
    "search",
    "words",
]
