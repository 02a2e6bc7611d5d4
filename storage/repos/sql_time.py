"""Time arithmetic in SQL that the two databases spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, extract, func
from sqlmodel.ext.asyncio.session import AsyncSession


def dialect(session: AsyncSession) -> str:
    """"postgresql" or "sqlite": the database the session talks to."""
    return session.bind.dialect.name if session.bind else "sqlite"


def seconds_between(session: AsyncSession, start: Any, end: Any) -> Any:
    """SQL: seconds from `start` to `end` (two time columns or expressions)."""
    if dialect(session) == "postgresql":
        return cast(extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0
