"""The dashboard: what needs doing today and how the pipeline stands, decided once.

`partnercrm dashboard` and the TUI's home screen both render this read model; neither
decides what "stale", "this month" or "open" means.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import models as m
from partnercrm.reports.activity import ColleagueSteps, steps_for
from partnercrm.reports.coverage import Coverage, coverage
from partnercrm.reports.pipeline import (
    STALE_DAYS,
    CommitmentDue,
    Stale,
    commitments_due,
    stage_counts,
    stale,
)

PARTS = ("pipeline", "mine", "stale", "due", "coverage")


def month_of(today: date) -> tuple[date, date]:
    """The first and last day of `today`'s month: "due this month"."""
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


@dataclass
class Dashboard:
    """Each part is filled when asked for (the TUI reads its panels side by side)."""

    today: date
    colleague: str | None  # whose steps; None when the acting user is not one colleague
    stale_days: int = STALE_DAYS
    pipeline: dict[str, int] = field(default_factory=dict)
    my_steps: ColleagueSteps | None = None
    stale: Stale | None = None
    commitments_due: list[CommitmentDue] = field(default_factory=list)
    coverage: Coverage | None = None

    @property
    def open_conversations(self) -> int:
        return sum(self.pipeline.get(s, 0) for s in m.OPEN_STAGES)

    @property
    def month(self) -> tuple[date, date]:
        return month_of(self.today)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "colleague": self.colleague,
            "pipeline": self.pipeline,
            "open_conversations": self.open_conversations,
            "my_steps": self.my_steps.as_dict() if self.my_steps else None,
            "stale": self.stale.as_dict() if self.stale else None,
            "commitments_due": [c.as_dict() for c in self.commitments_due],
            "coverage": self.coverage.as_dict() if self.coverage else None,
        }


def dashboard(
    session: Session,
    colleague: m.Colleague | None,
    today: date,
    *,
    parts: Iterable[str] = PARTS,
    limit: int | None = None,
    stale_limit: int | None = None,
) -> Dashboard:
    """The dashboard for `colleague` (their steps) on `today`; only `parts` are read.

    `limit` caps each list; `stale_limit` the stale conversations (default `limit`): the
    total of stale ones is counted either way.
    """
    wanted = set(parts)
    board = Dashboard(today=today, colleague=colleague.name if colleague else None)
    if "pipeline" in wanted:
        board.pipeline = stage_counts(session)  # one GROUP BY, not the whole pipeline report
    if "mine" in wanted and colleague is not None:
        board.my_steps = steps_for(session, colleague.id, today=today, limit=limit)
    if "stale" in wanted:
        shown = stale_limit if stale_limit is not None else limit
        board.stale = stale(session, days=STALE_DAYS, today=today, limit=shown)
    if "due" in wanted:
        first, last = board.month
        board.commitments_due = commitments_due(session, first, last, limit=limit)
    if "coverage" in wanted:
        board.coverage = coverage(session)
    return board
