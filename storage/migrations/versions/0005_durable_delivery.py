"""durable delivery: ordered outbox rows, topic creation recorded first

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_key', sqlmodel.sql.sqltypes.AutoString(length=80),
                                      nullable=True))
        batch_op.create_index('ix_outbox_order', ['order_key', 'id'], unique=False)
        batch_op.create_index('ix_outbox_person', ['person_id'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_requested_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('topic_requested_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_person')
        batch_op.drop_index('ix_outbox_order')
        batch_op.drop_column('order_key')
