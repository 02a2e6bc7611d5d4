"""`hubbot faq check`'s checks for content held in memory: the content as the YAML file's
mapping, and the problems of one topic as it would be after an edit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.faq.content import FaqContent, Topic, check_faq


def as_raw(content: FaqContent) -> dict[str, Any]:
    """The content as `content/faq.yaml` holds it."""
    return {
        "categories": [{"id": c.id, "title": dict(c.title)} for c in content.categories],
        "topics": [{"id": t.id, "category": t.category, "title": dict(t.title),
                    "short": dict(t.short), "answer": dict(t.answer),
                    "questions": {kind: list(texts) for kind, texts in t.questions.items()}}
                   for t in content.topics],
    }


def check_topic_answers(content: FaqContent, topic: Topic,
                        answers: dict[str, str]) -> list[str]:
    """What `hubbot faq check` would say about the content with `topic`'s answers replaced."""
    edited = replace(topic, answer={**topic.answer, **answers})
    topics = tuple(edited if t.id == topic.id else t for t in content.topics)
    return check_faq(as_raw(replace(content, topics=topics)))
