"""Server events (Guild Scheduled Events) in the fake Discord API, with Discord's rules:

- ``GET/POST /guilds/{guild_id}/scheduled-events``, ``GET/PATCH/DELETE
  /guilds/{guild_id}/scheduled-events/{event_id}``; an unknown event is 404, 10070;
- at most 100 uncompleted (SCHEDULED or ACTIVE) events per server (400, 30038);
- a name of 1..100 characters, a description of at most 1000; an EXTERNAL event needs
  ``entity_metadata.location`` (1..100) and a ``scheduled_end_time`` after its start;
  a new start must be in the future; privacy is GUILD_ONLY (2) only;
- creating, editing or deleting needs Create Events (one's own events) or Manage Events
  (anyone's) in the server, else 403, 50013 (listing needs neither).

Every server the fake makes gives the bot a role of its own (named as the bot) holding
Create Events; ``deny_events(guild)`` takes it away (and tells the gateway, so the bot's
cached permissions say so), ``allow_events(guild)`` gives it back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.discord_checks import ApiError
from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_rest import Body, Params, RestRoutes, Route, unknown
from tests.fakes.discord_world import ADMINISTRATOR, JSON, DcGuild, DcRole, DcUser

MANAGE_EVENTS = 1 << 33
CREATE_EVENTS = 1 << 44
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
EXTERNAL = 3
GUILD_ONLY = 2
EVENT_CAP = 100
MAX_UNCOMPLETED = 30038
UNKNOWN_EVENT = 10070


def invalid(why: str) -> ApiError:
    return ApiError(400, 50035, f"Invalid Form Body: {why}")


class EventRoutes(RestRoutes):
    gateway: Gateway

    def __init__(self, **options: str) -> None:
        super().__init__(**options)
        self.events_by_guild: dict[int, dict[int, JSON]] = {}

    def event_routes(self) -> list[Route]:
        base = "/guilds/{guild_id}/scheduled-events"
        return [
            Route("GET", base, self._list_events),
            Route("POST", base, self._create_event),
            Route("GET", base + "/{event_id}", self._get_event),
            Route("PATCH", base + "/{event_id}", self._edit_event),
            Route("DELETE", base + "/{event_id}", self._delete_event),
        ]

    # -- setting up and reading back -------------------------------------------------------

    def guild(self, name: str, *, roles: tuple[str, ...] = ("Facilitator",)) -> DcGuild:
        guild = super().guild(name, roles=roles)
        # an id beside the server's, drawing none: the ids tests spread over shards stay put
        own = DcRole(guild.id + 1, self.bot.username, CREATE_EVENTS, position=len(guild.roles))
        guild.roles[own.id] = own
        guild.members[self.bot.id] = [own.id]
        return guild

    def deny_events(self, guild: DcGuild) -> None:
        self._set_bot_role(guild, 0)

    def allow_events(self, guild: DcGuild) -> None:
        self._set_bot_role(guild, CREATE_EVENTS)

    def scheduled_events(self, guild: DcGuild) -> list[JSON]:
        """The server's uncompleted events, by start."""
        found = [e for e in self._events_of(guild).values() if e["status"] in (SCHEDULED, ACTIVE)]
        return sorted(found, key=lambda event: (event["scheduled_start_time"], int(event["id"])))

    def add_event(self, guild: DcGuild, creator: DcUser, name: str, start: datetime) -> JSON:
        """An event someone else made (a games night, say)."""
        payload = {"name": name, "entity_metadata": {"location": "The lounge"}}
        return self._keep(guild, self._new_event(guild, creator, payload, start))

    def start_event(self, guild: DcGuild, event_id: str) -> None:
        """Someone started the event (ACTIVE)."""
        self._events_of(guild)[int(event_id)]["status"] = ACTIVE

    # -- routes ----------------------------------------------------------------------------

    async def _list_events(self, params: Params, body: Body) -> list[JSON]:
        return self.scheduled_events(self._guild(params))

    async def _get_event(self, params: Params, body: Body) -> JSON:
        return self._event(self._guild(params), params)

    async def _create_event(self, params: Params, body: Body) -> JSON:
        guild = self._guild(params)
        self._check_allowed(guild, None)
        payload: JSON = dict(body.payload or {})
        if len(self.scheduled_events(guild)) >= EVENT_CAP:
            raise ApiError(400, MAX_UNCOMPLETED, "Maximum number of uncompleted events reached")
        start = _future(payload.get("scheduled_start_time"))
        event = self._new_event(guild, self.bot, payload, start)
        _check_event(event)
        return self._keep(guild, event)

    async def _edit_event(self, params: Params, body: Body) -> JSON:
        guild = self._guild(params)
        event = self._event(guild, params)
        self._check_allowed(guild, event)
        payload: JSON = dict(body.payload or {})
        edited = dict(event)
        for key in ("name", "description", "entity_metadata", "privacy_level", "status"):
            if key in payload:
                edited[key] = payload[key]
        if payload.get("channel_id") is not None or payload.get("entity_type", EXTERNAL) != 3:
            raise invalid("the fake keeps EXTERNAL events only")
        if "scheduled_end_time" in payload:
            edited["scheduled_end_time"] = payload["scheduled_end_time"]
        start = payload.get("scheduled_start_time")
        if start is not None and _when(start) != _when(event["scheduled_start_time"]):
            if event["status"] != SCHEDULED:
                raise invalid("the start of a started event cannot change")
            edited["scheduled_start_time"] = _future(start).isoformat()
        _check_event(edited)
        event.update(edited)
        self.changed()
        return event

    async def _delete_event(self, params: Params, body: Body) -> None:
        guild = self._guild(params)
        event = self._event(guild, params)
        self._check_allowed(guild, event)
        del self._events_of(guild)[int(event["id"])]
        self.changed()

    # -- helpers ---------------------------------------------------------------------------

    def _new_event(self, guild: DcGuild, creator: DcUser, payload: JSON, start: datetime) -> JSON:
        event: JSON = {
            "id": str(self.new_id()),
            "guild_id": str(guild.id),
            "channel_id": None,
            "creator_id": str(creator.id),
            "creator": creator.json(),
            "name": payload.get("name", ""),
            "description": payload.get("description"),
            "scheduled_start_time": start.isoformat(),
            "scheduled_end_time": payload.get("scheduled_end_time", _later(start)),
            "privacy_level": payload.get("privacy_level", GUILD_ONLY),
            "status": SCHEDULED,
            "entity_type": payload.get("entity_type", EXTERNAL),
            "entity_id": None,
            "entity_metadata": payload.get("entity_metadata"),
            "user_count": 0,
            "image": None,
        }
        if payload.get("channel_id") is not None:
            raise invalid("channel_id: an EXTERNAL event has no channel")
        return event

    def _keep(self, guild: DcGuild, event: JSON) -> JSON:
        self._events_of(guild)[int(event["id"])] = event
        self.changed()
        return event

    def _events_of(self, guild: DcGuild) -> dict[int, JSON]:
        return self.events_by_guild.setdefault(guild.id, {})

    def _event(self, guild: DcGuild, params: Params) -> JSON:
        number = int(params["event_id"]) if params["event_id"].isdecimal() else -1
        event = self._events_of(guild).get(number)
        if event is None:
            raise unknown("Guild Scheduled Event", UNKNOWN_EVENT)
        return event

    def _check_allowed(self, guild: DcGuild, event: JSON | None) -> None:
        allowed = guild.permissions_of(self.bot.id)
        if allowed & (ADMINISTRATOR | MANAGE_EVENTS):
            return
        own = event is None or event["creator_id"] == str(self.bot.id)
        if not (own and allowed & CREATE_EVENTS):
            raise ApiError(403, 50013, "Missing Permissions")

    def _set_bot_role(self, guild: DcGuild, permissions: int) -> None:
        role = guild.role(self.bot.username)
        role.permissions = permissions
        update = {"guild_id": str(guild.id), "role": role.json()}
        if self.gateway.latest:  # else the bot reads it when it first connects
            self.gateway.dispatch("GUILD_ROLE_UPDATE", update, guild_id=guild.id)


def _check_event(event: JSON) -> None:
    name, description = event.get("name") or "", event.get("description") or ""
    if not 1 <= len(name) <= 100:
        raise invalid("name: 1 to 100 characters")
    if len(description) > 1000:
        raise invalid("description: at most 1000 characters")
    if event.get("privacy_level") != GUILD_ONLY:
        raise invalid("privacy_level: GUILD_ONLY (2) only")
    if event.get("entity_type") != EXTERNAL:
        raise invalid("the fake keeps EXTERNAL events only")
    location = (event.get("entity_metadata") or {}).get("location") or ""
    if not 1 <= len(location) <= 100:
        raise invalid("entity_metadata.location: required for EXTERNAL, 1 to 100 characters")
    end = event.get("scheduled_end_time")
    if end is None:
        raise invalid("scheduled_end_time: required for EXTERNAL")
    if _when(end) <= _when(event["scheduled_start_time"]):
        raise invalid("scheduled_end_time: after the start")


def _when(text: Any) -> datetime:
    if not isinstance(text, str):
        raise invalid("a time: ISO 8601")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise invalid("a time: ISO 8601") from None
    if when.tzinfo is None:
        raise invalid("a time: with its offset")
    return when


def _future(text: Any) -> datetime:
    when = _when(text)
    if when <= datetime.now(UTC):
        raise invalid("scheduled_start_time: GUILD_SCHEDULED_EVENT_SCHEDULE_PAST")
    return when


def _later(start: datetime) -> str:
    return (start + timedelta(hours=2)).isoformat()
