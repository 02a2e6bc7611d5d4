"""events' check-in codes, who attended (event_attendance) and their feedback (event_feedback)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.models_attendance import new_checkin_code

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT = sa.table('event', sa.column('id', sa.Integer()),
                 sa.column('checkin_code', sa.String()))


def upgrade() -> None:
    # Added nullable, filled for existing events, then made required (no rebuild of `event`
    # before it is filled: its registrations cascade).
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_code', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.select(EVENT.c.id))]
    codes: set[str] = set()
    for event_id in ids:
        code = new_checkin_code()
        while code in codes:
            code = new_checkin_code()
        codes.add(code)
        connection.execute(EVENT.update().where(EVENT.c.id == event_id).values(checkin_code=code))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('checkin_code', existing_type=sqlmodel.sql.sqltypes.AutoString(
            length=16), nullable=False)
        batch_op.create_index('ix_event_checkin_code', ['checkin_code'], unique=True)

    op.create_table('event_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('organisation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('staff_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('checked_in_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['event_registration.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'person_id', name='uq_event_attendance')
    )
    op.create_index('ix_event_attendance_event_id', 'event_attendance', ['event_id'])
    op.create_index('ix_event_attendance_person_id', 'event_attendance', ['person_id'])
    op.create_index('ix_event_attendance_checked_in_at', 'event_attendance', ['checked_in_at'])

    op.create_table('event_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('will_apply', sa.Text(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'person_id', name='uq_event_feedback')
    )
    op.create_index('ix_event_feedback_event_id', 'event_feedback', ['event_id'])
    op.create_index('ix_event_feedback_person_id', 'event_feedback', ['person_id'])
    op.create_index('ix_event_feedback_created_at', 'event_feedback', ['created_at'])


def downgrade() -> None:
    op.drop_table('event_feedback')
    op.drop_table('event_attendance')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_checkin_code')
    op.execute('ALTER TABLE event DROP COLUMN checkin_code')
