"""Fuzzing the config loader: any text, any value in any known setting, any
``PEERCIRCLE_*`` variable. It loads, or raises ``ConfigError`` with problems an
organizer can read; never anything else (which ``peercircle`` would show as a
traceback)."""

from __future__ import annotations

import asyncio
import enum
import itertools
import tomllib
import typing
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from pydantic import BaseModel

from bot.config import ConfigError, Settings, format_problems, load_settings
from tests.domain.matrix_world import Texts
from tests.fuzz.strategies import examples, nasty_text, unsafe_characters
from tests.fuzz.toml_text import CONFIG_WORDS, document, toml_values, value
from tests.harness import HARNESS_ENVIRON, Harness, person, write_config

Path_ = tuple[str | int, ...]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("config")


def _base(folder: Path) -> dict[str, Any]:
    return tomllib.loads(write_config(folder).read_text(encoding="utf-8"))


def _load(folder: Path, content: str | bytes, environ: dict[str, str] | None = None) -> None:
    """Load ``content`` as the config file: it loads, or is refused in plain words."""
    path = folder / "fuzzed.toml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(content)
    try:
        load_settings(path, environ=HARNESS_ENVIRON if environ is None else environ)
    except ConfigError as error:
        refused = error
    else:
        return
    assert refused.problems
    assert format_problems(refused, path)
    assert all(problem.message for problem in refused.problems)


def _models(annotation: Any) -> Iterator[tuple[type[BaseModel], bool]]:
    """The models inside a field's type (``X | None``, ``list[X]``), and whether in a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, False
        return
    listed = typing.get_origin(annotation) is list
    for inner in typing.get_args(annotation):
        for model, inner_listed in _models(inner):
            yield model, listed or inner_listed


def _fields(model: type[BaseModel], prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every setting's path (a list's first item as 0) and its type."""
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        yield path, info.annotation
        for inner, listed in _models(info.annotation):
            yield from _fields(inner, (*path, 0) if listed else path)


FIELDS = dict(_fields(Settings))
KNOWN = sorted(FIELDS, key=str)


def test_the_known_settings_reach_into_groups_and_sections() -> None:
    assert ("groups", 0, "schedule", "time") in KNOWN
    assert ("telegram", "limits", "per_chat_burst") in KNOWN
    assert ("organizers",) in KNOWN


def _put(data: dict[str, Any], path: Path_, item: Any) -> None:
    """Set ``path`` to ``item``, making the sections (and a group) on the way if need be."""
    node: Any = data
    for part, after in itertools.pairwise(path):
        if isinstance(part, int):
            if not node:
                node.append({})
            index = part % len(node)
            if not isinstance(node[index], dict):
                node[index] = {}
            node = node[index]
            continue
        wanted = list if isinstance(after, int) else dict
        if not isinstance(node.get(part), wanted):
            node[part] = [{}] if wanted is list else {}
        node = node[part]
    node[path[-1]] = item


@examples(40)
@given(st.sampled_from(KNOWN), toml_values())
def test_any_value_in_any_known_setting(folder: Path, path: Path_, item: Any) -> None:
    data = _base(folder)
    _put(data, path, item)
    _load(folder, document(data))


@examples(30)
@given(st.lists(st.sampled_from(KNOWN), min_size=1, max_size=4), st.data())
def test_several_odd_values_at_once(folder: Path, paths: list[Path_], data: st.DataObject) -> None:
    config = _base(folder)
    for path in paths:
        _put(config, path, data.draw(toml_values()))
    _load(folder, document(config))


def _lines(folder: Path) -> list[str]:
    return write_config(folder).read_text(encoding="utf-8").splitlines()


@examples(40)
@given(st.data())
def test_the_config_file_with_lines_changed(folder: Path, data: st.DataObject) -> None:
    """Lines deleted, repeated, swapped or rewritten: what a slip of the editor makes."""
    lines = _lines(folder)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        change = data.draw(st.sampled_from(["delete", "repeat", "swap", "rewrite", "value"]))
        if change == "delete" and len(lines) > 1:
            del lines[index]
        elif change == "repeat":
            lines.insert(index, lines[index])
        elif change == "swap":
            other = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif change == "rewrite":
            lines[index] = data.draw(nasty_text())
        elif "=" in lines[index]:
            key = lines[index].split("=", 1)[0]
            lines[index] = f"{key}= {value(data.draw(toml_values()))}"
    _load(folder, "\n".join(lines))


@examples(30)
@given(st.one_of(nasty_text(), st.binary(max_size=200)))
def test_any_file_at_all(folder: Path, content: str | bytes) -> None:
    _load(folder, content)


def _variable(path: Path_) -> str:
    return "PEERCIRCLE_" + "__".join(str(part).upper() for part in path)


@examples(40)
@given(
    st.dictionaries(
        st.one_of(
            st.sampled_from([_variable(p) for p in KNOWN if 0 not in p]),
            st.text(max_size=20).map(lambda name: "PEERCIRCLE_" + name),
        ),
        st.one_of(nasty_text(), st.sampled_from(["[]", "{}", '["console:x"]', "null", "1e999"])),
        max_size=3,
    )
)
def test_any_environment_variable(folder: Path, environ: dict[str, str]) -> None:
    _load(folder, write_config(folder).read_text(encoding="utf-8"), environ)


RUNTIME = [path for path in KNOWN if path[0] in ("bot", "groups", "checkins", "crisis")]
_SIMPLE: dict[Any, st.SearchStrategy[Any]] = {
    bool: st.booleans(),
    int: st.integers(min_value=-2, max_value=1000),
    float: st.floats(min_value=-1, max_value=1000),
    time: st.times(),
    date: st.dates(),
}


def _plausible(annotation: Any) -> st.SearchStrategy[Any]:
    """A value of about the right type for a setting: where the subtler checks are."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _plausible(args[0])
    if origin is list:
        return st.lists(_plausible(args[0]) if args else st.sampled_from(CONFIG_WORDS), max_size=3)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if args:  # a union: X | None
        return st.one_of([_plausible(arg) for arg in args if arg is not type(None)])
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from([member.value for member in annotation])
    return _SIMPLE.get(annotation, st.sampled_from(CONFIG_WORDS))


@examples(15)
@given(st.lists(st.sampled_from(RUNTIME), min_size=1, max_size=3), st.data())
def test_a_config_that_loads_runs(folder: Path, paths: list[Path_], data: st.DataObject) -> None:
    """Odd but valid settings (a rule that never repeats, a far time zone) must not
    break the bot later: it opens, and what members ask about the groups is answered."""
    config = _base(folder)
    for path in paths:
        _put(config, path, data.draw(_plausible(FIELDS[path])))
    file = folder / "runs.toml"
    file.write_text(document(config), encoding="utf-8")
    try:
        load_settings(file, environ=HARNESS_ENVIRON)
    except ConfigError:
        event("refused")
        return
    event("loaded")
    asyncio.run(_answers(file))


async def _answers(path: Path) -> None:
    harness = await Harness.open(path)
    try:
        texts = Texts.of(harness.app.catalog)
        lines = ["/groups", "/next", "/help", "/crisis", "/start"]
        for group in harness.app.directory.all():
            lines += [f"/join {group.slug}", f"/next {group.slug}", f"/calendar {group.slug}"]
        for line in lines:
            for reply in await harness.say(line, as_=person("tina")):
                assert not any(p.fullmatch(reply.text) for p in texts.failures), line
                for shown in (reply.text, *(button.label for button in reply.buttons)):
                    assert unsafe_characters(shown) == [], line
    finally:
        await harness.close()
