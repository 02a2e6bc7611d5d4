"""Imports every module that defines tables, so `SQLModel.metadata` knows them all.

Alembic's env.py and the tests import this; each feature's tables live in their own module.
"""

from storage import (  # noqa: F401
    models,
    models_attendance,
    models_console,
    models_events,
    models_examples,
    models_faq_content,
    models_hotline,
    models_orgs,
    models_outbox,
)
