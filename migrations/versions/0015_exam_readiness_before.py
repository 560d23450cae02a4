"""exams: the readiness headline when submitted, so the result can say what the exam changed

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('readiness_before', sa.Float(), nullable=True, comment="the trainee's stored P(pass) when the exam was submitted, to show what it changed"))


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('readiness_before')
