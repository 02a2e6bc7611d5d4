"""A small Graph API client for Messenger: one reused session, timeouts, retries with back-off."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from bot.core.delivery import OutsideWindow, RateLimited, Rejected, Transient, Unknown, Unreachable

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
RATE_LIMIT_WAIT = 60.0  # Graph gives no retry-after; wait this long after 4/613


class BadPageToken(Rejected):
    """Graph error 190: the page token is invalid or expired; nothing will be sent."""


def graph_error(status: int, body: dict[str, Any]) -> Exception:
    """The core's delivery error for a Graph error answer."""
    error = body.get("error") or {}
    code, subcode = error.get("code"), error.get("error_subcode")
    message = f"Graph error {code}/{subcode}: {error.get('message', status)}"
    if code == 551 or subcode in (1545041, 2018001, 2018108):  # person unavailable / no id
        return Unreachable(message)
    if code == 10 or subcode == 2018278:  # outside the allowed window
        return OutsideWindow(message)
    if code == 190:
        return BadPageToken(message)
    if code in (4, 613) or code == 32:
        return RateLimited(RATE_LIMIT_WAIT, message)
    if status >= 500 or code in (1, 2):
        return Transient(message)
    return Rejected(message)


class GraphClient:
    """Calls the Graph API with the page token; errors raise the core's delivery errors."""

    def __init__(self, base_url: str, page_token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = page_token
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, path: str, body: dict[str, Any],
                   file: tuple[str, bytes, str] | None = None) -> dict[str, Any]:
        """POST JSON (or a multipart upload with `file`) to `path`, once.

        Retrying is the outbox's job, which knows whether a duplicate may reach a person."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            return await self._post_once(url, body, file)
        except aiohttp.ClientConnectorError as exc:  # never reached Graph: not sent
            raise Transient(f"{type(exc).__name__}") from exc
        except (aiohttp.ServerDisconnectedError, TimeoutError) as exc:  # sent, no answer
            raise Unknown(f"{type(exc).__name__}: no answer") from exc
        except aiohttp.ClientError as exc:
            raise Transient(f"{type(exc).__name__}") from exc

    async def get(self, path: str, fields: str) -> dict[str, Any]:
        """GET `path` with `fields` (one try: callers have a fallback)."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        params = {"access_token": self._token, "fields": fields}
        async with self._open().get(url, params=params) as response:
            return await _answer(response)

    async def _post_once(self, url: str, body: dict[str, Any],
                         file: tuple[str, bytes, str] | None) -> dict[str, Any]:
        params = {"access_token": self._token}
        session = self._open()
        if file is None:
            request = session.post(url, params=params, json=body)
        else:
            form = aiohttp.FormData()
            for key, value in body.items():
                form.add_field(key, value if isinstance(value, str) else json.dumps(value))
            name, content, mime = file
            form.add_field("filedata", content, filename=name, content_type=mime)
            request = session.post(url, params=params, data=form)
        async with request as response:
            return await _answer(response)


async def _answer(response: aiohttp.ClientResponse) -> dict[str, Any]:
    """The JSON of a Graph answer; a Graph error raises the matching delivery error."""
    try:
        data = await response.json(content_type=None)
    except (json.JSONDecodeError, aiohttp.ContentTypeError):
        data = {}
    if response.status >= 400 or "error" in (data or {}):
        raise graph_error(response.status, data or {})
    return data or {}
