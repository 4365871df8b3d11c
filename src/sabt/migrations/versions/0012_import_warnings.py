"""Import warnings: a row an old register really holds (a day and month swapped past the 12th, a father
without a first name) is imported, and what was read differently is kept beside the rejects.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_rejects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("import_rejects", schema=None) as batch_op:
        batch_op.drop_column("imported")
