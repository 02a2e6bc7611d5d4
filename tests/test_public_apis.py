"""The database libraries are used through their public APIs only.

A private name of SQLAlchemy, SQLModel, aiosqlite or asyncpg (a `_`-prefixed module, function or
attribute, or a subclass of a driver adapter) may change in any patch release; the bot must not
depend on one. The scan reads the code (it does not run it), so it also covers code paths the
other tests do not reach.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("bot", "handlers", "storage", "scripts", "tests", "scheduler.py")
LIBRARIES = ("sqlalchemy", "sqlmodel", "aiosqlite", "asyncpg")
# Driver layers: their classes are not extension points.
ADAPTER_MODULES = ("aiosqlite", "asyncpg", "sqlalchemy.connectors", "sqlalchemy.dialects")
# Internals of the drivers and SQLAlchemy's adapters that this project once reached into. Some
# are also names of the project's own attributes, so they count on any object but `self`.
KNOWN_INTERNALS = frozenset({
    "_conn", "_connection", "_thread", "_tx", "_execute", "_execute_async",
    "_executemany_async", "_execute_mutex", "_transaction", "_start_transaction",
    "_soft_closed_memoized", "_handle_exception", "_adapt_connection", "_cursor",
    "_async_soft_close", "_rows", "_started", "_prepare", "_invalidate_schema_cache_asof",
})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _of_library(module: str, libraries: tuple[str, ...] = LIBRARIES) -> bool:
    return any(module == lib or module.startswith(lib + ".") for lib in libraries)


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def own_names(sources: list[str]) -> set[str]:
    """Every name the project itself defines (functions, classes, variables, attributes)."""
    names: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def violations(source: str, own: set[str]) -> list[str]:
    """Uses of the libraries' private names in `source`, as "line: what" strings."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}  # local name -> the module it was imported as / from
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[(alias.asname or alias.name).split(".")[0]] = alias.name
                if _of_library(alias.name) and any(map(_is_private, alias.name.split("."))):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                modules[alias.asname or alias.name] = node.module
                if _of_library(node.module) and (
                        any(map(_is_private, node.module.split("."))) or _is_private(alias.name)):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = _dotted(base) or ""
                origin = modules.get(name.split(".")[0], "")
                if name.split(".")[-1].startswith("AsyncAdapt") or _of_library(
                        origin if "." not in name else name, ADAPTER_MODULES):
                    found.append(f"{node.lineno}: class {node.name}({name})")
        elif isinstance(node, ast.Attribute) and _is_private(node.attr):
            receiver = node.value.id if isinstance(node.value, ast.Name) else None
            if receiver in ("self", "cls"):
                continue
            root = _dotted(node.value)
            module = modules.get(root.split(".")[0]) if root else None
            if module is not None and not _of_library(module):
                continue  # another module's name (the standard library's, say): not ours to judge
            if (module is not None or node.attr in KNOWN_INTERNALS or node.attr not in own):
                found.append(f"{node.lineno}: .{node.attr}")
    return found


def _project_sources() -> dict[str, str]:
    files = []
    for entry in SCANNED:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in files}


def test_the_bot_uses_no_private_name_of_the_database_libraries() -> None:
    sources = _project_sources()
    own = own_names(list(sources.values()))
    found = [f"{name}:{hit}" for name, source in sources.items()
             for hit in violations(source, own)]
    assert found == []
    assert not (ROOT / "storage" / "sqlite_driver.py").exists()


BAD = {
    "private module": "from sqlalchemy.util._collections import immutabledict",
    "private function": "from sqlalchemy.util.concurrency import _concurrency_shim",
    "private import of a module": "import sqlalchemy.engine._processors",
    "adapter subclass": ("from sqlalchemy.dialects.sqlite.aiosqlite import "
                         "AsyncAdapt_aiosqlite_cursor\n"
                         "class Inline(AsyncAdapt_aiosqlite_cursor):\n    pass"),
    "driver subclass": "import aiosqlite\nclass Mine(aiosqlite.Connection):\n    pass",
    "adapter method": "async def run(cursor):\n    await cursor._execute_async('SELECT 1', ())",
    "driver connection": "def raw(connection):\n    return connection._connection._conn",
    "adapter transaction": ("async def go(adapted):\n    if adapted._transaction is None:\n"
                            "        await adapted._start_transaction()"),
    "unknown private attribute": "def peek(result):\n    return result._metadata",
    "library attribute": "import sqlalchemy\nprocess = sqlalchemy.util._has_cy",
}


@pytest.mark.parametrize("source", list(BAD.values()), ids=list(BAD))
def test_the_scan_finds_each_kind_of_private_use(source: str) -> None:
    assert violations(source, own=set()) != []


def test_the_scan_leaves_public_use_and_the_projects_own_names_alone() -> None:
    source = (
        "import argparse\n"
        "from sqlalchemy import event, insert\n"
        "from sqlalchemy.dialects.sqlite import insert as sqlite_insert\n"
        "class Leader:\n"
        "    def __init__(self):\n"
        "        self._connection = None\n"
        "    def held(self):\n"
        "        return self._connection is not None\n"
        "def begin(connection, other):\n"
        "    connection.connection.dbapi_connection.run_async(lambda c: c.execute('BEGIN'))\n"
        "    return other._queue, argparse._SubParsersAction\n"
        "def _queue_size():\n"
        "    return sqlite_insert(object).on_conflict_do_nothing()\n")
    assert violations(source, own=own_names([source]) | {"_queue"}) == []
