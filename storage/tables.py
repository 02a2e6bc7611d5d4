"""Imports every module that defines tables, so `SQLModel.metadata` knows them all.

Alembic's env.py and the tests import this; each feature's tables live in their own module.
"""

from storage import models, models_hotline, models_outbox  # noqa: F401
from storage import models_console, models_events, models_examples, models_orgs  # noqa: F401
from storage import models_faq_content  # noqa: F401
