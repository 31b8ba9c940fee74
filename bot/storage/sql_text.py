"""Reading SQL text the way both engines do: where strings, quoted names, comments and
dollar-quoted bodies start and end, so that nothing inside them is taken for a statement
end (``split_sql_script``), a named parameter, or a row-lock clause.

Repositories write one SQL text for every engine, with named parameters (``:name``):

- ``numbered_parameters`` rewrites them to PostgreSQL's ``$1, $2, ...`` (the same name
  is the same number), leaving ``::`` casts and anything quoted or commented alone;
- ``without_row_locks`` drops a trailing ``FOR UPDATE [SKIP LOCKED | NOWAIT]`` for SQLite,
  whose transactions already hold the whole database's write lock (``BEGIN IMMEDIATE``), so
  a claim written for several PostgreSQL workers means the same on one SQLite file.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ROW_LOCK = re.compile(
    r"\s+FOR\s+UPDATE(?:\s+SKIP\s+LOCKED|\s+NOWAIT)?\s*(?P<end>;?)\s*\Z", re.IGNORECASE
)


def is_word(script: str, index: int) -> bool:
    """Whether the character at ``index`` can be part of a name (``$`` can, in PostgreSQL)."""
    return index >= 0 and (script[index].isalnum() or script[index] in "_$")


def comment_end(script: str, index: int) -> int:
    """The index just past a comment starting at ``index`` (``index`` when none does)."""
    if script.startswith("--", index):
        newline = script.find("\n", index)
        return len(script) if newline == -1 else newline + 1
    if not script.startswith("/*", index):
        return index
    depth, at = 0, index
    while at < len(script):
        if script.startswith("/*", at):
            depth, at = depth + 1, at + 2
        elif script.startswith("*/", at):
            depth, at = depth - 1, at + 2
            if depth == 0:
                return at
        else:
            at += 1
    return len(script)


def quoted_end(script: str, index: int) -> int:
    """The index just past a string, quoted name or dollar-quoted body starting at
    ``index`` (``index`` when none does). An unterminated one runs to the end."""
    quote = script[index]
    if quote == "$" and not is_word(script, index - 1):
        tag = _DOLLAR_TAG.match(script, index)
        if tag is None:
            return index
        close = script.find(tag.group(), tag.end())
        return len(script) if close == -1 else close + len(tag.group())
    if quote not in "'\"":
        return index
    backslashes = quote == "'" and script[index - 1 : index] in ("e", "E")
    backslashes = backslashes and not is_word(script, index - 2)
    at = index + 1
    while at < len(script):
        if (backslashes and script[at] == "\\") or script.startswith(quote * 2, at):
            at += 2  # an escaped or doubled quote
        elif script[at] == quote:
            return at + 1
        else:
            at += 1
    return len(script)


def _skipped_end(sql: str, index: int) -> int:
    """Past a comment or quoted text at ``index``; ``index`` when neither starts there."""
    end = comment_end(sql, index)
    return end if end > index else quoted_end(sql, index)


@lru_cache(maxsize=1024)
def numbered_parameters(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with each ``:name`` as ``$n``, and the names in number order.

    ``::`` (a cast) is not a parameter, nor is anything in a string, quoted name, comment
    or dollar-quoted body. The SQL text comes from our own repositories, so the rewrite
    is cached per text.
    """
    pieces: list[str] = []
    names: list[str] = []
    start = index = 0
    while index < len(sql):
        char = sql[index]
        if char == ":" and sql.startswith("::", index):
            index += 2
        elif char == ":" and (name := _NAME.match(sql, index + 1)) and not is_word(sql, index - 1):
            if name.group() not in names:
                names.append(name.group())
            pieces += [sql[start:index], f"${names.index(name.group()) + 1}"]
            start = index = name.end()
        else:
            index = max(_skipped_end(sql, index), index + 1)
    pieces.append(sql[start:])
    return "".join(pieces), tuple(names)


@lru_cache(maxsize=1024)
def without_row_locks(sql: str) -> str:
    """``sql`` without a trailing ``FOR UPDATE [SKIP LOCKED | NOWAIT]`` (for SQLite)."""
    found = _ROW_LOCK.search(sql)
    if found is None or _inside_quotes_or_comment(sql, found.start()):
        return sql
    return sql[: found.start()] + found["end"]


def _inside_quotes_or_comment(sql: str, position: int) -> bool:
    index = 0
    while index < position:
        end = _skipped_end(sql, index)
        if end > index:
            if end > position:
                return True
            index = end
        else:
            index += 1
    return False


__all__ = [
    "comment_end",
    "is_word",
    "numbered_parameters",
    "quoted_end",
    "without_row_locks",
]
