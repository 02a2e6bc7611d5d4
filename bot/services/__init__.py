"""Services decide; handlers phrase. `Services` is what every turn can reach."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.router import Router
from bot.services.faq import FaqService
from bot.services.announcements import Announcements
from bot.services.hotline import Hotline
from bot.services.routines import Routines
from bot.settings import Settings


@dataclass(frozen=True)
class Services:
    """The wired services of one running bot."""

    settings: Settings
    router: Router
    faq: FaqService
    hotline: Hotline
    announcements: Announcements
    routines: Routines
