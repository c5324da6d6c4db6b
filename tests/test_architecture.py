"""The shape of the house: the library knows no terminal, the CLI builds no SQL and starts fast,
and every command explains itself."""

from __future__ import annotations

import ast
import functools
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import partnercrm

ROOT = Path(__file__).resolve().parent.parent
TERMINAL_PACKAGES = ("textual", "click", "rich")


def _library_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(partnercrm.__path__, "partnercrm."):
        # alembic's env.py and the revision scripts run only inside alembic
        if info.name == "partnercrm.migrations.env" or ".versions" in info.name:
            continue
        names.append(info.name)
    return sorted(names)


def test_no_library_module_imports_a_terminal_package():
    """Each module is imported in turn in a fresh interpreter; the first to pull in a terminal
    package is named."""
    modules = _library_modules()
    assert "partnercrm.privacy" in modules and "partnercrm.database" in modules
    probe = (
        "import importlib, json, sys\n"
        f"bad = {TERMINAL_PACKAGES!r}\n"
        "out = {}\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    importlib.import_module(name)\n"
        "    found = sorted(p for p in bad if p in sys.modules)\n"
        "    if found:\n"
        "        out[name] = found\n"
        "        break\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(modules)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {}, "a library module imports a terminal package"


def test_partnercrm_help_is_fast_and_loads_neither_sqlalchemy_nor_textual():
    probe = (
        "import sys\n"
        "from cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = [m for m in ('sqlalchemy', 'textual', 'partnercrm.models', 'rich') if m in sys.modules]\n"
        "heavy += sorted(m for m in sys.modules if m.startswith('cli.') and m not in\n"
        "                ('cli.main', 'cli.context'))\n"
        "print('LOADED', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout and "privacy" in done.stdout
    assert done.stdout.strip().endswith("LOADED []")  # not even one command's module


def test_the_short_help_listed_is_each_commands_own():
    """`--help` lists the short help written in cli/main.py (so it imports no command): each
    must be what the command's own help says."""
    from cli.main import COMMANDS, SHORT_HELP, cli

    assert list(SHORT_HELP) == list(COMMANDS)
    ctx = click.Context(cli, info_name="partnercrm")
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and not command.hidden and not command.deprecated, name
        assert SHORT_HELP[name] == command.get_short_help_str(limit=10**6), (
            f"SHORT_HELP[{name!r}] in cli/main.py differs from the command's own help"
        )


@pytest.mark.parametrize("width", [40, 80, 120])
def test_the_help_listing_is_what_click_prints_from_the_commands(width):
    from cli.main import cli

    def listing(format_commands) -> str:
        ctx = click.Context(cli, info_name="partnercrm", terminal_width=width)
        formatter = ctx.make_formatter()
        format_commands(cli, ctx, formatter)
        return formatter.getvalue()

    ours = listing(type(cli).format_commands)
    assert "  digest " in ours and ours.startswith("Commands:")
    assert ours == listing(click.Group.format_commands)  # click's own, loading every command


def _walk(group: click.Group, ctx: click.Context, path: list[str]):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{' '.join([*path, name])} is listed but cannot be loaded"
        yield [*path, name], command
        if isinstance(command, click.Group):
            yield from _walk(
                command, click.Context(command, parent=ctx, info_name=name), [*path, name]
            )


def _commands() -> list[tuple[list[str], click.Command]]:
    from cli.main import cli

    return list(_walk(cli, click.Context(cli, info_name="partnercrm"), []))


def test_the_command_tree_has_the_trust_commands():
    names = {" ".join(path) for path, _ in _commands()}
    assert {
        "history",
        "backup",
        "restore",
        "check",
        "privacy export",
        "privacy erase",
        "privacy stale",
        "partner restore",
    } <= names


@pytest.mark.parametrize("path", [p for p, _ in _commands()], ids=lambda p: " ".join(p))
def test_every_command_has_help(path):
    from cli.main import cli

    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    command = dict((tuple(p), c) for p, c in _commands())[tuple(path)]
    described = (command.help or command.short_help or "").strip()
    assert described, f"`partnercrm {' '.join(path)}` has no help text"
    first_line = " ".join(described.split("\n")[0].split())
    assert first_line in " ".join(result.output.split())  # click re-wraps the text


# what the CLI and TUI may take from SQLAlchemy: a Session to pass along, and its errors
ALLOWED_FROM_SQLALCHEMY = {
    "sqlalchemy.orm": {"Session"},
    "sqlalchemy.exc": None,  # any error class
    "sqlalchemy.orm.exc": None,
}


def _sql_builders(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            allowed = ALLOWED_FROM_SQLALCHEMY.get(node.module or "", set())
            if allowed is None:
                continue
            found += [f"{node.module}.{a.name}" for a in node.names if a.name not in allowed]
    return found


@pytest.mark.parametrize("package", ["cli", "tui"])
def test_the_cli_and_the_tui_build_no_sql(package):
    offenders = {
        str(path.relative_to(ROOT)): names
        for path in sorted((ROOT / package).rglob("*.py"))
        if (names := _sql_builders(path))
    }
    assert offenders == {}, "cli/ and tui/ call partnercrm; they do not build SQL"


LONGEST_FUNCTION = 80


def test_no_function_is_longer_than_a_screen():
    """A function over 80 lines is usually doing several jobs (migrations, frozen history, aside)."""
    long = []
    for package in ("partnercrm", "cli", "tui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > LONGEST_FUNCTION:
                        long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert long == []


# A library sentence that names a CLI option or command is wrong in the TUI; the CLI adds them
# (cli/context.py's OPTION_FOR_FIELD, cli/digest.py's COMMAND_FOR). Left aside, with its reason:
NAMES_COMMANDS_BY_DESIGN = {
    # PostgreSQL's own tools, with their own options
    "partnercrm/backup.py": "pg_dump",
}
_AN_OPTION = r"(?<![\w-])--[a-z]"


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module (f-strings' text parts too), docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


@functools.cache
def _a_command() -> re.Pattern[str]:
    """`partnercrm GROUP SUBCOMMAND`, or `partnercrm COMMAND` followed by what a command line
    has next (its end, an option, a quoted or numeric argument): not the product's name
    before a word ("your partnercrm digest for Monday")."""
    groups: dict[str, list[str]] = {}
    plain = []
    for path, command in _commands():
        if len(path) == 2:
            groups.setdefault(path[0], []).append(path[1])
        elif len(path) == 1 and not isinstance(command, click.Group):
            plain.append(path[0])
    either = [
        rf"{re.escape(g)} (?:{'|'.join(map(re.escape, subs))})\b" for g, subs in groups.items()
    ]
    either.append(rf"(?:{'|'.join(map(re.escape, plain))})(?=\s*$|`| --| \"| '| \d)")
    return re.compile(r"\bpartnercrm (?:" + "|".join(either) + ")")


def _names_the_command_line(text: str) -> bool:
    return bool(re.search(_AN_OPTION, text) or _a_command().search(text))


def test_library_sentences_name_no_cli_option_or_command():
    found, still_needed = [], set()
    for path in sorted((ROOT / "partnercrm").rglob("*.py")):
        if "versions" in path.parts:
            continue
        name = str(path.relative_to(ROOT))
        for line, text in _string_literals(path):
            if not _names_the_command_line(text):
                continue
            if name in NAMES_COMMANDS_BY_DESIGN and NAMES_COMMANDS_BY_DESIGN[name] in text:
                still_needed.add(name)
                continue
            found.append(f"{name}:{line} {text!r}")
    assert found == [], "say what is wrong by Invalid(field=...); cli/ names the option"
    assert still_needed == set(NAMES_COMMANDS_BY_DESIGN), "an exemption no longer needed"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("the file has no sheet 'x' (--sheet)", True),
        ("run `partnercrm db upgrade`", True),
        ("partnercrm step done 12", True),
        ("Briefs for it: partnercrm brief --event ", True),
        ("run partnercrm check", True),
        ("a well-known name -- with a dash", False),
        ("Ruth: your partnercrm digest for Monday", False),
        ("-//partnercrm//partnercrm calendar//EN", False),
        ("this version of partnercrm does not know it", False),
        ("the file has no sheet 'x'", False),
    ],
)
def test_the_check_for_cli_words_finds_them(text, names):
    assert _names_the_command_line(text) is names


def test_the_readme_layout_names_every_module():
    """The README's layout is how a newcomer finds the code: it names every module there is."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") : readme.index("## Performance")]
    missing = []
    for package in ("partnercrm", "cli", "tui/screens"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.stem == "__init__" or "migrations" in path.parts:
                continue
            if not re.search(rf"\b{path.stem}\b", layout):
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []
