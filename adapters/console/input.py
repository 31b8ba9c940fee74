"""Reading terminal input without blocking the event loop (or shutdown).

Input is read as bytes and decoded here, so a stray invalid byte (a pasted binary, a
terminal in the wrong locale) becomes U+FFFD and a note to the person, never a dead
input thread and a bot that no longer answers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class InputLine:
    text: str
    had_invalid_bytes: bool = False


def decode_line(raw: bytes) -> InputLine:
    stripped = raw.rstrip(b"\r\n")
    try:
        return InputLine(stripped.decode("utf-8"))
    except UnicodeDecodeError:
        return InputLine(stripped.decode("utf-8", errors="replace"), had_invalid_bytes=True)


async def read_lines(stream: BinaryIO | None) -> AsyncIterator[InputLine]:
    """Yield lines from ``stream`` until end of input (a closed or missing stream is
    simply the end). A daemon thread does the blocking reads, so an interrupted or
    finished program never waits on a terminal that has nothing more to say."""
    if stream is None:
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    def deliver(item: bytes | None) -> bool:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop has closed: nobody is listening any more
            return False
        return True

    def pump() -> None:
        try:
            for raw in stream:
                if not deliver(raw):
                    return
        except (OSError, ValueError):  # closed underneath us: that is the end too
            pass
        deliver(None)

    threading.Thread(target=pump, name="console-input", daemon=True).start()
    while (raw := await queue.get()) is not None:
        yield decode_line(raw)


async def lines_from(texts: Iterable[str]) -> AsyncIterator[InputLine]:
    """Ready-made lines (tests, scripts)."""
    for text in texts:
        yield InputLine(text)
