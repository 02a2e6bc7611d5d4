"""The FAQ service: match a question, render an answer with the hub's configured facts."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.faq.content import COMMAND_PLACEHOLDERS, FaqContent, Topic
from bot.faq.matcher import FaqMatcher, MatchResult
from bot.faq.render import fill, unanswerable
from bot.settings import Settings

# The same words come again and again ("hello", "where is the office", a button's label typed):
# their matches are remembered, by a digest of the text (the text itself is not kept), until
# the content changes. 1,024 answers are a few hundred kilobytes.
REMEMBERED_MATCHES = 1024


@dataclass
class FaqService:
    """Answers free-text questions from the content file."""

    content: FaqContent
    matcher: FaqMatcher
    settings: Settings
    has_command: Callable[[str], bool]
    _silent: tuple[FaqContent | None, set[str]] = field(default=(None, set()), init=False,
                                                        repr=False)
    _remembered: OrderedDict[bytes, MatchResult] = field(default_factory=OrderedDict,
                                                         init=False, repr=False)

    def replace(self, content: FaqContent, matcher: FaqMatcher) -> None:
        """Answer from new content from now on (both at once: no await in between)."""
        self.content, self.matcher = content, matcher
        self._remembered.clear()

    def match(self, query: str) -> MatchResult:
        """Which topic the question is about, if any is close enough (and has an answer)."""
        key = hashlib.blake2b(query.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        remembered = self._remembered.get(key)
        if remembered is not None:
            self._remembered.move_to_end(key)
            return dataclasses.replace(remembered, query=query)
        result = self.matcher.match(query, leave_out=self.silent_topics())
        self._remembered[key] = dataclasses.replace(result, query="")
        if len(self._remembered) > REMEMBERED_MATCHES:
            self._remembered.popitem(last=False)
        return result

    def silent_topics(self) -> set[str]:
        """Topics with nothing to say here: their answer needs an unset setting (hours)."""
        content, silent = self._silent
        if content is not self.content:
            silent = unanswerable(self.content, self.placeholder_values())
            self._silent = (self.content, silent)
        return silent

    def topic(self, topic_id: str) -> Topic | None:
        """A topic by id."""
        return self.content.by_id.get(topic_id)

    def answer(self, topic: Topic, language: str) -> str:
        """The topic's answer in `language`, facts filled in, unknown facts left out."""
        return fill(topic.answer[language], self.placeholder_values())

    def placeholder_values(self) -> dict[str, str | None]:
        """Values for `{placeholders}`: configured contacts and the commands that exist."""
        return placeholder_values(self.settings, self.has_command)

    def topics_in(self, category_id: str, language: str) -> list[Topic]:
        """A category's topics that have something to say (no hours topic without hours)."""
        return [t for t in self.content.topics_in(category_id) if self.answer(t, language)]


def placeholder_values(settings: Settings,
                       has_command: Callable[[str], bool]) -> dict[str, str | None]:
    """Values for `{placeholders}`: configured contacts and the commands that exist."""
    values: dict[str, str | None] = {
        "hub_phone": settings.hub_phone,
        "hub_email": settings.hub_email,
        "hub_hours": settings.hub_hours,
    }
    for placeholder, command in COMMAND_PLACEHOLDERS.items():
        values[placeholder] = f"/{command}" if has_command(command) else None
    return values
