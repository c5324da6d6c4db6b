"""`partnercrm`: the top-level group. Subcommands load lazily so `--help` stays fast."""

from __future__ import annotations

import errno
import importlib
import importlib.util
import os
import re
import sys
from typing import Any

import click

from cli.context import AppContext, DataError

# name -> (module, attribute, one-line help). Only this table is read for `partnercrm --help`;
# a module is imported when its command runs. A module not yet present is left out.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("cli.setup", "demo", "Load the demo data set built from the council's reports."),
    "init": ("cli.setup", "init", "Create or upgrade the database and install missions and roles."),
    "db": ("cli.setup", "db", "Database housekeeping: where it is, upgrade."),
    "dashboard": ("cli.setup", "dashboard", "Print today's summary: pipeline, steps, stale, due."),
    "colleague": ("cli.colleague", "colleague", "Council colleagues who talk to partners."),
    "access": ("cli.access", "access", "Who may do what: grant, revoke and list roles."),
    "partner": ("cli.partner", "partner", "Partner organisations: add, list, show, edit, archive."),
    "contact": ("cli.contact", "contact", "People at partner organisations."),
    "conversation": ("cli.conversation", "conversation", "Warm conversations and touchpoints."),
    "step": ("cli.step", "step", "Next steps that move conversations on."),
    "commitment": ("cli.commitment", "commitment", "Commitments and what they delivered."),
    "ambassador": ("cli.ambassador", "ambassador", "Missions Ambassadors in the Figure 2 roles."),
    "event": ("cli.event", "event", "Summits, roundtables and who attended."),
    "mission": ("cli.reference", "mission", "The missions partners contribute to."),
    "role": ("cli.reference", "role", "The ambassador roles (Figure 2)."),
    "tui": ("cli.tui", "tui", "Open the partnership team's terminal interface."),
    "brief": ("cli.brief", "brief", "A one-page brokerage brief before meeting a partner."),
    "import": ("cli.importing", "import_", "Bulk-import summit and roundtable attendees."),
    "report": ("cli.report", "report", "Pipeline, coverage, impact and other reports."),
    "search": ("cli.search", "search", "Find organisations, people, conversations and stories."),
    "dedupe": ("cli.dedupe", "dedupe", "Suggest probable duplicate organisations or contacts."),
    "merge": ("cli.dedupe", "merge", "Merge a duplicate into the record to keep."),
    "history": ("cli.trust", "history", "The audit trail: who changed what, and when."),
    "undo": ("cli.undo", "undo", "Undo your last change, or a change picked from `history`."),
    "backup": ("cli.trust", "backup", "Write a consistent copy of the database."),
    "restore": ("cli.trust", "restore", "Replace the database with a checked backup."),
    "check": ("cli.trust", "check", "Check the database's integrity."),
    "privacy": ("cli.privacy", "privacy", "Personal-data rights: export, erase, retention."),
    "log": ("cli.capture", "log", "Log emails (.eml, .msg, maildir) and meetings (.ics)."),
    "calendar": ("cli.digest", "calendar", "Write steps, commitments and events as an .ics file."),
    "digest": ("cli.digest", "digest", "Each colleague's daily digest: print it or email it."),
}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


# output that cannot be written: one sentence, never a traceback
OUTPUT_FAILURES = {
    errno.EPIPE: "the output was closed before all of it was written (by `head` or a pager?)",
    errno.ENOSPC: "cannot write the output: the disk is full",
    errno.EDQUOT: "cannot write the output: the disk quota is used up",
    errno.EFBIG: "cannot write the output: the file is too large for this disk",
}


def _silence_stdout(stdout: Any) -> None:
    """Python's advice for SIGPIPE: point stdout at devnull, so the last flush cannot fail."""
    try:
        fd = stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test runner's buffer)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


_COLOUR = re.compile(r"(\x1b\[[0-9;]*m)")


class InertOutput:
    """Standard output that shows any control or bidi character in what is printed as visible
    text (`\\x1b`), so data cannot drive the terminal; only the colours rich adds pass."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: Any) -> int:
        if isinstance(text, str) and not text.isprintable():
            from partnercrm.stored_text import shown

            parts = _COLOUR.split(text)
            parts[::2] = [shown(p) for p in parts[::2]]
            self._stream.write("".join(parts))
            return len(text)
        return int(self._stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class LazyGroup(click.Group):
    """click's documented lazy-loading group: commands import when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _, _) in COMMANDS.items() if _available(module)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _available(entry[0]):
            return None
        command = getattr(importlib.import_module(entry[0]), entry[1])
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        real = sys.stdout
        sys.stdout = InertOutput(real)  # type: ignore[assignment]
        try:
            result = super().invoke(ctx)
            real.flush()  # a full disk shows here, not as a warning when Python exits
            return result
        except OSError as exc:
            sentence = OUTPUT_FAILURES.get(exc.errno or 0)
            if sentence is None:
                raise
            _silence_stdout(real)
            raise DataError(sentence) from exc
        finally:
            sys.stdout = real

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="PARTNERCRM_DB",
    metavar="URL",
    help="Database: a file path or SQLAlchemy URL (default: a SQLite file in your data directory).",
)
@click.option(
    "--as",
    "actor",
    envvar="PARTNERCRM_USER",
    metavar="COLLEAGUE",
    help=(
        "Who is acting: an existing colleague (SQLite). On PostgreSQL your login decides, and "
        "a different name is refused."
    ),
)
@click.version_option(package_name="partnercrm")
@click.pass_context
def cli(ctx: click.Context, db: str | None, actor: str | None) -> None:
    """The partner relationship and Missions Ambassador CRM."""
    ctx.obj = AppContext(db, actor)
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="partnercrm")


if __name__ == "__main__":
    sys.exit(main())
