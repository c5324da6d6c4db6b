"""The watch-outs of a brief: what could go wrong in the room, in one sentence each.

Overdue steps (and those due before the meeting), overdue and lapsed commitments,
conversations gone quiet, and other colleagues with open conversations, a few examples each
with a count of the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from partnercrm import labels
from partnercrm import models as m
from partnercrm.dates import ago, as_date

from .model import CommitmentLine, WatchOut
from .queries import WATCH_EXAMPLES

STALE_DAYS = 60


@dataclass
class Watched:
    """What the watch-outs are drawn from (rows from the brief's queries, read by name)."""

    today: date
    meeting: date | None
    for_colleague: m.Colleague | None
    due_rows: Sequence[Any]
    stale_rows: Sequence[Any]
    open_commitments: list[CommitmentLine]
    overdue_commitments: int  # however many there are (open_commitments holds a few)
    lapsed: list[CommitmentLine]
    lapsed_count: int
    lead_rows: Sequence[Any]


def watch_outs(w: Watched) -> list[WatchOut]:
    return [
        *_steps(w),
        *_overdue_commitments(w),
        *_lapsed(w),
        *_stale(w),
        *_other_colleagues(w),
    ]


def _more(kind: str, rest: int, what: str) -> WatchOut:
    return WatchOut(kind=kind, text=f"…and {rest} more {what}{'s' if rest != 1 else ''}")


def _steps(w: Watched) -> list[WatchOut]:
    out = []
    for row in w.due_rows:
        due_on = as_date(row.due_on)
        assert due_on is not None
        late = due_on < w.today
        prefix = "Overdue step" if late else "Step due before the meeting"
        out.append(
            WatchOut(
                kind="overdue_step" if late else "due_before_meeting",
                text=f"{prefix} on {conversation_label(row.conversation_id, row.subject)}: "
                f"{row.description} ({row.owner}, due {labels.day(due_on, w.today)}, {ago(due_on, w.today)})",
                on=due_on,
            )
        )
    total_due, overdue = (w.due_rows[0].total, w.due_rows[0].overdue) if w.due_rows else (0, 0)
    if total_due and total_due > len(w.due_rows):
        rest = total_due - len(w.due_rows)
        out.append(
            WatchOut(
                kind="overdue_step",
                text=f"…and {rest} more open step{'s' if rest != 1 else ''} "
                f"{'overdue' if overdue == total_due else 'overdue or due before the meeting'}",
            )
        )
    return out


def _overdue_commitments(w: Watched) -> list[WatchOut]:
    overdue = [c for c in w.open_commitments if c.overdue]
    out = []
    for c in overdue[:WATCH_EXAMPLES]:
        assert c.due is not None
        out.append(
            WatchOut(
                kind="overdue_commitment",
                text=f"A {c.kind_name} commitment"
                + (f" to {c.beneficiary}" if c.beneficiary else "")
                + f" was due {labels.day(c.due, w.today)} and is still {c.status.replace('_', ' ')}",
                on=c.due,
            )
        )
    shown = min(WATCH_EXAMPLES, len(overdue))
    if w.overdue_commitments > shown:
        out.append(_more("overdue_commitment", w.overdue_commitments - shown, "overdue commitment"))
    return out


def _lapsed(w: Watched) -> list[WatchOut]:
    out = [
        WatchOut(
            kind="lapsed_commitment",
            text=f"A {c.kind_name} commitment"
            + (f" to {c.beneficiary}" if c.beneficiary else "")
            + (f" lapsed on {labels.day(c.closed_on, w.today)}" if c.closed_on else " lapsed")
            + ": be ready for it to come up",
            on=c.closed_on,
        )
        for c in w.lapsed[:WATCH_EXAMPLES]
    ]
    shown = min(len(w.lapsed), WATCH_EXAMPLES)
    if w.lapsed_count > shown:
        out.append(_more("lapsed_commitment", w.lapsed_count - shown, "lapsed commitment"))
    return out


def _stale(w: Watched) -> list[WatchOut]:
    if not w.stale_rows:
        return []
    total = w.stale_rows[0].total
    examples = "; ".join(
        f"{conversation_label(row.conversation_id, row.subject)} led by {row.lead}, "
        f"last touched {labels.day(as_date(row.last_touch), w.today)}"
        for row in w.stale_rows
    )
    noun = "open conversation has" if total == 1 else "open conversations have"
    more = f" (and {total - len(w.stale_rows)} more)" if total > len(w.stale_rows) else ""
    return [
        WatchOut(
            kind="stale",
            text=f"{total} {noun} had no touch for {STALE_DAYS} days or more: {examples}{more}",
        )
    ]


def _other_colleagues(w: Watched) -> list[WatchOut]:
    me = w.for_colleague
    others = sorted(
        (row for row in w.lead_rows if row.open and (me is None or row.colleague_id != me.id)),
        key=lambda row: (-row.open, row.name),
    )
    listing = ", ".join(f"{row.name} ({row.open})" for row in others)
    if me is not None and others:
        text = (
            f"Other colleagues have open conversations with them: {listing}. "
            "Agree one ask with them before the meeting."
        )
    elif me is None and len(others) > 1:
        text = (
            f"{len(others)} colleagues have open conversations with them: {listing}. "
            "Agree one ask between you before the meeting."
        )
    else:
        return []
    return [WatchOut(kind="other_colleagues", text=text)]


def conversation_label(ident: int, subject: str | None) -> str:
    return f"“{subject}” (#{ident})" if subject else f"conversation #{ident}"
