"""the console's inbox: each ticket's last activity and whether it waits for staff (indexed);
a relayed file's platform reference and where a staff message was written

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TICKET = sa.table('ticket', sa.column('id', sa.Integer()),
                  sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                  sa.column('last_activity_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                  sa.column('waiting_for_staff', sa.Boolean()))
EPOCH = '1970-01-01 00:00:00.000000'  # a constant: SQLite adds no column with another default
MESSAGE = sa.table('ticket_message', sa.column('id', sa.Integer()),
                   sa.column('ticket_id', sa.Integer()), sa.column('direction', sa.String()),
                   sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))


def upgrade() -> None:
    # Columns are only added (SQLite's ALTER TABLE): rebuilding `ticket` would drop it, and its
    # messages with it (ON DELETE CASCADE). Alembic rebuilds for any default that is an SQL
    # expression, so the defaults are plain strings; the datetime one is overwritten below.
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=False, server_default=EPOCH))
        batch_op.add_column(sa.Column('waiting_for_staff', sa.Boolean(), nullable=False,
                                      server_default='1'))  # a string: see above
        batch_op.create_index('ix_ticket_activity', ['last_activity_at'], unique=False)
        batch_op.create_index('ix_ticket_inbox', ['status', 'last_activity_at'], unique=False)
    # Existing tickets: their newest message (or their opening), and whether staff have
    # answered since the person's last message.
    last_message = sa.select(sa.func.max(MESSAGE.c.created_at)).where(
        MESSAGE.c.ticket_id == TICKET.c.id).scalar_subquery()
    person = MESSAGE.alias('person_message')
    last_in = sa.select(sa.func.coalesce(sa.func.max(person.c.id), 0)).where(
        person.c.ticket_id == TICKET.c.id, person.c.direction == 'in'
    ).correlate(TICKET).scalar_subquery()
    answered = sa.exists().where(MESSAGE.c.ticket_id == TICKET.c.id,
                                 MESSAGE.c.direction == 'out', MESSAGE.c.id > last_in)
    op.execute(TICKET.update().values(
        last_activity_at=sa.func.coalesce(last_message, TICKET.c.created_at),
        waiting_for_staff=sa.case((answered, sa.false()), else_=sa.true())))
    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_id', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('via', sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): no rebuild of `ticket` (see upgrade).
    op.drop_index('ix_ticket_inbox', table_name='ticket')
    op.drop_index('ix_ticket_activity', table_name='ticket')
    for table, column in (('ticket_message', 'via'), ('ticket_message', 'file_id'),
                          ('ticket', 'waiting_for_staff'), ('ticket', 'last_activity_at')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
