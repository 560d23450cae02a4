"""drafts returned, not rejected: the status a reviewer's "return to author" sets is stored as the word the
screen shows

Revision ID: 0024
Revises: 0023
"""

from alembic import op
import sqlalchemy as sa


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE drafts SET status = 'returned' WHERE status = 'rejected'")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=10),
            existing_nullable=False,
            comment="draft, in-review, published or returned",
            existing_comment="draft, in-review, published or rejected",
        )


def downgrade():
    op.execute("UPDATE drafts SET status = 'rejected' WHERE status = 'returned'")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=10),
            existing_nullable=False,
            comment="draft, in-review, published or rejected",
            existing_comment="draft, in-review, published or returned",
        )
