"""The county where each event happened, as a column, for vital statistics by place.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("county_code", sa.String(length=4), nullable=True))
        batch_op.create_index("ix_events_statistics", ["kind", "status", "event_date"], unique=False)
    # Events declared before this column existed keep their county in the declaration itself.
    county = "json_extract(data, '$.county')" if op.get_bind().dialect.name == "sqlite" else "data->>'county'"
    op.execute(f"UPDATE events SET county_code = {county} WHERE county_code IS NULL")  # noqa: S608 (no input)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_statistics")
        batch_op.drop_column("county_code")
