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
    ColumnElement,
    Select,
    and_,
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
MAX_WORDS = 8
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


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded, and for each folded character the index of the character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def _matches(text: str, tokens: Sequence[str]) -> tuple[float, list[tuple[int, int]]]:
    """How well `tokens` match `text` (0 when none do) and the spans of `text` they matched."""
    folded, where = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    quality = 0.0
    found_words = [(w.group(), w.start()) for w in _WORD.finditer(folded)]
    for token in tokens:
        best = 0.0
        for word, start in found_words:
            if word.startswith(token):
                best = max(best, 1.0 if word == token else 0.7)
                a = where[start]
                b = where[start + len(token) - 1] + 1
                spans.append((a, b))
        quality += best
    if not quality:
        return 0.0, []
    quality /= len(tokens)
    joined = " ".join(w for w, _ in found_words)
    phrase = " ".join(tokens)
    if joined == phrase:
        quality += 0.6
    elif joined.startswith(phrase):
        quality += 0.4
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return quality, merged


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


def _score(c: _Candidate, tokens: Sequence[str], literals: Sequence[str]) -> Hit | None:
    if literals:
        everything = fold(" ".join(v for _, v in c.fields if v))
        if not all(part in everything for part in literals):
            return None
    best: tuple[float, str, str, list[tuple[int, int]]] | None = None
    for name, value in c.fields:
        if not value:
            continue
        value = " ".join(value.split())  # snippets are one line
        quality, spans = _matches(value, tokens)
        weighted = quality * FIELD_WEIGHT.get(name, 0.5)
        if quality and (best is None or weighted > best[0]):
            best = (weighted, name, value, spans)
    if best is None:
        return None
    weighted, name, value, spans = best
    snippet, marks = _snippet(value, spans)
    return Hit(
        kind=c.kind,
        id=c.id,
        title=c.title,
        field=name,
        snippet=snippet,
        marks=marks,
        organisation_id=c.organisation_id,
        organisation=c.organisation,
        score=100 * KIND_WEIGHT[c.kind] * weighted,
        ids=c.ids,
    )


# --- the index, per backend ---------------------------------------------------------------


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _index(kind: str, sqlite: bool) -> tuple[Any, ColumnElement[int]]:
    """The search table of `kind` and its id column (the indexed record's id)."""
    if sqlite:
        t = table(f"search_{kind}", column("rowid"))
        return t, t.c.rowid
    t = table(f"search_{kind}", column("id"), column("doc"))
    return t, t.c.id


def _match(kind: str, tokens: Sequence[str], sqlite: bool, names_only: bool = False) -> Any:
    """The condition 'the search row of `kind` has a word starting with each token'."""
    if sqlite:
        expr = " ".join(f'"{t}"*' for t in tokens)  # tokens are letters and digits only
        if names_only:
            expr = "{name aliases} : (" + expr + ")"
        return literal_column(f"search_{kind}").op("MATCH")(expr)
    weight = "A" if names_only else ""
    expr = " & ".join(f"'{t}':*{weight}" for t in tokens)
    query = func.to_tsquery(literal_column("'simple'::regconfig"), func.partnercrm_fold(expr))
    return literal_column(f"search_{kind}.doc").op("@@")(query)


def _starts(col: Any, key: str, sqlite: bool) -> Any:
    """`col` starts with `key`, using the column's index on either backend."""
    if sqlite:  # a range uses the binary-collated index; LIKE would not
        return and_(col >= key, col < key + "\U0010ffff")
    return col.startswith(key, autoescape=True)


def organisation_id_query(session: Session, text: str, *, names_only: bool = False) -> Select[Any]:
    """A subquery of the ids of organisations whose name, aliases, ward or sector hold words
    starting with every word of `text` (with `names_only`, name and aliases only)."""
    tokens = words(text)
    sqlite = _is_sqlite(session)
    t, id_col = _index("organisation", sqlite)
    if not tokens:
        return select(m.Organisation.id).where(false())
    return (
        select(id_col.label("id"))
        .select_from(t)
        .where(_match("organisation", tokens, sqlite, names_only))
    )


def organisation_ids(session: Session, text: str, *, names_only: bool = False) -> list[int]:
    """The ids of organisations matching `text` as `organisation_id_query` describes."""
    return list(session.scalars(organisation_id_query(session, text, names_only=names_only)))


# --- candidates per kind ----------------------------------------------------------------------


def _organisations(
    session: Session, text: str, tokens: Sequence[str], cap: int
) -> list[_Candidate]:
    sqlite = _is_sqlite(session)
    o, a = m.Organisation, m.OrganisationAlias
    ids: dict[int, None] = {}
    key = name_key(text)
    if key:
        ids.update(
            dict.fromkeys(
                session.scalars(
                    select(o.id)
                    .where(_starts(o.name_key, key, sqlite), o.archived.is_(False))
                    .order_by(o.name_key)
                    .limit(cap)
                )
            )
        )
        ids.update(
            dict.fromkeys(
                session.scalars(
                    select(a.organisation_id).where(_starts(a.alias_key, key, sqlite)).limit(cap)
                )
            )
        )
    t, id_col = _index("organisation", sqlite)
    ids.update(
        dict.fromkeys(
            session.scalars(
                select(id_col)
                .select_from(t)
                .join(o, o.id == id_col)
                .where(
                    _match("organisation", tokens, sqlite, names_only=True), o.archived.is_(False)
                )
                .order_by(id_col.desc())
                .limit(cap)
            )
        )
    )
    if not ids:
        return []
    rows = session.execute(
        select(o.id, o.name).where(o.id.in_(list(ids)), o.archived.is_(False))
    ).all()
    aliases: dict[int, list[str]] = {}
    for org_id, alias in session.execute(
        select(a.organisation_id, a.alias).where(a.organisation_id.in_([r[0] for r in rows]))
    ):
        aliases.setdefault(org_id, []).append(alias)
    return [
        _Candidate(
            "organisation",
            org_id,
            name,
            [("name", name), *(("alias", al) for al in aliases.get(org_id, []))],
            org_id,
            name,
        )
        for org_id, name in rows
    ]


def _contacts(session: Session, text: str, tokens: Sequence[str], cap: int) -> list[_Candidate]:
    sqlite = _is_sqlite(session)
    c, o = m.Contact, m.Organisation
    live = and_(c.archived.is_(False), c.erased_at.is_(None))
    ids: dict[int, None] = {}
    key = name_key(text)
    if key:
        ids.update(
            dict.fromkeys(
                session.scalars(
                    select(c.id)
                    .where(_starts(c.name_key, key, sqlite), live)
                    .order_by(c.name_key)
                    .limit(cap)
                )
            )
        )
    typed = text.strip().lower()
    if typed and not any(ch.isspace() for ch in typed):
        ids.update(
            dict.fromkeys(
                session.scalars(
                    select(c.id).where(_starts(c.email, typed, sqlite), live).limit(cap)
                )
            )
        )
    t, id_col = _index("contact", sqlite)
    ids.update(
        dict.fromkeys(
            session.scalars(
                select(id_col)
                .select_from(t)
                .join(c, c.id == id_col)
                .where(_match("contact", tokens, sqlite), live)
                .order_by(id_col.desc())
                .limit(cap)
            )
        )
    )
    if not ids:
        return []
    rows = session.execute(
        select(c.id, c.name, c.email, c.job_title, c.organisation_id, o.name)
        .outerjoin(o, o.id == c.organisation_id)
        .where(c.id.in_(list(ids)), live)
    ).all()
    others: dict[int, list[str]] = {}
    for contact_id, email in session.execute(
        select(m.ContactEmail.contact_id, m.ContactEmail.email).where(
            m.ContactEmail.contact_id.in_([r[0] for r in rows])
        )
    ):
        others.setdefault(contact_id, []).append(email)
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
        for cid, name, email, job, org_id, org_name in rows
    ]


def _conversations(session: Session, tokens: Sequence[str], cap: int) -> list[_Candidate]:
    sqlite = _is_sqlite(session)
    v, o = m.Conversation, m.Organisation
    t, id_col = _index("conversation", sqlite)
    rows = session.execute(
        select(v.id, v.subject, v.stage, v.organisation_id, o.name)
        .select_from(t)
        .join(v, v.id == id_col)
        .join(o, o.id == v.organisation_id)
        .where(_match("conversation", tokens, sqlite), v.archived.is_(False), o.archived.is_(False))
        .order_by(id_col.desc())
        .limit(cap)
    ).all()
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
        for cid, subject, _stage, org_id, org_name in rows
    ]


def _touchpoints(session: Session, tokens: Sequence[str], cap: int) -> list[_Candidate]:
    sqlite = _is_sqlite(session)
    tp, v, o = m.Touchpoint, m.Conversation, m.Organisation
    t, id_col = _index("touchpoint", sqlite)
    rows = session.execute(
        select(tp.id, tp.note, tp.happened_on, tp.channel, v.id, v.subject, o.id, o.name)
        .select_from(t)
        .join(tp, tp.id == id_col)
        .join(v, v.id == tp.conversation_id)
        .join(o, o.id == v.organisation_id)
        .where(_match("touchpoint", tokens, sqlite), v.archived.is_(False), o.archived.is_(False))
        .order_by(id_col.desc())
        .limit(cap)
    ).all()
    return [
        _Candidate(
            "touchpoint",
            tid,
            f"{channel} on {happened}" + (f" ({subject})" if subject else ""),
            [("note", note)],
            org_id,
            org_name,
            {"conversation_id": conv_id},
        )
        for tid, note, happened, channel, conv_id, subject, org_id, org_name in rows
    ]


def _deliveries(session: Session, tokens: Sequence[str], cap: int) -> list[_Candidate]:
    sqlite = _is_sqlite(session)
    d, cm, o = m.Delivery, m.Commitment, m.Organisation
    t, id_col = _index("delivery", sqlite)
    rows = session.execute(
        select(d.id, d.story, d.delivered_on, cm.id, cm.kind, o.id, o.name)
        .select_from(t)
        .join(d, d.id == id_col)
        .join(cm, cm.id == d.commitment_id)
        .join(o, o.id == cm.organisation_id)
        .where(_match("delivery", tokens, sqlite), o.archived.is_(False))
        .order_by(id_col.desc())
        .limit(cap)
    ).all()
    return [
        _Candidate(
            "delivery",
            did,
            f"{kind.replace('_', ' ')} delivered on {delivered}",
            [("story", story)],
            org_id,
            org_name,
            {"commitment_id": commitment_id},
        )
        for did, story, delivered, commitment_id, kind, org_id, org_name in rows
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
    cap = max(2 * limit, 40)
    candidates: list[_Candidate] = []
    if "organisation" in wanted:
        candidates += _organisations(session, query, tokens, cap)
    if "contact" in wanted:
        candidates += _contacts(session, query, tokens, cap)
    if "conversation" in wanted:
        candidates += _conversations(session, tokens, cap)
    if "touchpoint" in wanted:
        candidates += _touchpoints(session, tokens, cap)
    if "delivery" in wanted:
        candidates += _deliveries(session, tokens, cap)
    hits = [h for c in candidates if (h := _score(c, tokens, literals)) is not None]
    hits.sort(key=lambda h: (-h.score, KINDS.index(h.kind), -h.id))
    return hits[:limit]


def filter_clause(session: Session, query: str, id_column: Any) -> Any:
    """`id_column` (organisation ids) narrowed to organisations matching `query`."""
    return id_column.in_(organisation_id_query(session, query))


__all__ = [
    "Hit",
    "KINDS",
    "filter_clause",
    "fold",
    "organisation_id_query",
    "organisation_ids",
    "search",
    "words",
]
