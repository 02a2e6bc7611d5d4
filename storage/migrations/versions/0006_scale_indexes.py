"""indexes for the queries that grow with the data (staff chat lookups, digest, planning, directory)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table -> [(index name, columns)]; the same Index(...) entries are in the models' __table_args__
INDEXES = {
    'ticket': [('ix_ticket_card', ['staff_card_message_id']),
               ('ix_ticket_person', ['person_id']),
               ('ix_ticket_created', ['created_at']),
               ('ix_ticket_retention', ['erased_at', 'closed_at'])],
    'faq_question': [('ix_faq_question_person', ['person_id'])],
    'event_registration': [('ix_event_registration_created', ['created_at']),
                           ('ix_event_registration_updated', ['updated_at'])],
    'outbox': [('ix_outbox_created', ['created_at', 'id'])],
    'organisation': [('ix_organisation_listing', ['status', 'municipality', 'name_ka'])],
}


def upgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes:
                batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, indexes in reversed(INDEXES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _columns in reversed(indexes):
                batch_op.drop_index(name)
