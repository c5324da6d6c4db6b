"""`make bench` (`python -m bench`): build the council-scale data once, run every benchmark, one table.

    python -m bench              # N=100, SQLite and PostgreSQL; rewrites the README's table
    python -m bench --quick      # N=2 smoke run; writes bench/results/quick.json only
    python -m bench --rebuild    # build the cached SQLite data again (and time it)
    python -m bench --only brief # just bench/bench_brief.py (repeatable)

The contract for a benchmark module
-----------------------------------
Every `bench/bench_<topic>.py` exposing `run` is discovered and called as
`run(quick=quick)`, plus `context=context` when its signature accepts a `context` parameter
(or **kwargs). It returns a list of rows, each a dict:

    {"name": str,            # the figure, e.g. "brief p95, in-process (SQLite)"
     "value": float | None,  # what was measured (None when it could not be)
     "unit": str,            # "ms", "s", "MB", "x" ...
     "target": str | float | None,   # e.g. "< 50 ms", or a number in `unit`
     "baseline": float | None,       # a baseline measured in the same run, same unit
     "ratio": float | None,          # value / baseline where that is the figure that matters
     "ok": bool | None,              # met the target? None when there is no target
     "note": str}            # optional: anything a reader needs (e.g. which partner)

`context` carries the prepared databases, so no benchmark builds data of its own:

    context["quick"]        bool, as given
    context["scale"]        N of the large data set (100, or 2 with --quick)
    context["sqlite_url"]   SQLAlchemy URL of the large SQLite database (cached under
                            bench/data/, shared by every benchmark: treat it as READ-ONLY;
                            a benchmark that writes copies the file first, see `copy_sqlite`)
    context["pg_url"]       URL of the large data set in a PostgreSQL schema of its own
                            (search_path set in the URL), or None when PostgreSQL is not
                            reachable or --no-pg was given; dropped when the run ends
    context["small"]        the same for N=1: {"scale", "sqlite_url", "pg_url"}, so a benchmark
                            can compare the same partner at N=1 and at N=100
    context["big_partner"]  {"id", "name", "conversations", "commitments"}: the partner with a
                            long history (600 conversations), identical at every N
    context["builds"]       what each build added and how long it took
    context["copy_sqlite"]  copy_sqlite(url) -> url of a private copy of that SQLite database
    context["data_dir"]     Path of bench/data/

Benchmarks must not run in `make test`: pytest collects tests/ only, and anything slow there is
marked `slow`.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
README = ROOT / "README.md"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _progress(prefix: str) -> Any:
    last = [0.0]
    tty = sys.stderr.isatty()

    def progress(what: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if tty and (now - last[0] > 0.2 or done >= total):
            last[0] = now
            print(f"\r  {prefix}: {what} {done:,}/{total:,}\033[K", end="", file=sys.stderr)

    return progress


def _generator_version() -> str:
    """A digest of what shapes the data, so a cached database is rebuilt when that changes."""
    digest = hashlib.sha256()
    for path in sorted(
        [
            *(ROOT / "partnercrm" / "scale").glob("*.py"),
            ROOT / "partnercrm" / "demo.py",
            *(ROOT / "partnercrm" / "migrations" / "versions").glob("*.py"),
        ]
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


# --- preparing the data ---------------------------------------------------------------------


def sqlite_data(scale: int, rebuild: bool = False) -> dict[str, Any]:
    """The cached SQLite database at `scale`, built (and timed) when missing or stale.

    A lock file keeps two runs from building the same file at once; the database is built
    under a temporary name and renamed into place, so a reader never sees half of it.
    """
    import fcntl

    DATA.mkdir(parents=True, exist_ok=True)
    version = _generator_version()
    path = DATA / f"scale-{scale}-{version}.db"
    meta_path = path.with_suffix(".json")
    with open(DATA / f".scale-{scale}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and meta_path.exists() and not rebuild:
            meta = json.loads(meta_path.read_text())
            meta["cached"] = True
            say(f"  SQLite N={scale}: reusing {path.relative_to(ROOT)} (built {meta['built_at']})")
            return meta
        _forget_old_versions(scale, keep=path)
        return _build_sqlite(scale, path, meta_path)


def _forget_old_versions(scale: int, keep: Path) -> None:
    """Delete data built by an older generator, unless a run may still be reading it."""
    for old in DATA.glob(f"scale-{scale}-*"):
        if not old.name.startswith(keep.stem) and time.time() - old.stat().st_mtime > 3600:
            old.unlink(missing_ok=True)


def _build_sqlite(scale: int, path: Path, meta_path: Path) -> dict[str, Any]:
    from partnercrm import scale as scale_data
    from partnercrm.database import open_database

    building = path.with_name(f"{path.stem}.building-{os.getpid()}.db")
    say(f"  SQLite N={scale}: building {path.relative_to(ROOT)}")
    db = open_database(str(building), actor="bench")
    load_before = _load()
    started, cpu = time.perf_counter(), time.process_time()
    summary = scale_data.build(db, scale, progress=_progress(f"SQLite N={scale}"))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    load = round(max(load_before, _load()), 1)
    db.dispose()  # checkpoints the WAL, so the file size is the database's size
    if sys.stderr.isatty():
        print(file=sys.stderr)
    size = _sqlite_bytes(building)
    os.replace(building, path)
    for leftover in (Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    meta = {
        "url": f"sqlite:///{path}",
        "path": str(path),
        "scale": scale,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "bytes": size,
        "load": load,
        "summary": summary,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cached": False,
    }
    meta_path.write_text(json.dumps(meta, indent=2, default=str))
    say(f"  SQLite N={scale}: built in {seconds:.1f} s")
    return meta


def _load() -> float:
    """The one-minute load average: other work on the machine slows every figure here."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _sqlite_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def copy_sqlite(url: str) -> str:
    """A private copy of a prepared SQLite database, for a benchmark that writes."""
    source = Path(url.removeprefix("sqlite:///"))
    target = DATA / "copies" / f"{source.stem}-{uuid.uuid4().hex[:8]}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(source, target)
    return f"sqlite:///{target}"


class Postgres:
    """A schema per data set in the benchmark database, dropped when the run ends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.schemas: list[str] = []
        self.engine: Any = None

    def available(self) -> bool:
        from sqlalchemy import create_engine, text

        try:
            self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                self._drop_stale(conn)
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL rows
            say(f"  PostgreSQL at {self.url} is not reachable ({type(exc).__name__}); skipping it")
            return False

    def data(self, scale: int) -> dict[str, Any]:
        from sqlalchemy import text

        from partnercrm import scale as scale_data
        from partnercrm.database import open_database

        # a name of its own, so two runs at once (or a crashed one) never share a schema
        schema = f"bench_scale_{scale}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        sep = "&" if "?" in self.url else "?"
        url = f"{self.url}{sep}options={quote(f'-csearch_path={schema}')}"
        say(f"  PostgreSQL N={scale}: building in schema {schema}")
        db = open_database(url, actor="bench")
        load_before = _load()
        started, cpu = time.perf_counter(), time.process_time()
        summary = scale_data.build(db, scale, progress=_progress(f"PostgreSQL N={scale}"))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        load = round(max(load_before, _load()), 1)
        db.dispose()
        if sys.stderr.isatty():
            print(file=sys.stderr)
        with self.engine.connect() as conn:
            size = conn.execute(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :schema AND c.relkind IN ('r', 'm')"
                ),
                {"schema": schema},
            ).scalar()
        say(f"  PostgreSQL N={scale}: built in {seconds:.1f} s")
        return {
            "url": url,
            "schema": schema,
            "scale": scale,
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "bytes": int(size or 0),
            "load": load,
            "summary": summary,
            "cached": False,
        }

    @staticmethod
    def _drop_stale(conn: Any) -> None:
        """Drop the schemas of runs that crashed: their process id no longer exists."""
        from sqlalchemy import text

        schemas = conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_scale\\_%'")
        ).scalars()
        for schema in list(schemas):
            parts = schema.split("_")
            if len(parts) != 5 or not parts[3].isdigit():
                continue
            try:
                os.kill(int(parts[3]), 0)
            except ProcessLookupError:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            except OSError:
                pass

    def version(self) -> str | None:
        from sqlalchemy import text

        if self.engine is None:
            return None
        with self.engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())

    def drop(self) -> None:
        from sqlalchemy import text

        if self.engine is None:
            return
        with self.engine.connect() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.engine.dispose()


def prepare(
    quick: bool = False, *, rebuild: bool = False, pg: Postgres | None = None
) -> dict[str, Any]:
    """Build or reuse the data sets and return the context every benchmark receives."""
    scale = 2 if quick else 100
    large = sqlite_data(scale, rebuild)
    small = sqlite_data(1, rebuild)
    builds: dict[str, Any] = {"sqlite": large, "sqlite_small": small}
    pg_large = pg_small = None
    if pg is not None:
        try:
            pg_large = pg.data(scale)
            pg_small = pg.data(1)
        except Exception as exc:  # noqa: BLE001 - report it as a row, run the SQLite rows
            traceback.print_exc()
            pg_large = pg_small = None
            builds["postgresql_error"] = f"{type(exc).__name__}: {exc}"[:300]
        else:
            builds["postgresql"] = pg_large
            builds["postgresql_small"] = pg_small
    return {
        "quick": quick,
        "scale": scale,
        "sqlite_url": large["url"],
        "pg_url": pg_large["url"] if pg_large else None,
        "small": {
            "scale": 1,
            "sqlite_url": small["url"],
            "pg_url": pg_small["url"] if pg_small else None,
        },
        "big_partner": large["summary"]["big_partner"],
        "builds": builds,
        "copy_sqlite": copy_sqlite,
        "data_dir": DATA,
    }


# --- running the benchmarks -----------------------------------------------------------------


# the order of the list of figures; benchmarks not named here follow, by name
ORDER = ["import", "brief", "search", "reports", "tui", "cli", "scale"]


def discover(only: list[str] | None = None) -> list[str]:
    def rank(name: str) -> tuple[int, str]:
        topic = name.removeprefix("bench_")
        return (ORDER.index(topic) if topic in ORDER else len(ORDER), topic)

    names = sorted((p.stem for p in BENCH.glob("bench_*.py")), key=rank)
    if only:
        wanted = {o.removeprefix("bench_").removesuffix(".py") for o in only}
        names = [n for n in names if n.removeprefix("bench_") in wanted]
    return names


def run_one(name: str, quick: bool, context: dict[str, Any]) -> list[dict[str, Any]]:
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None:
            return []
        params = inspect.signature(run).parameters
        kwargs: dict[str, Any] = {"quick": quick}
        if "context" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
            kwargs["context"] = context
        rows = list(run(**kwargs) or [])
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
        traceback.print_exc()
        rows = [
            {
                "name": f"{name}: failed",
                "value": None,
                "unit": "",
                "target": None,
                "baseline": None,
                "ratio": None,
                "ok": False,
                "note": f"{type(exc).__name__}: {exc}"[:300],
            }
        ]
    say(f"  {name}: {len(rows)} rows in {time.perf_counter() - started:.1f} s")
    for row in rows:
        row.setdefault("source", name)
    return rows


def machine(pg: Postgres | None) -> dict[str, Any]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": round(_load(), 1),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg.version() if pg else None,
        "platform": platform.platform(),
        "commit": commit,
    }


# --- output ---------------------------------------------------------------------------------


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _cells(row: dict[str, Any]) -> list[str]:
    unit = row.get("unit") or ""
    value = _num(row.get("value"))
    baseline = row.get("baseline")
    target = row.get("target")
    ok = row.get("ok")
    return [
        str(row.get("name", "?")),
        f"{value} {unit}".strip() if row.get("value") is not None else "—",
        (f"{_num(target)} {unit}".strip() if isinstance(target, int | float) else _num(target)),
        f"{_num(baseline)} {unit}".strip() if baseline is not None else "—",
        _num(row.get("ratio")),
        "—" if ok is None else ("ok" if ok else "MISSED"),
    ]


HEADERS = ["figure", "value", "target", "baseline", "ratio", "ok"]


def text_table(rows: list[dict[str, Any]]) -> str:
    cells = [HEADERS] + [_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for r in rows:
        lines.append("| " + " | ".join(esc(c) for c in _cells(r)) + " |")
    return "\n".join(lines)


def readme_section(result: dict[str, Any]) -> str:
    mc = result["machine"]
    notes = [f"- {r['name']}: {r['note']}" for r in result["rows"] if r.get("note")]
    pg = f", PostgreSQL {mc['postgresql']}" if mc.get("postgresql") else ""
    parts = [
        f"Last measured by `make bench` on {mc['date']} (commit {mc['commit']}), at N={result['scale']} "
        f"(about {result['scale'] * 100:,} organisations, {result['scale'] * 1000:,} contacts, "
        f"{result['scale'] * 2000:,} conversations and {result['scale'] * 5000:,} touchpoints).",
        "",
        f"Machine: {mc['nproc']} CPUs ({mc['cpu']}), {mc['memory_gb']} GB memory, "
        f"Python {mc['python']}, SQLite {mc['sqlite']}{pg}, {mc['platform']}; "
        f"one-minute load average {mc.get('load_at_start', '?')} when the run started and "
        f"{mc['load_average']} when it ended (other work on the machine slows every figure).",
        "",
        markdown_table(result["rows"]),
    ]
    if notes:
        parts += [
            "",
            "<details><summary>Notes on the figures</summary>",
            "",
            *notes,
            "",
            "</details>",
        ]
    parts += [
        "",
        f"How to run it: `make bench` (this run took {result['seconds'] / 60:.0f} minutes; it needs "
        "PostgreSQL on 127.0.0.1:5432, or PARTNERCRM_BENCH_PG_URL, for the PostgreSQL rows, else "
        "they are skipped). `python -m bench --quick` is a smoke run at "
        "N=2. The council-scale SQLite data is cached under `bench/data/` (`--rebuild` builds it "
        "again); the PostgreSQL data lives in its own schema for the run and is dropped after. "
        "The same figures are written as JSON to `bench/results/latest.json`. `make test` never "
        "runs benchmarks.",
    ]
    return "\n".join(parts)


def update_readme(result: dict[str, Any]) -> bool:
    if not README.exists():
        return False
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        say("  README.md has no bench markers; not updated")
        return False
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{readme_section(result)}\n{END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run at N=2")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached SQLite data")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument(
        "--readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite the README table (default: on for full runs of every benchmark)",
    )
    args = parser.parse_args(argv)
    pg_url = os.environ.get("PARTNERCRM_BENCH_PG_URL") or DEFAULT_PG
    pg = None if args.no_pg else Postgres(pg_url)
    if pg is not None and not pg.available():
        pg = None
    started, load_at_start = time.perf_counter(), round(_load(), 1)
    say(f"Preparing data (N={2 if args.quick else 100})")
    try:
        context = prepare(args.quick, rebuild=args.rebuild, pg=pg)
        names = discover(args.only)
        say(f"Running {len(names)} benchmarks: {', '.join(names)}")
        rows: list[dict[str, Any]] = []
        for name in names:
            rows.extend(run_one(name, args.quick, context))
        info = {**machine(pg), "load_at_start": load_at_start}
    finally:
        if pg is not None:
            pg.drop()
        shutil.rmtree(DATA / "copies", ignore_errors=True)
    result = {
        "scale": context["scale"],
        "quick": args.quick,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": info,
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("quick.json" if args.quick else "latest.json")
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(text_table(rows))
    say(f"\nWrote {out.relative_to(ROOT)} ({result['seconds']:.0f} s in all)")
    readme = args.readme if args.readme is not None else (not args.quick and not args.only)
    if readme and update_readme(result):
        say("Updated the Performance section of README.md")
    missed = [r["name"] for r in rows if r.get("ok") is False]
    if missed:
        say(f"Missed targets: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
