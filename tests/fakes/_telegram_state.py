"""The simulated Telegram side of the fake: users, chats, messages, files, topics, rate windows."""

from __future__ import annotations

import asyncio
import copy
import math
import mimetypes
import time
from collections import deque
from typing import Any

from ._telegram_checks import inline_markup, validate_reply_markup
from ._telegram_models import ApiCall, ApiError, Fault, JSONDict, StoredFile, bad_request, media_object

MEDIA_KINDS = ("document", "photo", "voice", "audio", "video", "sticker", "animation")
CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "contact", "location", *MEDIA_KINDS)
_DEFAULT_MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "audio": "audio/mpeg", "video": "video/mp4",
                 "sticker": "image/webp", "animation": "video/mp4", "document": "application/octet-stream"}


PAID_BROADCAST_RATE = 1000  # messages a second with allow_paid_broadcast (Bot API 7.11)


class RateWindow:
    """Sliding-window limiter: at most ``limit`` hits per ``period`` seconds per key."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._hits: dict[Any, deque[float]] = {}

    @classmethod
    def per_second(cls, rate: float) -> RateWindow:
        """A window allowing ``rate`` hits per second (fractional rates widen the window)."""
        limit = max(1, int(rate))
        return cls(limit, limit / rate)

    def wait_time(self, key: Any, now: float) -> float:
        """Seconds until one more hit would be allowed (0 if allowed now)."""
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.period:
            hits.popleft()
        return hits[0] + self.period - now if len(hits) >= self.limit else 0.0

    def hit(self, key: Any, now: float) -> None:
        """Record one hit."""
        self._hits.setdefault(key, deque()).append(now)


class TelegramState:
    """Chats, messages, files, topics and pending updates, with the helpers the API methods share."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, overall_rate: float | None = None,
                 per_chat_rate: float | None = None, group_per_minute: int | None = None) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = "hub_test_bot"
        self.calls: list[ApiCall] = []
        self.too_many_requests = 0  # every 429 answered (rate limits and fail_next)
        self.deleted_messages: list[tuple[int, int]] = []
        self._overall = RateWindow.per_second(overall_rate) if overall_rate else None
        self._paid = RateWindow.per_second(PAID_BROADCAST_RATE) if overall_rate else None
        self._per_chat = RateWindow.per_second(per_chat_rate) if per_chat_rate else None
        self._group = RateWindow(group_per_minute, 60.0) if group_per_minute else None
        self._next_update_id = 100_000
        self._pending: list[JSONDict] = []
        self._duplicates: list[JSONDict] = []
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._keyboards: dict[tuple[int, int], JSONDict] = {}
        self._sent: list[JSONDict] = []
        self._next_message_id: dict[int, int] = {}
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._topics: dict[tuple[int, int], JSONDict] = {}
        self._deleted_topics: set[tuple[int, int]] = set()
        self._blocked: set[int] = set()
        self._failures: dict[str, list[ApiError]] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._outage_until = 0.0
        self._migrated: dict[int | None, int] = {}
        self.started: list[str] = []  # methods in the order their requests arrived
        self._files: dict[str, StoredFile] = {}
        self._open_callbacks: set[str] = set()
        self._callback_counter = 0
        self._commands: dict[str, list[JSONDict]] = {}
        self._webhook_url = ""
        self._poll_generation = 0
        self._closing = False
        self._updates_event: asyncio.Event | None = None
        self._activity: asyncio.Event | None = None

    def _notify_updates(self) -> None:
        if self._updates_event is not None:
            self._updates_event.set()

    # ------------------------------------------------------------------ state helpers
    def _bot_user(self) -> JSONDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Hub Test Bot", "username": self.bot_username}

    def _remember_user(self, user_id: int, first_name: str, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _chat(self, chat_id: int) -> JSONDict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": self._users.get(chat_id, {}).get("first_name", "User")}
        info = self._chats.get(chat_id, {})
        chat = {"id": chat_id, "type": info.get("type", "supergroup"), "title": info.get("title", "Group")}
        return {**chat, "is_forum": True} if info.get("is_forum") else chat

    def _store_message(self, chat_id: int, sender: JSONDict, thread_id: int | None, content: JSONDict) -> JSONDict:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        msg = {"message_id": message_id, "from": sender, "chat": self._chat(chat_id), "date": int(time.time()), **content}
        if thread_id:
            msg["message_thread_id"] = thread_id
            if chat_id < 0 and self._chats.get(chat_id, {}).get("is_forum", True):
                msg["is_topic_message"] = True
        self._messages[(chat_id, message_id)] = msg
        return msg

    def _store_file(self, data: bytes, file_name: str, mime_type: str, kind: str) -> StoredFile:
        number = len(self._files) + 1
        folder = {"photo": "photos", "voice": "voice", "sticker": "stickers"}.get(kind, f"{kind}s")
        suffix = "." + file_name.rsplit(".", 1)[1] if "." in file_name else mimetypes.guess_extension(mime_type) or ""
        path = f"{folder}/file_{number}{suffix}"
        stored = StoredFile(f"FAKE{kind[:3].upper()}{number:06d}", f"uniq{number}", data, file_name, mime_type, path)
        self._files[stored.file_id] = stored
        return stored

    def _target(self, params: JSONDict, key: str = "chat_id") -> tuple[int, int | None]:
        """Resolve chat_id/message_thread_id, applying blocks and deleted topics."""
        raw = params.get(key)
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if not isinstance(raw, int) or raw == 0:
            raise bad_request("chat not found")
        if raw in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        thread_id = params.get("message_thread_id")
        if thread_id is not None and (raw, thread_id) in self._deleted_topics:
            raise bad_request("message thread not found")
        return raw, thread_id

    def _rate_limit(self, chat_id: int, *, paid: bool = False) -> None:
        now = time.monotonic()
        # A paid broadcast (allow_paid_broadcast) is outside the free overall limit and has its
        # own, of 1,000 messages a second; the per-chat limits still hold.
        overall = self._paid if paid else self._overall
        windows = [(overall, None), (self._per_chat if chat_id > 0 else self._group, chat_id)]
        active = [(window, key) for window, key in windows if window is not None]
        wait = max((window.wait_time(key, now) for window, key in active), default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for window, key in active:
            window.hit(key, now)

    def _send(self, params: JSONDict, content: JSONDict, target: tuple[int, int | None] | None = None) -> JSONDict:
        """Shared tail of every sending method: markup, reply, rate limit, store."""
        chat_id, thread_id = target or self._target(params)
        markup = params.get("reply_markup")
        validate_reply_markup(markup)
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        replied = self._messages.get((reply.get("chat_id", chat_id), reply_id)) if reply_id else None
        allow = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        if reply_id and replied is None and not allow:
            raise bad_request("message to be replied not found")
        self._rate_limit(chat_id, paid=bool(params.get("allow_paid_broadcast")))
        msg = self._store_message(chat_id, self._bot_user(), thread_id, content)
        if inline_markup(markup):
            msg["reply_markup"] = markup
        elif markup:
            self._keyboards[(chat_id, msg["message_id"])] = markup
        if replied is not None:
            msg["reply_to_message"] = without_reply(replied)
        self._sent.append(msg)
        return msg

    def _upload(self, kind: str, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        value = params.get(kind)
        key = value[9:] if isinstance(value, str) and value.startswith("attach://") else kind
        mime = _DEFAULT_MIME[kind]
        if key in files:
            name = names.get(key) or f"{kind}.bin"
            stored = self._store_file(files[key], name, mimetypes.guess_type(name)[0] or mime, kind)
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or f"{kind}.bin"
            stored = self._store_file(b"", name, mimetypes.guess_type(name)[0] or mime, kind)
        elif value is None:
            raise bad_request(f"there is no {kind} in the request")
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return {kind: media_object(kind, stored, params)}

    def _existing(self, chat_id: int, params: JSONDict, action: str) -> JSONDict:
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        msg = self._messages.get((chat_id, message_id))
        if msg is None:
            raise bad_request(f"message to {action} not found")
        return msg

    def _editable(self, params: JSONDict) -> JSONDict:
        msg = self._existing(self._target(params)[0], params, "edit")
        if msg["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return msg

    def _topic(self, params: JSONDict) -> JSONDict:
        chat_id, _ = self._target({"chat_id": params.get("chat_id")})
        key = (chat_id, params.get("message_thread_id"))
        if key in self._deleted_topics or key[1] is None:
            raise bad_request("TOPIC_ID_INVALID")
        return self._topics.setdefault(key, {"message_thread_id": key[1], "name": "Topic", "icon_color": 7322096})


def without_reply(message: JSONDict) -> JSONDict:
    """A copy of a message without its own reply_to_message (Telegram never nests deeper)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}
