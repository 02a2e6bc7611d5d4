"""Plain SQL at the driver level, on the unit of work's own connection and transaction.

Every message runs the same few statements (the redelivery claim, the person lookup, the
question log). Through the ORM session each costs ~0.2 ms of Python; at the driver level a few
tens of microseconds. Everything else keeps using the ORM session — in the same transaction, so
a unit of work still commits or rolls back as one.

Statements are written once with `?` placeholders (numbered `$n` for asyncpg). Values cross
through SQLAlchemy's own type processors for the dialect (aware UTC datetimes stored as text on
SQLite, booleans, JSON), exactly as ORM statements would. Rows become ORM instances that the
session knows as persistent, so later changes are flushed as UPDATEs and `session.get` returns
the same object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect
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
        assert session.bind is not None
        self._dialect: Dialect = session.bind.dialect
        self.sqlite = self._dialect.name == "sqlite"

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
        process = _processors(self._dialect).when
        return process(value) if process is not None else value

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
        convert = _processors(self._dialect).columns(model)
        fields = {name: fn(value) if fn is not None else value
                  for (name, fn), value in zip(convert, values)}
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


@dataclass
class _Processors:
    """SQLAlchemy's value processors for one dialect, built once."""

    dialect: Dialect
    when: Callable[[Any], Any] | None = None
    _columns: dict[type[SQLModel], list[tuple[str, Callable[[Any], Any] | None]]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        self.when = UTCDateTime().dialect_impl(self.dialect).bind_processor(self.dialect)

    def columns(self, model: type[SQLModel]) -> list[tuple[str, Callable[[Any], Any] | None]]:
        """(attribute, result processor or None) for each column of `model`, in table order."""
        found = self._columns.get(model)
        if found is None:
            found = self._columns[model] = [
                (column.key, column.type.dialect_impl(self.dialect).result_processor(
                    self.dialect, None))
                for column in model.__table__.columns]  # type: ignore[attr-defined]
        return found


_PROCESSORS: dict[str, _Processors] = {}


def _processors(dialect: Dialect) -> _Processors:
    found = _PROCESSORS.get(dialect.name)
    if found is None:
        found = _PROCESSORS[dialect.name] = _Processors(dialect)
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
