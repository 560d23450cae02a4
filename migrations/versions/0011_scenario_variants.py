"""scenario variants: the figures each run drew

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant', sa.JSON(), nullable=True, comment='the figures this run drew (scenario variants): name -> value'))


def downgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.drop_column('variant')
