"""The console's pages, in navigation order. Each module has `NAV = (path, title)` and
`add_routes(app)`; the titles are message ids, translated when shown."""

from __future__ import annotations

from types import ModuleType

from bot.console.pages import (
    announcements,
    audit,
    dashboard,
    events,
    faq,
    faq_topics,
    inbox,
    organisations,
    reports,
)

PAGES: tuple[ModuleType, ...] = (dashboard, inbox, organisations, events, announcements, faq,
                                  faq_topics, reports, audit)
