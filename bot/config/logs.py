"""``[logging]``: how PeerCircle writes its log (to standard error).

``format = "text"`` (the default) is one readable line per event; ``"json"`` is one JSON
object per line, for a log collector. ``level`` is how much PeerCircle itself says; left
out, ``run`` logs from ``info`` and the console from ``warning`` (so the log does not
interleave with the chat). The libraries PeerCircle uses stay at ``warning`` whatever the
level: some of them would log request addresses (with a token) or SQL parameters.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["LogFormat", "LogLevel", "LoggingSection"]

LogFormat = Literal["text", "json"]
LogLevel = Literal["debug", "info", "warning", "error"]


class LoggingSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: LogFormat = "text"
    level: LogLevel | None = None
