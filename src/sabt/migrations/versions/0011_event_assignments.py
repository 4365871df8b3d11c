"""Work queues: who is working on each pending event.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_assignments",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_event_assignments_event_id_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_event_assignments_user_id_users")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_assignments")),
    )
    with op.batch_alter_table("event_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_assignments_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_assignments_user_id"))
    op.drop_table("event_assignments")
