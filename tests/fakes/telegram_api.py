"""A fake Telegram Bot API server on loopback, spoken to by the real python-telegram-bot.

    async with FakeTelegramApi() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
        alex = fake.user("Alex")
        fake.inject_command(alex, "/start")          # an update for getUpdates
        ...                                           # the bot answers through the Bot API
        [reply] = await fake.wait_for_sent(chat_id=alex.id)

The server binds 127.0.0.1 on a free port. It answers ``/bot<token>/<method>`` like
Telegram: GET or POST, parameters in the query string, form-encoded or multipart
(python-telegram-bot's way: every value that is not a string JSON-encoded) or a JSON
body; method names case-insensitive; ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": ..., "description": ..., "parameters"?: ...}``.

The world behind it (users, chats, messages, updates, injection helpers) lives in
``telegram_state``, the Bot API methods in ``telegram_methods``, parameter reading and
the checks on texts, keyboards and commands in ``telegram_params``, HTML parsing in
``telegram_html``, faults and rate limits in ``telegram_faults``, the JSON objects and
records tests read in ``telegram_updates``.

Tokens are kept out of every log line and repr: aiohttp's access log is off, and a
RecordedCall's ``token`` field is not part of its repr.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.fakes.telegram_faults import (
    BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    CONFLICT,
    METHOD_NOT_FOUND,
    SERVER_ERROR,
    UNAUTHORIZED,
    ApiError,
    Fault,
    FaultBook,
    RandomFaults,
    RateLimiter,
    too_many_requests,
)
from tests.fakes.telegram_methods import CLIENT_CONNECTED, BotApiMethods, ClientGone
from tests.fakes.telegram_params import read_params
from tests.fakes.telegram_updates import JSON, RecordedCall, SentMessage, TgChat, TgUser
from tests.fakes.telegram_webhook import WebhookDelivery, post

DEFAULT_BOT_ID = 7_000_000_001


class _Dropped(Exception):
    """The call's connection is closed without an answer."""


class FakeTelegramApi(BotApiMethods):
    def __init__(
        self,
        tokens: str | Sequence[str] | None = None,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = "PeerCircleTestBot",
        bot_first_name: str = "PeerCircle",
        enforce_limits: bool = False,
        strict_ampersand: bool = True,
        group_privacy: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``tokens``: the tokens accepted, all for the same bot (default: one made from
        ``bot_id``); others get 401. ``enforce_limits``: answer 429 past Telegram's
        message rate limits (see RateLimiter; ``clock`` drives them). ``group_privacy``:
        deliver group messages as Telegram does to a non-admin bot in privacy mode.
        ``strict_ampersand``: refuse HTML with a bare "&" (see telegram_html)."""
        self._clock = clock
        super().__init__(
            strict_ampersand=strict_ampersand,
            rate_limiter=RateLimiter(clock) if enforce_limits else None,
            bot_id=bot_id,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            group_privacy=group_privacy,
        )
        if tokens is None:
            tokens = [f"{bot_id}:AAFakeTokenForTests-0123456789abcdefghij"]
        self.tokens: list[str] = [tokens] if isinstance(tokens, str) else list(tokens)
        if not self.tokens:
            raise ValueError("at least one token")
        self.too_many_requests_count = 0  # every 429 answered, injected or enforced
        self.internal_errors: list[BaseException] = []  # bugs in the fake itself
        self._faults = FaultBook()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._deliveries: list[WebhookDelivery] = []

    def __repr__(self) -> str:
        return f"<FakeTelegramApi on port {self._port}>"

    # --- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{path:.*}", self._not_found)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Waiting long polls return [] at once; then the server closes."""
        self._closing = True
        self._notify()
        for delivery in self._deliveries:
            await delivery.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc is None and self.internal_errors:
            raise AssertionError("the fake Telegram API failed") from self.internal_errors[0]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the fake Telegram API is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token, then ``/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def token(self) -> str:
        return self.tokens[0]

    def revoke_token(self, token: str) -> None:
        """From now on the token answers 401 Unauthorized."""
        self.tokens.remove(token)

    def deliver_webhook_to(self, local_url: str) -> WebhookDelivery:
        """While the bot has a webhook set, POST its pending updates to ``local_url``
        (where the bot listens), as Telegram does to the webhook's public address."""
        delivery = WebhookDelivery(self, local_url)
        self._deliveries.append(delivery)
        delivery.start()
        return delivery

    async def post_to_webhook(
        self, local_url: str, update: JSON, *, secret: str | None = None
    ) -> int:
        """POST ``update`` to the bot by hand with the header ``secret`` (None: none);
        the HTTP status (0: no answer)."""
        return await post(local_url, update, secret)

    def enforce_rate_limits(self, enabled: bool = True, **limits: Any) -> None:
        """Turns Telegram's message rate limits on (RateLimiter's keyword arguments
        change them, e.g. ``burst_in_chat=1``) or off."""
        self.rate_limiter = RateLimiter(self._clock, **limits) if enabled else None

    # --- faults: each for the next ``times`` calls of ``method`` [in ``chat_id``] ------

    def fault(
        self,
        method: str | None,
        status: int,
        description: str,
        *,
        times: int = 1,
        chat_id: TgChat | TgUser | int | str | None = None,
        parameters: JSON | None = None,
    ) -> Fault:
        """Any error answer; ``method`` None matches every method."""
        error = ApiError(status, description, parameters)
        return self._faults.add(Fault("error", method, _chat_key(chat_id), times, error=error))

    def fault_retry_after(
        self, retry_after: int, method: str | None = "sendMessage", **match: Any
    ) -> Fault:
        """429 Too Many Requests with parameters.retry_after (PTB raises RetryAfter)."""
        error = too_many_requests(retry_after)
        return self.fault(method, 429, error.description, parameters=error.parameters, **match)

    def fault_blocked(self, method: str | None = "sendMessage", **match: Any) -> Fault:
        return self.fault(method, 403, BLOCKED, **match)

    def fault_cant_initiate(self, method: str | None = "sendMessage", **match: Any) -> Fault:
        return self.fault(method, 403, CANT_INITIATE, **match)

    def fault_chat_not_found(self, method: str | None = "sendMessage", **match: Any) -> Fault:
        return self.fault(method, 400, CHAT_NOT_FOUND, **match)

    def fault_server_error(self, method: str | None = "sendMessage", **match: Any) -> Fault:
        return self.fault(method, 500, SERVER_ERROR, **match)

    def fault_conflict(self, times: int = 1) -> Fault:
        """409 Conflict for getUpdates, as when another instance polls the same bot."""
        return self.fault("getUpdates", 409, CONFLICT, times=times)

    def fault_drop_connection(
        self,
        method: str | None = "sendMessage",
        *,
        times: int = 1,
        chat_id: TgChat | TgUser | int | str | None = None,
    ) -> Fault:
        """The connection closes without an answer (the call is not carried out)."""
        return self._faults.add(Fault("drop", method, _chat_key(chat_id), times))

    def fault_slow(
        self,
        seconds: float,
        method: str | None = "sendMessage",
        *,
        times: int = 1,
        chat_id: TgChat | TgUser | int | str | None = None,
    ) -> Fault:
        """The answer comes ``seconds`` late (then the call proceeds as usual)."""
        return self._faults.add(Fault("delay", method, _chat_key(chat_id), times, delay=seconds))

    def random_faults(self, faults: RandomFaults | None) -> None:
        """Faults at random rates from now on (None: no more), after any set up above."""
        self._faults.random = faults

    def pending_faults(self) -> list[Fault]:
        """Faults set up but not (fully) used yet."""
        return self._faults.pending()

    # --- waiting for the bot ------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], bool], *, within: float = 5.0, what: str = "it"
    ) -> None:
        """Returns once ``predicate()`` holds (checked after every answered call and
        every injected update); AssertionError after ``within`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"timed out after {within}s waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    async def wait_for_call(
        self, method: str, *, count: int = 1, within: float = 5.0
    ) -> RecordedCall:
        """The ``count``-th answered call of ``method``."""

        def answered() -> list[RecordedCall]:
            return [call for call in self.calls_to(method) if call.status is not None]

        await self.wait_for(
            lambda: len(answered()) >= count, within=within, what=f"{count} {method} call(s)"
        )
        return answered()[count - 1]

    async def wait_for_sent(
        self, count: int = 1, *, chat_id: TgChat | TgUser | int | None = None, within: float = 5.0
    ) -> list[SentMessage]:
        """Waits until the bot has sent ``count`` messages (to ``chat_id``); returns all
        it sent there."""
        await self.wait_for(
            lambda: len(self.sent_messages(chat_id)) >= count,
            within=within,
            what=f"{count} sent message(s)",
        )
        return self.sent_messages(chat_id)

    async def wait_until_polling(self, *, within: float = 5.0) -> RecordedCall:
        """Waits until a getUpdates call is waiting for updates; returns that call."""

        await self.wait_for(lambda: self.polling, within=within, what="a waiting getUpdates")
        return [call for call in self.calls_to("getUpdates") if call.status is None][-1]

    async def wait_until_confirmed(self, *, within: float = 5.0) -> None:
        """Waits until getUpdates offsets have confirmed every injected update."""
        await self.wait_for(lambda: not self._updates, within=within, what="confirmed updates")

    # --- HTTP ---------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        name = request.match_info["method"]
        call = RecordedCall(
            method=next((known for known in self.methods if known.lower() == name.lower()), name),
            params={},
            received_at=time.time(),
            http_method=request.method,
            token=token,
        )
        self.calls.append(call)
        self._notify()
        CLIENT_CONNECTED.set(lambda: _connected(request))
        try:
            result = await self._serve(call, request)
        except ClientGone:
            call.status, call.description = 0, "the client went away"
            self._notify()
            return web.Response()  # nobody to read it
        except _Dropped:
            call.status, call.description = 0, "connection dropped"
            self._notify()
            if request.transport is not None:
                request.transport.abort()
            return web.Response()  # never reaches the client
        except ApiError as error:
            if error.status == 429:
                self.too_many_requests_count += 1
            call.status, call.description = error.status, error.description
            self._notify()
            return web.json_response(error.payload(), status=error.status)
        except Exception as bug:
            self.internal_errors.append(bug)
            call.status, call.description = 500, f"the fake failed: {bug!r}"
            self._notify()
            return web.json_response(ApiError(500, SERVER_ERROR).payload(), status=500)
        call.status, call.result = 200, result
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _serve(self, call: RecordedCall, request: web.Request) -> Any:
        if call.token not in self.tokens:
            raise ApiError(401, UNAUTHORIZED)
        call.params = await read_params(request)
        chat_id = call.params.get("chat_id")
        delay = self._faults.take_delay(call.method, chat_id)
        if delay:
            await asyncio.sleep(delay)
        fault = self._faults.take_failure(call.method, chat_id)
        if fault is not None and fault.kind != "drop_after":
            if fault.error is None:
                raise _Dropped
            raise fault.error
        method = self.methods.get(call.method)
        if method is None:
            raise ApiError(404, METHOD_NOT_FOUND)
        result = await method(call.params)
        if fault is not None:  # carried out, and the answer is lost on the way
            raise _Dropped
        return result


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _chat_key(chat: TgChat | TgUser | int | str | None) -> int | str | None:
    return chat.id if isinstance(chat, TgChat | TgUser) else chat
