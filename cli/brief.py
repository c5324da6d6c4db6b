"""`partnercrm brief`: a one-page brokerage brief before meeting a partner."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.context import AppContext, console, errors, force_option, pass_app

if TYPE_CHECKING:
    from partnercrm.briefs import Brief

FORMATS = ["text", "md", "html", "json"]
SUFFIXES = {".html": "html", ".htm": "html", ".json": "json", ".txt": "text", ".md": "md"}


@click.command()
@click.argument("org", required=False)
@click.option(
    "--for",
    "for_",
    metavar="COLLEAGUE",
    help="Who the brief is for (default: the acting colleague, if --as names one).",
)
@click.option("--meeting", metavar="DATE", help="When the meeting is (e.g. 3/12/2026, tomorrow).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    help="text, md, html or json (default: text on a terminal, Markdown when piped, "
    "or from the --out file's extension).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the brief to this file instead of the terminal.",
)
@click.option(
    "--event",
    metavar="NAME",
    help="Write a brief for every organisation attending this event (needs --out-dir).",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --event: the folder for the briefs and their index page.",
)
@force_option
@click.option("--json", "as_json", is_flag=True, help="Print the brief as one JSON document.")
@pass_app
def brief(
    app: AppContext,
    org: str | None,
    for_: str | None,
    meeting: str | None,
    fmt: str | None,
    out: Path | None,
    event: str | None,
    out_dir: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """A one-page brief on ORG (a name, alias or id): who they are, what is live, what to ask.

    \b
    partnercrm brief "British Land" --meeting tomorrow
    partnercrm brief UCL --format html --out ucl.html
    partnercrm brief --event "Anchor roundtable" --out-dir briefs/ --format html
    """
    if as_json:
        if fmt not in (None, "json"):
            raise click.UsageError("--json and --format are alternatives; give one")
        fmt = "json"
    if event:
        _event_briefs(app, org, event, out_dir, out, fmt, for_, force)
        return
    if org is None:
        raise click.UsageError("name an organisation (ORG), or give --event NAME --out-dir DIR")
    if out_dir is not None:
        raise click.UsageError("--out-dir goes with --event; for one brief use --out FILE")
    fmt = (fmt or _guess_format(out)).lower()

    from partnercrm import briefs, colleagues, organisations, outputs
    from partnercrm.dates import parse_date

    with app.reading() as s:
        organisation = organisations.find_organisation(s, org)
        who = colleagues.find_colleague(s, for_) if for_ else colleagues.colleague_for_actor(s)
        when = parse_date(meeting, "meeting date") if meeting else None
        made = briefs.build_brief(s, organisation, for_colleague=who, meeting=when)
    app.record_access(
        f"brief on {made.organisation.name}",
        "organisation",
        made.organisation.id,
        organisation_id=made.organisation.id,
    )

    if fmt == "text":
        _print_text(app, made, out, force)
        return
    if fmt == "json":
        text = json.dumps(briefs.brief_dict(made), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = briefs.render_html(made)
    else:
        text = briefs.render_markdown(made)
    if out is None:
        sys.stdout.write(text)
        return
    with errors():
        outputs.write_text(out, text, force=force, database=app.db.url)
    click.echo(f"Wrote the brief on {made.organisation.name} to {out}.", err=True)


def _guess_format(out: Path | None) -> str:
    if out is not None:
        return SUFFIXES.get(out.suffix.lower(), "md")
    return "text" if sys.stdout.isatty() else "md"


def _event_briefs(
    app: AppContext,
    org: str | None,
    event: str,
    out_dir: Path | None,
    out: Path | None,
    fmt: str | None,
    for_: str | None,
    force: bool,
) -> None:
    if org is not None:
        raise click.UsageError("give either ORG or --event, not both")
    if out_dir is None:
        raise click.UsageError("--event needs --out-dir DIR for the briefs and their index")
    if out is not None:
        raise click.UsageError("--event writes into --out-dir; --out is for one brief")
    fmt = (fmt or "html").lower()
    if fmt not in ("md", "html"):
        raise click.UsageError("--event briefs are written as md or html")

    from partnercrm import colleagues, events
    from partnercrm.briefs.event import write_event_briefs

    with app.reading() as s:
        found = events.find_event(s, event)
        who = colleagues.find_colleague(s, for_) if for_ else colleagues.colleague_for_actor(s)
        written = write_event_briefs(s, found, out_dir, fmt=fmt, for_colleague=who, force=force)
        name, event_id = found.name, found.id
    app.record_access(f"briefs for {name}", "event", event_id, rows=len(written.briefs))
    count = len(written.briefs)
    click.echo(
        f"Wrote {count} brief{'s' if count != 1 else ''} for {name} to {out_dir}; "
        f"start at {written.index}."
    )


# ---------------------------------------------------------------- text, for the terminal


def _print_text(app: AppContext, made: Brief, out: Path | None, force: bool) -> None:
    from partnercrm import outputs

    if out is None:
        _render_text(made, console(width=None if sys.stdout.isatty() else 100))
        return
    with errors(), outputs.open_output(out, force=force, database=app.db.url) as handle:
        _render_text(made, console(file=handle, width=100, color_system=None))
    click.echo(f"Wrote the brief on {made.organisation.name} to {out}.", err=True)


def _render_text(b: Brief, console: Any) -> None:
    page = _TextPage(b, console)
    for section in (
        page.header,
        page.glance,
        page.asks,
        page.watch_outs,
        page.people,
        page.conversations,
        page.commitments,
        page.ambassadorships,
        page.events,
        page.colleagues,
    ):
        section()


class _TextPage:
    """The brief for a terminal, a section at a time (rich is imported only here)."""

    def __init__(self, b: Brief, console: Any) -> None:
        from rich.markup import escape

        self.b, self.console, self.escape = b, console, escape
        self.today = b.prepared.on

    def day(self, value: Any) -> str:
        """A date as the Markdown and HTML briefs show it: the year only when not the brief's."""
        from partnercrm.briefs.render import day

        return day(value, "short", self.today)

    def heading(self, title: str) -> None:
        from rich.text import Text

        self.console.print()
        self.console.print(Text(title.upper(), style="bold cyan"))

    def grid(self, *headers: str) -> Any:
        from rich.table import Table

        t = Table(box=None, pad_edge=False, header_style="dim", show_edge=False, expand=False)
        for h in headers:
            t.add_column(h, overflow="fold")
        return t

    def header(self) -> None:
        from rich.text import Text

        from partnercrm.briefs.render import day

        b, o, escape = self.b, self.b.organisation, self.escape
        kicker = "Brokerage brief"
        if b.prepared.for_colleague:
            kicker += f" for {b.prepared.for_colleague}"
        if b.prepared.meeting:
            kicker += f" · meeting {day(b.prepared.meeting, 'long')}"
        self.console.print(Text(kicker, style="dim"))
        self.console.print(Text(o.name, style="bold"))
        facts = [f"[bold]{o.stage}[/]", escape(o.sector_name)]
        if o.anchor:
            facts.append("anchor institution")
        if o.ward:
            facts.append(escape(o.ward))
        facts.append(f"lead: {escape(o.lead or 'none yet')}")
        self.console.print(" · ".join(facts))
        if o.aliases:
            self.console.print(Text("also known as " + ", ".join(o.aliases), style="dim"))

    def glance(self) -> None:
        from partnercrm.briefs.render import impact, plural
        from partnercrm.dates import ago

        g = self.b.glance
        self.heading("At a glance")
        if g.conversations:
            self.console.print(
                f"Last contact {self.day(g.last_contact)} ({ago(g.last_contact, self.today)}), "
                f"first {self.day(g.first_contact)}. {g.open_conversations} open of "
                f"{plural(g.conversations, 'conversation')}; {g.commitments_open} open and "
                f"{g.commitments_delivered} delivered commitments"
                + (f", {g.commitments_lapsed} lapsed" if g.commitments_lapsed else "")
                + "."
            )
        else:
            self.console.print("No conversations yet.")
        if g.delivered.any:
            self.console.print(f"Delivered so far: {impact(g.delivered)}")

    def asks(self) -> None:
        from rich.padding import Padding
        from rich.text import Text

        escape = self.escape
        self.heading("The ask")
        if not self.b.asks:
            self.console.print("No suggested asks: they already hold every ambassador role.")
        for a in self.b.asks:
            self.console.print(Text(f"{a.rank}. {a.headline}", style="bold"))
            body = []
            if a.kind_words:
                body.append(f"[dim]For example: {escape(a.kind_words)}.[/]")
            body.append(f"[bold]Ask:[/] {escape(a.ask_of_partner)}")
            body.append(f"[bold]In it for them:[/] {escape(a.value_for_partner)}")
            body.extend(f"[dim]•[/] {escape(w)}" for w in a.why)
            self.console.print(Padding("\n".join(body), (0, 0, 1, 3)))

    def watch_outs(self) -> None:
        from rich.text import Text

        if self.b.watch_outs:
            self.heading("Watch-outs")
            for w in self.b.watch_outs:
                self.console.print(Text("! ", style="bold yellow") + Text(w.text))

    def people(self) -> None:
        self.heading("Key people")
        if not self.b.contacts:
            self.console.print("No contacts on record yet.")
            return
        t = self.grid("Name", "Job title", "Last touch")
        for p in self.b.contacts:
            t.add_row(
                self.escape(p.name + (" (senior)" if p.senior else "")),
                self.escape(p.job_title or "—"),
                self.day(p.last_touch),
            )
        self.console.print(t)

    def conversations(self) -> None:
        b, g, escape = self.b, self.b.glance, self.escape
        self.heading("Live conversations")
        if not b.conversations:
            self.console.print(
                "No conversations yet." if not g.conversations else "No live conversations."
            )
            return
        t = self.grid("Conversation", "Stage", "Lead", "Last touch", "Next step")
        for c in b.conversations:
            step = "none set"
            if c.next_step:
                s = c.next_step
                step = ("[bold red]OVERDUE[/] " if s.overdue else "") + escape(
                    f"{s.description} ({s.owner}, {self.day(s.due)})"
                )
            t.add_row(
                escape(c.subject or c.ask_name or "no ask yet"),
                c.stage,
                escape(c.lead),
                self.day(c.last_touch),
                step,
            )
        self.console.print(t)
        if g.open_conversations > len(b.conversations):
            self.console.print(
                f"…and {g.open_conversations - len(b.conversations)} more open conversations."
            )

    def commitments(self) -> None:
        from rich.padding import Padding
        from rich.text import Text

        from partnercrm.briefs.render import impact

        if not self.b.commitments:
            return
        escape = self.escape
        self.heading("Commitments")
        t = self.grid("Commitment", "Status", "Due / closed", "Figures")
        for c in self.b.commitments:
            closed = c.status == "delivered"
            when = self.day(c.closed_on if closed else c.due)
            if c.overdue:
                when = f"[red]{when} overdue[/]"
            t.add_row(
                escape(
                    c.kind_name.capitalize() + (f" for {c.beneficiary}" if c.beneficiary else "")
                ),
                c.status.replace("_", " "),
                when,
                escape(impact(c.delivered if closed else c.promised) or "—"),
            )
        self.console.print(t)
        for c in self.b.commitments:
            if c.story:
                self.console.print(Padding(Text(f"“{c.story}”", style="italic"), (0, 0, 0, 3)))

    def ambassadorships(self) -> None:
        if not self.b.ambassadorships:
            return
        self.heading("Ambassador roles")
        t = self.grid("Role", "Mission", "Status", "Since")
        for r in self.b.ambassadorships:
            t.add_row(
                self.escape(r.role_name),
                self.escape(r.mission_name or "—"),
                r.status,
                self.day(r.since),
            )
        self.console.print(t)

    def events(self) -> None:
        b, escape = self.b, self.escape
        if not b.events:
            return
        self.heading("Events, last three years")
        t = self.grid("Date", "Event", "Who came")
        for e in b.events:
            t.add_row(
                self.day(e.date),
                escape(e.name + (" (hosted)" if e.hosted else "")),
                escape(
                    (", ".join(e.people) or "—") + (f" and {e.others} more" if e.others else "")
                ),
            )
        self.console.print(t)
        if b.glance.events > len(b.events):
            self.console.print(f"…and {b.glance.events - len(b.events)} more events.")

    def colleagues(self) -> None:
        if not self.b.colleagues:
            return
        self.heading("Colleagues in contact")
        t = self.grid("Colleague", "Team", "Open", "Last contact")
        for c in self.b.colleagues:
            t.add_row(
                self.escape(c.name + (" (lead)" if c.is_lead else "")),
                self.escape(c.team or "—"),
                f"{c.open_conversations} of {c.conversations}",
                self.day(c.last_contact),
            )
        self.console.print(t)
