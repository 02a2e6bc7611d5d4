"""The Bot API methods of the fake: each ``_method_<lowercase api name>`` acts on the state."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable
from typing import Any

from ._telegram_checks import inline_markup, validate_commands, validate_reply_markup, validate_topic_name
from ._telegram_models import CHAT_ACTIONS, MAX_CALLBACK_ANSWER, TOPIC_COLORS, ApiError, JSONDict, bad_request
from ._telegram_state import CONTENT_KEYS, TelegramState
from ._telegram_text import validate_caption, validate_text

_TRIVIAL = ("logout", "close", "setmydescription", "setmyshortdescription", "setmyname", "setchatmenubutton")


class TelegramBackend(TelegramState):
    """The state plus one handler per Bot API method the bot uses."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handlers: dict[str, Callable[..., Any]] = {
            name[len("_method_"):]: getattr(self, name) for name in dir(self) if name.startswith("_method_")
        }
        self._handlers.update(dict.fromkeys(_TRIVIAL, lambda *_: True))

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
        content = {k: copy.deepcopy(source[k]) for k in CONTENT_KEYS if k in source}
        if params.get("caption") is not None and "text" not in content:
            content.pop("caption_entities", None)
            content.update(validate_caption(params["caption"], params.get("parse_mode"), params.get("caption_entities")))
        return {"message_id": self._send(params, content, target)["message_id"]}

    def _method_forwardmessage(self, params: JSONDict, *_: Any) -> JSONDict:
        target = self._target(params)
        source = self._existing(params.get("from_chat_id"), params, "forward")  # type: ignore[arg-type]
        content = {k: copy.deepcopy(source[k]) for k in CONTENT_KEYS if k in source}
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
        for chat_message in [k for k, m in self._messages.items()  # all of its messages go too
                             if k[0] == key[0] and m.get("message_thread_id") == key[1]]:
            del self._messages[chat_message]
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
