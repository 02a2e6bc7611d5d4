"""The FAQ service: match a question, render an answer with the hub's configured facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.faq.content import COMMAND_PLACEHOLDERS, FaqContent, Topic
from bot.faq.matcher import FaqMatcher, MatchResult
from bot.faq.render import fill
from bot.settings import Settings


@dataclass
class FaqService:
    """Answers free-text questions from the content file."""

    content: FaqContent
    matcher: FaqMatcher
    settings: Settings
    has_command: Callable[[str], bool]

    def replace(self, content: FaqContent, matcher: FaqMatcher) -> None:
        """Answer from new content from now on (both at once: no await in between)."""
        self.content, self.matcher = content, matcher

    def match(self, query: str) -> MatchResult:
        """Which topic the question is about, if any is close enough."""
        return self.matcher.match(query)

    def topic(self, topic_id: str) -> Topic | None:
        """A topic by id."""
        return self.content.by_id.get(topic_id)

    def answer(self, topic: Topic, language: str) -> str:
        """The topic's answer in `language`, facts filled in, unknown facts left out."""
        return fill(topic.answer[language], self.placeholder_values())

    def placeholder_values(self) -> dict[str, str | None]:
        """Values for `{placeholders}`: configured contacts and the commands that exist."""
        values: dict[str, str | None] = {
            "hub_phone": self.settings.hub_phone,
            "hub_email": self.settings.hub_email,
            "hub_hours": self.settings.hub_hours,
        }
        for placeholder, command in COMMAND_PLACEHOLDERS.items():
            values[placeholder] = f"/{command}" if self.has_command(command) else None
        return values
