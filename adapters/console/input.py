"""Reading terminal input without blocking the event loop (or shutdown)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import TextIO


async def read_lines(stream: TextIO) -> AsyncIterator[str]:
    """Yield lines from ``stream`` until end of input.

    A daemon thread does the blocking reads, so an interrupted or finished program never
    waits on a terminal that has nothing more to say.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in stream:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="console-input", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line.rstrip("\r\n")
