"""DESIGN.md's import rules, enforced: the core knows no platform and no domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("bot", "groups", "adapters")
COMPOSITION_ROOTS = {"bot.app", "bot.cli", "bot.__main__"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(tree: ast.Module) -> set[str]:
    """Modules imported at run time (imports under ``if TYPE_CHECKING`` don't count)."""
    found: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return found


MODULES = {
    _module_name(path): _imports(ast.parse(path.read_text(encoding="utf-8")))
    for package in PACKAGES
    for path in (ROOT / package).rglob("*.py")
}


def _forbidden(module: str) -> tuple[str, ...]:
    if module in COMPOSITION_ROOTS:
        return ("discord", "telegram")
    if module.startswith("bot"):
        return ("groups", "adapters", "discord", "telegram")
    if module.startswith("groups"):
        return ("adapters", "discord", "telegram")
    forbidden = ["groups"]
    for sdk in ("discord", "telegram"):
        if not module.startswith(f"adapters.{sdk}"):
            forbidden.append(sdk)
    return tuple(forbidden)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_respects_the_import_rules(module: str) -> None:
    banned = _forbidden(module)
    offending = sorted(name for name in MODULES[module] if name.split(".")[0] in banned)
    assert offending == [], f"{module} may not import {offending}"


def test_the_rules_would_catch_a_core_module_importing_the_domain() -> None:
    tree = ast.parse("import groups.membership\nfrom adapters.base import Capabilities\n")
    assert {"groups.membership", "adapters.base"} <= _imports(tree)
    assert "groups" in _forbidden("bot.dispatcher")
    assert "adapters" in _forbidden("groups.commands")
    assert "telegram" in _forbidden("adapters.discord.adapter")


def test_there_are_no_import_cycles() -> None:
    graph = {
        module: {name for name in imports if name in MODULES and name != module}
        for module, imports in MODULES.items()
    }
    finished: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in finished:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        finished.add(module)

    for module in sorted(graph):
        visit(module, [])
