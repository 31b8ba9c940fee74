"""python-telegram-bot's requests made with aiohttp instead of httpx.

PTB sends through a ``BaseRequest``; its own, ``HTTPXRequest``, costs about as much
CPU per call as the rest of a command together. Most of that is httpcore's pool
bookkeeping: before every request it asks each pooled connection whether the server
closed it (a ``poll`` and a ``getpeername`` system call per connection), so with the
dozen connections a busy bot keeps open, a send pays for a dozen checks. aiohttp's
connector keeps idle connections in a queue and takes the newest, one check, whatever
the pool's size. Measured with ``python -m bench.telegram_profile`` (November 2026,
2 cores): see ``bench/results/latest.json`` and the README's benchmark section.

``AiohttpRequest`` is a drop-in ``BaseRequest`` (PTB's documented way to change the
networking backend): the same defaults as ``HTTPXRequest`` (5 s to read, write and
connect, 1 s to wait for a free connection), the same form-encoded bodies and
multipart uploads, the proxy the environment names (``HTTPS_PROXY``), and the same
errors: ``TimedOut`` when a timeout runs out and ``NetworkError`` for everything else
that goes wrong on the way, so callers retry exactly as before. aiohttp has no separate
write timeout; a body that cannot be written in time ends with the read timeout instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies_environment, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

DEFAULT_TIMEOUT = 5.0  # seconds to connect, write and read, as HTTPXRequest's
DEFAULT_POOL_TIMEOUT = 1.0  # seconds to wait for a free connection, as HTTPXRequest's
DEFAULT_POOL_SIZE = 256  # connections at most, as ApplicationBuilder's for HTTPXRequest
FORM_ENCODED = "application/x-www-form-urlencoded"
MEDIA_TIMEOUT = 20.0  # seconds to write an upload, as HTTPXRequest's media_write_timeout

_Timeout = float | None


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on an ``aiohttp.ClientSession`` made in ``initialize``."""

    def __init__(
        self,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        read_timeout: _Timeout = DEFAULT_TIMEOUT,
        connect_timeout: _Timeout = DEFAULT_TIMEOUT,
        pool_timeout: _Timeout = DEFAULT_POOL_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}  # (scheme, host) -> proxy

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        if uploads and _defaulted(write_timeout):
            write_timeout = MEDIA_TIMEOUT
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        body = _body(request_data)
        try:
            proxy = self._proxy_for(url)
            async with session.request(
                method, url, data=body, timeout=timeout, proxy=proxy
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut() from error
        except aiohttp.ClientError as error:
            what = "an upload" if uploads else "a request"
            raise NetworkError(f"aiohttp.{type(error).__name__} during {what}") from error

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for ``url`` (``HTTPS_PROXY`` or ``ALL_PROXY``,
        unless ``NO_PROXY`` names the host), as httpx would use it; looked up once per
        host. (aiohttp's own ``trust_env`` reads the environment and ``~/.netrc`` on every
        request: it took a bare bot from 1,100 to 410 updates a second.)"""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            found = getproxies_environment()
            bypass = bool(proxy_bypass(key[1])) if found else True
            self._proxies[key] = None if bypass else found.get(key[0]) or found.get("all")
        return self._proxies[key]

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for one request: ``sock_read`` waits for each part of the
        answer, ``connect`` for a free connection and opening it."""
        read_seconds = self._read_timeout if _defaulted(read) else read
        if not _defaulted(write) and write is not None and read_seconds is not None:
            read_seconds = max(read_seconds, write)
        connect_seconds = self._connect_timeout if _defaulted(connect) else connect
        pool_seconds = self._pool_timeout if _defaulted(pool) else pool
        waiting = None
        if connect_seconds is not None and pool_seconds is not None:
            waiting = connect_seconds + pool_seconds
        return aiohttp.ClientTimeout(
            total=None, connect=waiting, sock_connect=connect_seconds, sock_read=read_seconds
        )


def _defaulted(value: Any) -> bool:
    return value is BaseRequest.DEFAULT_NONE or type(value).__name__ == "DefaultValue"


def _body(request_data: RequestData | None) -> aiohttp.FormData | aiohttp.BytesPayload | None:
    """The form PTB's HTTPXRequest would post: the parameters as form fields (each
    value JSON-encoded by PTB), and each file as a part of a multipart body. A form
    without files is encoded here, in one call, rather than by aiohttp's FormData
    (3% of a command's CPU)."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        encoded = urlencode(fields).encode()
        return aiohttp.BytesPayload(encoded, content_type=FORM_ENCODED)
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mimetype = part
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
