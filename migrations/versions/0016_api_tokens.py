"""api_tokens: personal access tokens for the JSON API (only a sha256 of each secret is stored)

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa
import app.models.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False, comment='the person the token acts as'),
        sa.Column('name', sa.String(length=80), nullable=False, comment="what the owner called it, e.g. 'HR sync'"),
        sa.Column('prefix', sa.String(length=16), nullable=False, comment="the token's first characters, shown to tell tokens apart"),
        sa.Column('token_hash', sa.String(length=64), nullable=False, comment='sha256 hex of the secret; the secret itself is never stored'),
        sa.Column('scopes', sa.JSON(), nullable=False, comment='e.g. users:read readiness:read'),
        sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', app.models.base.UTCDateTime(timezone=True), nullable=True, comment='none: until revoked'),
        sa.Column('last_used_at', app.models.base.UTCDateTime(timezone=True), nullable=True, comment='to the minute'),
        sa.Column('revoked_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
