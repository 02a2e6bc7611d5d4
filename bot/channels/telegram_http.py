"""python-telegram-bot's HTTP requests over aiohttp (PTB's `BaseRequest` extension point).

The bot already runs aiohttp (web server, Messenger client); this sends the Bot API calls
through it too. PTB's default, httpx, checks every pooled connection on every request (through
anyio, with a `select()` per idle connection): with the eight connections that eight chats
answered at once need, that was an eighth of the bot's CPU time in `scripts/bench_telegram.py`.

Semantics follow PTB's `HTTPXRequest`: the same default timeouts, multipart when files are
attached, `TimedOut` / `NetworkError` for failures, proxies from the
environment (`HTTPS_PROXY`…). aiohttp has no separate write timeout, so writing counts against
an overall limit (pool + connect + write + read). Parameters go as one JSON body (the Bot API
takes application/json for every method): form-encoding them cost 0.15 ms of CPU per message,
percent-quoting Georgian text byte by byte.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DefaultValue = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given" marker for timeouts
# A slow but working Telegram answers within seconds, sometimes tens of them (PTB's 5 s read
# timeout turned such answers into "no answer": the bot sent them again, and people got the
# same reply three times). Only a timeout after the request went out leaves the outcome unknown.
DEFAULT_TIMEOUTS = {"read": 30.0, "write": 10.0, "connect": 5.0, "pool": 5.0}
MEDIA_WRITE_TIMEOUT = 60.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool, for PTB's bot methods."""

    def __init__(self, *, connection_pool_size: int = 1,
                 read_timeout: float | None = DEFAULT_TIMEOUTS["read"]) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = dict(DEFAULT_TIMEOUTS, read=read_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._env_proxies: dict[str, str] = {}
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-polling time to it for getUpdates)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT})
            self._env_proxies = urllib.request.getproxies()  # read once, as httpx did
            self._proxies = {}

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the status code and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._given(read_timeout, self._timeouts["read"])
        write = self._given(write_timeout,
                            MEDIA_WRITE_TIMEOUT if files else self._timeouts["write"])
        connect = self._given(connect_timeout, self._timeouts["connect"])
        pool = self._given(pool_timeout, self._timeouts["pool"])
        limits = (pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in limits else sum(limits),  # type: ignore[arg-type]
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect, sock_read=read)
        try:
            body, headers = _body(request_data)
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout, proxy=self.proxy_for(url)
                                             ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:  # never reached the server: not sent
            raise NetworkError(f"aiohttp.{type(error).__name__}: connect timeout") from error
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ServerDisconnectedError as error:  # the request went out; no answer came
            raise TimedOut("the server closed the connection without an answer") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def proxy_for(self, url: str) -> str | None:
        """The proxy from the environment (`HTTPS_PROXY`, `NO_PROXY`…) for this URL's host.

        aiohttp's own `trust_env` would read the environment (and ~/.netrc) on every request,
        which cost ~0.8 ms each; the answer is the same for every call to one host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = urllib.request.proxy_bypass(key[1]) if key[1] else True
            self._proxies[key] = None if bypass else self._env_proxies.get(key[0])
        return self._proxies[key]

    @staticmethod
    def _given(value: object, default: float | None) -> float | None:
        return default if isinstance(value, DefaultValue) else value  # type: ignore[return-value]


JSON_HEADERS = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None
          ) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The body and its headers: parameters as JSON, or multipart with the files attached."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        parameters = request_data.parameters
        if not parameters:
            return None, None
        return json.dumps(parameters).encode(), JSON_HEADERS  # ASCII: never fails to encode
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
