"""Every evidence table in the log: wider record names, the signed head, witness cosignatures, and
certificate keys named by their label in the key store.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["ledger_checkpoints.id"],
            name=op.f("fk_ledger_cosignatures_checkpoint_id_ledger_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_cosignatures")),
    )
    with op.batch_alter_table("ledger_cosignatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_cosignatures_checkpoint_id"), ["checkpoint_id"], unique=False)
    with op.batch_alter_table("certificate_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_label", sa.String(length=60), nullable=True))
    # Keys made before the key store are files named by their key id.
    op.execute("UPDATE certificate_keys SET key_label = 'certificate-' || kid")
    with op.batch_alter_table("certificate_keys", schema=None) as batch_op:
        batch_op.alter_column("key_label", existing_type=sa.String(length=60), nullable=False)
    with op.batch_alter_table("ledger_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", sa.LargeBinary(length=64), nullable=True))
    with op.batch_alter_table("ledger_salts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.LargeBinary(length=32), nullable=True))
    with op.batch_alter_table("ledger_leaves", schema=None) as batch_op:
        batch_op.alter_column("record_type", existing_type=sa.String(length=20), type_=sa.String(length=40))
        batch_op.alter_column("record_id", existing_type=sa.String(length=40), type_=sa.String(length=60))


def downgrade() -> None:
    with op.batch_alter_table("ledger_leaves", schema=None) as batch_op:
        batch_op.alter_column("record_id", existing_type=sa.String(length=60), type_=sa.String(length=40))
        batch_op.alter_column("record_type", existing_type=sa.String(length=40), type_=sa.String(length=20))
    with op.batch_alter_table("ledger_salts", schema=None) as batch_op:
        batch_op.drop_column("digest")
    with op.batch_alter_table("ledger_head", schema=None) as batch_op:
        batch_op.drop_column("signature")
    with op.batch_alter_table("certificate_keys", schema=None) as batch_op:
        batch_op.drop_column("key_label")
    with op.batch_alter_table("ledger_cosignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_cosignatures_checkpoint_id"))
    op.drop_table("ledger_cosignatures")
