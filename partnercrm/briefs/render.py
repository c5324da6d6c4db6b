"""Rendering a brief as Markdown or as one self-contained HTML page (Jinja2, autoescaped)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlparse

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from partnercrm import labels
from partnercrm.dates import ago
from partnercrm.outputs import HTML_CONTENT_POLICY

from .model import Brief

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(value: Any) -> str:
    """Text from the data, made inert in Markdown: no emphasis, links, raw HTML or table breaks."""
    if value is None:
        return "—"
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
    # a leading marker would make a heading, list item or quote of the text
    return re.sub(r"^([#>+-]|\d+\.)", r"\\\1", text)


def day(value: date | None, style: str = "short", today: date | None = None) -> str:
    """A date in a brief: as every screen shows one (`labels.day`: the year only when it is not
    the brief's year); 'dated' always with its year (the day the brief was prepared, which
    the other dates are read against); 'long' with the day's name, for a meeting."""
    if value is None:
        return "—"
    if style == "long":
        return f"{value:%A %-d %B %Y}"
    if style == "dated":
        return f"{value:%-d %b %Y}"
    return labels.day(value, today) if today else f"{value:%-d %b %Y}"


@pass_context
def _day(context: Context, value: date | None, style: str = "short") -> str:
    """`day` for a template: 'this year' is the year of the brief's day (`today`)."""
    today = context.get("today")
    return day(value, style, today if isinstance(today, date) else None)


def money(value: Any) -> str:
    return f"£{value:,.0f}" if value else "£0"


def number(value: Any) -> str:
    if not value:
        return "0"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def web_address(value: str | None) -> str | None:
    """An address safe to link to (http or https with a host); anything else is never a link."""
    if not value:
        return None
    parsed = urlparse(value.strip())
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    return value.strip()


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def impact(totals: Any, leave_out: str = "") -> str:
    """Delivered or promised figures in words: '£12,000 · 40 hours · 12 opportunities'."""
    parts = []
    if totals.gbp and leave_out != "gbp":
        parts.append(money(totals.gbp))
    if totals.hours and leave_out != "hours":
        parts.append(f"{number(totals.hours)} hours")
    if totals.opportunities and leave_out != "opportunities":
        parts.append(plural(totals.opportunities, "opportunity", "opportunities"))
    if totals.people and leave_out != "people":
        parts.append(plural(totals.people, "person", "people"))
    return " · ".join(parts)


def words(value: str | None) -> str:
    return (value or "").replace("_", " ")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("partnercrm.briefs", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["content_policy"] = HTML_CONTENT_POLICY
    env.filters.update(
        md=md,
        day=_day,
        money=money,
        number=number,
        web_address=web_address,
        impact=impact,
        words=words,
    )
    env.globals.update(ago=ago, plural=plural)
    return env


def _tidy_markdown(text: str) -> str:
    # templates stay readable with blank lines; the page gets at most one between blocks
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: tables where they help, no empty sections."""
    return _tidy_markdown(_environment().get_template("brief.md").render(b=brief))


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (inline CSS, no network), fit to print on A4."""
    return _environment().get_template("brief.html").render(b=brief, standalone=True)


def render_index_markdown(title: str, when: date | None, entries: Sequence[dict[str, Any]]) -> str:
    """An index of event briefs: entries carry brief, file."""
    return _tidy_markdown(
        _environment().get_template("index.md").render(title=title, when=when, entries=entries)
    )


def render_index_html(title: str, when: date | None, entries: Sequence[dict[str, Any]]) -> str:
    return _environment().get_template("index.html").render(title=title, when=when, entries=entries)
