"""`partnercrm`: the top-level group. Subcommands load lazily: the library and the terminal
interface are imported only when a command runs."""

from __future__ import annotations

import errno
import importlib
import os
import re
import sys
from typing import Any

import click

from cli.context import AppContext, DataError

# name -> (module, attribute). A module is imported only when its command runs (the CLI modules
# import the library inside their commands).
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("cli.setup", "demo"),
    "init": ("cli.setup", "init"),
    "db": ("cli.setup", "db"),
    "dashboard": ("cli.setup", "dashboard"),
    "colleague": ("cli.colleague", "colleague"),
    "access": ("cli.access", "access"),
    "partner": ("cli.partner", "partner"),
    "contact": ("cli.contact", "contact"),
    "conversation": ("cli.conversation", "conversation"),
    "step": ("cli.step", "step"),
    "commitment": ("cli.commitment", "commitment"),
    "ambassador": ("cli.ambassador", "ambassador"),
    "event": ("cli.event", "event"),
    "mission": ("cli.reference", "mission"),
    "role": ("cli.reference", "role"),
    "tui": ("cli.tui", "tui"),
    "brief": ("cli.brief", "brief"),
    "import": ("cli.importing", "import_"),
    "report": ("cli.report", "report"),
    "search": ("cli.search", "search"),
    "dedupe": ("cli.dedupe", "dedupe"),
    "merge": ("cli.dedupe", "merge"),
    "history": ("cli.trust", "history"),
    "undo": ("cli.undo", "undo"),
    "backup": ("cli.trust", "backup"),
    "restore": ("cli.trust", "restore"),
    "check": ("cli.trust", "check"),
    "privacy": ("cli.privacy", "privacy"),
    "log": ("cli.capture", "log"),
    "calendar": ("cli.digest", "calendar"),
    "digest": ("cli.digest", "digest"),
}

# what `--help` lists beside each command, written here so that listing them imports none of
# them; tests/test_architecture.py holds each equal to the command's own help, so it cannot drift
SHORT_HELP: dict[str, str] = {
    "demo": "Load the demo data set (safe to run twice: nothing is duplicated).",
    "init": "Create or upgrade the database and install missions and roles.",
    "db": "Database housekeeping.",
    "dashboard": "Today's summary: the pipeline, your steps, stale conversations, what is due, coverage.",
    "colleague": "Council colleagues who talk to partners.",
    "access": "Who may do what: grant, revoke and list roles.",
    "partner": "Partner organisations: add, list, show, edit, archive, restore.",
    "contact": "People at partner organisations (personal data: UK GDPR applies).",
    "conversation": "Warm conversations: log, touch, move on, list, show, edit.",
    "step": "Next steps that move warm conversations on.",
    "commitment": "Commitments: add, edit, deliver, correct a delivery, lapse, list, show.",
    "ambassador": "Missions Ambassadors: enrol, change status, edit, list.",
    "event": "Summits, roundtables and other events: add, list, show, edit, attendance.",
    "mission": "The missions partners contribute to.",
    "role": "The Missions Ambassador roles (Figure 2 of the partnership strategy).",
    "tui": "Open the terminal interface on the database (--db) as the colleague given by --as.",
    "brief": "A one-page brief on ORG (a name, alias or id): who they are, what is live, what to ask.",
    "import": "Bulk-import event attendees, and the team's own partners, contacts and conversations.",
    "report": "Reports for leadership and the scrutiny committee (text, --json or --csv).",
    "search": "Find organisations, people, conversations, touchpoints and delivery stories.",
    "dedupe": "Suggest probable duplicate organisations or contacts, with a score and the reasons.",
    "merge": "Merge a duplicate (OTHER) into the record to keep (KEEP); nothing is lost.",
    "history": "The audit trail: who changed what, and when (ORG narrows it to one organisation).",
    "undo": "Undo your last change (one command or one TUI action), or the change ID given.",
    "backup": "Write a consistent copy of the database to FILE while others keep working (SQLite).",
    "restore": "Replace the database with the backup FILE, after checking FILE is sound.",
    "check": "Check the database: integrity (SQLite), references to missing records, and consistency.",
    "privacy": "Personal-data rights: subject access export, erasure, retention review.",
    "log": "Log emails and meetings as touchpoints, without typing them.",
    "calendar": "Write open steps, commitments due and upcoming events as an iCalendar file.",
    "digest": (
        "Each colleague's digest: overdue steps and this week's, conversations gone cold, "
        "commitments due this month, events coming up and new attendees who expressed interest, "
        "each with the command to act on it."
    ),
}


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


def _output_failure(exc: OSError, stdout: Any = None) -> DataError:
    """The one sentence for output that could not be written; any other OSError goes on."""
    sentence = OUTPUT_FAILURES.get(exc.errno or 0)
    if sentence is None:
        raise exc
    _silence_stdout(stdout or sys.stdout)
    return DataError(sentence)


# what passes as it is: the colours rich adds, and CSV's line ends; on stderr also what a
# progress bar draws with (a carriage return, hiding and showing the cursor)
_HARMLESS = re.compile(r"(\x1b\[[0-9;]*m|\r\n)")
_HARMLESS_ON_STDERR = re.compile(r"(\x1b\[[0-9;]*m|\r\n|\r|\x1b\[\?25[lh])")


class InertOutput:
    """Standard output that shows any control or bidi character in what is printed as visible
    text (`\\x1b`), so data cannot drive the terminal."""

    def __init__(self, stream: Any, harmless: re.Pattern[str] = _HARMLESS) -> None:
        self._stream, self._harmless = stream, harmless

    def write(self, text: Any) -> int:
        if isinstance(text, str) and not text.isprintable():
            from partnercrm.stored_text import shown

            parts = self._harmless.split(text)
            parts[::2] = [shown(p) for p in parts[::2]]
            self._stream.write("".join(parts))
            return len(text)
        return int(self._stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class LazyGroup(click.Group):
    """click's documented lazy-loading group: commands import when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing of the commands, from SHORT_HELP: no command module is imported."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=SHORT_HELP[name]).get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:  # `--help` and `--version` print while the arguments are read
            return super().make_context(info_name, args, parent, **extra)
        except OSError as exc:
            raise _output_failure(exc) from exc

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = getattr(importlib.import_module(entry[0]), entry[1])
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        real, real_err = sys.stdout, sys.stderr
        sys.stdout = InertOutput(real)  # type: ignore[assignment]
        sys.stderr = InertOutput(real_err, _HARMLESS_ON_STDERR)  # type: ignore[assignment]
        try:
            result = super().invoke(ctx)
            real.flush()  # a full disk shows here, not as a warning when Python exits
            return result
        except OSError as exc:
            raise _output_failure(exc, real) from exc
        finally:
            sys.stdout, sys.stderr = real, real_err


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
    try:
        return cli.main(args=argv, prog_name="partnercrm")
    except OSError as exc:  # printing --help or --version, before any command runs
        sentence = OUTPUT_FAILURES.get(exc.errno or 0)
        if sentence is None:
            raise
        _silence_stdout(sys.stdout)
        DataError(sentence).show()
        return DataError.exit_code


if __name__ == "__main__":
    sys.exit(main())
