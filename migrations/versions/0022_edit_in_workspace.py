"""authoring: drafts that edit published items under their ids; items retired by hand stay retired;
answers voided by a changed key

Revision ID: 0022
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', app.models.base.UTCDateTime(timezone=True), nullable=True, comment='set when a changed answer key voided it: kept, but no longer evidence'))
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edits', sa.JSON(), nullable=True, comment='[{kind, slug, version, source}]: published items opened here with Edit in workspace; the draft may publish new versions of them under the same ids'))
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_by_hand', sa.Boolean(), server_default=sa.false(), nullable=False, comment='retired with the Retire button: stays retired when its unchanged text is published or synced'))
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_by_hand', sa.Boolean(), server_default=sa.false(), nullable=False, comment='retired with the Retire button: stays retired when its unchanged text is published or synced'))


def downgrade():
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_column('retired_by_hand')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('retired_by_hand')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('edits')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('voided_at')
