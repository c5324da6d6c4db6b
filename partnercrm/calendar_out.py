"""Calendar out: a colleague's open steps, commitments due and upcoming events as iCalendar.

Each entry's UID is made from what it is and its id (`step-12@partnercrm`), and its DTSTAMP
and SEQUENCE from the record's last change, so exporting again gives the same file when
nothing changed, and a subscribed calendar updates entries rather than adding copies. A step
done or a commitment delivered drops out of the next export and so out of the calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnercrm import events, steps
from partnercrm import models as m
from partnercrm.digest.model import Action
from partnercrm.reports import Filters, commitments_due

PRODID = "-//partnercrm//partnercrm calendar//EN"
# commitments still open this long after their due date stay on the calendar
COMMITMENTS_OVERDUE_DAYS = 90
COMMITMENTS_AHEAD_DAYS = 366


@dataclass
class CalendarEntry:
    uid: str
    kind: str  # "step", "commitment" or "event"
    summary: str
    description: str
    on: date
    stamp: datetime  # when the record last changed
    sequence: int
    action: Action  # what acts on it, said by the caller after `prompt` (calendar_ics's `say`)
    prompt: str  # "Done?", "Delivered?", "Briefs for it:"

    def described(self, say: Callable[[Action], str] | None) -> str:
        """The description, with what acts on it in the caller's words when `say` is given."""
        if say is None:
            return self.description
        return f"{self.description}\n{self.prompt} {say(self.action)}"


def calendar_entries(
    session: Session, colleague: m.Colleague | None, *, today: date | None = None
) -> list[CalendarEntry]:
    """What goes on the calendar: the colleague's open steps, the open commitments due on
    conversations they lead, and upcoming events; everyone's when `colleague` is None."""
    today = today or date.today()
    entries: list[CalendarEntry] = []
    for step in steps.list_steps(session, owner=colleague, today=today):
        conv = step.conversation
        entries.append(
            CalendarEntry(
                uid=f"step-{step.id}@partnercrm",
                kind="step",
                summary=f"{step.description} ({conv.organisation.name})",
                description=(
                    f"Step {step.id} for {step.owner.name} on conversation {conv.id} with "
                    f"{conv.organisation.name}."
                ),
                on=step.due_on,
                stamp=_utc(step.updated_at),
                sequence=step.version,
                action=Action("step_done", step.id),
                prompt="Done?",
            )
        )
    due = commitments_due(
        session,
        today - timedelta(days=COMMITMENTS_OVERDUE_DAYS),
        today + timedelta(days=COMMITMENTS_AHEAD_DAYS),
        Filters(lead_id=colleague.id) if colleague is not None else None,
    )
    changed = _commitment_changes(session, [c.commitment_id for c in due])
    for c in due:
        stamp, version = changed[c.commitment_id]
        kind = c.kind.replace("_", " ")
        entries.append(
            CalendarEntry(
                uid=f"commitment-{c.commitment_id}@partnercrm",
                kind="commitment",
                summary=f"Commitment due: {kind} from {c.organisation}",
                description=(
                    f"Commitment {c.commitment_id} ({c.status.replace('_', ' ')}) from "
                    f"{c.organisation}" + (f" for {c.beneficiary}" if c.beneficiary else "") + "."
                ),
                on=c.due,
                stamp=stamp,
                sequence=version,
                action=Action("deliver_commitment", c.commitment_id),
                prompt="Delivered?",
            )
        )
    for event in events.upcoming(session, today=today):
        host = f", hosted by {event.host.name}" if event.host else ""
        entries.append(
            CalendarEntry(
                uid=f"event-{event.id}@partnercrm",
                kind="event",
                summary=f"{event.name} ({event.kind})",
                description=f"{event.name}{host}.",
                on=event.held_on,
                stamp=_utc(event.updated_at),
                sequence=event.version,
                action=Action("brief_event", event.id, event.name),
                prompt="Briefs for it:",
            )
        )
    return entries


def _commitment_changes(session: Session, ids: list[int]) -> dict[int, tuple[datetime, int]]:
    if not ids:
        return {}
    c = m.Commitment
    return {
        cid: (_utc(updated), version)
        for cid, updated, version in session.execute(
            select(c.id, c.updated_at, c.version).where(c.id.in_(ids))
        )
    }


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def calendar_ics(
    entries: list[CalendarEntry],
    *,
    name: str,
    steps_as: str = "event",
    say: Callable[[Action], str] | None = None,
) -> bytes:
    """The entries as one iCalendar file: all-day events, or steps as to-dos (`steps_as="todo"`).

    Outlook shows only events from a subscribed file; Thunderbird shows to-dos too. Each
    description ends with what acts on the entry in the words `say` gives (the CLI's command,
    the TUI's keys).
    """
    from icalendar import Calendar, Event, Todo, vDuration

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    # how often a subscriber looks again (RFC 7986, and Outlook's older name for it)
    cal.add("refresh-interval", vDuration(timedelta(hours=1)), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(timedelta(hours=1)))
    for entry in sorted(entries, key=lambda e: (e.on, e.kind, e.uid)):
        component: Any
        if entry.kind == "step" and steps_as == "todo":
            component = Todo()
            component.add("due", entry.on)
            component.add("status", "NEEDS-ACTION")
        else:
            component = Event()
            component.add("dtstart", entry.on)
            component.add("dtend", entry.on + timedelta(days=1))
            component.add("transp", "TRANSPARENT")  # an all-day reminder, not a busy day
        component.add("uid", entry.uid)
        component.add("dtstamp", entry.stamp)
        component.add("last-modified", entry.stamp)
        component.add("sequence", entry.sequence)
        component.add("summary", entry.summary)
        component.add("description", entry.described(say))
        component.add("categories", [entry.kind])
        cal.add_component(component)
    return bytes(cal.to_ical())
