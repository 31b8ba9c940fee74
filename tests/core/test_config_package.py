"""The shape of bot.config: a public surface, small modules, no private reach-ins."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot.config

ROOT = Path(__file__).parents[2]
OUR_PACKAGES = ("bot", "groups", "adapters", "tests", "bench")
CONFIG_MODULES = sorted((ROOT / "bot" / "config").glob("*.py"))


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


@pytest.mark.parametrize("path", CONFIG_MODULES, ids=lambda p: p.name)
def test_config_modules_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 50, f"{node.name} is {length} lines long"
