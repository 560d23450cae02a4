"""e-mail preferences on users; sign-off requests from trainees judged Ready

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_digest', sa.Boolean(), server_default=sa.true(), nullable=False, comment='weekly digest of reviews due and the next step (trainees)'))
        batch_op.add_column(sa.Column('mail_alerts', sa.Boolean(), server_default=sa.true(), nullable=False, comment='intervention alerts about their cohorts (trainers)'))
        batch_op.add_column(sa.Column('mail_sign_off_requests', sa.Boolean(), server_default=sa.true(), nullable=False, comment='a trainee of their cohorts asks for sign-off (trainers)'))

    op.create_table('sign_off_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trainee_id', sa.Integer(), nullable=False),
        sa.Column('verdict', sa.String(length=24), nullable=False, comment='the stored readiness verdict when asked (ready)'),
        sa.Column('requested_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('trainers_mailed', sa.Integer(), nullable=False, comment='trainers the request was e-mailed to'),
        sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_sign_off_requests_trainee_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off_requests'))
    )
    with op.batch_alter_table('sign_off_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_off_requests_trainee_id'), ['trainee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_off_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_off_requests_trainee_id'))

    op.drop_table('sign_off_requests')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mail_sign_off_requests')
        batch_op.drop_column('mail_alerts')
        batch_op.drop_column('mail_digest')
