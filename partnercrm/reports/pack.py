"""The report pack: every report as one self-contained HTML file (prints on A4), plus CSVs.

The HTML carries its CSS and its charts (inline SVG from `partnercrm.charts`) inside it: no
JavaScript, no fonts or images from the network, so it can be emailed to a committee clerk,
opened offline and printed. Jinja2 autoescapes every value from the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from partnercrm import charts, outputs
from partnercrm.csv_export import write_csv
from partnercrm.reports.activity import Activity, Overdue, activity, overdue
from partnercrm.reports.coverage import Coverage, coverage
from partnercrm.reports.filters import Filters, period_words
from partnercrm.reports.impact import Impact, MonthDelivered, impact
from partnercrm.reports.pipeline import Pipeline, Stale, pipeline, stale
from partnercrm.reports.sectors import Sectors, sectors
from partnercrm.reports.table import Table, money, percent

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LISTED = 25  # rows of stale conversations and overdue steps shown in the pack (the CSV has all)


@dataclass
class PackWritten:
    index: Path
    csv_files: list[Path] = field(default_factory=list)


@dataclass
class PackData:
    """Everything the pack shows, gathered in one read."""

    title: str
    filters: Filters
    today: date
    pipeline: Pipeline
    coverage: Coverage
    impact: Impact
    sectors: Sectors
    activity: Activity
    stale: Stale  # the oldest LISTED, for the page
    overdue: Overdue  # the first LISTED steps, for the page
    all_stale: Stale | None = None  # every one, for the CSV
    all_overdue: Overdue | None = None


def gather(
    session: Session,
    filters: Filters | None = None,
    *,
    title: str = "Partnerships report",
    today: date | None = None,
    stories: int = 12,
) -> PackData:
    f = filters or Filters()
    today = today or date.today()
    # read the full lists once: the page shows the first few, the CSVs carry them all
    every_stale = stale(session, f, today=today)
    every_overdue = overdue(session, f, today=today)
    return PackData(
        title=title,
        filters=f,
        today=today,
        pipeline=pipeline(session, f),
        coverage=coverage(session, f),
        impact=impact(session, f, stories=stories),
        sectors=sectors(session, f),
        activity=activity(session, f, today=today),
        stale=replace(every_stale, rows=every_stale.rows[:LISTED]),
        overdue=replace(every_overdue, steps=every_overdue.steps[:LISTED]),
        all_stale=every_stale,
        all_overdue=every_overdue,
    )


def render_html(data: PackData) -> str:
    """The pack as one HTML document."""
    env = Environment(
        loader=PackageLoader("partnercrm.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["content_policy"] = outputs.HTML_CONTENT_POLICY
    env.filters["cell"] = _cell
    env.filters["money"] = money
    env.filters["percent"] = percent
    return env.get_template("pack.html.j2").render(
        d=data,
        period=period_words(data.filters.since, data.filters.until),
        scope=data.filters.describe(),
        generated=datetime.now().strftime("%d %B %Y at %H:%M"),
        charts=_charts(data),
        glance=_glance(data),
    )


def write_pack(
    session: Session,
    out_dir: Path,
    filters: Filters | None = None,
    *,
    title: str = "Partnerships report",
    today: date | None = None,
    force: bool = False,
) -> PackWritten:
    """Write index.html and one CSV per table into `out_dir` (made if missing).

    Files already in the folder are kept (and nothing is written) unless `force`.
    """
    data = gather(session, filters, title=title, today=today)
    full_stale = data.all_stale or data.stale
    full_overdue = data.all_overdue or data.overdue
    tables: list[Table] = [
        *data.pipeline.tables(),
        *data.coverage.tables(),
        *data.impact.tables(),
        *data.sectors.tables(),
        *data.activity.tables(),
        *full_stale.tables(),
        *full_overdue.tables(),
    ]
    with outputs.output_folder(out_dir, force=force, database=session, field="out") as folder:
        written = PackWritten(index=folder.write_text("index.html", render_html(data)))
        for t in tables:
            # utf-8-sig: spreadsheets then read £ and accents correctly
            with folder.open(f"{t.name}.csv", encoding="utf-8-sig", newline="") as out:
                write_csv(out, t.columns, t.rows)
            written.csv_files.append(folder.target(f"{t.name}.csv"))
    return written


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value)
    if ISO_DATE.fullmatch(text):
        return date.fromisoformat(text).strftime("%d %b %Y")
    return text


def _glance(d: PackData) -> list[tuple[str, str, str]]:
    """The headline figures: (figure, what it is, a short gloss)."""
    p, i = d.pipeline.total, d.impact.total
    active = sum(c.active for c in d.coverage.cells)
    return [
        (f"{p.open:,}", "open warm conversations", f"{p.total:,} started in the period"),
        (
            percent(p.conversion_rate),
            "conversion rate",
            "committed ÷ (committed + declined + parked)",
        ),
        (
            "—" if p.median_days is None else f"{p.median_days:g} days",
            "median time to commitment",
            "—" if p.p80_days is None else f"80% within {p.p80_days:g} days",
        ),
        (f"{active:,}", "active ambassador roles", f"{len(d.coverage.gaps)} mission × role gaps"),
        (
            f"{i.delivered.opportunities:,}",
            "opportunities delivered",
            f"of {i.promised.opportunities:,} promised",
        ),
        (f"{i.delivered.people:,}", "people involved", f"of {i.promised.people:,} promised"),
        (money(i.delivered.gbp), "delivered in money", f"of {money(i.promised.gbp)} promised"),
        (f"{i.delivered.hours:,}", "hours given", f"of {i.promised.hours:,} promised"),
    ]


def _charts(d: PackData) -> dict[str, Any]:
    p = d.pipeline.total
    stages = p.stages
    funnel = charts.funnel(
        [
            ("Conversations started", p.total),
            ("Open or committed", p.open + stages["committed"]),
            ("Committed", stages["committed"]),
        ],
        aside=[
            ("Parked", stages["parked"]),
            ("Declined", stages["declined"]),
            ("Still open", p.open),
        ],
        label="Warm conversations: from first touch to commitment",
    )
    cov = d.coverage
    heat = charts.heat_map(
        [name for _, name in cov.missions],
        [name for _, name in cov.roles],
        [[cov.cell(mk, rk).active for rk, _ in cov.roles] for mk, _ in cov.missions],
        notes=[[_cell_note(cov, mk, rk) for rk, _ in cov.roles] for mk, _ in cov.missions],
        label="Active Missions Ambassadors by mission and role",
    )
    periods = _time_axis(d.impact.by_month)
    impact_bars = {
        "people": charts.bars(
            [(k, v.people) for k, v in periods],
            unit="People involved",
            label="People involved, by delivery date",
        ),
        "opportunities": charts.bars(
            [(k, v.opportunities) for k, v in periods],
            unit="Opportunities delivered",
            label="Opportunities delivered, by delivery date",
            colour="#2f7d4f",
        ),
    }
    sector_bars = charts.hbars(
        [(line.label, line.commitments) for line in d.sectors.sectors],
        label="Commitments agreed, by sector",
    )
    return {"funnel": funnel, "heat": heat, "impact": impact_bars, "sectors": sector_bars}


def _cell_note(cov: Coverage, mission: str, role: str) -> str:
    cell = cov.cell(mission, role)
    names = ", ".join(cell.organisations)
    if cell.coming:
        return f"{names}\n+{cell.coming} coming".strip()
    return names


def _time_axis(months: list[MonthDelivered]) -> list[tuple[str, Any]]:
    """Every month from the first delivery to the last (empty months shown as zero), or
    quarters when that would be more than 18 bars."""
    from partnercrm.reports.impact import Measures

    if not months:
        return []
    found = {(x.year, x.month): x.delivered for x in months}
    y, mo = months[0].year, months[0].month
    last = (months[-1].year, months[-1].month)
    axis: list[tuple[int, int]] = []
    while (y, mo) <= last:
        axis.append((y, mo))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    if len(axis) <= 18:
        return [
            (date(yy, mm, 1).strftime("%b %y"), found.get((yy, mm), Measures())) for yy, mm in axis
        ]
    quarters: dict[str, Measures] = {}
    for yy, mm in axis:
        key = f"Q{(mm - 1) // 3 + 1} {yy % 100:02d}"
        total = quarters.setdefault(key, Measures())
        got = found.get((yy, mm))
        if got:
            total.opportunities += got.opportunities
            total.people += got.people
            total.gbp += got.gbp
            total.hours += got.hours
    return list(quarters.items())
