"""FAQ questions asked and the feedback on answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FaqFeedback, FaqQuestion, utcnow
from storage.one_trip import Prepared

# Runs for every question: one INSERT returning the new id, one trip (storage/one_trip.py).
_QUESTION = FaqQuestion.__table__  # type: ignore[attr-defined]
_RECORD_QUESTION = Prepared(insert(_QUESTION).returning(_QUESTION.c.id))


class FaqRepo:
    """Records what was asked and whether the answer helped."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_question(
        self, *, person_id: int, language: str, query: str, answer_id: str | None, score: float
    ) -> int:
        """Keep the question so staff can see what people ask and what went unanswered.

        Returns the question's id (the "Did this help?" buttons carry it)."""
        (question_id,), = await _RECORD_QUESTION.rows(self.session, {
            "person_id": person_id, "language": language, "query": query[:4096],
            "answer_id": answer_id, "score": round(score, 4), "created_at": utcnow()})
        return int(question_id)

    async def last_question_id(self, person_id: int, since: datetime) -> int | None:
        """The person's latest question to the FAQ since `since`, if any."""
        return (await self.session.exec(
            select(FaqQuestion.id).where(FaqQuestion.person_id == person_id,
                                         col(FaqQuestion.created_at) >= since)
            .order_by(col(FaqQuestion.id).desc()).limit(1))).first()

    async def question(self, question_id: int) -> FaqQuestion | None:
        """One recorded question."""
        return await self.session.get(FaqQuestion, question_id)

    async def record_feedback(
        self, *, person_id: int, question_id: int | None, topic_id: str, helpful: bool
    ) -> FaqFeedback:
        """Store (or change) a person's vote on one answer."""
        existing = None
        if question_id is not None:  # browsed answers have no question: each vote is its own row
            existing = (await self.session.exec(
                select(FaqFeedback).where(FaqFeedback.person_id == person_id,
                                          FaqFeedback.question_id == question_id)
            )).first()
        row = existing or FaqFeedback(person_id=person_id, question_id=question_id,
                                      topic_id=topic_id, helpful=helpful)
        row.helpful = helpful
        self.session.add(row)
        await self.session.flush()
        return row

    async def add_comment(self, feedback_id: int, comment: str) -> None:
        """Attach what the person says was missing."""
        row = await self.session.get(FaqFeedback, feedback_id)
        if row is not None:
            row.comment = comment[:2000]
            self.session.add(row)
