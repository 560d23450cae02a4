"""lti: LMS platforms, linked LMS identities and courses, scores owed through AGS, launch storage

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_launch_values',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('expires_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_launch_values'))
    )
    with op.batch_alter_table('lti_launch_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_launch_values_expires_at'), ['expires_at'], unique=False)

    op.create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False, comment='what people call the LMS, for lists and pages'),
    sa.Column('issuer', sa.String(length=255), nullable=False, comment="the platform's iss, exactly as in its id_tokens"),
    sa.Column('client_id', sa.String(length=255), nullable=False, comment='the client id the platform gave the tool'),
    sa.Column('auth_login_url', sa.String(length=500), nullable=False, comment='platform OIDC authorization endpoint'),
    sa.Column('auth_token_url', sa.String(length=500), nullable=False, comment='platform OAuth2 token endpoint (AGS)'),
    sa.Column('key_set_url', sa.String(length=500), nullable=False, comment='platform JWKS: keys its id_tokens are signed with'),
    sa.Column('auth_audience', sa.String(length=500), nullable=True, comment='aud for the token request when the platform wants one other than the token URL'),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_lti_platforms_issuer_client_id')
    )
    op.create_table('lti_contexts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_lti_contexts_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_contexts')),
    sa.UniqueConstraint('issuer', 'context_id', name='uq_lti_contexts_issuer')
    )
    with op.batch_alter_table('lti_contexts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_contexts_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lti_deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_deployments_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_deployments')),
    sa.UniqueConstraint('platform_id', 'deployment_id', name='uq_lti_deployments_platform_id')
    )
    op.create_table('lti_grade_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False, comment='the LMS user id the score is for (sub)'),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False, comment='the LMS placement launched'),
    sa.Column('resource', sa.String(length=200), nullable=False, comment='what it links to, e.g. scenario:credit-hold'),
    sa.Column('ags', sa.JSON(), nullable=False, comment="the launch's AGS endpoint claim: scope, lineitem(s)"),
    sa.Column('record_id', sa.Integer(), nullable=True, comment='study session, exam or scenario attempt id the score comes from; None until known'),
    sa.Column('launched_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_grade_links_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_grade_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_grade_links')),
    sa.UniqueConstraint('user_id', 'platform_id', 'resource_link_id', name='uq_lti_grade_links_user_id')
    )
    with op.batch_alter_table('lti_grade_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_grade_links_user_id'), ['user_id'], unique=False)

    op.create_table('lti_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False, comment="the id_token's sub: stable per issuer"),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identities')),
    sa.UniqueConstraint('issuer', 'subject', name='uq_lti_identities_issuer')
    )
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_identities_user_id'), ['user_id'], unique=False)

    op.create_table('lti_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False, comment='the completed record the score comes from'),
    sa.Column('score_given', sa.Float(), nullable=False, comment='0..score_maximum'),
    sa.Column('score_maximum', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False, comment='pending or sent'),
    sa.Column('attempts', sa.Integer(), nullable=False, comment='deliveries tried so far'),
    sa.Column('last_error', sa.Text(), nullable=True, comment='why the last delivery failed'),
    sa.Column('completed_at', app.models.base.UTCDateTime(timezone=True), nullable=False, comment='when the learner completed it'),
    sa.Column('sent_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['lti_grade_links.id'], name=op.f('fk_lti_scores_link_id_lti_grade_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_scores')),
    sa.UniqueConstraint('link_id', 'record_id', name='uq_lti_scores_link_id')
    )
    with op.batch_alter_table('lti_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_scores_link_id'), ['link_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lti_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_scores_link_id'))

    op.drop_table('lti_scores')
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_identities_user_id'))

    op.drop_table('lti_identities')
    with op.batch_alter_table('lti_grade_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_grade_links_user_id'))

    op.drop_table('lti_grade_links')
    op.drop_table('lti_deployments')
    with op.batch_alter_table('lti_contexts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_contexts_cohort_id'))

    op.drop_table('lti_contexts')
    op.drop_table('lti_platforms')
    with op.batch_alter_table('lti_launch_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_launch_values_expires_at'))

    op.drop_table('lti_launch_values')
