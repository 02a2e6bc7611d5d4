"""A stand-in Telegram Bot API HTTP server (aiohttp, 127.0.0.1 only) for end-to-end bot tests."""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import mimetypes
import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from ._telegram_backend import TelegramBackend
from ._telegram_models import ApiCall, ApiError, Fault, JSONDict, decode_param, media_object
from ._telegram_state import without_reply
from ._telegram_text import utf16_len

__all__ = ["ApiCall", "ApiError", "FakeTelegramAPI", "Fault"]

REDIRECT_LOOP = "redirect_loop"
BAD_GATEWAY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

T = TypeVar("T")


class FakeTelegramAPI(TelegramBackend):
    """In-process fake of api.telegram.org: push updates as users, observe and break the bot's calls.

    ``FakeTelegramAPI(token="123456:TEST-TOKEN", *, overall_rate=None, per_chat_rate=None,
    group_per_minute=None)``; use ``async with`` or ``await start()`` / ``await stop()``.
    """

    _port: int = 0
    _runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        self._updates_event, self._activity = asyncio.Event(), asyncio.Event()
        self._closing = False
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeTelegramAPI is not started; await start() first")
        return self._port

    # ------------------------------------------------------------------ acting as users
    def push_update(self, update: dict) -> dict:
        """Queue a raw update (``update_id`` is assigned when missing)."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._pending.append(update)
        self._notify_updates()
        return update

    def push_raw_duplicate(self, update: dict) -> None:
        """Deliver an already-delivered update once more, with the same update_id."""
        self._duplicates.append(copy.deepcopy(update))
        self._notify_updates()

    def push_text(self, user_id: int, text: str, *, first_name: str = "Test", language_code: str | None = "en",
                  chat_id: int | None = None, chat_type: str | None = None, message_thread_id: int | None = None,
                  is_topic_message: bool = False, reply_to_message_id: int | None = None,
                  entities: list[dict] | None = None) -> dict:
        """A user sends text; a leading ``/command`` gets a bot_command entity."""
        content: JSONDict = {"text": text}
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split(maxsplit=1)[0])}]
        if entities:
            content["entities"] = entities
        return self._push_message(user_id, content, first_name=first_name, language_code=language_code,
                                  chat_id=chat_id, chat_type=chat_type, message_thread_id=message_thread_id,
                                  is_topic_message=is_topic_message, reply_to_message_id=reply_to_message_id)

    def push_sticker(self, user_id: int, emoji: str = "👍", **context: Any) -> dict:
        """A user sends a sticker (``context``: the keyword options of push_text)."""
        stored = self._store_file(b"RIFF fake webp", "sticker.webp", "image/webp", "sticker")
        return self._push_message(user_id, {"sticker": media_object("sticker", stored, {"emoji": emoji})}, **context)

    def push_photo(self, user_id: int, caption: str | None = None, *, content: bytes = b"\xff\xd8 fake jpeg",
                   **context: Any) -> dict:
        """A user sends a photo, optionally captioned."""
        stored = self._store_file(content, "photo.jpg", "image/jpeg", "photo")
        return self._push_message(user_id, {"photo": media_object("photo", stored, {}), **_caption(caption)}, **context)

    def push_document(self, user_id: int, file_name: str = "a.pdf", *, content: bytes = b"%PDF-1.4 fake",
                      mime_type: str | None = None, caption: str | None = None, **context: Any) -> dict:
        """A user sends a document; its bytes are downloadable through getFile."""
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._store_file(content, file_name, mime, "document")
        return self._push_message(user_id, {"document": media_object("document", stored, {}), **_caption(caption)},
                                  **context)

    def push_voice(self, user_id: int, duration: int = 3, *, content: bytes = b"OggS fake voice",
                   **context: Any) -> dict:
        """A user sends a voice note."""
        stored = self._store_file(content, "voice.ogg", "audio/ogg", "voice")
        return self._push_message(user_id, {"voice": media_object("voice", stored, {"duration": duration})}, **context)

    def push_contact(self, user_id: int, phone_number: str, *, contact_first_name: str | None = None,
                     contact_user_id: int | None = None, **context: Any) -> dict:
        """A user shares a contact (by default their own, as with a request_contact button)."""
        contact = {"phone_number": phone_number, "first_name": contact_first_name or context.get("first_name", "Test"),
                   "user_id": user_id if contact_user_id is None else contact_user_id}
        return self._push_message(user_id, {"contact": contact}, **context)

    def push_callback(self, user_id: int, data: str, *, message_id: int, chat_id: int | None = None,
                      first_name: str = "Test", language_code: str | None = "en") -> dict:
        """A user presses an inline button with ``data`` under message ``message_id``."""
        chat_id = user_id if chat_id is None else chat_id
        self._callback_counter += 1
        query_id = f"{self.bot_id}{self._callback_counter:08d}"
        self._open_callbacks.add(query_id)
        message = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), "from": self._bot_user()}
        query = {"id": query_id, "from": self._remember_user(user_id, first_name, language_code),
                 "chat_instance": str(abs(chat_id) * 7 + 13), "data": data, "message": without_reply(message)}
        return self.push_update({"callback_query": query})

    def _push_message(self, user_id: int, content: JSONDict, *, first_name: str = "Test",
                      language_code: str | None = "en", chat_id: int | None = None, chat_type: str | None = None,
                      message_thread_id: int | None = None, is_topic_message: bool = False,
                      reply_to_message_id: int | None = None) -> dict:
        user = self._remember_user(user_id, first_name, language_code)
        chat_id = user_id if chat_id is None else chat_id
        if chat_id < 0:
            self._chats.setdefault(chat_id, {"type": chat_type or "supergroup", "title": "Group",
                                             "is_forum": bool(is_topic_message)})
        msg = self._store_message(chat_id, user, None, content)
        msg["chat"]["type"] = chat_type or msg["chat"]["type"]
        if message_thread_id is not None:
            msg["message_thread_id"] = message_thread_id
        if is_topic_message:
            msg["is_topic_message"] = True
        if reply_to_message_id is not None:
            replied = self._messages.get((chat_id, reply_to_message_id)) or {
                "message_id": reply_to_message_id, "date": msg["date"], "chat": msg["chat"]}
            msg["reply_to_message"] = without_reply(replied)
        return self.push_update({"message": msg})

    # ------------------------------------------------------------------ observing the bot
    def sent_messages(self, chat_id: int | None = None, thread_id: int | None = None) -> list[dict]:
        """Messages the bot created (current state), incl. reply keyboards under ``reply_markup``."""
        found = []
        for msg in self._sent:
            if chat_id is not None and msg["chat"]["id"] != chat_id:
                continue
            if thread_id is not None and msg.get("message_thread_id") != thread_id:
                continue
            keyboard = self._keyboards.get((msg["chat"]["id"], msg["message_id"]))
            found.append({**msg, "reply_markup": keyboard} if keyboard else dict(msg))
        return found

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """The current state of a (not deleted) message, or None."""
        return self._messages.get((chat_id, message_id))

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one Bot API method (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    @property
    def answered_callbacks(self) -> list[dict]:
        """Params of every successful answerCallbackQuery."""
        return [call.params for call in self.calls_to("answerCallbackQuery") if call.ok]

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[dict]:
        """Wait until at least ``count`` messages were sent to ``chat_id``."""
        found = await self._wait_until(lambda: m if len(m := self.sent_messages(chat_id)) >= count else None, timeout)
        if found is None:
            sent = [(m["chat"]["id"], m.get("message_thread_id"), m.get("text") or m.get("caption")) for m in self._sent]
            errors = [(c.method, c.response.get("description")) for c in self.calls if not c.ok]
            raise AssertionError(f"expected {count} message(s) to chat {chat_id} within {timeout}s; "
                                 f"sent (chat, thread, text): {sent}; failed calls: {errors}")
        return found

    async def wait_for_call(self, method: str, predicate: Callable[[ApiCall], bool] | None = None,
                            timeout: float = 5.0, *, since: int = 0) -> ApiCall:
        """Wait for a call of ``method`` (matching ``predicate``) among ``calls[since:]``."""
        def find() -> ApiCall | None:
            return next((c for c in self.calls[since:] if c.method.lower() == method.lower()
                         and (predicate is None or predicate(c))), None)
        found = await self._wait_until(find, timeout)
        if found is None:
            raise AssertionError(f"no matching {method} call within {timeout}s; calls: "
                                 f"{[c.method for c in self.calls[since:] if c.method != 'getUpdates']}")
        return found

    async def _wait_until(self, check: Callable[[], T | None], timeout: float) -> T | None:
        assert self._activity is not None, "FakeTelegramAPI is not started"
        deadline = asyncio.get_running_loop().time() + timeout
        while (result := check()) is None:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            self._activity.clear()
            try:
                await asyncio.wait_for(self._activity.wait(), remaining)
            except TimeoutError:
                pass
        return result

    # ------------------------------------------------------------------ failure injection
    def block_user(self, chat_id: int) -> None:
        """Sends to ``chat_id`` now fail with 403 'bot was blocked by the user'."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """Undo block_user."""
        self._blocked.discard(chat_id)

    def fail_next(self, method: str, error_code: int, description: str, retry_after: int | None = None,
                  times: int = 1, migrate_to_chat_id: int | None = None) -> None:
        """The next ``times`` calls of ``method`` fail with this error."""
        error = ApiError(error_code, description, retry_after, migrate_to_chat_id)
        self._failures.setdefault(method.lower(), []).extend([error] * times)

    def fault_next(self, method: str, kind: str, *, seconds: float = 0.0, times: int = 1,
                   chat_id: int | None = None) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``, if given) misbehave (see
        ``Fault``): "html", "late", "silent" (done, then no answer for an hour), "redirect"
        (302 to itself, endlessly)."""
        fault = Fault(kind, 3600.0 if kind == "silent" else seconds, chat_id)
        self._faults.setdefault(method.lower(), []).extend([fault] * times)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: sends to the old id get 400 with migrate_to_chat_id."""
        self._migrated[old_chat_id] = new_chat_id
        self._chats.setdefault(new_chat_id, {"type": "supergroup", "title": "Group", "is_forum": False})

    def outage(self, seconds: float) -> None:
        """For ``seconds`` from now every method but getUpdates answers a proxy's 502 HTML page."""
        self._outage_until = time.monotonic() + seconds

    def end_outage(self) -> None:
        """The API answers normally again."""
        self._outage_until = 0.0

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Later sends into this topic fail with 400 'message thread not found'."""
        self._deleted_topics.add((chat_id, thread_id))
        self._topics.pop((chat_id, thread_id), None)

    def set_forum(self, chat_id: int, is_forum: bool, title: str = "Hub staff") -> None:
        """Register a supergroup (forum or not) with the fake."""
        self._chats[chat_id] = {"type": "supergroup", "title": title, "is_forum": is_forum}

    # ------------------------------------------------------------------ HTTP plumbing
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files, names = await _read_params(request)
        if REDIRECT_LOOP in request.query:  # a client following the loop: round again
            return web.Response(status=302, headers={"Location": request.rel_url.path_qs})
        self.started.append(method)
        faults = self._faults.get(method.lower()) or []
        chat = _int_or_none(params.get("chat_id"))
        fault = next((f for f in faults if f.chat_id is None or f.chat_id == chat), None)
        if fault is not None:
            faults.remove(fault)
        if fault is not None and fault.kind == "redirect":
            self.calls.append(ApiCall(method, params, files, {"ok": False, "error_code": 302,
                                                              "description": "redirect loop"},
                                      time.monotonic(), names))
            return web.Response(status=302, headers={"Location": f"{request.path}?{REDIRECT_LOOP}=1"})
        in_outage = time.monotonic() < self._outage_until and method.lower() != "getupdates"
        if in_outage or (fault is not None and fault.kind == "html"):
            self.calls.append(ApiCall(method, params, files, {"ok": False, "error_code": 502,
                                                              "description": "HTML"}, time.monotonic(), names))
            return web.Response(text=BAD_GATEWAY_PAGE, status=502, content_type="text/html")
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._handlers.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            if self._failures.get(method.lower()):
                raise self._failures[method.lower()].pop(0)
            moved = self._migrated.get(_int_or_none(params.get("chat_id")))
            if moved is not None:
                raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                               migrate_to_chat_id=moved)
            result = handler(params, files, names)
            body: JSONDict = {"ok": True, "result": await result if inspect.isawaitable(result) else result}
        except ApiError as exc:
            body = exc.payload()
            if exc.code == 429:
                self.too_many_requests += 1
        text = json.dumps(body)
        if fault is not None and fault.kind in ("late", "silent"):
            await asyncio.sleep(fault.seconds)  # done already; the answer comes late or never
        if request.transport is None and method.lower() == "getupdates":
            return web.Response(text=text, status=body.get("error_code", 200))  # abandoned long poll
        self.calls.append(ApiCall(method, params, files, json.loads(text), time.monotonic(), names))
        if self._activity is not None:
            self._activity.set()
        return web.Response(text=text, status=body.get("error_code", 200), content_type="application/json")

    async def _download(self, request: web.Request) -> web.Response:
        stored = next((f for f in self._files.values() if f.file_path == request.match_info["path"]), None)
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type)


# ---------------------------------------------------------------------- module helpers
async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, bytes], dict[str, str]]:
    """Decode query string, urlencoded/multipart form or JSON body into typed params and files."""
    params: JSONDict = {k: decode_param(k, v, from_form=True) for k, v in request.query.items()}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update({k: decode_param(k, v, from_form=False) for k, v in (body or {}).items()})
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
                names[name] = value.filename
            else:
                params[name] = decode_param(name, value, from_form=True)
    return params, files, names


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _caption(caption: str | None) -> JSONDict:
    return {"caption": caption} if caption else {}
