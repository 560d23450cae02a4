"""questions and scenarios share one identity mixin (app.models.base.VersionedIdentity): one wording of
the comments on slug, retired_at and current_version_id

Comments exist only where the database keeps them (PostgreSQL); SQLite has none to change.

Revision ID: 0027
Revises: 0026
"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

SLUG = "the author's id (a question's {#id}, a scenario's front matter id); never reused"
RETIRED = "set when it left the files or was retired by hand; retired items are never served"
CURRENT = "the version served to new attempts"

BEFORE = {
    'questions': {
        'slug': "the author's {#id}; never reused",
        'retired_at': "set when the question left the files; retired items are never served",
        'current_version_id': "the version served to new attempts",
    },
    'scenarios': {
        'slug': "the front matter id; never reused",
        'retired_at': "set when the file disappeared",
        'current_version_id': "the version new attempts start on",
    },
}
TYPES = {'slug': sa.String(80), 'retired_at': sa.DateTime(timezone=True), 'current_version_id': sa.Integer()}
AFTER = {'slug': SLUG, 'retired_at': RETIRED, 'current_version_id': CURRENT}


def _comment(table: str, wanted: dict[str, str], existing: dict[str, str]) -> None:
    for column, comment in wanted.items():
        op.alter_column(
            table, column, comment=comment, existing_comment=existing[column], existing_type=TYPES[column]
        )


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, before in BEFORE.items():
        _comment(table, AFTER, before)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, before in BEFORE.items():
        _comment(table, before, AFTER)
