"""``[http]``: an optional local HTTP endpoint beside the bot (``peercircle run``).

It serves ``/healthz`` (is the database reachable?), ``/metrics`` (Prometheus) and
``/calendar/<group>.ics?key=...`` (a subscription feed for calendar apps). It listens on
127.0.0.1 unless told otherwise: put a reverse proxy in front of it to publish the feeds,
and keep ``/metrics`` and ``/healthz`` for your own monitoring. The feeds' key comes from
the environment only (``PEERCIRCLE_HTTP__CALENDAR_KEY``); without it there are no feeds.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["MIN_CALENDAR_KEY_CHARS", "HttpSection"]

MIN_CALENDAR_KEY_CHARS = 32


class HttpSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    listen: str = "127.0.0.1"
    # 0: any free port (the log says which); for tests.
    port: int = Field(default=8080, ge=0, le=65535)
    calendar_key: SecretStr | None = None
    # Where members reach the endpoint (a proxy in front of it), like
    # https://bot.example.org: /calendar then shows each group's feed link.
    public_url: str | None = None

    @field_validator("listen")
    @classmethod
    def _address(cls, value: str) -> str:
        try:
            ip_address(value.strip())
        except ValueError:
            raise ValueError(
                "must be an IP address to listen on, like 127.0.0.1 (this machine only) "
                "or 0.0.0.0 (every network: only behind a firewall or a proxy)"
            ) from None
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be a web address, like https://bot.example.org")
        if parts.query or parts.fragment:
            raise ValueError("must not contain ? or #: the feed's path is added after it")
        return value.strip()

    @field_validator("calendar_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_CALENDAR_KEY_CHARS:
            raise ValueError(
                f"must be at least {MIN_CALENDAR_KEY_CHARS} characters of random text; make "
                "one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value
