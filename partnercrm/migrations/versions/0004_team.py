"""team mode: colleague logins and access roles; the history chained and tamper-evident

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("colleague", sa.Column("login", sa.String(length=63), nullable=True))
    op.create_index("ix_colleague_login", "colleague", ["login"], unique=True)
    op.create_table(
        "colleague_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("colleague_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role in ('viewer','editor','privacy','admin')", name=op.f("ck_colleague_role_role")
        ),
        sa.ForeignKeyConstraint(
            ["colleague_id"],
            ["colleague.id"],
            name=op.f("fk_colleague_role_colleague_id_colleague"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_colleague_role")),
        sa.UniqueConstraint("colleague_id", "role", name="uq_colleague_role_colleague_role"),
    )
    op.create_index("ix_colleague_role_colleague_id", "colleague_role", ["colleague_id"])
    op.add_column("history", sa.Column("login", sa.String(length=200), nullable=True))
    op.add_column("history", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("history", sa.Column("digest", sa.String(length=64), nullable=True))
    op.add_column("history", sa.Column("redacted", sa.JSON(), nullable=True))
    op.create_index("ix_history_seq", "history", ["seq"], unique=True)
    _seal_existing()


def _seal_existing() -> None:
    """Chain the entries already written, in the order they were written."""
    from partnercrm.chain import GENESIS, entry_digest

    bind = op.get_bind()
    h = sa.table(
        "history",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("login", sa.String()),
        sa.column("action", sa.String()),
        sa.column("entity", sa.String()),
        sa.column("entity_id", sa.Integer()),
        sa.column("organisation_id", sa.Integer()),
        sa.column("summary", sa.Text()),
        sa.column("changes", sa.JSON()),
        sa.column("seq", sa.Integer()),
        sa.column("digest", sa.String()),
    )
    prev, seq, updates = GENESIS, 0, []
    for row in bind.execute(sa.select(h).order_by(h.c.id)).mappings().all():
        seq += 1
        values = {**row, "seq": seq}
        prev = entry_digest(prev, values)
        updates.append({"key": row["id"], "s": seq, "d": prev})
    if updates:
        bind.execute(
            h.update().where(h.c.id == sa.bindparam("key")),
            [{"key": u["key"], "seq": u["s"], "digest": u["d"]} for u in updates],
        )


def downgrade() -> None:
    op.drop_index("ix_history_seq", table_name="history")
    with op.batch_alter_table("history") as batch_op:
        batch_op.drop_column("redacted")
        batch_op.drop_column("digest")
        batch_op.drop_column("seq")
        batch_op.drop_column("login")
    op.drop_index("ix_colleague_role_colleague_id", table_name="colleague_role")
    op.drop_table("colleague_role")
    op.drop_index("ix_colleague_login", table_name="colleague")
    with op.batch_alter_table("colleague") as batch_op:
        batch_op.drop_column("login")
