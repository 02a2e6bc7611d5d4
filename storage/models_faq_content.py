"""The FAQ content staff edit: categories, topics with their phrasings and answers, the
off-topic examples and the canned answers; every change kept with its before and after.

Seeded from `content/*.yaml` on first start (`bot/services/faq_store.py`). `faq_content_state`
is one row whose `version` goes up with every change: each running process checks it cheaply
and reloads when it moved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Text
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class FaqCategory(SQLModel, table=True):
    """A group of topics for browsing."""

    __tablename__ = "faq_category"

    id: str = Field(primary_key=True, max_length=64)
    position: int = 0
    title_ka: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)


class FaqTopic(SQLModel, table=True):
    """One FAQ entry: titles and the answer in each language."""

    __tablename__ = "faq_topic"

    id: str = Field(primary_key=True, max_length=64)
    category_id: str = Field(max_length=64)
    position: int = 0
    title_ka: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    short_ka: str = Field(default="", max_length=100)
    short_en: str = Field(default="", max_length=100)
    answer_ka: str = Field(default="", sa_column=Column(Text, nullable=False))
    answer_en: str = Field(default="", sa_column=Column(Text, nullable=False))


class FaqPhrasing(SQLModel, table=True):
    """One way people ask a topic's question, in `kind` = ka, en or translit."""

    __tablename__ = "faq_phrasing"
    __table_args__ = (Index("ix_faq_phrasing_topic", "topic_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    topic_id: str = Field(sa_column=Column(
        String(64), ForeignKey("faq_topic.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=16)
    position: int = 0
    text: str = Field(sa_column=Column(Text, nullable=False))


class FaqOfftopic(SQLModel, table=True):
    """A question the hub does not answer (the matcher's competing pseudo-topic)."""

    __tablename__ = "faq_offtopic"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    position: int = 0
    text: str = Field(sa_column=Column(Text, nullable=False))


class FaqCanned(SQLModel, table=True):
    """A canned answer staff send with `/reply NAME`."""

    __tablename__ = "faq_canned"

    name: str = Field(primary_key=True, max_length=64)
    position: int = 0
    text_ka: str = Field(default="", sa_column=Column(Text, nullable=False))
    text_en: str = Field(default="", sa_column=Column(Text, nullable=False))


class FaqChange(SQLModel, table=True):
    """One change of the content: its id is the version; `before`/`after` are JSON of the
    changed part (a topic, a category, the off-topic list, a canned answer, or everything),
    null where it did not exist."""

    __tablename__ = "faq_change"
    __table_args__ = (Index("ix_faq_change_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    who: str = Field(max_length=128)
    action: str = Field(max_length=32)  # "add_phrasing", "update_answer", "import", "revert"…
    scope: str = Field(max_length=16)  # topic, category, offtopic, canned, all
    key: str = Field(default="", max_length=64)  # the topic's id, the canned answer's name…
    summary: str = Field(default="", max_length=300)
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))
    reverts: int | None = None  # the version this change reverted


class FaqContentState(SQLModel, table=True):
    """One row (id 1): the content's version, bumped by every change."""

    __tablename__ = "faq_content_state"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: datetime = Field(default_factory=utcnow)
