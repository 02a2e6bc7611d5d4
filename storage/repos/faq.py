"""FAQ questions asked and the feedback on answers."""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FaqFeedback, FaqQuestion, utcnow


# Runs for every question: a plain statement skips building an ORM insert each time.
_RECORD_QUESTION = text(
    "INSERT INTO faq_question (person_id, language, query, answer_id, score, created_at) "
    "VALUES (:person_id, :language, :query, :answer_id, :score, :created_at) RETURNING id"
).bindparams(bindparam("created_at", type_=FaqQuestion.__table__.c.created_at.type))


class FaqRepo:
    """Records what was asked and whether the answer helped."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_question(
        self, *, person_id: int, language: str, query: str, answer_id: str | None, score: float
    ) -> FaqQuestion:
        """Keep the question so staff can see what people ask and what went unanswered."""
        # A Core insert: one round trip, no ORM flush (this runs for every question asked).
        values = {"person_id": person_id, "language": language, "query": query[:4096],
                  "answer_id": answer_id, "score": round(score, 4), "created_at": utcnow()}
        result = await self.session.exec(_RECORD_QUESTION, params=values)  # type: ignore[call-overload]
        return FaqQuestion(id=result.scalar_one(), **values)

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
