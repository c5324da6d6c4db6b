"""The partner's brief: the Overview tab shows its Markdown; 'export brief' writes Markdown or HTML."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from partnercrm import briefs, labels, organisations
from partnercrm.errors import Invalid


def partner_markdown(session: Session, organisation_id: int, today: date) -> str:
    """The brokerage brief; an archived partner (which gets no brief) shows the facts held."""
    org = organisations.find_organisation(session, str(organisation_id))
    if org.archived:
        return facts_markdown(organisations.organisation_detail(session, org), today)
    return briefs.render_markdown(briefs.build_brief(session, org, today=today))


def partner_html(session: Session, organisation_id: int, today: date) -> str:
    """The brokerage brief as a standalone HTML page (as `partnercrm brief --format html`)."""
    org = organisations.find_organisation(session, str(organisation_id))
    if org.archived:
        raise Invalid(f"{org.name} is archived: it has no brief to export as HTML", field="format")
    return briefs.render_html(briefs.build_brief(session, org, today=today))


def facts_markdown(d: dict[str, Any], today: date | None = None) -> str:
    lines = [f"# {d['name']}", ""]
    facts = [
        ("Also known as", ", ".join(d["aliases"])),
        ("Sector", labels.sector(d["sector"])),
        ("Anchor institution", "yes" if d["anchor"] else "no"),
        ("Relationship stage", d["stage"]),
        ("Relationship lead", d["lead"]),
        ("Ward", d["ward"]),
        ("Website", d["website"]),
    ]
    lines += [f"- **{k}:** {v}" for k, v in facts if v]
    if d.get("notes"):
        lines += ["", d["notes"]]
    lines += ["", "## People"]
    lines += [
        f"- {c['name']}"
        + (f", {c['job_title']}" if c["job_title"] else "")
        + (" (senior)" if c["senior"] else "")
        for c in d["contacts"]
    ] or ["- nobody recorded yet"]
    lines += ["", "## Conversations"]
    for c in d["conversations"]:
        about = c["subject"] or c["ask"] or "no ask yet"
        line = f"- **{about}** — {c['stage']}, led by {c['lead']}, last touch {c['last_touch']}"
        if c["next_step"]:
            s = c["next_step"]
            line += f"; next: {s['description']} ({s['owner']}, due {labels.day(s['due'], today)})"
        lines.append(line)
    if not d["conversations"]:
        lines.append("- none yet")
    lines += ["", "## Commitments"]
    for c in d["commitments"]:
        lines.append(
            f"- {labels.kind(c['kind'])} — {labels.status(c['status'])}"
            + (f", due {labels.day(c['due'], today)}" if c["due"] else "")
            + (f", for {c['beneficiary']}" if c["beneficiary"] else "")
        )
        lines += [f"  > {story}" for story in c["stories"]]
    if not d["commitments"]:
        lines.append("- none yet")
    lines += ["", "## Ambassador roles"]
    lines += [
        f"- {a['role_name']}"
        + (f" ({a['mission_name']})" if a["mission_name"] else "")
        + f" — {a['status']}"
        for a in d["ambassadorships"]
    ] or ["- none yet"]
    if d["events"]:
        lines += ["", "## Events"]
        lines += [
            f"- {labels.day(e['date'], today)} {e['name']}"
            + (" (host)" if e["hosted"] else "")
            + (f": {', '.join(e['people'])}" if e["people"] else "")
            for e in d["events"]
        ]
    return "\n".join(lines) + "\n"
