"""No import circles in the bot: every import counts, inside functions and TYPE_CHECKING too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")


def _modules() -> dict[str, Path]:
    found = {"scheduler": ROOT / "scheduler.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # Alembic loads these itself
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports (importing `a.b.c` also runs `a.b` and `a`)."""
    modules = _modules()

    def ours(name: str) -> list[str]:
        parts = name.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)
                if ".".join(parts[:i]) in modules]

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    kept = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(kept + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                graph[name].update(m for m in ours(target) if m != name
                                   and not name.startswith(m + "."))  # a module's own parents
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_checker_sees_imports_inside_functions_and_type_checking() -> None:
    graph = import_graph()
    assert "bot.app" in graph["bot.cli.run"]  # imported only for a type annotation
    assert "bot.assembly" in graph["bot.cli.run"]  # imported inside a function
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_channels_and_services_are_handed_what_they_need_not_the_app() -> None:
    graph = import_graph()
    wiring = {"bot.app", "bot.assembly", "bot.cli"}  # the builders; bot.assembly opens channels
    reaching_up = {name: sorted(m for m in graph[name] if m in wiring
                                or (name.startswith("bot.services") and m.startswith("bot.channels")))
                   for name in graph if name.startswith(("bot.channels", "bot.services"))}
    assert {name: up for name, up in reaching_up.items() if up} == {}
