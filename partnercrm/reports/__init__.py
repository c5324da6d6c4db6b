"""Reports for leadership and the scrutiny committee, and the figures the TUI dashboard shows.

Each report is a function `report(session, filters, ...)` returning a dataclass with
`as_dict()` (for JSON) and `tables()` (for text, CSV and the HTML pack). Every figure is
computed in the database with GROUP BY and window functions that SQLite and PostgreSQL share.

The dashboard (CLI and TUI alike): `dashboard(s, colleague, today)` -> `Dashboard`, which
decides what is stale (`STALE_DAYS`), due this month (`month_of`) and open. Its parts:

- open conversations by stage:      `stage_counts(s)` (one GROUP BY; `pipeline(s).total.stages`
                                    gives the same with the rest of the pipeline report)
- a colleague's steps:              `steps_for(s, colleague_id, today=...)` -> `.overdue`, `.this_week`
- stale conversations:              `stale(s, days=STALE_DAYS, limit=...)` -> `.total`, `.rows`
- commitments due this month:       `commitments_due(s, first_day, last_day)`
- the coverage matrix:              `coverage(s)` -> `.missions`, `.roles`, `.cell(mission, role)`, `.gaps`
"""

from __future__ import annotations

from partnercrm.reports.activity import (
    Activity,
    ColleagueActivity,
    ColleagueSteps,
    Overdue,
    OwnerOverdue,
    StepLine,
    activity,
    overdue,
    steps_for,
)
from partnercrm.reports.coverage import Coverage, CoverageCell, coverage
from partnercrm.reports.dashboard import PARTS, Dashboard, dashboard, month_of
from partnercrm.reports.filters import Filters
from partnercrm.reports.impact import Impact, ImpactLine, Measures, Story, impact
from partnercrm.reports.pipeline import (
    STALE_DAYS,
    CommitmentDue,
    Pipeline,
    PipelineLine,
    Stale,
    StaleConversation,
    commitments_due,
    pipeline,
    stage_counts,
    stale,
)
from partnercrm.reports.sectors import SectorLine, Sectors, sectors
from partnercrm.reports.table import Table

__all__ = [
    "PARTS",
    "STALE_DAYS",
    "Activity",
    "ColleagueActivity",
    "ColleagueSteps",
    "CommitmentDue",
    "Coverage",
    "CoverageCell",
    "Dashboard",
    "Filters",
    "Impact",
    "ImpactLine",
    "Measures",
    "Overdue",
    "OwnerOverdue",
    "Pipeline",
    "PipelineLine",
    "SectorLine",
    "Sectors",
    "Stale",
    "StaleConversation",
    "StepLine",
    "Story",
    "Table",
    "activity",
    "commitments_due",
    "coverage",
    "dashboard",
    "impact",
    "month_of",
    "overdue",
    "pipeline",
    "sectors",
    "stage_counts",
    "stale",
    "steps_for",
]
