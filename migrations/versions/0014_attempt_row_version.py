"""scenario attempts: a row version for compare-and-set, so two decisions at once cannot both be taken

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False, comment='compare-and-set: a write from a page that read an older version fails instead of overwriting'))


def downgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.drop_column('row_version')
