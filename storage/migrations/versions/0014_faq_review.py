"""the unanswered inbox: what staff decided about a question the bot could not answer

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column only (SQLite's ALTER TABLE, no rebuild of `faq_question`).
    with op.batch_alter_table('faq_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.String(length=80), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE faq_question DROP COLUMN review')
