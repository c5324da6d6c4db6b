"""Briefs for everyone in the room: one per organisation attending an event, plus an index."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from partnercrm import models as m
from partnercrm import outputs
from partnercrm.errors import Invalid
from partnercrm.organisations import relationship_stages

from .assemble import assemble_brief
from .model import Brief
from .render import render_html, render_index_html, render_index_markdown, render_markdown

FORMATS = {"md": (".md", render_markdown), "html": (".html", render_html)}


def organisations_at_event(session: Session, event: m.Event) -> list[m.Organisation]:
    """Current organisations whose people attended `event`, or that hosted it, by name."""
    attending = select(m.Attendance.organisation_id).where(m.Attendance.event_id == event.id)
    q = (
        select(m.Organisation)
        .where(
            m.Organisation.archived.is_(False),
            m.Organisation.id.in_(attending) | (m.Organisation.id == event.host_id),
        )
        .options(selectinload(m.Organisation.aliases), joinedload(m.Organisation.lead))
        .order_by(m.Organisation.name_key)
    )
    return list(session.scalars(q))


def event_briefs(
    session: Session,
    event: m.Event,
    *,
    for_colleague: m.Colleague | None = None,
    today: date | None = None,
) -> list[Brief]:
    """A brief for each organisation at the event, for a meeting on the event's day."""
    meeting = event.held_on if event.held_on >= (today or date.today()) else None
    present = organisations_at_event(session, event)
    stages = relationship_stages(session, [org.id for org in present])
    return [
        assemble_brief(
            session, org, stages[org.id], for_colleague=for_colleague, meeting=meeting, today=today
        )
        for org in present
    ]


def slug(name: str) -> str:
    """A file name from an organisation name: 'King's College London' -> 'kings-college-london'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"['’]", "", text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80] or "organisation"


@dataclass
class Written:
    index: Path
    briefs: list[Path]


def write_event_briefs(
    session: Session,
    event: m.Event,
    out_dir: Path,
    *,
    fmt: str = "html",
    for_colleague: m.Colleague | None = None,
    today: date | None = None,
    force: bool = False,
) -> Written:
    """Write one brief per organisation at the event into `out_dir`, and an index page.

    A brief or index already in the folder is kept (and nothing written) unless `force`.
    """
    if fmt not in FORMATS:
        raise Invalid(f"event briefs are written as md or html, not {fmt!r}", field="format")
    suffix, render = FORMATS[fmt]
    entries, paths, used = [], [], {"index"}
    with outputs.output_folder(out_dir, force=force, database=session) as folder:
        for brief in event_briefs(session, event, for_colleague=for_colleague, today=today):
            base = slug(brief.organisation.name)
            name = base if base not in used else f"{base}-{brief.organisation.id}"
            used.add(name)
            paths.append(folder.write_text(f"{name}{suffix}", render(brief)))
            entries.append({"brief": brief, "file": f"{name}{suffix}"})
        render_index = render_index_html if fmt == "html" else render_index_markdown
        index = folder.write_text(
            f"index{suffix}", render_index(event.name, event.held_on, entries)
        )
    return Written(index=index, briefs=paths)
