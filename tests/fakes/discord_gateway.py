"""The fake Discord gateway: the websocket discord.py keeps open to receive events.

Spoken as Discord speaks it (JSON text frames; discord.py asks for zlib-stream
compression but reads plain text frames too):

- on connect, HELLO (op 10) with the heartbeat interval;
- a HEARTBEAT (op 1) is answered with HEARTBEAT_ACK (op 11);
- IDENTIFY (op 2) with the right token starts a *session*: READY (naming every server
  of the session's shard as unavailable, with a ``resume_gateway_url``), then one
  GUILD_CREATE per server; a wrong token closes with 4004;
- RESUME (op 6) names a session and the last sequence number seen: every event after
  it is sent again, then RESUMED; an unknown session gets INVALID_SESSION (op 9);
- events are dispatched (op 0) with a sequence number per session. An event for a
  session whose socket is gone waits in that session, and goes out when it resumes, as
  on Discord.

``drop()`` closes every socket as a network failure would; discord.py then resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

JSON = dict[str, Any]
HEARTBEAT_INTERVAL_MS = 41_250
INVALID_TOKEN_CLOSE = 4004


@dataclass
class Session:
    id: str
    shard: tuple[int, int]  # (shard id, shard count)
    events: list[JSON] = field(default_factory=list)  # every dispatch, in order
    more: asyncio.Event = field(default_factory=asyncio.Event)
    socket: web.WebSocketResponse | None = None
    resumes: int = 0

    def add(self, event: str, data: JSON) -> None:
        self.events.append({"op": 0, "t": event, "s": len(self.events) + 1, "d": data})
        self.more.set()

    def serves(self, guild_id: int | None) -> bool:
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0  # private messages go to shard 0
        return (guild_id >> 22) % count == shard_id


class Gateway:
    def __init__(
        self,
        *,
        token: Callable[[], str],
        ready: Callable[[Session], JSON],
        guilds: Callable[[Session], list[JSON]],
        resume_url: Callable[[], str],
    ) -> None:
        self._token = token
        self._ready = ready
        self._guilds = guilds
        self._resume_url = resume_url
        self.sessions: dict[str, Session] = {}
        self.latest: dict[int, Session] = {}  # shard id -> its newest session
        self.identified = 0
        self.resumed = 0
        self.sockets: dict[web.WebSocketResponse, asyncio.BaseTransport | None] = {}
        self.changed = asyncio.Event()  # set (and replaced) whenever anything happens
        self.received: list[JSON] = []  # every op the client sent (tokens removed)

    # -- events ----------------------------------------------------------------------------

    def dispatch(self, event: str, data: JSON, *, guild_id: int | None) -> None:
        """Send ``event`` on the session that serves ``guild_id`` (kept until it can)."""
        for session in self.latest.values():
            if session.serves(guild_id):
                session.add(event, data)
                return
        raise AssertionError(f"no gateway session serves {event} for guild {guild_id}")

    @property
    def connected(self) -> bool:
        return any(s.socket is not None and not s.socket.closed for s in self.latest.values())

    async def drop(self, code: int | None = None) -> None:
        """Close every socket: abruptly (``code`` None, a network failure) or with ``code``."""
        for socket, transport in list(self.sockets.items()):
            if code is None:
                if isinstance(transport, asyncio.Transport):
                    transport.abort()
            else:
                await socket.close(code=code)
        self._notify()

    # -- the websocket ---------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        self.sockets[socket] = request.transport
        hello = {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
        await socket.send_str(json.dumps(hello))
        writer: asyncio.Task[None] | None = None
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    break
                payload = json.loads(message.data)
                writer = await self._on_op(socket, payload, writer)
        finally:
            self.sockets.pop(socket, None)
            if writer is not None:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
            for session in self.sessions.values():
                if session.socket is socket:
                    session.socket = None
            self._notify()
        return socket

    async def _on_op(
        self, socket: web.WebSocketResponse, payload: JSON, writer: asyncio.Task[None] | None
    ) -> asyncio.Task[None] | None:
        op, data = payload.get("op"), payload.get("d")
        self.received.append({"op": op})
        if op == 1:
            await socket.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            return writer
        if op == 2:
            return await self._identify(socket, data or {})
        if op == 6:
            return await self._resume(socket, data or {})
        return writer  # presence updates, member requests: nothing to answer

    async def _identify(
        self, socket: web.WebSocketResponse, data: JSON
    ) -> asyncio.Task[None] | None:
        if data.get("token") != self._token():
            await socket.close(code=INVALID_TOKEN_CLOSE, message=b"Authentication failed.")
            return None
        shard = data.get("shard") or [0, 1]
        session = Session(secrets.token_hex(8), (int(shard[0]), int(shard[1])), socket=socket)
        self.sessions[session.id] = session
        self.latest[session.shard[0]] = session
        self.identified += 1
        session.add("READY", self._ready(session))
        for guild in self._guilds(session):
            session.add("GUILD_CREATE", guild)
        self._notify()
        return asyncio.create_task(self._write(socket, session, 0))

    async def _resume(self, socket: web.WebSocketResponse, data: JSON) -> asyncio.Task[None] | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self._token():
            await socket.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        seen = int(data.get("seq") or 0)
        session.socket = socket
        session.resumes += 1
        self.resumed += 1
        self.latest[session.shard[0]] = session
        writer = asyncio.create_task(self._write(socket, session, seen, resumed=True))
        self._notify()
        return writer

    async def _write(
        self, socket: web.WebSocketResponse, session: Session, start: int, *, resumed: bool = False
    ) -> None:
        """Send ``session``'s events from index ``start`` on, and every later one."""
        index = start
        if resumed:
            await self._send_missed(socket, session, index)
            index = len(session.events)
            session.add("RESUMED", {})
        while not socket.closed:
            while index < len(session.events):
                try:
                    await socket.send_str(json.dumps(session.events[index]))
                except ConnectionResetError:  # dropped: a resume replays from its seq
                    return
                index += 1
            session.more.clear()
            await session.more.wait()

    async def _send_missed(
        self, socket: web.WebSocketResponse, session: Session, start: int
    ) -> None:
        for event in session.events[start:]:
            await socket.send_str(json.dumps(event))

    def resume_url(self) -> str:
        return self._resume_url()

    def _notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()
