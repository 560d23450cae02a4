"""stored readiness report: the report page reads it instead of recomputing the model on every view

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trainee_readiness', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True, comment='{key, result}: the whole result for the report page, valid while key matches'))


def downgrade():
    with op.batch_alter_table('trainee_readiness', schema=None) as batch_op:
        batch_op.drop_column('report')
