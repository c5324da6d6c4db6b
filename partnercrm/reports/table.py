"""A report's figures as tables: the shape the CLI prints, the CSV export writes and the pack shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Table:
    """A titled table: `columns` are (key, header) pairs, `rows` plain dicts keyed by column."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    # narrower columns for people (text and HTML) when the full set is for spreadsheets
    text_columns: list[tuple[str, str]] | None = None

    @property
    def display_columns(self) -> list[tuple[str, str]]:
        return self.text_columns or self.columns


def number(value: Any) -> int | float:
    """A database sum as a plain number: None is 0, whole Decimals become ints."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # type: ignore[no-any-return]


def rate(numerator: int, denominator: int) -> float | None:
    """A share as a fraction rounded to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


SECTOR_NAMES = {
    "business": "Business",
    "public_sector": "Public sector",
    "higher_education": "Higher education",
    "vcs": "Voluntary and community (VCS)",
    "social_action": "Social action",
    "culture": "Culture",
}


def sector_name(sector: str) -> str:
    return SECTOR_NAMES.get(sector, sector.replace("_", " ").capitalize())


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def money(value: float | int) -> str:
    return f"£{value:,.0f}"
