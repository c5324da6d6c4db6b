"""Brokerage briefs: one page a leader reads before meeting a partner.

`build_brief` assembles a plain data object; `render_markdown` and `render_html` turn it
into pages; `brief_dict` is the same object as JSON-ready data.
"""

from partnercrm.briefs.assemble import build_brief
from partnercrm.briefs.model import Ask, Brief, WatchOut, brief_dict
from partnercrm.briefs.render import (
    render_html,
    render_index_html,
    render_index_markdown,
    render_markdown,
)

__all__ = [
    "Ask",
    "Brief",
    "WatchOut",
    "brief_dict",
    "build_brief",
    "render_html",
    "render_index_html",
    "render_index_markdown",
    "render_markdown",
]
