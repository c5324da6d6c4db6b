"""Council-scale data: how long `scale.build` takes at N=100, and how big the database gets."""

from __future__ import annotations

from typing import Any

TARGET_SECONDS = 180.0


def run(quick: bool = False, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    if context is None:
        from bench.__main__ import prepare

        context = prepare(quick)
    rows: list[dict[str, Any]] = []
    for key, backend in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        build = context["builds"].get(key)
        if build is None:
            continue
        scale = build["scale"]
        where = (
            "all in this process" if key == "sqlite" else "this process; the server's not counted"
        )
        note = (
            f"CPU {build.get('cpu_seconds', '?')} s ({where}); "
            f"load average {build.get('load', '?')} during the build"
        )
        if build.get("cached"):
            note += (
                f"; timed when the cached database was built ({build['built_at']}), "
                "`python -m bench --rebuild` times it again"
            )
        rows.append(
            {
                "name": f"scale build N={scale}, whole data set ({backend})",
                "value": build["seconds"],
                "unit": "s",
                "target": f"< {TARGET_SECONDS:.0f} s",
                "baseline": None,
                "ratio": None,
                "ok": build["seconds"] < TARGET_SECONDS,
                "note": note,
            }
        )
        contacts = _contacts(build["url"])
        rows.append(
            {
                "name": f"database size per 1,000 contacts with their history ({backend})",
                "value": round(build["bytes"] / 1e6 / (contacts / 1000), 2),
                "unit": "MB",
                "target": None,
                "baseline": None,
                "ratio": None,
                "ok": None,
                "note": f"{build['bytes'] / 1e6:,.0f} MB in all for {contacts:,} contacts "
                f"(N={scale}, search indexes included)",
            }
        )
    if "postgresql_error" in context["builds"]:
        rows.append(
            {
                "name": "scale build, whole data set (PostgreSQL)",
                "value": None,
                "unit": "s",
                "target": f"< {TARGET_SECONDS:.0f} s",
                "baseline": None,
                "ratio": None,
                "ok": False,
                "note": context["builds"]["postgresql_error"],
            }
        )
    return rows


def _contacts(url: str) -> int:
    from sqlalchemy import create_engine, func, select

    from partnercrm import models as m

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(m.Contact)) or 0)
    finally:
        engine.dispose()
