"""the audit log keeps no rejection reasons: a reason is a message to the person

Before, the audit row of an organisation's rejection held the reason staff wrote; the log
promises no message texts. Rows written so far say, as new ones do, that a reason was given
and how long it was.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # length() counts characters on SQLite and PostgreSQL alike, as Python's len() does.
    op.execute("UPDATE audit_entry SET details = 'reason given (' || length(details) "
               "|| ' characters)' WHERE action = 'org.reject' AND details <> '' "
               "AND details NOT LIKE 'reason given (%'")


def downgrade() -> None:
    pass  # the reasons are gone from the log for good (the organisation row keeps its own)
