"""handled interventions: a trainer's note that a flagged trainee was seen to

Revision ID: 0023
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'handled_interventions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trainee_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False, comment='stalled, at-risk, critical-errors or overconfident'),
        sa.Column('note', sa.Text(), nullable=False, comment='what the trainer did'),
        sa.Column('handled_by_id', sa.Integer(), nullable=False),
        sa.Column('handled_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('handled_interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handled_interventions_trainee_id'), ['trainee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('handled_interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handled_interventions_trainee_id'))
    op.drop_table('handled_interventions')
