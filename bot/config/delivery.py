"""``[delivery]``: how the outbox worker sends what the bot says on its own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DeliverySection"]


class DeliverySection(BaseModel):
    """Defaults suit every deployment; change them only with a reason."""

    model_config = ConfigDict(extra="forbid")

    # Messages sent side by side. Also the most a crash can send twice.
    slots: int = Field(default=4, ge=1, le=32)
    # How long a claimed message stays owned by its sender. It must outlast one send
    # with the adapter's own retries; after a crash, claimed messages wait this long.
    lease_seconds: int = Field(default=60, ge=2, le=3600)
    # Tries per message before it is given up (and logged); pauses double from 10 s.
    max_attempts: int = Field(default=12, ge=1, le=100)
