"""scenario versions keep their path analysis, so no worker explores paths to score or debrief a run

Existing versions get it at the next `flask content sync` (content_sync.store_missing_analyses); until
then they are analysed once per process, as before.

Revision ID: 0025
Revises: 0024
"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'analysis',
            sa.JSON(),
            nullable=True,
            comment='the path analysis at sync (Analysis.to_json): debriefs and scoring never explore paths again; '
            'null for versions synced before 0025 until the next flask content sync',
        ))


def downgrade():
    with op.batch_alter_table('scenario_versions', schema=None) as batch_op:
        batch_op.drop_column('analysis')
