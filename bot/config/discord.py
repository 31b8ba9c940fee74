"""``[discord]``: the Discord adapter's settings. The token comes from the environment
(``PEERCIRCLE_DISCORD__TOKEN``); every other key may be set in the file or overridden by
``PEERCIRCLE_DISCORD__<KEY>`` (a list as JSON: ``PEERCIRCLE_DISCORD__GUILD_IDS='[123…]'``).

- ``guild_ids``: the servers whose slash commands are published there (instantly); none
  publishes them globally (Discord may take up to an hour to show them everywhere).
- ``facilitator_roles``: server roles, by name or id, whose members count as facilitators
  of the groups that live in that server (a group's ``discord_guild_id``), never of others.
- ``api_base_url`` and ``gateway_url``: Discord's REST API and gateway (a proxy's, or a
  test server's).
- ``shard_ids`` and ``shard_count``: serve only some shards of a big bot; either one
  turns on discord.py's ``AutoShardedClient``.
"""

from __future__ import annotations

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
from bot.config.limits import DiscordLimits

__all__ = ["DEFAULT_API_BASE_URL", "DEFAULT_GATEWAY_URL", "DiscordSection"]

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
_SNOWFLAKE_DIGITS = range(15, 22)  # Discord ids are 17-20 digits today


class DiscordSection(BaseModel):
    """The Discord adapter; ``[discord.limits]`` says how fast the bot may send."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    token: SecretStr | None = Field(default=None, validate_default=True)
    guild_ids: list[int] = Field(default_factory=list, max_length=100)
    facilitator_roles: list[str] = Field(default_factory=lambda: ["Facilitator"], max_length=20)
    api_base_url: str = DEFAULT_API_BASE_URL
    gateway_url: str = DEFAULT_GATEWAY_URL
    shard_ids: list[int] | None = None
    shard_count: int | None = Field(default=None, ge=1, le=10_000)
    limits: DiscordLimits = Field(default_factory=DiscordLimits)

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("enabled") is True and value is None:
            raise ValueError(f"set {env_var_name('discord', 'token')} in the environment")
        return value

    @field_validator("guild_ids")
    @classmethod
    def _guild_ids(cls, value: list[int]) -> list[int]:
        for guild in value:
            if len(str(guild)) not in _SNOWFLAKE_DIGITS or guild <= 0:
                raise ValueError(
                    "each server id is a number of 17 to 20 digits (in Discord: turn on "
                    "Developer Mode, right-click the server, Copy Server ID)"
                )
        if len(set(value)) != len(value):
            raise ValueError("lists a server twice")
        return value

    @field_validator("facilitator_roles", mode="before")
    @classmethod
    def _role_refs(cls, value: object) -> object:
        if isinstance(value, list):  # a role id may be written as a number
            return [str(item) if isinstance(item, int) else item for item in value]
        return value

    @field_validator("facilitator_roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        cleaned = [role.strip() for role in value]
        if any(not role or len(role) > 100 for role in cleaned):
            raise ValueError("each role is a role's name (1 to 100 characters) or its id")
        return cleaned

    @field_validator("api_base_url")
    @classmethod
    def _api(cls, value: str) -> str:
        return _address(value, ("https", "http"), "like the default " + DEFAULT_API_BASE_URL)

    @field_validator("gateway_url")
    @classmethod
    def _gateway(cls, value: str) -> str:
        return _address(value, ("wss", "ws"), "like the default " + DEFAULT_GATEWAY_URL)

    @field_validator("shard_ids")
    @classmethod
    def _shards(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if not value or any(shard < 0 for shard in value) or len(set(value)) != len(value):
            raise ValueError("list each shard this process serves once, from 0")
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSection:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise config_error(
                "needs shard_count (how many shards the bot has in all)", sub_loc=("shard_ids",)
            )
        if max(self.shard_ids) >= self.shard_count:
            raise config_error(
                "must each be below shard_count (shards count from 0)", sub_loc=("shard_ids",)
            )
        return self

    @property
    def sharded(self) -> bool:
        """Whether discord.py's AutoShardedClient serves (some of) the bot's shards."""
        return self.shard_ids is not None or self.shard_count is not None


def _address(value: str, schemes: tuple[str, ...], example: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"must be a full {schemes[0]}:// address, {example}")
    if parts.query or parts.fragment:
        raise ValueError("must not contain ? or #")
    return value
