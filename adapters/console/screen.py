"""The terminal the console writes to. A closed or full output (the reader of a pipe went
away, the disk is full, there is no stdout at all) ends the console quietly instead of
raising: there is nobody left to show a traceback to."""

from __future__ import annotations

from typing import TextIO


class Screen:
    def __init__(self, out: TextIO | None) -> None:
        self._out = out
        self.closed = out is None
        self._prompt: str | None = None  # showing, waiting for the person's line

    def write(self, text: str) -> None:
        """A message. One that comes while a prompt waits (a late answer on a live
        terminal) goes on a line of its own, and the prompt is shown again after it."""
        if self._prompt is None:
            self._emit(text + "\n\n")
        else:
            self._emit(f"\n{text}\n\n{self._prompt}")

    def prompt(self, text: str) -> None:
        self._prompt = text
        self._emit(text)

    def answered(self) -> None:
        """The person entered a line: the prompt is no longer waiting."""
        self._prompt = None

    def _emit(self, text: str) -> None:
        if self._out is None or self.closed:
            return
        try:
            self._out.write(text)
            self._out.flush()
        except (OSError, ValueError):  # BrokenPipeError, ENOSPC, or already closed
            self.closed = True
