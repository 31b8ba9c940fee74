"""One line of ``peercircle doctor``'s report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "Status"]

Status = Literal["ok", "warn", "fix", "skip"]


@dataclass(frozen=True, slots=True)
class Finding:
    """``fix``: the bot cannot serve as configured until this is done (exit 1); ``warn``:
    worth doing, not blocking; ``ok``: checked and fine; ``skip``: not checked, and why."""

    status: Status
    topic: str
    text: str
