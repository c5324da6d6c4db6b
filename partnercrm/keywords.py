"""Keyword arguments that several functions take, declared once as a TypedDict.

A function takes `**given: Unpack[Spec]`: mypy checks its callers against the one
declaration, and `check(Spec, given, "name")` refuses an unknown keyword at run time, as
Python does for a function that names its parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def check(spec: Any, given: Mapping[str, object], function: str) -> None:
    """Raise TypeError for a keyword `spec` (a TypedDict) does not declare."""
    unknown = sorted(set(given) - spec.__required_keys__ - spec.__optional_keys__)
    if unknown:
        raise TypeError(f"{function}() got an unexpected keyword argument {unknown[0]!r}")
