"""Which organisation a typed company name means: exact, then normalised, then alike, else new.

Exact matching compares `matching.name_key` (case, accents and punctuation aside) with every
organisation's name and aliases; normalised matching also drops a leading "The" and trailing
legal forms ("Ltd", "Limited", "PLC"). Only names left over reach fuzzy matching, on those
normalised forms: rapidfuzz WRatio (with `default_process`) picks the best, and the names must
also be alike word for word (token_sort_ratio), because WRatio alone scores a name whose words
are a subset of another's at 95 ("Camden Data" and "Camden Data Lab" are two organisations).
A misspelt name keeps most of its words, so only organisations sharing one of the name's three
rarest words are scored: thousands of names cost a second, not a minute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.matching import name_key, numbers_in

# measured on the benchmark's 5,000 organisations: 90 merged 144 different names, 92 merged
# 47 and still matched 97.5% of misspellings, 94 split more misspellings off than it saved
FUZZY_THRESHOLD = 92.0
_LEGAL_FORMS = {"ltd", "limited", "plc", "llp", "llc", "inc", "cic", "uk", "co", "company"}


def core_key(key: str) -> str:
    """A name key without a leading 'the' and trailing legal forms: 'the arsenal fc ltd' -> 'arsenal fc'."""
    words = key.split()
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


@dataclass
class OrganisationMatch:
    """What one given name resolved to. `ref` is an id, or a negative number for a new one."""

    ref: int
    how: str  # "exact", "normalised", "fuzzy" or "new"
    matched: str
    score: float | None = None


class OrganisationMatcher:
    """Resolves the distinct organisation names of a file against the CRM, and against each other."""

    def __init__(self, session: Session, threshold: float = FUZZY_THRESHOLD) -> None:
        self.threshold = threshold
        self.by_key: dict[str, int] = {}
        self.by_core: dict[str, set[int]] = {}
        self.names: dict[int, str] = {}
        self._choices: list[str] = []
        self._choice_refs: list[int] = []
        self._sorted: list[str] = []  # each choice with its words sorted, for token_sort_ratio
        self._postings: dict[str, list[int]] = {}  # word -> positions of choices that have it
        self.new: dict[int, tuple[str, str]] = {}  # ref -> (name, name_key)
        for ident, name, key in session.execute(
            select(m.Organisation.id, m.Organisation.name, m.Organisation.name_key)
        ):
            self._remember(ident, name, key)
        for ident, alias, key in session.execute(
            select(
                m.OrganisationAlias.organisation_id,
                m.OrganisationAlias.alias,
                m.OrganisationAlias.alias_key,
            )
        ):
            self._remember(ident, alias, key, canonical=False)

    def _remember(self, ref: int, name: str, key: str, canonical: bool = True) -> None:
        self.by_key.setdefault(key, ref)
        self.by_core.setdefault(core_key(key), set()).add(ref)
        if canonical:
            self.names[ref] = name
        processed = _fuzzy_form(key)
        position = len(self._choices)
        self._choices.append(processed)
        self._sorted.append(" ".join(sorted(processed.split())))
        self._choice_refs.append(ref)
        for word in set(processed.split()):
            self._postings.setdefault(word, []).append(position)

    def remember(self, ref: int, name: str, canonical: bool = True) -> None:
        """Know one more name (or alias) of an organisation from now on."""
        self._remember(ref, name, name_key(name), canonical)

    def resolve(self, given: Iterable[tuple[str, int]]) -> dict[str, OrganisationMatch]:
        """Resolve (name, times seen) pairs; a new organisation takes its most-seen spelling."""
        by_key: dict[str, list[tuple[str, int]]] = {}
        for name, count in given:
            key = name_key(name)
            if key:
                by_key.setdefault(key, []).append((name, count))
        result: dict[str, OrganisationMatch] = {}
        leftover: list[tuple[int, str, list[tuple[str, int]]]] = []
        for key, spellings in by_key.items():
            ref = self.by_key.get(key)
            how = "exact"
            if ref is None:
                owners = self.by_core.get(core_key(key), set())
                if len(owners) == 1:
                    ref, how = next(iter(owners)), "normalised"
            if ref is None:
                leftover.append((-sum(c for _, c in spellings), key, spellings))
                continue
            for name, _ in spellings:
                result[name] = OrganisationMatch(ref, how, self.names[ref])
        # the most common spellings first, so a variant meets its common form already created
        leftover.sort(key=lambda item: item[0])
        for _, key, spellings in leftover:
            best = max(spellings, key=_spelling_preference)[0]
            match = self._fuzzy(best)
            if match is None:
                ref = -(len(self.new) + 1)
                display = " ".join(best.split())
                self.new[ref] = (display, key)
                self._remember(ref, display, key)
                match = OrganisationMatch(ref, "new", display)
            else:
                self.by_key.setdefault(key, match.ref)
            for name, _ in spellings:
                result[name] = match
        return result

    def _fuzzy(self, name: str) -> OrganisationMatch | None:
        processed = _fuzzy_form(name_key(name))
        words = set(processed.split())
        if not words or not self._choices:
            return None
        positions: set[int] = set()
        if len(words) > 1:
            # a name with a slip or two keeps one of its three rarest words intact
            for word in sorted(words, key=lambda w: len(self._postings.get(w, ())))[:3]:
                positions.update(self._postings.get(word, ()))
            if not positions:
                return None
            candidates: Sequence[int] = sorted(positions)
        else:
            candidates = range(len(self._choices))
        alike = process.extract(
            " ".join(sorted(words)),
            [self._sorted[i] for i in candidates],
            scorer=fuzz.ratio,
            score_cutoff=self.threshold,
            limit=5,
        )
        best: tuple[float, float, int] | None = None
        numbers = numbers_in(processed)
        for _, sort_score, index in alike:
            if numbers_in(self._choices[candidates[index]]) != numbers:
                continue  # "Company 1023 Ltd" is never "Company 103 Ltd"
            score = fuzz.WRatio(processed, self._choices[candidates[index]])
            if score >= self.threshold and (best is None or (score, sort_score) > best[:2]):
                best = (score, sort_score, candidates[index])
        if best is None:
            return None
        ref = self._choice_refs[best[2]]
        return OrganisationMatch(ref, "fuzzy", self.names[ref], round(float(best[0]), 1))


def _spelling_preference(spelling: tuple[str, int]) -> tuple[bool, int, bool]:
    """Name a new organisation as people wrote it most, but not in capitals or all lower case."""
    name, count = spelling
    letters = "".join(ch for ch in name if ch.isalpha())
    shouted = letters.isupper() and len(letters) > 5  # "UCL" is an acronym, not shouting
    return (not (shouted or letters.islower()), count, not name.endswith("."))


def _fuzzy_form(key: str) -> str:
    # "The Camden Givng Ltd" is scored as "camden givng": articles and legal forms say nothing
    return utils.default_process(core_key(key))
