"""cohort retention target: the fsrs desired retention a trainer sets for a cohort, and who set it

Revision ID: 0026
Revises: 0025
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_target', sa.Float(), server_default='0.9', nullable=False, comment='share of reviews the trainees should still get right when due (fsrs desired retention)'))
        batch_op.add_column(sa.Column('retention_set_by_id', sa.Integer(), nullable=True, comment='who last changed the retention target'))
        batch_op.add_column(sa.Column('retention_set_at', app.models.base.UTCDateTime(timezone=True), nullable=True, comment='when'))
        batch_op.create_foreign_key('fk_cohorts_retention_set_by_id_users', 'users', ['retention_set_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cohorts_retention_set_by_id_users', type_='foreignkey')
        batch_op.drop_column('retention_set_at')
        batch_op.drop_column('retention_set_by_id')
        batch_op.drop_column('retention_target')
