"""The simulated Telegram side of the fake: state plus the Bot API method implementations."""

from __future__ import annotations

import asyncio
import copy
import json
import math
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from ._telegram_models import (
    CHAT_ACTIONS, MAX_CALLBACK_ANSWER, TOPIC_COLORS, ApiCall, ApiError, JSONDict, RateWindow,
    StoredFile, bad_request, inline_markup, media_object, validate_caption, validate_commands,
    validate_reply_markup, validate_text, validate_topic_name,
)

_MEDIA_KINDS = ("document", "photo", "voice", "audio", "video", "sticker", "animation")
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "contact", "location", *_MEDIA_KINDS)
_DEFAULT_MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "audio": "audio/mpeg", "video": "video/mp4",
                 "sticker": "image/webp", "animation": "video/mp4", "document": "application/octet-stream"}
_TRIVIAL = ("logout", "close", "setmydescription", "setmyshortdescription", "setmyname", "setchatmenubutton")


class TelegramBackend:
    """Chats, messages, files, topics and updates, mutated by ``_method_<lowercase api name>`` handlers."""

    def __init__(self, token: str = "123456:TEST-TOKEN", *, overall_rate: float | None = None,
                 per_chat_rate: float | None = None, group_per_minute: int | None = None) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = "hub_test_bot"
        self.calls: list[ApiCall] = []
        self.too_many_requests = 0  # every 429 answered (rate limits and fail_next)
        self.deleted_messages: list[tuple[int, int]] = []
        self._overall = RateWindow.per_second(overall_rate) if overall_rate else None
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
        self._files: dict[str, StoredFile] = {}
        self._open_callbacks: set[str] = set()
        self._callback_counter = 0
        self._commands: dict[str, list[JSONDict]] = {}
        self._webhook_url = ""
        self._poll_generation = 0
        self._closing = False
        self._updates_event: asyncio.Event | None = None
        self._activity: asyncio.Event | None = None
        self._handlers: dict[str, Callable[..., Any]] = {
            name[len("_method_"):]: getattr(self, name) for name in dir(self) if name.startswith("_method_")
        }
        self._handlers.update(dict.fromkeys(_TRIVIAL, lambda *_: True))

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

    def _rate_limit(self, chat_id: int) -> None:
        now = time.monotonic()
        windows = [(self._overall, None), (self._per_chat if chat_id > 0 else self._group, chat_id)]
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
        self._rate_limit(chat_id)
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

    # ------------------------------------------------------------------ Bot API methods
    def _method_getme(self, *_: Any) -> JSONDict:
        return {**self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def _method_getupdates(self, params: JSONDict, *_: Any) -> list[JSONDict]:
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = int(params.get("offset") or 0), min(max(int(params.get("limit") or 100), 1), 100)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_updates()  # a newer getUpdates terminates an older one, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while not (self._duplicates or self._pending) and not self._closing:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            if (remaining := deadline - loop.time()) <= 0:
                break
            assert self._updates_event is not None
            self._updates_event.clear()
            try:
                await asyncio.wait_for(self._updates_event.wait(), remaining)
            except TimeoutError:
                break
        duplicates = self._duplicates[:limit]
        del self._duplicates[: len(duplicates)]
        return duplicates + self._pending[: limit - len(duplicates)]

    def _method_deletewebhook(self, params: JSONDict, *_: Any) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _method_setwebhook(self, params: JSONDict, *_: Any) -> bool:
        self._webhook_url = str(params.get("url") or "")
        return True

    def _method_getwebhookinfo(self, *_: Any) -> JSONDict:
        return {"url": self._webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    def _method_setmycommands(self, params: JSONDict, *_: Any) -> bool:
        self._commands[_commands_key(params)] = validate_commands(params.get("commands"))
        return True

    def _method_getmycommands(self, params: JSONDict, *_: Any) -> list[JSONDict]:
        return self._commands.get(_commands_key(params), [])

    def _method_deletemycommands(self, params: JSONDict, *_: Any) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    def _method_sendmessage(self, params: JSONDict, *_: Any) -> JSONDict:
        target = self._target(params)
        text, entities = validate_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        return self._send(params, {"text": text, **({"entities": entities} if entities else {})}, target)

    def _method_sendcontact(self, params: JSONDict, *_: Any) -> JSONDict:
        contact = {k: params[k] for k in ("phone_number", "first_name", "last_name", "vcard") if k in params}
        return self._send(params, {"contact": contact})

    def _send_media(self, kind: str, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        target = self._target(params)
        caption = validate_caption(params.get("caption"), params.get("parse_mode"), params.get("caption_entities"))
        return self._send(params, {**self._upload(kind, params, files, names), **caption}, target)

    def _method_senddocument(self, *args: Any) -> JSONDict:
        return self._send_media("document", *args)

    def _method_sendphoto(self, *args: Any) -> JSONDict:
        return self._send_media("photo", *args)

    def _method_sendvoice(self, *args: Any) -> JSONDict:
        return self._send_media("voice", *args)

    def _method_sendaudio(self, *args: Any) -> JSONDict:
        return self._send_media("audio", *args)

    def _method_sendvideo(self, *args: Any) -> JSONDict:
        return self._send_media("video", *args)

    def _method_sendsticker(self, *args: Any) -> JSONDict:
        return self._send_media("sticker", *args)

    def _method_copymessage(self, params: JSONDict, *_: Any) -> JSONDict:
        target = self._target(params)
        source = self._existing(params.get("from_chat_id"), params, "copy")  # type: ignore[arg-type]
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        if params.get("caption") is not None and "text" not in content:
            content.pop("caption_entities", None)
            content.update(validate_caption(params["caption"], params.get("parse_mode"), params.get("caption_entities")))
        return {"message_id": self._send(params, content, target)["message_id"]}

    def _method_forwardmessage(self, params: JSONDict, *_: Any) -> JSONDict:
        target = self._target(params)
        source = self._existing(params.get("from_chat_id"), params, "forward")  # type: ignore[arg-type]
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        origin = {"type": "user", "date": source["date"], "sender_user": source["from"]}
        return self._send({**params, "reply_markup": None}, {**content, "forward_origin": origin}, target)

    def _method_editmessagetext(self, params: JSONDict, *_: Any) -> JSONDict | bool:
        text, entities = validate_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = params.get("reply_markup")
        validate_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        msg = self._editable(params)
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        return _apply_edit(msg, {"text": text, "entities": entities or None, "reply_markup": inline_markup(markup)})

    def _method_editmessagereplymarkup(self, params: JSONDict, *_: Any) -> JSONDict | bool:
        markup = params.get("reply_markup")
        validate_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        return _apply_edit(self._editable(params), {"reply_markup": inline_markup(markup)})

    def _method_deletemessage(self, params: JSONDict, *_: Any) -> bool:
        chat_id = params.get("chat_id")
        msg = self._existing(chat_id, params, "delete")  # type: ignore[arg-type]
        del self._messages[(chat_id, msg["message_id"])]  # type: ignore[index]
        self.deleted_messages.append((chat_id, msg["message_id"]))  # type: ignore[arg-type]
        return True

    def _method_answercallbackquery(self, params: JSONDict, *_: Any) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_callbacks:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        return True

    def _method_sendchataction(self, params: JSONDict, *_: Any) -> bool:
        self._target(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _method_createforumtopic(self, params: JSONDict, *_: Any) -> JSONDict:
        chat_id, _ = self._target({"chat_id": params.get("chat_id")})
        if chat_id < 0 and chat_id not in self._chats:
            raise bad_request("chat not found")
        if chat_id > 0 or not self._chats[chat_id].get("is_forum"):
            raise bad_request("the chat is not a forum")
        color = params.get("icon_color", 7322096)
        if color not in TOPIC_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")
        thread_id = self._store_message(chat_id, self._bot_user(), None, {})["message_id"]
        self._messages.pop((chat_id, thread_id))  # the service message isn't tracked
        topic = {"message_thread_id": thread_id, "name": validate_topic_name(params.get("name")), "icon_color": color}
        if params.get("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = params["icon_custom_emoji_id"]
        self._topics[(chat_id, thread_id)] = topic
        return dict(topic)

    def _method_editforumtopic(self, params: JSONDict, *_: Any) -> bool:
        topic = self._topic(params)
        if params.get("name") is not None:
            topic["name"] = validate_topic_name(params["name"])
        return True

    def _method_closeforumtopic(self, params: JSONDict, *_: Any) -> bool:
        return _toggle_closed(self._topic(params), closed=True)

    def _method_reopenforumtopic(self, params: JSONDict, *_: Any) -> bool:
        return _toggle_closed(self._topic(params), closed=False)

    def _method_deleteforumtopic(self, params: JSONDict, *_: Any) -> bool:
        topic = self._topic(params)
        key = (params["chat_id"], topic["message_thread_id"])
        self._deleted_topics.add(key)
        self._topics.pop(key, None)
        return True

    def _method_getchat(self, params: JSONDict, *_: Any) -> JSONDict:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise bad_request("chat not found")
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                               "gifts_from_channels"), False)
        return {**self._chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    def _method_getfile(self, params: JSONDict, *_: Any) -> JSONDict:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}


# ---------------------------------------------------------------------- module helpers
def without_reply(message: JSONDict) -> JSONDict:
    """A copy of a message without its own reply_to_message (Telegram never nests deeper)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}


def _commands_key(params: JSONDict) -> str:
    return json.dumps([params.get("scope") or {"type": "default"}, params.get("language_code") or ""])


def _apply_edit(msg: JSONDict, changes: JSONDict) -> JSONDict:
    """Apply an edit (None removes a field); identical content is 'message is not modified'."""
    if all(msg.get(k) == v for k, v in changes.items()):
        raise bad_request("message is not modified: specified new message content and reply markup are "
                          "exactly the same as a content and reply markup of the current message")
    for key, value in changes.items():
        if value is None:
            msg.pop(key, None)
        else:
            msg[key] = value
    msg["edit_date"] = int(time.time())
    return msg


def _toggle_closed(topic: JSONDict, *, closed: bool) -> bool:
    if topic.get("is_closed", False) == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic["is_closed"] = closed
    return True
