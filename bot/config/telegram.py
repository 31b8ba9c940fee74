"""``[telegram]``: the Telegram adapter's settings. The token, and in webhook mode the
webhook's secret, come only from the environment (``PEERCIRCLE_TELEGRAM__TOKEN``,
``PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET``).

Two ways to receive updates:

- ``mode = "polling"`` (the default): the bot asks Telegram for updates (long polling).
  Nothing to open to the internet; right for one server.
- ``mode = "webhook"``: Telegram sends each update to ``webhook_url`` (HTTPS, on port
  443, 80, 88 or 8443), with ``webhook_secret`` in a header. PeerCircle listens on
  ``webhook_listen``:``webhook_port`` at ``webhook_path``, normally behind a reverse
  proxy that holds the HTTPS certificate and forwards to it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.config.fields import config_error, env_var_name
from bot.config.limits import TelegramLimits

__all__ = ["MIN_WEBHOOK_SECRET", "WEBHOOK_PORTS", "TelegramSection", "check_web_address"]

_BOT_TOKEN = re.compile(r"[0-9]{5,}:[A-Za-z0-9_-]{30,}")
_NOT_A_WEB_ADDRESS = (
    "must be a web address: write it in full, like the default https://api.telegram.org/bot "
    "(plain http:// only for a server on a network you trust: the token travels in it)"
)
_SECRET = re.compile(r"[A-Za-z0-9_-]+")
_PATH = re.compile(r"/[A-Za-z0-9/_.-]*")
MIN_WEBHOOK_SECRET = 16  # Telegram takes 1 to 256; a short one is guessable
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram delivers webhooks to
_MAKE_A_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


def check_web_address(value: str) -> str:
    """An address the Telegram library can put the token after: http(s), a host, no query
    or fragment (the token and the method name are appended to it), and no token in it.
    The value is never quoted back: someone may have pasted the token into it."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(_NOT_A_WEB_ADDRESS)
    if parts.query or parts.fragment:
        raise ValueError("must not contain ? or #: the token and the method are added after it")
    _refuse_token(value)
    return value


def _refuse_token(value: str) -> None:
    if _BOT_TOKEN.search(value):
        raise ValueError(
            "seems to contain a bot token; leave it out: the token goes only in "
            f"{env_var_name('telegram', 'token')}"
        )


def _require_token(enabled: object, token: SecretStr | None) -> None:
    if enabled is True and token is None:
        raise ValueError(f"set {env_var_name('telegram', 'token')} in the environment")


class TelegramSection(BaseModel):
    """The Telegram adapter; the token comes from the environment. ``base_url`` and
    ``base_file_url`` point at a self-hosted Bot API server (or a test server);
    ``[telegram.limits]`` says how fast the bot may send."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    token: SecretStr | None = Field(default=None, validate_default=True)
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    admins_are_facilitators: bool = False
    # Updates that waited while the bot was off are skipped at start (once per run).
    drop_pending_updates: bool = False
    mode: Literal["polling", "webhook"] = "polling"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)  # 0: any free port (tests)
    webhook_path: str = "/telegram"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    limits: TelegramLimits = Field(default_factory=TelegramLimits)

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        _require_token(info.data.get("enabled"), value)
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return check_web_address(value)

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(
                "must be an IP address to listen on, like 127.0.0.1 (behind a reverse "
                "proxy on this machine) or 0.0.0.0 (every address)"
            ) from None
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _PATH.fullmatch(value) or len(value) > 200:
            raise ValueError("must start with / and hold only letters, digits, / _ . and -")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                "must be the https:// address Telegram sends updates to, like "
                "https://bot.example.org/telegram (Telegram delivers only over HTTPS)"
            )
        _refuse_token(value)
        try:
            port = parts.port
        except ValueError:
            raise ValueError("has a port that is not a number") from None
        if port is not None and port not in WEBHOOK_PORTS:
            ports = ", ".join(str(p) for p in WEBHOOK_PORTS)
            raise ValueError(f"uses a port Telegram does not deliver to; use one of {ports}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not _SECRET.fullmatch(secret) or not MIN_WEBHOOK_SECRET <= len(secret) <= 256:
            raise ValueError(
                f"must be {MIN_WEBHOOK_SECRET} to 256 letters, digits, _ or -; make one "
                f"with: {_MAKE_A_SECRET}"
            )
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSection:
        """Webhook mode needs the public address and a secret (without one, anybody who
        finds the address could send the bot updates in a member's name)."""
        if not self.enabled or self.mode != "webhook":
            return self
        if self.webhook_url is None:
            reason = 'is needed with mode = "webhook": the https:// address Telegram calls'
            raise config_error(reason, sub_loc=("webhook_url",))
        if self.webhook_secret is None:
            variable = env_var_name("telegram", "webhook_secret")
            reason = (
                f'is needed with mode = "webhook": set {variable} in the environment to a '
                f"long random text, made with: {_MAKE_A_SECRET}"
            )
            raise config_error(reason, sub_loc=("webhook_secret",))
        return self
