"""Channel-neutral conversation handlers, one module per feature, registered explicitly."""

from __future__ import annotations

from types import ModuleType

from bot.core.router import Router
from handlers import (
    announce,
    attendees,
    basics,
    checkin,
    directory,
    events,
    faq,
    feedback,
    hotline,
    language,
    newevent,
    org_registration,
    org_review,
    privacy,
    report,
    staff,
    subscriptions,
    unanswered,
)

FEATURES: tuple[ModuleType, ...] = (basics, language, faq, hotline, staff, privacy,
                                    org_registration, org_review, directory, events, subscriptions,
                                    announce, attendees, newevent, checkin, feedback,
                                    unanswered, report)


def build_router(features: tuple[ModuleType, ...] = FEATURES) -> Router:
    """A router with every feature registered, in order."""
    router = Router()
    for feature in features:
        feature.register(router)
    return router
