"""Alembic environment: runs on the connection partnercrm hands it."""

from alembic import context
from sqlalchemy import create_engine

from partnercrm.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")

if connection is None:
    # `alembic` run by hand from a checkout (for `alembic revision --autogenerate`)
    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///alembic-dev.db"
    with create_engine(url).begin() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()
