"""What every command shares: the open database, error handling, and one output path."""

from __future__ import annotations

import errno
import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

# a click decorator: takes the command's function, gives it back with an option or argument
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from partnercrm.database import Database


class DataError(click.ClickException):
    """Bad data: one sentence on stderr and exit status 1 (click uses 2 for bad usage)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        from partnercrm.stored_text import shown

        click.echo(f"Error: {shown(self.format_message())}", err=True)


class AppContext:
    """The `--db` and `--as` given, and the database once a command opens it."""

    def __init__(self, url: str | None, actor: str | None) -> None:
        self.url, self.actor = url, actor
        self.setting_up = False  # `demo` and `init`: see open_database
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            with errors():
                from partnercrm.database import network_share_warning, open_database, resolve_url

                warning = network_share_warning(resolve_url(self.url))
                if warning:
                    click.echo(warning, err=True)
                self._db = open_database(
                    self.url, actor=self.actor, verify=True, setting_up=self.setting_up
                )
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work for one command: everything is saved, or nothing."""
        with errors(), self.db.transaction() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with errors(), self.db.reader() as session, session.begin():
            yield session

    def set_archived(self, find: Callable[[Session], Any], archived: bool) -> tuple[int, str]:
        """Archive (or restore) the record `find` reads, as one change; its id and name."""
        from partnercrm.archive import set_archived

        with self.transaction() as s:
            found: Any = set_archived(s, find(s), archived)
            return found.id, getattr(found, "name", "")

    def record_access(self, what: str, entity: str, entity_id: int = 0, **kw: Any) -> None:
        """Leave an access entry (who read what, when) for a bulk reading of personal data."""
        from partnercrm import history

        with self.transaction() as s:
            history.record_access(s, what, entity, entity_id, **kw)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


@contextmanager
def errors() -> Iterator[None]:
    """Turn library and database errors into one clear sentence, never a traceback."""
    from sqlalchemy.exc import DatabaseError, SQLAlchemyError
    from sqlalchemy.orm.exc import StaleDataError

    from partnercrm import database_errors
    from partnercrm.errors import NeedsConfirmation, PartnerCRMError, ProbableDuplicate
    from partnercrm.outputs import OutputExists

    try:
        yield
    except OutputExists as exc:
        them = "it" if len(exc.paths) == 1 else "them"
        raise DataError(
            f"{exc.what}; choose another name or pass --force to replace {them} "
            "(nothing was written)"
        ) from exc
    except ProbableDuplicate as exc:
        raise DataError(
            f"{exc.reason}; nothing was saved (add --new if it is a new {exc.what} all the same)"
        ) from exc
    except NeedsConfirmation as exc:
        raise DataError(f"{exc.reason}; nothing was saved (add --yes to confirm)") from exc
    except PartnerCRMError as exc:
        raise DataError(for_the_command_line(exc)) from exc
    except StaleDataError as exc:
        raise DataError(
            "the record was changed by someone else while you were saving; nothing was saved, "
            "run the command again"
        ) from exc
    except DatabaseError as exc:
        if "not a database" in str(exc.orig):
            # often a wrong --db (a spreadsheet, a typo'd path): never point at restore first
            raise DataError(
                f"that file is not a SQLite database ({exc.orig}); check --db or PARTNERCRM_DB. "
                "If it is your database, it is damaged: `partnercrm check` says more"
            ) from exc
        if any(w in str(exc.orig) for w in ("malformed", "corrupt")):
            raise DataError(
                f"the database file is damaged ({exc.orig}); `partnercrm check` says more, and "
                "`partnercrm restore BACKUP` puts back a backup"
            ) from exc
        raise DataError(for_the_command_line(database_errors.explain(exc) or exc)) from exc
    except SQLAlchemyError as exc:
        # one sentence from the library, never SQLAlchemy's (it holds the SQL and parameters)
        raise DataError(for_the_command_line(database_errors.explain(exc) or exc)) from exc


# The option that puts a library sentence right on the command line, by the `Invalid.field`
# the sentence carries (the library names no option): field -> (the option, what is added).
# The one place the CLI maps fields to options; a hint is added only where the running command
# (or a group above it) has that option.
OPTION_FOR_FIELD: dict[str, tuple[str, str]] = {
    "db": ("--db", "; check --db or PARTNERCRM_DB"),
    "schema": ("--db", "; run `partnercrm db upgrade`"),
    "map": ("--map", ' (--map "Header=field")'),
    "sheet": ("--sheet", " (--sheet)"),
    "lead": ("--lead", " (--lead COLLEAGUE)"),
    "event": ("--create-event", " (--create-event with --kind and --date)"),
    "on_existing": ("--on-existing", " (--on-existing)"),
    "follow_up_days": ("--follow-up-days", " (--follow-up-days)"),
    "rejects": ("--rejects", " (--rejects)"),
}


def for_the_command_line(exc: Exception) -> str:
    """The library's sentence, with the command or option that puts it right on the command line."""
    from partnercrm.errors import Archived, Invalid, UndoRefused

    message = str(exc)
    if isinstance(exc, Archived):
        return f"{message} (`partnercrm partner restore {exc.organisation_id}`)"
    if isinstance(exc, UndoRefused):
        # on the command line changes go by their number (`history`, `undo --change`)
        if exc.in_the_way is None:
            return f"{message} (change {exc.change_id})"
        return f"{message} (changes {exc.change_id} and {exc.in_the_way} in `partnercrm history`)"
    if isinstance(exc, Invalid) and exc.field in OPTION_FOR_FIELD:
        option, hint = OPTION_FOR_FIELD[exc.field]
        if option in _options_in_use():
            return message + hint
    return message


def _options_in_use() -> set[str]:
    """The options of the running command and the groups above it (all of them outside one)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {option for option, _hint in OPTION_FOR_FIELD.values()}
    found: set[str] = set()
    while ctx is not None:
        for param in ctx.command.params:
            found.update(param.opts)
        ctx = ctx.parent
    return found


def pass_app(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.pass_obj(f)


def yes_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--yes`: save a value the library asks about (a due date already past, say)."""
    return click.option(
        "--yes", "confirm", is_flag=True, help="Confirm an unusual value (a due date already past)."
    )(f)


def force_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--force`: replace output files that exist (never the open database)."""
    return click.option(
        "--force",
        "--overwrite",
        "force",
        is_flag=True,
        help="Replace output files that already exist (never the database itself).",
    )(f)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(f)


def change_option(help_text: str) -> Decorator:
    """`--change ID`: one change, by the number in brackets in `partnercrm history`."""
    return click.option(
        "--change", "change_id", type=click.IntRange(min=1), metavar="ID", help=help_text
    )


def ask_first(yes: bool, question: str, refused: str) -> None:
    """Ask `question` unless --yes was given; a no ends the command with `refused`."""
    if not yes and not click.confirm(question):
        raise DataError(refused)


def option_group(name: str, *options: Decorator, into: Callable[..., Any] = dict) -> Decorator:
    """Options the command hands on together: their values reach it as one argument `name`
    (`into(**values)`, a dict keyed by parameter name unless said), so commands with the same
    options (an add and its edit) share them."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = into(**{key: kwargs.pop(key) for key in keys})
            return f(*args, **kwargs)

        before = len(getattr(command, "__click_params__", []))
        for option in reversed(options):
            command = option(command)  # type: ignore[assignment]
        keys = [p.name for p in command.__click_params__[before:]]  # type: ignore[attr-defined]
        return command

    return decorate


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"cannot put {type(value).__name__} in JSON")


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """The one output path: JSON for scripts, `render` (text) for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")
    else:
        render(data)


def emit_table(
    data: Sequence[dict[str, Any]],
    as_json: bool,
    columns: Sequence[tuple[str, str]],
    *,
    rows: Callable[[Sequence[dict[str, Any]]], Sequence[dict[str, Any]]] | None = None,
    **options: Any,
) -> None:
    """`emit` for a list of records: JSON for scripts, a `table` for people (of `rows(data)`,
    where the records want cells worked out for reading)."""
    emit(data, as_json, lambda d: table(rows(d) if rows else d, columns, **options))


def console(**options: Any) -> Any:
    """A rich console for people; a closed pipe ends the command like any other output."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")  # said in one sentence by main

    # piped output is read by people in a pager or a file: do not squeeze it to 80 columns
    options.setdefault("width", None if sys.stdout.isatty() else 160)
    options.setdefault("soft_wrap", False)
    return _Console(highlight=False, **options)


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    title: str | None = None,
    empty: str = "Nothing to show.",
) -> None:
    """Print rows as a table for people; `columns` is (key, header)."""
    if not rows:
        click.echo(empty)
        return
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)
    for _, header in columns:
        t.add_column(header, overflow="fold")
    for row in rows:
        t.add_row(*[cell(row.get(key), key) for key, _ in columns])
    console().print(t)


# columns and fields that hold a stored code: people read them in partnercrm.labels' words
# (the same the TUI shows); --json keeps the codes
WORDED = {"sector", "kind", "status", "stage", "channel", "missions", "mission", "ask"}


def cell(value: Any, key: str | None = None) -> str:
    from rich.markup import escape

    if value is None or value == "":
        return "—"
    if key is not None and key.lower() in WORDED:
        from partnercrm import labels

        if isinstance(value, list | tuple):
            return escape(", ".join(labels.label(str(v)) for v in value)) or "—"
        if isinstance(value, str):
            return escape(labels.label(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value)) or "—"
    return escape(str(value))


def fields(pairs: Sequence[tuple[str, Any]]) -> None:
    """Print 'Label: value' lines for a single record."""
    width = max(len(label) for label, _ in pairs)
    for label, value in pairs:
        if label.lower() in WORDED:
            value = cell(value, label)
        click.echo(f"{label.rjust(width)}: {cell(value) if not isinstance(value, str) else value}")
