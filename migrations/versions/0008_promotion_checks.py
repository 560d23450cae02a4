"""promotion checks: secure sittings the readiness decision rests on

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='practice', nullable=False, comment='practice, or promotion: a secure check drawn from items the trainee was never served'))
    op.create_table('promotion_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False, comment='requested, scheduled, or started (its exam exists)'),
    sa.Column('requested_at', app.models.base.UTCDateTime(timezone=True), nullable=True, comment='when the trainee asked for it'),
    sa.Column('scheduled_by_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exam_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_promotion_checks_exam_id_exams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scheduled_by_id'], ['users.id'], name=op.f('fk_promotion_checks_scheduled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_promotion_checks_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_checks')),
    sa.UniqueConstraint('exam_id', name=op.f('uq_promotion_checks_exam_id'))
    )
    with op.batch_alter_table('promotion_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_checks_trainee_id'), ['trainee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('promotion_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_checks_trainee_id'))
    op.drop_table('promotion_checks')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('kind')
