"""write-ups graded per rubric criterion

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_writeups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criterion_points', sa.JSON(), nullable=True, comment='points per rubric criterion, in rubric order; their sum is `points`'))


def downgrade():
    with op.batch_alter_table('scenario_writeups', schema=None) as batch_op:
        batch_op.drop_column('criterion_points')
