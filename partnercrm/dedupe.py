"""Probable duplicates: organisations and contacts that look like the same thing, with the reasons.

Each pair gets a score out of 100: the strongest reason's score, plus BONUS_PER_EXTRA_REASON
for each further reason (at most 100). Pairs below `min_score` are not suggested, and a pair
someone marked "not a duplicate" (`mark_not_duplicate`) is never suggested again.

Organisations (archived ones are left out)

======================  =====  ==========================================================
reason                  score  when
======================  =====  ==========================================================
same normalised name     95    names equal once case, accents, punctuation and words such
                               as "The", "Ltd", "Limited", "PLC", "CIC", "UK" are set aside
alias hit                90    one's alias is the other's name (or they share an alias)
initials                 80    one's name is the initials of the other's
                               ("UCL" / "University College London")
similar name             0.9 × WRatio, when rapidfuzz's WRatio (on utils.default_process'd
                               names) is at least `fuzzy_cutoff` (default 86) and any
                               numbers in the two names are the same ("Unit 4" ≠ "Unit 5")
shared email domain      60    their contacts use the same email domain (webmail and
                               domains shared by more than `max_domain_orgs` organisations
                               aside)
======================  =====  ==========================================================

Only pairs that share a block are compared by WRatio, so 10,000 organisations do not mean
50 million comparisons: a block is the first three letters of a significant word of the
name (blocks larger than `max_block` are skipped as too common), plus each name's
`neighbours` next names in sorted order (catching a typo in the first word).

Contacts (archived and erased people are left out)

======================  =====  ==========================================================
same email               98    they share an address (main or secondary)
same mailbox             90    addresses equal once dots and +tags are removed from the
                               local part of a webmail address
same name, same org      90    equal name keys at the same organisation
similar name, same phone 85    phone numbers equal (digits only, +44 read as 0) and WRatio
                               of the names at least `contact_name_cutoff` (default 80)
similar name, same org   75    WRatio at least `fuzzy_cutoff` at the same organisation
======================  =====  ==========================================================

Default `min_score` is 70, so a shared email domain alone (60) is shown only when asked for.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.errors import Invalid
from partnercrm.matching import name_key, numbers_in

BONUS_PER_EXTRA_REASON = 5
SCORE_SAME_NAME = 95
SCORE_ALIAS = 90
SCORE_INITIALS = 80
SCORE_DOMAIN = 60
FUZZY_FACTOR = 0.9
SCORE_SAME_EMAIL = 98
SCORE_SAME_MAILBOX = 90
SCORE_SAME_NAME_SAME_ORG = 90
SCORE_SIMILAR_NAME_PHONE = 85
SCORE_SIMILAR_NAME_SAME_ORG = 75

# words that do not tell two organisations apart
NOISE_WORDS = {"the", "ltd", "limited", "plc", "llp", "llc", "inc", "cic", "co", "uk", "company"}
# words skipped when taking initials
SMALL_WORDS = {"of", "the", "and", "for", "in", "at", "on", "to"}
WEBMAIL = {
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "live.com",
    "live.co.uk",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "aol.com",
    "btinternet.com",
    "protonmail.com",
    "proton.me",
    "sky.com",
    "virginmedia.com",
    "msn.com",
}
ENTITIES = ("organisation", "contact")


@dataclass
class Thresholds:
    """The settable knobs of duplicate detection (see the module docstring)."""

    min_score: float = 70
    fuzzy_cutoff: float = 86
    contact_name_cutoff: float = 80
    max_block: int = 250
    neighbours: int = 3
    max_domain_orgs: int = 4


@dataclass
class DuplicatePair:
    """Two records that look like one, with a score out of 100 and the reasons."""

    entity: str
    a: dict[str, Any]
    b: dict[str, Any]
    score: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "score": self.score,
            "reasons": self.reasons,
            "a": self.a,
            "b": self.b,
        }


class _Pairs:
    """Reasons collected per unordered pair of ids."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)

    def add(self, x: int, y: int, reason: str, score: float) -> None:
        if x == y:
            return
        key = (x, y) if x < y else (y, x)
        have = self.reasons[key]
        have[reason] = max(score, have.get(reason, 0))

    def scored(self, min_score: float) -> list[tuple[int, int, int, list[str]]]:
        out = []
        for (x, y), reasons in self.reasons.items():
            ranked = sorted(reasons.items(), key=lambda kv: -kv[1])
            score = min(100.0, ranked[0][1] + BONUS_PER_EXTRA_REASON * (len(ranked) - 1))
            if score >= min_score:
                out.append((x, y, round(score), [r for r, _ in ranked]))
        return out


def canonical(name: str) -> str:
    """The name key without words that do not tell organisations apart ('The X Ltd' -> 'x')."""
    kept = [w for w in name_key(name).split() if w not in NOISE_WORDS]
    return " ".join(kept) or name_key(name)


def initials(key: str) -> str:
    words = [w for w in key.split() if w not in SMALL_WORDS and w not in NOISE_WORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _not_duplicates(session: Session, entity: str) -> set[tuple[int, int]]:
    nd = m.NotDuplicate
    return {
        (lo, hi)
        for lo, hi in session.execute(select(nd.low_id, nd.high_id).where(nd.entity == entity))
    }


def _fuzzy_pairs(
    names: dict[int, str], th: Thresholds, pairs: _Pairs, reason: str = "similar name"
) -> None:
    """Compare names within blocks (word prefixes, sorted neighbours) by WRatio."""
    processed = {i: utils.default_process(n) for i, n in names.items()}
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in processed.items():
        for w in set(p.split()):
            if len(w) >= 3 and w not in NOISE_WORDS and w not in SMALL_WORDS:
                blocks[w[:3]].append(i)
    numbers = {i: numbers_in(p) for i, p in processed.items()}
    seen: set[tuple[int, int]] = set()

    def consider(i: int, j: int, score: float) -> None:
        if numbers[i] == numbers[j]:
            pairs.add(i, j, reason, FUZZY_FACTOR * score)

    for members in blocks.values():
        if not 1 < len(members) <= th.max_block:
            continue
        members.sort()
        texts = [processed[i] for i in members]
        for pos, i in enumerate(members[:-1]):
            # one C-level pass per member over the rest of its block
            for _text, score, index in process.extract(
                texts[pos],
                texts[pos + 1 :],
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=th.fuzzy_cutoff,
                limit=None,
            ):
                j = members[pos + 1 + index]
                if (i, j) not in seen:
                    seen.add((i, j))
                    consider(i, j, score)
    ordered = sorted(processed, key=lambda i: processed[i])
    for pos, i in enumerate(ordered):
        for j in ordered[pos + 1 : pos + 1 + th.neighbours]:
            x, y = min(i, j), max(i, j)
            if (x, y) in seen:
                continue
            seen.add((x, y))
            score = fuzz.WRatio(processed[x], processed[y], score_cutoff=th.fuzzy_cutoff)
            if score:
                consider(x, y, score)


def organisation_pairs(
    session: Session, thresholds: Thresholds | None = None, *, limit: int | None = None
) -> list[DuplicatePair]:
    """Probable duplicate organisations, best first."""
    th = thresholds or Thresholds()
    o = m.Organisation
    names = dict(session.execute(select(o.id, o.name).where(o.archived.is_(False))).all())
    pairs = _Pairs()
    by_key, by_canon, by_initials = _name_indexes(names)
    for members in by_canon.values():
        for i, j in combinations(members, 2):
            pairs.add(i, j, "same normalised name", SCORE_SAME_NAME)
    _alias_hits(session, names, by_key, by_canon, pairs)
    for i, n in names.items():
        compact = name_key(n).replace(" ", "")
        if 2 <= len(compact) <= 8 and compact.isalpha():
            for j in by_initials.get(compact, []):
                pairs.add(i, j, "initials", SCORE_INITIALS)
    _fuzzy_pairs(names, th, pairs)
    _shared_domains(session, names, th, pairs)
    return _finish(session, "organisation", pairs, th, limit)


def _name_indexes(
    names: dict[int, str],
) -> tuple[dict[str, int], dict[str, list[int]], dict[str, list[int]]]:
    """The organisations by name key, by canonical name, and by initials."""
    by_canon: dict[str, list[int]] = defaultdict(list)
    by_key: dict[str, int] = {}
    by_initials: dict[str, list[int]] = defaultdict(list)
    for i, n in names.items():
        key = name_key(n)
        by_key[key] = i
        by_canon[canonical(n)].append(i)
        if ini := initials(key):
            by_initials[ini].append(i)
    return by_key, by_canon, by_initials


def _alias_hits(
    session: Session,
    names: dict[int, str],
    by_key: dict[str, int],
    by_canon: dict[str, list[int]],
    pairs: _Pairs,
) -> None:
    """An alias of one organisation that is another's name, or another's alias too."""
    a = m.OrganisationAlias
    alias_owners: dict[str, list[int]] = defaultdict(list)
    for org_id, alias in session.execute(select(a.organisation_id, a.alias)):
        if org_id in names:
            alias_owners[name_key(alias)].append(org_id)
            alias_owners[canonical(alias)].append(org_id)
    for key, owners in alias_owners.items():
        named = [by_key[key]] if key in by_key else []
        for j in [*named, *by_canon.get(key, [])]:
            for i in owners:
                pairs.add(i, j, "alias hit", SCORE_ALIAS)
        for i, j in combinations(set(owners), 2):
            pairs.add(i, j, "alias hit", SCORE_ALIAS)


def _shared_domains(session: Session, names: dict[int, str], th: Thresholds, pairs: _Pairs) -> None:
    """Organisations whose contacts share an email domain (not webmail; not too many)."""
    domains: dict[str, set[int]] = defaultdict(set)
    c = m.Contact
    for contact_org, email in session.execute(
        select(c.organisation_id, c.email).where(
            c.organisation_id.is_not(None), c.email.is_not(None), c.erased_at.is_(None)
        )
    ):
        if contact_org in names and email:
            domain = email.rsplit("@", 1)[-1]
            if domain not in WEBMAIL:
                domains[domain].add(contact_org)
    for domain, sharing in domains.items():
        if 1 < len(sharing) <= th.max_domain_orgs:
            for i, j in combinations(sorted(sharing), 2):
                pairs.add(i, j, f"contacts share the email domain {domain}", SCORE_DOMAIN)


def phone_digits(phone: str | None) -> str:
    """A phone number's digits, +44 read as 0 ('' when too short to be a number)."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("44") and phone.strip().startswith("+"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 7 else ""


def _mailbox(address: str) -> str:
    local, _, domain = address.partition("@")
    if domain in WEBMAIL:
        local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}"


def contact_pairs(
    session: Session, thresholds: Thresholds | None = None, *, limit: int | None = None
) -> list[DuplicatePair]:
    """Probable duplicate contacts, best first."""
    th = thresholds or Thresholds()
    c = m.Contact
    rows = session.execute(
        select(c.id, c.name, c.name_key, c.email, c.phone, c.organisation_id).where(
            c.archived.is_(False), c.erased_at.is_(None)
        )
    ).all()
    pairs = _Pairs()
    _same_addresses(session, rows, pairs)
    _names_at_one_organisation(rows, th, pairs)
    _same_phones(rows, th, pairs)
    return _finish(session, "contact", pairs, th, limit)


def _same_addresses(session: Session, rows: Sequence[Any], pairs: _Pairs) -> None:
    """The same email address (main or other), or the same webmail mailbox."""
    live = {r.id for r in rows}
    addresses: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        if r.email:
            addresses[r.email.lower()].add(r.id)
    for contact_id, email in session.execute(
        select(m.ContactEmail.contact_id, m.ContactEmail.email)
    ):
        if contact_id in live:
            addresses[email.lower()].add(contact_id)
    mailboxes: dict[str, set[int]] = defaultdict(set)
    for address, owners in addresses.items():
        for i, j in combinations(sorted(owners), 2):
            pairs.add(i, j, "same email", SCORE_SAME_EMAIL)
        mailboxes[_mailbox(address)].update(owners)
    for owners in mailboxes.values():
        for i, j in combinations(sorted(owners), 2):
            if "same email" not in pairs.reasons.get((i, j), {}):
                pairs.add(i, j, "same mailbox", SCORE_SAME_MAILBOX)


def _names_at_one_organisation(rows: Sequence[Any], th: Thresholds, pairs: _Pairs) -> None:
    by_org: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        if r.organisation_id is not None:
            by_org[r.organisation_id].append(r)
    for members in by_org.values():
        if len(members) > th.max_block * 4:
            continue
        for x, y in combinations(members, 2):
            if x.name_key == y.name_key:
                pairs.add(
                    x.id, y.id, "same name at the same organisation", SCORE_SAME_NAME_SAME_ORG
                )
            else:
                score = fuzz.WRatio(
                    x.name, y.name, processor=utils.default_process, score_cutoff=th.fuzzy_cutoff
                )
                if score:
                    pairs.add(
                        x.id,
                        y.id,
                        "similar name at the same organisation",
                        SCORE_SIMILAR_NAME_SAME_ORG,
                    )


def _same_phones(rows: Sequence[Any], th: Thresholds, pairs: _Pairs) -> None:
    """A similar name and the same phone number (not a switchboard)."""
    by_phone: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if digits := phone_digits(r.phone):
            by_phone[digits].append(r)
    for members in by_phone.values():
        if len(members) > th.max_block:
            continue  # a switchboard
        for x, y in combinations(members, 2):
            if fuzz.WRatio(
                x.name,
                y.name,
                processor=utils.default_process,
                score_cutoff=th.contact_name_cutoff,
            ):
                pairs.add(x.id, y.id, "similar name and the same phone", SCORE_SIMILAR_NAME_PHONE)


def _finish(
    session: Session, entity: str, pairs: _Pairs, th: Thresholds, limit: int | None
) -> list[DuplicatePair]:
    declined = _not_duplicates(session, entity)
    scored = [p for p in pairs.scored(th.min_score) if (p[0], p[1]) not in declined]
    scored.sort(key=lambda p: (-p[2], p[0], p[1]))
    if limit:
        scored = scored[:limit]
    ids = {i for p in scored for i in p[:2]}
    summary = (organisation_summaries if entity == "organisation" else contact_summaries)(
        session, ids
    )
    return [DuplicatePair(entity, summary[x], summary[y], s, r) for x, y, s, r in scored]


def _counts(session: Session, column: Any, ids: Iterable[int]) -> dict[int, int]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(
        session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column)).all()
    )


def _listed(session: Session, key: Any, value: Any, ids: list[int]) -> dict[int, list[str]]:
    """Each id's values, as a list: an organisation's aliases, a contact's other emails."""
    found: dict[int, list[str]] = defaultdict(list)
    for record_id, text in session.execute(select(key, value).where(key.in_(ids))):
        found[record_id].append(text)
    return found


def organisation_summaries(session: Session, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What a person needs to compare organisations side by side."""
    ids = list(ids)
    if not ids:
        return {}
    o = m.Organisation
    aliases = _listed(session, m.OrganisationAlias.organisation_id, m.OrganisationAlias.alias, ids)
    contacts = _counts(session, m.Contact.organisation_id, ids)
    conversations = _counts(session, m.Conversation.organisation_id, ids)
    commitments = _counts(session, m.Commitment.organisation_id, ids)
    out = {}
    for r in session.execute(
        select(o.id, o.name, o.sector, o.ward, o.website, o.created_at, m.Colleague.name)
        .outerjoin(m.Colleague, m.Colleague.id == o.lead_id)
        .where(o.id.in_(ids))
    ):
        out[r.id] = {
            "id": r.id,
            "name": r.name,
            "aliases": aliases.get(r.id, []),
            "sector": r.sector,
            "ward": r.ward,
            "website": r.website,
            "lead": r[6],
            "contacts": contacts.get(r.id, 0),
            "conversations": conversations.get(r.id, 0),
            "commitments": commitments.get(r.id, 0),
            "created": r.created_at.date().isoformat() if r.created_at else None,
        }
    return out


def contact_summaries(session: Session, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What a person needs to compare contacts side by side."""
    ids = list(ids)
    if not ids:
        return {}
    c = m.Contact
    others = _listed(session, m.ContactEmail.contact_id, m.ContactEmail.email, ids)
    conversations = _counts(session, m.conversation_contact.c.contact_id, ids)
    events = _counts(session, m.Attendance.contact_id, ids)
    out = {}
    for r in session.execute(
        select(c.id, c.name, c.email, c.phone, c.job_title, c.organisation_id, m.Organisation.name)
        .outerjoin(m.Organisation, m.Organisation.id == c.organisation_id)
        .where(c.id.in_(ids))
    ):
        out[r.id] = {
            "id": r.id,
            "name": r.name,
            "email": r.email,
            "other_emails": others.get(r.id, []),
            "phone": r.phone,
            "job_title": r.job_title,
            "organisation_id": r.organisation_id,
            "organisation": r[6],
            "conversations": conversations.get(r.id, 0),
            "events": events.get(r.id, 0),
        }
    return out


def pairs(
    session: Session, entity: str, thresholds: Thresholds | None = None, *, limit: int | None = None
) -> list[DuplicatePair]:
    """Probable duplicates of `entity` ('organisation' or 'contact')."""
    entity = check_entity(entity)
    finder = organisation_pairs if entity == "organisation" else contact_pairs
    return finder(session, thresholds, limit=limit)


def check_entity(entity: str) -> str:
    value = (entity or "").strip().lower().rstrip("s")
    if value not in ENTITIES:
        raise Invalid(f"{entity!r} is neither organisations nor contacts", field="entity")
    return value


def mark_not_duplicate(session: Session, entity: str, a: int, b: int) -> bool:
    """Remember that records `a` and `b` are different; False when it was already known."""
    entity = check_entity(entity)
    if a == b:
        raise Invalid("a record is always the same as itself; give two different records")
    model = m.Organisation if entity == "organisation" else m.Contact
    for ident in (a, b):
        if session.get(model, ident) is None:
            raise Invalid(f"there is no {entity} with id {ident}")
    low, high = min(a, b), max(a, b)
    nd = m.NotDuplicate
    known = session.scalar(
        select(nd.id).where(and_(nd.entity == entity, nd.low_id == low, nd.high_id == high))
    )
    if known:
        return False
    session.add(nd(entity=entity, low_id=low, high_id=high, decided_by=session.info.get("actor")))
    session.flush()
    return True


# --- one new record against those stored (the guard on adding) ------------------------------


def organisation_lookalikes(
    session: Session, name: str, thresholds: Thresholds | None = None
) -> list[m.Organisation]:
    """Stored organisations a new one called `name` would probably duplicate, best first.

    The same reasons as `organisation_pairs` that a name alone can show: the same normalised
    name, an alias hit, initials, a similar name (the shared email domain needs contacts).
    """
    th = thresholds or Thresholds()
    o = m.Organisation
    names = dict(session.execute(select(o.id, o.name).where(o.archived.is_(False))).all())
    key, canon = name_key(name), canonical(name)
    scores: dict[int, float] = {}

    def add(i: int, score: float) -> None:
        scores[i] = max(score, scores.get(i, 0))

    for i, other in names.items():
        if canonical(other) == canon:
            add(i, SCORE_SAME_NAME)
        if (ini := initials(name_key(other))) and ini == key.replace(" ", ""):
            add(i, SCORE_INITIALS)
        if (mine := initials(key)) and mine == name_key(other).replace(" ", ""):
            add(i, SCORE_INITIALS)
    for org_id, alias in session.execute(
        select(m.OrganisationAlias.organisation_id, m.OrganisationAlias.alias)
    ):
        if org_id in names and canonical(alias) == canon:
            add(org_id, SCORE_ALIAS)
    wanted = utils.default_process(name)
    numbers = numbers_in(wanted)
    processed = {i: utils.default_process(n) for i, n in names.items()}
    for _text, score, i in process.extract(
        wanted,
        processed,
        scorer=fuzz.WRatio,
        processor=None,
        score_cutoff=th.fuzzy_cutoff,
        limit=None,
    ):
        if numbers_in(processed[i]) == numbers:
            add(i, FUZZY_FACTOR * score)
    found = sorted(
        (i for i, score in scores.items() if score >= th.min_score), key=lambda i: -scores[i]
    )
    return [session.get_one(o, i) for i in found[:5]]


def contact_lookalikes(
    session: Session,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    organisation_id: int | None = None,
    thresholds: Thresholds | None = None,
) -> list[m.Contact]:
    """Stored contacts a new person would probably duplicate (an exact email is refused apart)."""
    th = thresholds or Thresholds()
    c = m.Contact
    live = (c.archived.is_(False), c.erased_at.is_(None))
    found: dict[int, m.Contact] = {}
    numbers = numbers_in(name)  # 'Attendee 1' is not 'Attendee 2'
    if organisation_id is not None:
        for other in session.scalars(select(c).where(c.organisation_id == organisation_id, *live)):
            if other.name_key == name_key(name) or (
                numbers_in(other.name) == numbers
                and fuzz.WRatio(
                    name, other.name, processor=utils.default_process, score_cutoff=th.fuzzy_cutoff
                )
            ):
                found[other.id] = other
    if digits := phone_digits(phone):
        for other in session.scalars(select(c).where(c.phone.is_not(None), *live)):
            if phone_digits(other.phone) == digits and fuzz.WRatio(
                name,
                other.name,
                processor=utils.default_process,
                score_cutoff=th.contact_name_cutoff,
            ):
                found[other.id] = other
    if email and email.rsplit("@", 1)[-1] in WEBMAIL:
        mailbox = _mailbox(email.lower())
        domain = email.rsplit("@", 1)[-1].lower()
        for other in session.scalars(select(c).where(c.email.endswith("@" + domain), *live)):
            if other.email and _mailbox(other.email.lower()) == mailbox:
                found[other.id] = other
    return list(found.values())[:5]
