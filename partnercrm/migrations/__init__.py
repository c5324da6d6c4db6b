"""Alembic migrations shipped inside the package; opening a database runs them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from partnercrm.errors import Invalid

HERE = Path(__file__).parent


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head() -> str:
    head = ScriptDirectory.from_config(config()).get_current_head()
    assert head is not None
    return head


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema at `engine` to `revision`, in one transaction."""
    cfg = config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_current(engine: Engine, *, allow_upgrade: bool = True) -> bool:
    """Create or upgrade the schema, or say clearly why not; True when the database was new."""
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
            f"the database is at schema revision {here or 'none'} and needs upgrading to {latest}; "
            "run `partnercrm db upgrade`."
        )
    upgrade(engine)
    return here is None
