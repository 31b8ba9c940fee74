"""The optional local HTTP endpoint (``[http] enabled = true``), beside the adapters.

- ``GET /healthz``: 200 ``{"status": "ok"}`` when the database answers; 503 with
  ``"degraded"`` (serving without it) or ``"unavailable"`` (it did not answer) otherwise.
- ``GET /metrics``: Prometheus' text format (see ``bot.metrics_prometheus``).
- ``GET /calendar/<group>.ics?key=<the group's key>``: the group's meetings as the same
  iCalendar file ``/calendar`` sends, for calendar apps to subscribe to. Each group's key
  is derived from ``PEERCIRCLE_HTTP__CALENDAR_KEY`` (``calendar_key``); a wrong or missing
  key, an unknown group, or no key configured all get the same 404
  (``bot.calendar_links``).

Nothing here is logged per request (no access log: a feed's address holds its key).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.calendar_links import key_matches
from bot.config.http import HttpSection
from bot.errors import log_incident, new_incident_id
from bot.metrics_prometheus import PrometheusMetrics
from bot.outbox.store import OutboxStore
from bot.storage.database import Database, StorageUnavailable

__all__ = ["EndpointSource", "HttpEndpoint"]

logger = logging.getLogger(__name__)

CalendarFeed = Callable[[str], Awaitable[bytes | None]]
_ICS = "text/calendar"
_METRICS = "text/plain; version=0.0.4"


@dataclass(frozen=True)
class EndpointSource:
    """What the endpoint reads: the app's database and metrics, whether it is degraded,
    and a group's calendar (None: no such group)."""

    database: Database
    metrics: PrometheusMetrics
    degraded: Callable[[], bool]
    calendar: CalendarFeed
    outbox: OutboxStore = field(default_factory=OutboxStore)

    async def storage_answers(self) -> bool:
        try:
            await self.database.schema_version()
        except Exception:  # any failure means "not healthy"; storage logs its own
            return False
        return True

    async def observe(self) -> None:
        """Read the outbox's state into the gauges (left as they were if storage fails)."""
        degraded = self.degraded()
        counts: dict[str, int] | None = None
        unreachable: int | None = None
        if not degraded:
            try:
                counts = await self.outbox.counts(self.database)
                unreachable = await self.outbox.unreachable_count(self.database)
            except Exception as error:
                log_incident(logger, new_incident_id(), "metrics from storage", error)
                counts = None
        self.metrics.observe(degraded=degraded, outbox=counts, unreachable=unreachable)


class HttpEndpoint:
    def __init__(self, section: HttpSection, source: EndpointSource) -> None:
        self._section = section
        self._source = source
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def port(self) -> int | None:
        """The port it listens on, once started (the one chosen, for ``port = 0``)."""
        return self._port

    async def start(self) -> None:
        """Listen (if enabled). A port that cannot be taken is logged, not fatal: the bot
        serves its members without the endpoint."""
        if not self._section.enabled or self._runner is not None:
            return
        app = web.Application(middlewares=[_contained])
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/calendar/{slug}.ics", self._calendar)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        listen, port = self._section.listen, self._section.port
        try:
            await web.TCPSite(runner, listen, port).start()
        except OSError as error:
            await runner.cleanup()
            logger.error(
                "HTTP endpoint not started: cannot listen on %s port %d (%s); check [http] "
                "listen and port",
                listen,
                port,
                error.strerror or type(error).__name__,
            )
            return
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        logger.info("HTTP endpoint listening on http://%s:%d", listen, self._port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        if self._source.degraded():
            status, code = "degraded", 503
        elif await self._source.storage_answers():
            status, code = "ok", 200
        else:
            status, code = "unavailable", 503
        body = {"status": status, "storage": status == "ok"}
        return web.json_response(body, status=code, dumps=json.dumps)

    async def _metrics(self, request: web.Request) -> web.Response:
        await self._source.observe()
        body = self._source.metrics.render()
        return web.Response(body=body, headers={"Content-Type": f"{_METRICS}; charset=utf-8"})

    async def _calendar(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        secret = self._section.calendar_key
        given = request.query.get("key", "")
        if secret is None:
            raise web.HTTPNotFound()
        if not key_matches(secret.get_secret_value(), slug, given):
            raise web.HTTPNotFound()
        content = await self._source.calendar(slug)
        if content is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=content,
            content_type=_ICS,
            charset="utf-8",
            headers={"Cache-Control": "private, max-age=300"},
        )


@web.middleware
async def _contained(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """An unexpected failure is an incident (logged without its message) and a bare 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except StorageUnavailable as error:  # degraded, or busy: storage says why in its log
        logger.warning("HTTP endpoint: storage unavailable (%s)", error.kind.value)
        return web.Response(status=503, text="storage unavailable\n")
    except Exception as error:
        incident_id = new_incident_id()
        log_incident(logger, incident_id, "HTTP endpoint", error)
        return web.Response(status=500, text=f"incident {incident_id}\n")
