"""Which organisation a typed company name means: exact, then normalised, then fuzzy, else new.

Exact matching compares `matching.name_key` (case, accents and punctuation aside) with every
organisation's name and aliases; normalised matching also drops a leading "The" and trailing
legal forms ("Ltd", "Limited", "PLC"). Only names left over reach the fuzzy matcher (rapidfuzz
WRatio on `default_process`ed normalised names), and it only scores candidates that share a word or a
word's first three letters with the name, so thousands of names cost a second, not a minute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.matching import name_key

FUZZY_THRESHOLD = 90.0
_LEGAL_FORMS = {"ltd", "limited", "plc", "llp", "llc", "inc", "cic", "uk", "co", "company"}
# words too common in organisation names to narrow the candidates down
_COMMON_WORDS = {"the", "and", "of", "for", "ltd", "limited", "plc", "llp", "uk", "group",
                 "london", "camden", "co", "company", "trust", "services", "community", "cic"}
# past this many candidates a full scan (in C) is as quick as building the list
_FULL_SCAN_AT = 1500


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
        self._blocks: dict[str, list[int]] = {}
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
        self._choice_refs.append(ref)
        for block in _blocks(processed, everything=True):
            self._blocks.setdefault(block, []).append(position)

    def resolve(self, given: Iterable[tuple[str, int]]) -> dict[str, OrganisationMatch]:
        """Resolve (name, times seen) pairs; the most-seen spelling of a new organisation names it."""
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
            best = max(spellings, key=lambda s: s[1])[0]
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
        if not processed or not self._choices:
            return None
        positions: set[int] = set()
        # distinctive words narrow the search; failing those, the common ones
        for blocks in (_blocks(processed), _blocks(processed, everything=True)):
            for block in blocks:
                positions.update(self._blocks.get(block, ()))
                if len(positions) > _FULL_SCAN_AT:
                    break
            if positions:
                break
        if len(positions) > _FULL_SCAN_AT:
            candidates = range(len(self._choices))
        elif positions:
            candidates = sorted(positions)
        else:
            return None
        found = process.extractOne(
            processed,
            [self._choices[i] for i in candidates],
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=self.threshold,
        )
        if found is None:
            return None
        _, score, index = found
        ref = self._choice_refs[candidates[index]]
        return OrganisationMatch(ref, "fuzzy", self.names[ref], round(float(score), 1))


def _fuzzy_form(key: str) -> str:
    # "The Camden Givng Ltd" is scored as "camden givng": articles and legal forms say nothing
    return utils.default_process(core_key(key))


def _blocks(processed: str, everything: bool = False) -> set[str]:
    blocks = set()
    for word in processed.split():
        if len(word) < 3 or (word in _COMMON_WORDS and not everything):
            continue
        blocks.add(word)
        blocks.add(word[:3] + "…")
    return blocks
