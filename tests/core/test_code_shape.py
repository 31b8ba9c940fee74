"""The shape of the code: small modules and functions, bot.config's public surface, no
private reach-ins. These read the source text, so they sit out mutation testing (whose
mutated copies are long and import their own helpers)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import bot.config

pytestmark = pytest.mark.skipif(
    "MUTANT_UNDER_TEST" in os.environ, reason="mutmut's copies are not the source"
)

ROOT = Path(__file__).parents[2]
OUR_PACKAGES = ("bot", "groups", "adapters", "tests", "bench")
CONFIG_MODULES = sorted((ROOT / "bot" / "config").glob("*.py"))
CODE_MODULES = sorted(
    p for package in ("bot", "groups", "adapters") for p in (ROOT / package).rglob("*.py")
)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _private_imports(tree: ast.Module) -> list[str]:
    """Private names (``_x``) of our own packages imported from another module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [
            name
            for name in names
            if name.split(".")[0] in OUR_PACKAGES and any(map(_is_private, name.split(".")))
        ]
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for package in OUR_PACKAGES for p in (ROOT / package).rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_private_name_is_imported_across_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _private_imports(tree) == []


def test_the_rule_would_catch_a_private_import() -> None:
    tree = ast.parse("from bot.config.fields import _located\nfrom os import _exit\n")
    assert _private_imports(tree) == ["bot.config.fields._located"]


def test_the_public_surface() -> None:
    for name in ("Settings", "load_settings", "ConfigError", "ConfigProblem", "GroupConfig"):
        assert name in bot.config.__all__
    assert all(not name.startswith("_") for name in bot.config.__all__)
    assert all(hasattr(bot.config, name) for name in bot.config.__all__)


def _long_functions(text: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > 50:
                found.append(f"{node.name} is {length} lines long")
    return found


@pytest.mark.parametrize("path", CONFIG_MODULES, ids=lambda p: p.name)
def test_config_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


@pytest.mark.parametrize("path", CODE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_stays_under_400_lines_and_every_function_under_50(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400
    assert _long_functions(text) == []


def test_the_size_rule_would_catch_a_long_function() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(50))
    assert _long_functions(f"def long():\n{body}\n") == ["long is 51 lines long"]
