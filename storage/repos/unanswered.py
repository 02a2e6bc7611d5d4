"""The unanswered inbox's queries: questions the bot did not answer well, and staff decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, false, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FaqFeedback, FaqQuestion
from storage.models_hotline import Ticket


@dataclass(frozen=True)
class MissedQuestion:
    """A question the bot did not answer, answered with 👎, or followed by a ticket."""

    id: int
    language: str
    query: str
    answer_id: str | None
    created_at: datetime
    disliked: bool
    ticket_at: datetime | None  # the person's first ticket opened after the question


class UnansweredRepo:
    """Questions waiting for a staff decision, newest first, and the decisions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def waiting(self, since: datetime, limit: int) -> list[MissedQuestion]:
        """Questions since `since` with no decision yet that went unanswered, got a 👎, or
        were followed by a ticket from the same person (how soon is left to the caller)."""
        question = FaqQuestion.__table__  # type: ignore[attr-defined]
        disliked = exists().where(col(FaqFeedback.question_id) == question.c.id,
                                  col(FaqFeedback.helpful) == false())
        ticket_at = (select(func.min(Ticket.created_at))
                     .where(col(Ticket.person_id) == question.c.person_id,
                            col(Ticket.created_at) >= question.c.created_at)
                     .correlate(question).scalar_subquery())
        rows = (await self.session.exec(  # type: ignore[call-overload]
            select(question.c.id, question.c.language, question.c.query, question.c.answer_id,
                   question.c.created_at, disliked.label("disliked"), ticket_at.label("ticket_at"))
            .where(question.c.review.is_(None), question.c.created_at >= since,
                   or_(question.c.answer_id.is_(None), disliked,
                       question.c.person_id.is_not(None) & ticket_at.is_not(None)))
            .order_by(question.c.id.desc()).limit(limit))).all()
        return [MissedQuestion(id=r.id, language=r.language, query=r.query,
                               answer_id=r.answer_id, created_at=r.created_at,
                               disliked=bool(r.disliked), ticket_at=r.ticket_at) for r in rows]

    async def waiting_count(self, question_ids: list[int]) -> int:
        """How many of the questions still wait for a decision."""
        return int((await self.session.exec(
            select(func.count()).where(col(FaqQuestion.id).in_(question_ids),
                                       col(FaqQuestion.review).is_(None)))).one())

    async def decide(self, question_ids: list[int], review: str) -> int:
        """Record a decision on those of the questions still waiting; how many were."""
        if not question_ids:
            return 0
        result = await self.session.exec(  # type: ignore[call-overload]
            update(FaqQuestion).where(col(FaqQuestion.id).in_(question_ids),
                                      col(FaqQuestion.review).is_(None))
            .values(review=review[:80]))
        return int(result.rowcount or 0)
