"""reminders name their event: withdrawing an event's reminders is an index lookup

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-16
"""
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMINDER_KEY = re.compile(r"^reminder:event(\d+):")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_event', ['event_id', 'state'], unique=False)
    # Reminders still to send learn their event (older ones are history; nothing withdraws them).
    outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('event_id', sa.Integer()),
                      sa.column('dedupe_key', sa.String()), sa.column('kind', sa.String()),
                      sa.column('state', sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.dedupe_key).where(
        outbox.c.kind == 'reminder', outbox.c.state.in_(('pending', 'sending')))).all()
    updates = [{'row_id': row_id, 'event': int(found.group(1))} for row_id, key in rows
               if (found := REMINDER_KEY.match(key))]
    if updates:
        connection.execute(outbox.update().where(outbox.c.id == sa.bindparam('row_id'))
                           .values(event_id=sa.bindparam('event')), updates)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_event')
        batch_op.drop_column('event_id')
