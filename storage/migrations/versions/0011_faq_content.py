"""FAQ content in the database: categories, topics, phrasings, off-topic examples, canned
answers, every change (who, when, before/after) and the content's version row

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRING = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'faq_category',
        sa.Column('id', STRING(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title_ka', STRING(length=200), nullable=False),
        sa.Column('title_en', STRING(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'faq_topic',
        sa.Column('id', STRING(length=64), nullable=False),
        sa.Column('category_id', STRING(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title_ka', STRING(length=200), nullable=False),
        sa.Column('title_en', STRING(length=200), nullable=False),
        sa.Column('short_ka', STRING(length=100), nullable=False),
        sa.Column('short_en', STRING(length=100), nullable=False),
        sa.Column('answer_ka', sa.Text(), nullable=False),
        sa.Column('answer_en', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'faq_phrasing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.String(length=64), nullable=False),
        sa.Column('kind', STRING(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['topic_id'], ['faq_topic.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_faq_phrasing_topic', 'faq_phrasing', ['topic_id', 'position'])
    op.create_table(
        'faq_offtopic',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', STRING(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'faq_canned',
        sa.Column('name', STRING(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text_ka', sa.Text(), nullable=False),
        sa.Column('text_en', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'faq_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', WHEN(), nullable=False),
        sa.Column('who', STRING(length=128), nullable=False),
        sa.Column('action', STRING(length=32), nullable=False),
        sa.Column('scope', STRING(length=16), nullable=False),
        sa.Column('key', STRING(length=64), nullable=False),
        sa.Column('summary', STRING(length=300), nullable=False),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        sa.Column('reverts', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_faq_change_at', 'faq_change', ['at'])
    op.create_table(
        'faq_content_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed_at', WHEN(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # The one row every change locks and bumps; version 0 = never seeded.
    op.execute("INSERT INTO faq_content_state (id, version, changed_at) "
               "VALUES (1, 0, '1970-01-01 00:00:00.000000')")


def downgrade() -> None:
    op.drop_table('faq_content_state')
    op.drop_index('ix_faq_change_at', table_name='faq_change')
    op.drop_table('faq_change')
    op.drop_table('faq_canned')
    op.drop_table('faq_offtopic')
    op.drop_index('ix_faq_phrasing_topic', table_name='faq_phrasing')
    op.drop_table('faq_phrasing')
    op.drop_table('faq_topic')
    op.drop_table('faq_category')

