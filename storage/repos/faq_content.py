"""Queries of the FAQ content tables: the whole document, one part of it, the change history
and the version row. Documents are plain dicts (see `bot/faq/document.py` for their shape)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import utcnow
from storage.models_faq_content import (
    FaqCanned,
    FaqCategory,
    FaqChange,
    FaqContentState,
    FaqOfftopic,
    FaqPhrasing,
    FaqTopic,
)

KINDS = ("en", "ka", "translit")


class FaqContentRepo:
    """The FAQ content as documents, written part by part, with its history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def version(self, *, lock: bool = False) -> int:
        """The content's version (0: never seeded); `lock` holds the row until commit, so
        changes to the content happen one at a time."""
        query = select(FaqContentState.version).where(FaqContentState.id == 1)
        if lock:
            query = query.with_for_update()
        return (await self.session.exec(query)).one()

    async def bump(self, version: int) -> None:
        """Set the content's version (the last change's id)."""
        await self.session.exec(update(FaqContentState).where(  # type: ignore[call-overload]
            col(FaqContentState.id) == 1).values(version=version, changed_at=utcnow()))

    async def is_empty(self) -> bool:
        """True when there are no topics."""
        return (await self.session.exec(select(FaqTopic.id).limit(1))).first() is None

    async def document(self) -> dict[str, Any]:
        """Everything, in order: a few queries, whatever the size."""
        categories = (await self.session.exec(
            select(FaqCategory).order_by(col(FaqCategory.position), col(FaqCategory.id)))).all()
        topics = (await self.session.exec(
            select(FaqTopic).order_by(col(FaqTopic.position), col(FaqTopic.id)))).all()
        phrasings = (await self.session.exec(select(FaqPhrasing).order_by(
            col(FaqPhrasing.topic_id), col(FaqPhrasing.position), col(FaqPhrasing.id)))).all()
        offtopic = (await self.session.exec(select(FaqOfftopic).order_by(
            col(FaqOfftopic.position), col(FaqOfftopic.id)))).all()
        canned = (await self.session.exec(
            select(FaqCanned).order_by(col(FaqCanned.position), col(FaqCanned.name)))).all()
        questions: dict[str, dict[str, list[str]]] = {t.id: {k: [] for k in KINDS} for t in topics}
        for p in phrasings:
            if p.topic_id in questions and p.kind in KINDS:
                questions[p.topic_id][p.kind].append(p.text)
        off: dict[str, list[str]] = {k: [] for k in KINDS}
        for o in offtopic:
            off.setdefault(o.kind, []).append(o.text)
        return {
            "version": 1,
            "categories": [{"id": c.id, "title": {"ka": c.title_ka, "en": c.title_en}}
                           for c in categories],
            "topics": [_topic_dict(t, questions[t.id]) for t in topics],
            "offtopic": off,
            "canned": {c.name: {"ka": c.text_ka, "en": c.text_en} for c in canned},
        }

    async def topic(self, topic_id: str) -> dict[str, Any] | None:
        """One topic as a document part, or None."""
        row = await self.session.get(FaqTopic, topic_id)
        if row is None:
            return None
        phrasings = (await self.session.exec(select(FaqPhrasing).where(
            FaqPhrasing.topic_id == topic_id).order_by(
                col(FaqPhrasing.position), col(FaqPhrasing.id)))).all()
        questions: dict[str, list[str]] = {k: [] for k in KINDS}
        for p in phrasings:
            questions.setdefault(p.kind, []).append(p.text)
        return _topic_dict(row, questions)

    async def put_topic(self, topic: dict[str, Any], position: int | None = None) -> None:
        """Create or replace a topic and its phrasings (a new one goes last)."""
        row = await self.session.get(FaqTopic, topic["id"])
        if row is None:
            if position is None:
                last = (await self.session.exec(select(FaqTopic.position).order_by(
                    col(FaqTopic.position).desc()).limit(1))).first()
                position = (last or 0) + 1
            row = FaqTopic(id=topic["id"], category_id=topic["category"], position=position)
        row.category_id = topic["category"]
        row.title_ka, row.title_en = topic["title"]["ka"], topic["title"]["en"]
        row.short_ka, row.short_en = topic["short"]["ka"], topic["short"]["en"]
        row.answer_ka, row.answer_en = topic["answer"]["ka"], topic["answer"]["en"]
        self.session.add(row)
        await self.session.flush()
        await self.session.exec(delete(FaqPhrasing).where(  # type: ignore[call-overload]
            col(FaqPhrasing.topic_id) == topic["id"]))
        rows = [{"topic_id": topic["id"], "kind": kind, "position": i, "text": text}
                for kind in KINDS for i, text in enumerate(topic["questions"].get(kind, []))]
        if rows:
            await self.session.exec(insert(FaqPhrasing), params=rows)  # type: ignore[call-overload]

    async def delete_topic(self, topic_id: str) -> None:
        """Remove a topic and its phrasings."""
        await self.session.exec(delete(FaqPhrasing).where(  # type: ignore[call-overload]
            col(FaqPhrasing.topic_id) == topic_id))
        await self.session.exec(delete(FaqTopic).where(  # type: ignore[call-overload]
            col(FaqTopic.id) == topic_id))

    async def put_offtopic(self, offtopic: dict[str, list[str]]) -> None:
        """Replace the off-topic examples."""
        await self.session.exec(delete(FaqOfftopic))  # type: ignore[call-overload]
        rows = [{"kind": kind, "position": i, "text": text}
                for kind in KINDS for i, text in enumerate(offtopic.get(kind, []))]
        if rows:
            await self.session.exec(insert(FaqOfftopic), params=rows)  # type: ignore[call-overload]

    async def put_canned(self, name: str, texts: dict[str, str] | None) -> None:
        """Create, replace or (None) remove a canned answer."""
        row = await self.session.get(FaqCanned, name)
        if texts is None:
            if row is not None:
                await self.session.delete(row)
            return
        if row is None:
            count = len((await self.session.exec(select(FaqCanned.name))).all())
            row = FaqCanned(name=name, position=count + 1)
        row.text_ka, row.text_en = texts.get("ka", ""), texts.get("en", "")
        self.session.add(row)

    async def put_category(self, category: dict[str, Any]) -> None:
        """Create or replace a category (a new one goes last)."""
        row = await self.session.get(FaqCategory, category["id"])
        if row is None:
            count = len((await self.session.exec(select(FaqCategory.id))).all())
            row = FaqCategory(id=category["id"], position=count + 1)
        row.title_ka, row.title_en = category["title"]["ka"], category["title"]["en"]
        self.session.add(row)

    async def replace_all(self, document: dict[str, Any]) -> None:
        """Make the tables hold exactly `document` (import, seeding, reverting an import)."""
        for table in (FaqPhrasing, FaqTopic, FaqCategory, FaqOfftopic, FaqCanned):
            await self.session.exec(delete(table))  # type: ignore[call-overload]
        await self.session.flush()
        if document["categories"]:
            await self.session.exec(insert(FaqCategory), params=[  # type: ignore[call-overload]
                {"id": c["id"], "position": i, "title_ka": c["title"]["ka"],
                 "title_en": c["title"]["en"]} for i, c in enumerate(document["categories"])])
        if document["topics"]:
            await self.session.exec(insert(FaqTopic), params=[  # type: ignore[call-overload]
                {"id": t["id"], "category_id": t["category"], "position": i,
                 "title_ka": t["title"]["ka"], "title_en": t["title"]["en"],
                 "short_ka": t["short"]["ka"], "short_en": t["short"]["en"],
                 "answer_ka": t["answer"]["ka"], "answer_en": t["answer"]["en"]}
                for i, t in enumerate(document["topics"])])
            phrasings = [{"topic_id": t["id"], "kind": kind, "position": i, "text": text}
                         for t in document["topics"] for kind in KINDS
                         for i, text in enumerate(t["questions"].get(kind, []))]
            if phrasings:
                await self.session.exec(insert(FaqPhrasing),  # type: ignore[call-overload]
                                        params=phrasings)
        await self.put_offtopic(document["offtopic"])
        canned = [{"name": name, "position": i, "text_ka": texts.get("ka", ""),
                   "text_en": texts.get("en", "")}
                  for i, (name, texts) in enumerate(document["canned"].items())]
        if canned:
            await self.session.exec(insert(FaqCanned), params=canned)  # type: ignore[call-overload]

    async def add_change(self, change: FaqChange) -> int:
        """Record a change; its id is the content's new version."""
        self.session.add(change)
        await self.session.flush()
        assert change.id is not None
        return change.id

    async def change(self, version: int) -> FaqChange | None:
        """One change by its version."""
        return await self.session.get(FaqChange, version)

    async def changes(self, *, limit: int = 50, key: str | None = None) -> list[FaqChange]:
        """The newest changes first (of one topic or canned answer when `key` is given)."""
        query = select(FaqChange).order_by(col(FaqChange.id).desc()).limit(limit)
        if key is not None:
            query = query.where(FaqChange.key == key)
        return list((await self.session.exec(query)).all())


def _topic_dict(row: FaqTopic, questions: dict[str, list[str]]) -> dict[str, Any]:
    return {"id": row.id, "category": row.category_id,
            "title": {"ka": row.title_ka, "en": row.title_en},
            "short": {"ka": row.short_ka, "en": row.short_en},
            "questions": {k: list(questions.get(k, [])) for k in KINDS},
            "answer": {"ka": row.answer_ka, "en": row.answer_en}}
