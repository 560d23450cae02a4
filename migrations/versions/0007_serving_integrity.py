"""serving integrity: option and choice order seeds, item sets and the reserve pool, first attempts

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_set', sa.String(length=80), nullable=True, comment='items sharing a case: a session or form serves at most one of them'))
        batch_op.add_column(sa.Column('pool', sa.String(length=10), server_default='practice', nullable=False, comment='practice, or reserve: served only by promotion checks'))
        batch_op.add_column(sa.Column('shuffle', sa.Boolean(), server_default=sa.true(), nullable=False, comment='false: options keep the file order'))
    with op.batch_alter_table('study_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=32), server_default='', nullable=False, comment='fixes the option order shown at each position'))
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=32), server_default='', nullable=False, comment='fixes the option order shown at each position'))
        batch_op.add_column(sa.Column('reused', sa.Integer(), server_default='0', nullable=False, comment='items on the form seen in the 14 days before it'))
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True, comment='proportion of credit over the form, once closed'))
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=32), server_default='', nullable=False, comment='fixes the order choices are shown in'))
        batch_op.add_column(sa.Column('aided', sa.Boolean(), server_default=sa.false(), nullable=False, comment='the trainee went back to an earlier decision'))
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_attempt', sa.Boolean(), server_default=sa.false(), nullable=False, comment="the trainee's first answer to this question, given before any rationale of it was shown"))
        batch_op.create_index('ix_answers_session_id', ['session_id'], unique=False)
        batch_op.create_index('ix_answers_user_question', ['user_id', 'question_id'], unique=False)
    # Answers already stored: the earliest answer of each trainee to each question was a first attempt.
    op.execute(
        "UPDATE answers SET first_attempt = true WHERE id IN ("
        "SELECT MIN(id) FROM answers GROUP BY user_id, question_id)"
    )


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_user_question')
        batch_op.drop_index('ix_answers_session_id')
        batch_op.drop_column('first_attempt')
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.drop_column('aided')
        batch_op.drop_column('seed')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('score')
        batch_op.drop_column('reused')
        batch_op.drop_column('seed')
    with op.batch_alter_table('study_sessions', schema=None) as batch_op:
        batch_op.drop_column('seed')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_column('shuffle')
        batch_op.drop_column('pool')
        batch_op.drop_column('item_set')
