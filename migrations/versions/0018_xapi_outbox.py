"""xapi_outbox: xAPI statements written with their event, delivered to the LRS by a background job

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False, comment='uuid5 of the event: the same event always gives the same id'),
    sa.Column('statement', sa.JSON(), nullable=False, comment='the statement exactly as sent to the LRS'),
    sa.Column('created', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False, comment='deliveries tried and failed so far'),
    sa.Column('next_try_at', app.models.base.UTCDateTime(timezone=True), nullable=False, comment='not sent before this moment'),
    sa.Column('delivered_at', app.models.base.UTCDateTime(timezone=True), nullable=True, comment='when the LRS accepted it (or said it already had it)'),
    sa.Column('last_error', sa.Text(), nullable=True, comment='why the last delivery failed'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_outbox')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_outbox_statement_id'))
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_outbox_pending', ['delivered_at', 'next_try_at'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_outbox_pending')
    op.drop_table('xapi_outbox')
