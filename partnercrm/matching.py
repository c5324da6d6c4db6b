"""Finding records by what people type: name keys, and the closest candidates when nothing matches."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect, Select
from sqlalchemy.orm import Session

from partnercrm.errors import Ambiguous, Invalid, NotFound
from partnercrm.stored_text import clean

T = TypeVar("T")

_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")


def name_key(text: str) -> str:
    """Casefolded, accent- and punctuation-free form: 'Arsenal F.C.' and 'arsenal fc' share one key.

    Dots are dropped without a space so initialisms close up ('U.C.L.' is 'ucl'); other
    punctuation becomes a space ('Camden-Giving' is 'camden giving'); '&' reads as 'and'.
    """
    text = unicodedata.normalize("NFKD", clean(text))  # the key of the name as stored
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ").replace(".", "").replace("'", "").replace("’", "")
    text = _NOT_WORD.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def numbers_in(text: str) -> frozenset[str]:
    """The numbers a name holds: fuzzy matching never joins names whose numbers differ
    ("Company 1023 Ltd" is not "Company 103 Ltd", "Unit 4" is not "Unit 5")."""
    return frozenset(_NUMBER.findall(text))


def closest(given: str, choices: Iterable[str], limit: int = 3, cutoff: float = 60) -> list[str]:
    """The few choices most like `given` (rapidfuzz WRatio on processed strings), best first."""
    from rapidfuzz import fuzz, process, utils  # when a name is not found: not at every start

    unique = list(dict.fromkeys(choices))
    found = process.extract(
        given,
        unique,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [choice for choice, _score, _index in found]


def find_one(
    session: Session,
    what: str,
    given: str,
    *,
    exact: Select[T],
    prefix: Select[T],
    names: Select[Any] | CompoundSelect[Any],
) -> T:
    """The one record `given` names: an exact match, else a unique prefix match.

    Several matches raise Ambiguous with their names; none raises NotFound with the
    closest names, so a typo gets a 'did you mean'.
    """
    found = list(dict.fromkeys(session.scalars(exact.limit(6))))
    if len(found) == 1:
        return found[0]
    # text that is all punctuation ('%', '_') has an empty key, a prefix of every name
    if not found and name_key(given):
        found = list(dict.fromkeys(session.scalars(prefix.limit(6))))
        if len(found) == 1:
            return found[0]
    if found:
        raise Ambiguous(what, given, [_display(x) for x in found])
    raise NotFound(what, given, closest(given, session.scalars(names)))


def get_by_id(session: Session, model: type[T], what: str, ident: int | str) -> T:
    """The `model` record with id `ident` as typed: not a number is Invalid, no record NotFound."""
    try:
        key = int(ident)
    except (TypeError, ValueError):
        raise Invalid(f"{what} id {ident!r} is not a number", field="id") from None
    found = session.get(model, key)
    if found is None:
        raise NotFound(what, str(ident).strip())
    return found


def _display(record: Any) -> str:
    name = getattr(record, "name", None) or str(record.id)
    email = getattr(record, "email", None)
    return f"{name} <{email}>" if email else name
