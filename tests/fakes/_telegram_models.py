"""The fake Bot API's vocabulary: limits, errors, recorded calls, files, request decoding."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_ANSWER = 200
TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
)

class ApiError(Exception):
    """A Bot API failure, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSONDict:
        """The JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        parameters: JSONDict = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


@dataclass
class Fault:
    """How the fake misbehaves on one call, the way a proxy or a struggling Telegram does.

    ``kind``: "html" (a 502 with an HTML page, nothing done), "late" (done, answered after
    ``seconds``), "silent" (done, never answered: the connection is held until the client
    gives up), "refused" (the connection is closed without an answer, nothing done),
    "redirect" (a misconfigured proxy: 302 to itself, forever, nothing done)."""

    kind: str
    seconds: float = 0.0
    chat_id: int | None = None  # only calls to this chat (None: any call of the method)


def bad_request(description: str) -> ApiError:
    """A 400 error with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class ApiCall:
    """One request received by the fake server (params decoded, uploaded files as bytes)."""

    method: str
    params: JSONDict
    files: dict[str, bytes]
    response: JSONDict
    at: float
    file_names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the fake answered ``"ok": true``."""
        return bool(self.response.get("ok"))


@dataclass
class StoredFile:
    """A file known to the fake (uploaded by the bot or sent by a simulated user)."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str
    mime_type: str
    file_path: str


# ---------------------------------------------------------------- request decoding
# PTB (RequestData.json_parameters) sends every parameter as a form field:
# strings verbatim, everything else json.dumps()-ed. Files go as multipart parts.
_STRING_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "name", "callback_query_id", "url", "description", "title",
     "icon_custom_emoji_id", "action", "emoji", "phone_number", "first_name", "last_name", "vcard",
     "file_id", "language_code", "inline_message_id", "business_connection_id", "secret_token",
     "message_effect_id", "short_description", "document", "photo", "voice", "audio", "video",
     "sticker", "animation", "video_note", "thumbnail", "address", "ip_address"}
)
_JSON_FIELDS = frozenset(
    {"reply_markup", "entities", "caption_entities", "reply_parameters", "link_preview_options",
     "commands", "scope", "allowed_updates", "media", "menu_button", "rights"}
)
_JSON_LIKE = re.compile(r"[\[{].*|-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null", re.S)


def decode_param(name: str, value: Any, *, from_form: bool) -> Any:
    """Decode one request parameter the way Telegram interprets it."""
    if not isinstance(value, str):
        return value
    json_like = name in _JSON_FIELDS and value[:1] in "[{"
    if from_form and name not in _STRING_FIELDS and _JSON_LIKE.fullmatch(value):
        json_like = True
    if not json_like:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def media_object(kind: str, stored: StoredFile, params: JSONDict) -> Any:
    """The Message field for a file of ``kind`` (photo is a list of PhotoSize)."""
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data)}
    duration = int(params.get("duration") or 1)
    if kind == "photo":
        return [{**base, "width": 90, "height": 90}, {**base, "width": 800, "height": 600}]
    if kind == "sticker":
        return {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                "is_video": False, "emoji": params.get("emoji", "👍")}
    if kind == "voice":
        return {**base, "duration": duration, "mime_type": stored.mime_type}
    if kind in ("video", "animation"):
        return {**base, "width": 640, "height": 480, "duration": duration, "file_name": stored.file_name,
                "mime_type": stored.mime_type}
    if kind == "audio":
        return {**base, "duration": duration, "file_name": stored.file_name, "mime_type": stored.mime_type}
    return {**base, "file_name": stored.file_name, "mime_type": stored.mime_type}
