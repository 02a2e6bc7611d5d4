"""`Services`: the wired services of one running bot, what every turn can reach."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.announcements import Announcements
from bot.services.checkin import CheckIn
from bot.services.early_replies import EarlyReplies
from bot.services.faq import FaqService
from bot.services.faq_editor import FaqEditor
from bot.services.feedback import Feedback
from bot.services.hotline import Hotline
from bot.services.routines import Routines
from bot.services.tickets import Tickets
from bot.settings import Settings


@dataclass(frozen=True)
class Services:
    """The wired services of one running bot."""

    settings: Settings
    faq: FaqService
    hotline: Hotline
    announcements: Announcements
    routines: Routines
    tickets: Tickets
    early_replies: EarlyReplies  # staff replies written before their ticket is recorded
    checkin: CheckIn
    feedback: Feedback
    faq_editor: FaqEditor | None = None  # changes the FAQ content (console pages)
