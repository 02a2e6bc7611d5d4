"""Core statements of the per-message path, each in one trip to the database driver.

Through SQLAlchemy's aiosqlite adapter a statement is three or four trips to aiosqlite's thread
(cursor, execute, fetch, close), and each trip waits for that thread and then for the event
loop. On SQLite a `Prepared` statement is compiled once and sent with aiosqlite's own
`execute_fetchall` (one trip), on the session's connection and so in its transaction; the
values go through the column types' own bind and result processors, as SQLAlchemy's execution
would. On PostgreSQL the unit of work's first statement goes through the session's connection as
Core (SQLAlchemy's asyncpg adapter begins its transaction there); the later ones are sent with
asyncpg's own `fetch` in that transaction (`Connection.is_in_transaction` says it has begun),
which skips the adapter's per-statement work (~40 % of a statement's CPU). On SQLite the
driver connection is aiosqlite's, or the turn engine's (storage/inline_sqlite.py), which speaks
the same interface.

Only public APIs: `AsyncSession.connection`, `AsyncConnection.get_raw_connection`,
`PoolProxiedConnection.driver_connection`, `ClauseElement.compile`, `SQLCompiler.positiontup`,
`construct_params`, `TypeEngine.dialect_impl`, `bind_processor`, `result_processor`, and
aiosqlite's `Connection.execute_fetchall`, asyncpg's `Connection.fetch` and `is_in_transaction`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    fixed: dict[str, Any]  # bind parameters the statement itself gives a value
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]

    def args(self, params: dict[str, Any]) -> tuple[Any, ...]:
        values = (params[name] if name in params else self.fixed[name].effective_value
                  for name in self.names)
        return tuple(value if process is None else process(value)
                     for value, process in zip(values, self.binds))

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(value if process is None else process(value)
                     for value, process in zip(raw, self.results))


class Prepared:
    """A Core statement (a select, or a write with RETURNING) run in one trip per call."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}

    async def rows(self, session: AsyncSession, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Run in the session's transaction (beginning it if needed); the rows, as tuples."""
        connection = await session.connection()
        dialect = connection.dialect
        driver: Any = (await connection.get_raw_connection()).driver_connection
        compiled = self._compile(dialect, params)
        if dialect.name == "sqlite":
            found = await driver.execute_fetchall(compiled.sql, compiled.args(params))
        elif driver.is_in_transaction():
            # asyncpg: SQLAlchemy's adapter begins the transaction with the first statement it
            # runs (a unit of work's first statement goes through it, below); once begun, the
            # driver's own `fetch` runs in it, without the adapter's per-statement work.
            found = await driver.fetch(compiled.sql, *compiled.args(params))
        else:
            result = await connection.execute(self.statement, params)  # type: ignore[arg-type]
            return [tuple(row) for row in result]
        return [compiled.row(row) for row in found]

    def _compile(self, dialect: Dialect, params: dict[str, Any]) -> _Compiled:
        key = (dialect.name, frozenset(params))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _compile(self.statement, dialect, sorted(params))
        return compiled


def _compile(statement: Executable, dialect: Dialect, keys: list[str]) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=keys)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    binds = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in names)
    columns = statement.exported_columns  # type: ignore[attr-defined]
    results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                    for column in columns)
    fixed = {name: compiled.binds[name] for name in names if name not in keys}
    return _Compiled(compiled.string, names, fixed, binds, results)
