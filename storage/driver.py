"""Plain SQL at the driver level, on the unit of work's own connection and transaction.

Every message runs the same few statements (the redelivery claim, the person lookup, the
question log). Through the ORM session each costs ~0.2 ms of Python; at the driver level a few
tens of microseconds. Everything else keeps using the ORM session — in the same transaction, so
a unit of work still commits or rolls back as one.

Statements are written once with `?` placeholders (numbered `$n` for asyncpg). Values cross in
the shapes the ORM's column types use: aware UTC datetimes (stored as UTC text on SQLite),
booleans, JSON. Rows become ORM instances that the session knows as persistent, so later
changes to them are flushed as UPDATEs and `session.get` returns the same object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Boolean
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import UTCDateTime


M = TypeVar("M", bound=SQLModel)
_PLACEHOLDER = re.compile(r"\?")


class DriverSQL:
    """Runs statements on the session's connection; the transaction starts at the first one."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._connection: Any = None  # SQLAlchemy's adapted DB-API connection
        self.sqlite = session.bind is not None and session.bind.dialect.name == "sqlite"

    async def fetch(self, sql: str, *params: Any) -> list[Sequence[Any]]:
        """Rows of a statement (a SELECT, or a write with RETURNING)."""
        rows, _ = await self._run(sql, params, want_rows=True)
        return rows

    async def execute(self, sql: str, *params: Any) -> int:
        """Run a write; returns how many rows it touched."""
        _, count = await self._run(sql, params, want_rows=False)
        return count

    def when(self, value: datetime | None) -> Any:
        """An aware datetime as this database's column stores it."""
        if value is None or not self.sqlite:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    async def _run(self, sql: str, params: tuple[Any, ...], *,
                   want_rows: bool) -> tuple[list[Any], int]:
        adapted = await self._adapted()
        if self.sqlite:
            _, rows, count, _ = await adapted.run(sql, params)
            return rows, count
        async with adapted._execute_mutex:
            if adapted._transaction is None:  # SQLAlchemy's asyncpg adapter begins lazily
                await adapted._start_transaction()
            asyncpg = adapted._connection  # its own statement cache prepares each SQL once
            if want_rows:
                return await asyncpg.fetch(_numbered(sql), *params), -1
            return [], _count(await asyncpg.execute(_numbered(sql), *params))

    async def _adapted(self) -> Any:
        if self._connection is None:
            connection = await self._session.connection()  # BEGIN (IMMEDIATE on SQLite)
            self._connection = (await connection.get_raw_connection()).dbapi_connection
        return self._connection

    # ------------------------------------------------------------------ rows ↔ ORM objects

    def adopt(self, model: type[M], values: Sequence[Any]) -> M:
        """An ORM instance from a row of `columns(model)`, known to the session as persistent.

        Built the way the ORM's own loader builds one (no `__init__`, values straight into the
        instance's dict); if the session already holds that row, its object is returned.
        """
        convert = _converters(model, self.sqlite)
        fields = {name: fn(value) for (name, fn), value in zip(convert, values)}
        mapper = sa_inspect(model)
        key = mapper.identity_key_from_primary_key([fields[c.key] for c in mapper.primary_key])
        held = self._session.sync_session.identity_map.get(key)
        if held is not None:
            return held  # type: ignore[no-any-return]
        instance = mapper.class_manager.new_instance()
        instance.__dict__.update(fields)
        make_transient_to_detached(instance)  # history reset: as if freshly loaded
        self._session.add(instance)
        return instance  # type: ignore[no-any-return]


def driver_sql(session: AsyncSession) -> DriverSQL:
    """The session's `DriverSQL` (one per session, so one per unit of work)."""
    found = session.info.get("driver_sql")
    if found is None:
        found = session.info["driver_sql"] = DriverSQL(session)
    return found  # type: ignore[no-any-return]


def columns(model: type[SQLModel], alias: str) -> str:
    """`alias.col1, alias.col2, …` in the order `DriverSQL.adopt` expects."""
    return ", ".join(f"{alias}.{c.name}" for c in model.__table__.columns)  # type: ignore[attr-defined]


def _identity(value: Any) -> Any:
    return value


def _sqlite_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.utcoffset() is None else parsed.astimezone(UTC)


def _pg_datetime(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _boolean(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


_CONVERTERS: dict[tuple[type[SQLModel], bool], list[tuple[str, Callable[[Any], Any]]]] = {}


def _converters(model: type[SQLModel], sqlite: bool) -> list[tuple[str, Callable[[Any], Any]]]:
    found = _CONVERTERS.get((model, sqlite))
    if found is None:
        found = []
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            kind = column.type
            if isinstance(kind, UTCDateTime):
                fn: Callable[[Any], Any] = _sqlite_datetime if sqlite else _pg_datetime
            elif isinstance(kind, Boolean):
                fn = _boolean
            elif isinstance(kind, JSON):
                fn = _json
            else:
                fn = _identity
            found.append((column.key, fn))
        _CONVERTERS[(model, sqlite)] = found
    return found


_NUMBERED: dict[str, str] = {}


def _numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, …`."""
    found = _NUMBERED.get(sql)
    if found is None:
        counter = iter(range(1, sql.count("?") + 1))
        found = _NUMBERED[sql] = _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)
    return found


def _count(status: str | None) -> int:
    """Rows touched, from PostgreSQL's status ("INSERT 0 1", "UPDATE 3")."""
    parts = (status or "").split()
    return int(parts[-1]) if parts and parts[-1].isdigit() else -1
