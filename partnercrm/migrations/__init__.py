"""Alembic migrations shipped inside the package; opening a database runs them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from partnercrm.errors import Invalid

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).parent
_REVISION = re.compile(r'^(down_)?revision\s*=\s*["\']?([\w.]+)["\']?', re.MULTILINE)


def config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(config()).get_current_head()
    assert head is not None
    return head


@cache
def quick_head() -> str | None:
    """The head revision read straight from the version files, without importing Alembic.

    Opening an up-to-date database (every command) then costs one SELECT; Alembic loads
    only when there is something to do. None when the files are not a simple chain.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (HERE / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text("utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _recorded(engine: Engine) -> str | None:
    try:
        # a plain read: on SQLite it must not queue behind a writer for the write lock
        with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema at `engine` to `revision`, in one transaction."""
    from alembic import command

    cfg = config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_current(engine: Engine, *, allow_upgrade: bool = True) -> bool:
    """Create or upgrade the schema, or say clearly why not; True when the database was new."""
    if (quick := quick_head()) is not None and _recorded(engine) == quick:
        return False
    from alembic.script import ScriptDirectory

    here, latest = current(engine), head()
    if here == latest:
        return False
    known = {s.revision for s in ScriptDirectory.from_config(config()).walk_revisions()}
    if here is not None and here not in known:
        raise Invalid(
            f"the database is at schema revision {here}, which this version of partnercrm does "
            "not know; it was written by a newer partnercrm. Upgrade partnercrm to open it."
        )
    if not allow_upgrade:
        raise Invalid(
            f"the database is at schema revision {here or 'none'} and needs upgrading to "
            f"{latest} before it can be opened",
            field="schema",
        )
    upgrade(engine)
    return here is None
