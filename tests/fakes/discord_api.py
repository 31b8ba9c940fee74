"""A fake Discord (REST API and gateway) on loopback, spoken to by the real discord.py.

    async with FakeDiscordApi() as fake:
        server = fake.guild("Circle")                     # with a Facilitator role
        alex = fake.user("Alex")
        fake.join(server, alex)
        ...  # start a discord.py client with fake.api_base_url, fake.gateway_url
        await fake.wait_until_connected()
        asked = fake.slash(alex, "groups", channel=server.channels[0])
        [reply] = await fake.answers(asked)

The server binds 127.0.0.1 on a free port: REST under ``/api/v10`` (``discord_rest``,
``discord_interactions``), the gateway at ``/gateway`` (``discord_gateway``). Payloads are
checked against Discord's limits (``discord_checks``); message contents are rendered as
a Discord client shows them (``discord_markdown``). Faults on request
(``discord_faults``): ``fail(route, 429 | 500 | status, ...)``, ``block_dms(user)``
(50007), ``drop_gateway()``; Discord's rate limits with ``enforce_rate_limits()``.
Server events: ``discord_events``.

Every REST call is recorded (``calls``), without its token; aiohttp's access log is off.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Self

from aiohttp import web

from tests.fakes.discord_checks import ApiError, json_answer
from tests.fakes.discord_events import EventRoutes
from tests.fakes.discord_faults import DROP, DROP_AFTER, Fault, FaultBook, fault_response
from tests.fakes.discord_gateway import Gateway, Session
from tests.fakes.discord_interactions import InteractionRoutes, interaction_seen
from tests.fakes.discord_rest import Route, read_body
from tests.fakes.discord_state import Call
from tests.fakes.discord_world import JSON, DcInteraction, DcMessage

API_PREFIX = "/api/v10"


class FakeDiscordApi(InteractionRoutes, EventRoutes):
    def __init__(self, **options: str) -> None:
        super().__init__(**options)
        self.gateway = Gateway(
            token=lambda: self.token,
            ready=self._ready,
            guilds=self._guilds_for,
            resume_url=lambda: f"{self._origin('ws')}/gateway/resume",
        )
        self.faults = FaultBook()
        self._routes: list[Route] = [
            *self.rest_routes(),
            *self.interaction_routes(),
            *self.event_routes(),
        ]
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def __repr__(self) -> str:
        return f"<FakeDiscordApi on port {self._port}>"

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/gateway", self.gateway.handle)
        app.router.add_route("GET", "/gateway/resume", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        await self.gateway.drop(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int | None:
        return self._port

    @property
    def api_base_url(self) -> str:
        return f"{self._origin('http')}{API_PREFIX}"

    def gateway_url(self) -> str:
        return f"{self._origin('ws')}/gateway"

    def _origin(self, scheme: str) -> str:
        if self._port is None:
            raise RuntimeError("the fake Discord API is not started")
        return f"{scheme}://127.0.0.1:{self._port}"

    # -- faults ----------------------------------------------------------------------------

    def fail(
        self,
        route: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float = 1.0,
        code: int = 0,
        is_global: bool = False,
    ) -> None:
        """The next ``times`` calls to ``route`` ("POST /channels/{channel_id}/messages")
        get ``status`` (a 429 with ``retry_after``, a 500, or ``code``)."""
        self.faults.add(Fault(route, status, times, retry_after, code, is_global))

    async def drop_gateway(self, code: int | None = None) -> None:
        await self.gateway.drop(code)

    # -- waiting ---------------------------------------------------------------------------

    async def wait_until_connected(self, *, within: float = 15.0, sessions: int = 1) -> None:
        """Until ``sessions`` sessions have identified and their sockets are open."""

        def ready() -> bool:
            return self.gateway.identified >= sessions and self.gateway.connected

        await self._wait_gateway(ready, within, "the bot connected to the gateway")

    async def wait_until_resumed(self, count: int = 1, *, within: float = 30.0) -> None:
        def resumed() -> bool:
            return self.gateway.resumed >= count and self.gateway.connected

        await self._wait_gateway(resumed, within, f"{count} resume(s)")

    async def _wait_gateway(self, check: object, within: float, what: str) -> None:
        assert callable(check)
        try:
            async with asyncio.timeout(within):
                while not check():
                    changed = self.gateway.changed
                    await changed.wait()
        except TimeoutError:
            raise AssertionError(f"not within {within} s: {what}") from None

    async def responded(self, interaction: DcInteraction, *, within: float = 10.0) -> None:
        await self.wait_for(
            lambda: interaction.response_type is not None,
            within=within,
            what="a response to the interaction",
        )

    async def answers(
        self, interaction: DcInteraction, count: int = 1, *, within: float = 10.0
    ) -> list[DcMessage]:
        """The first ``count`` finished messages answering ``interaction``."""

        def done() -> list[DcMessage] | None:
            found = [m for m in interaction_seen(interaction) if not m.loading and not m.deleted]
            return found if len(found) >= count else None

        found: list[DcMessage] = await self.wait_for(
            done, within=within, what=f"{count} answer(s) to the interaction"
        )
        return found

    # -- the gateway's view of the world ---------------------------------------------------

    def _ready(self, session: Session) -> JSON:
        data: JSON = {
            "v": 10,
            "user": self.bot.json(),
            "guilds": [
                {"id": str(g.id), "unavailable": True}
                for g in self.guilds.values()
                if session.serves(g.id)
            ],
            "session_id": session.id,
            "resume_gateway_url": self.gateway.resume_url(),
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }
        if session.shard != (0, 1):
            data["shard"] = list(session.shard)
        return data

    def _guilds_for(self, session: Session) -> list[JSON]:
        users = {**self.users, self.bot.id: self.bot}  # the bot's own member too, as Discord
        return [g.json(users) for g in self.guilds.values() if session.serves(g.id)]

    # -- REST ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        for route in self._routes:
            params = route.match(request.method, path)
            if params is not None:
                return await self._answer(request, route, params, path)
        self.calls.append(Call(request.method, f"{request.method} ?", path, 404, time.monotonic()))
        return json_answer({"message": "404: Not Found", "code": 0}, status=404)

    async def _answer(
        self, request: web.Request, route: Route, params: dict[str, str], path: str
    ) -> web.StreamResponse:
        status, code = 200, None
        try:
            body = await read_body(request)
            if route.needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise ApiError(401, 0, "401: Unauthorized")
            fault = self.faults.take(route.key)
            if fault is not None and fault.status == DROP:
                status = DROP
                return _drop(request)
            if fault is not None and fault.status != DROP_AFTER:
                response, code = fault_response(fault)
                status = response.status
                return response
            admitted = self.admit(route, params)
            if admitted.refusal is not None:
                status = 429
                return admitted.refusal
            result = await route.handler(params, body)
            if fault is not None:  # carried out, and the answer is lost on the way
                status = DROP_AFTER
                return _drop(request)
            if result is None:
                status = 204
                return web.Response(status=204, headers=admitted.headers)
            return json_answer(result, headers=admitted.headers)
        except ApiError as error:
            status, code = error.status, error.code
            return json_answer(error.json(), status=error.status)
        except Exception as error:  # a bug in the fake: the test should hear of it
            self.internal_errors.append(error)
            status = 500
            return json_answer({"message": "fake failed", "code": 0}, status=500)
        finally:
            self.calls.append(Call(request.method, route.key, path, status, time.monotonic(), code))
            self.changed()


def _drop(request: web.Request) -> web.Response:
    """Closes the connection: the client gets no answer at all."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response()
