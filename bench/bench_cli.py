"""`partnercrm --help` as a whole process, against the bare cost of starting Python with click.

Commands load lazily, so `--help` must not import SQLAlchemy or Textual: its cost should stay
within twice that of `python -c "import click"`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 2.0


def _median_seconds(command: list[str], repeat: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _partnercrm() -> list[str]:
    script = Path(sys.executable).with_name("partnercrm")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cli.main import main; main()"]


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    repeat = 3 if quick else 9
    baseline = _median_seconds([sys.executable, "-c", "import click"], repeat)
    value = _median_seconds([*_partnercrm(), "--help"], repeat)
    ratio = value / baseline
    return [
        {
            "name": '`partnercrm --help`, whole process / `python -c "import click"`',
            "value": round(value * 1000, 1),
            "unit": "ms",
            "target": f"ratio <= {TARGET_RATIO}",
            "baseline": round(baseline * 1000, 1),
            "ratio": round(ratio, 2),
            "ok": ratio <= TARGET_RATIO,
            "note": f"median of {repeat} runs each",
        }
    ]
