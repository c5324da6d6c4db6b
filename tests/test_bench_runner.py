"""The `make bench` runner's contract, without running any benchmark (those never run in tests)."""

from __future__ import annotations

import sys
import types

import pytest

import bench.__main__ as runner


@pytest.fixture
def fake_benchmarks(monkeypatch: pytest.MonkeyPatch):
    seen: dict[str, dict] = {}

    def plain(quick: bool = False):
        seen["plain"] = {"quick": quick}
        return [{"name": "plain row", "value": 1.5, "unit": "s", "target": "< 2 s", "ok": True}]

    def with_context(quick: bool = False, context: dict | None = None):
        seen["with_context"] = {"quick": quick, "context": context}
        return [{"name": "context row", "value": 3, "unit": "ms", "baseline": 2, "ratio": 1.5}]

    def broken(quick: bool = False):
        raise RuntimeError("no data")

    for name, run in (("plain", plain), ("ctx", with_context), ("broken", broken)):
        module = types.ModuleType(f"bench.bench_{name}")
        module.run = run  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"bench.bench_{name}", module)
    return seen


def test_context_is_passed_only_to_benchmarks_that_take_it(fake_benchmarks) -> None:
    context = {"sqlite_url": "sqlite:///x.db"}
    assert runner.run_one("bench_plain", True, context)[0]["source"] == "bench_plain"
    assert fake_benchmarks["plain"] == {"quick": True}
    rows = runner.run_one("bench_ctx", False, context)
    assert fake_benchmarks["with_context"] == {"quick": False, "context": context}
    assert rows[0]["ratio"] == 1.5


def test_a_broken_benchmark_becomes_a_failed_row(fake_benchmarks, capsys) -> None:
    [row] = runner.run_one("bench_broken", False, {})
    assert row["name"] == "bench_broken: failed" and row["ok"] is False
    assert row["note"] == "RuntimeError: no data"
    assert "RuntimeError" in capsys.readouterr().err


def test_one_table_for_people_and_one_for_the_readme() -> None:
    rows = [
        {"name": "brief | median", "value": 39.25, "unit": "ms", "target": "< 50 ms", "ok": True},
        {"name": "size", "value": 3.97, "unit": "MB", "target": None, "ok": None},
        {"name": "slow", "value": 203.4, "unit": "s", "target": 180.0, "ok": False},
    ]
    text = runner.text_table(rows).splitlines()
    assert text[0].split() == runner.HEADERS
    assert "39.2 ms" in text[2] and text[2].endswith("ok")
    assert text[4].split()[-1] == "MISSED" and "180 s" in text[4]
    markdown = runner.markdown_table(rows).splitlines()
    assert markdown[2].startswith("| brief \\| median | 39.2 ms | < 50 ms |")
    assert markdown[3].endswith("| — |")


def test_the_readme_section_between_the_markers_is_rewritten(tmp_path, monkeypatch) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# x\n\n## Performance\n\n{runner.START}\nold table\n{runner.END}\n\n## After\nkept\n"
    )
    monkeypatch.setattr(runner, "README", readme)
    result = {
        "scale": 100,
        "seconds": 600,
        "machine": {
            "date": "2026-11-22 20:00 UTC",
            "commit": "abc1234",
            "nproc": 2,
            "cpu": "AMD EPYC",
            "memory_gb": 23.5,
            "python": "3.11.7",
            "sqlite": "3.40.1",
            "postgresql": "15.20",
            "platform": "Linux",
            "load_average": 1.0,
            "load_at_start": 0.5,
        },
        "rows": [{"name": "a figure", "value": 1.0, "unit": "s", "note": "why"}],
    }
    assert runner.update_readme(result)
    text = readme.read_text()
    assert "old table" not in text
    assert text.startswith("# x\n\n## Performance\n\n<!-- bench:start -->\nLast measured by")
    assert text.endswith("<!-- bench:end -->\n\n## After\nkept\n")
    assert "| a figure | 1.00 s |" in text and "2 CPUs (AMD EPYC), 23.5 GB memory" in text
    assert "this run took 10 minutes" in text


def test_discovery_follows_the_issue_order() -> None:
    names = runner.discover()
    assert {"bench_cli", "bench_scale"} <= set(names)
    known = [n for n in names if n.removeprefix("bench_") in runner.ORDER]
    assert known == sorted(known, key=lambda n: runner.ORDER.index(n.removeprefix("bench_")))
    assert names[: len(known)] == known  # benchmarks the list does not name come last
    assert runner.discover(["scale"]) == ["bench_scale"]
