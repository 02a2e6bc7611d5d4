"""Helpers for the fake Bot API server: errors, request decoding, formatting parsers, validation."""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, NoReturn

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

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSONDict:
        """The JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


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
# PTB (HTTPXRequest + RequestData.json_parameters) sends every parameter as a form field:
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


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- formatting
_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _parse_error(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


class _TelegramHTML(HTMLParser):
    """Telegram's HTML subset: only the documented tags, balanced, no bare ``<``."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, JSONDict | None]] = []
        self.entities: list[JSONDict] = []

    def _fail(self, head: str, tail: str = "", extra: int = 0) -> NoReturn:
        line, col = self.getpos()
        char_offset = self._line_starts[line - 1] + col + extra
        raise _parse_error(f"{head} at byte offset {len(self._source[:char_offset].encode())}{tail}")

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = _HTML_TAGS.get(tag)
        if kind is None:
            self._fail(f'Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        entity: JSONDict | None = {"type": kind, "offset": self.length}
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            self._fail('Tag "span" must have class "tg-spoiler"')
        if tag == "a":
            entity["url"] = attributes.get("href") or ""  # type: ignore[index]
        elif tag == "tg-emoji":
            if not attributes.get("emoji-id"):
                self._fail('Tag "tg-emoji" must have attribute "emoji-id"')
            entity["custom_emoji_id"] = attributes["emoji-id"]  # type: ignore[index]
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"  # type: ignore[index]
        elif tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            pre = self.stack[-1][1]
            if language and pre is not None:
                pre["language"] = language
            entity = None  # <pre><code> is a single pre entity
        self.stack.append((tag, entity))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._fail(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            self._fail("Unexpected end tag")
        open_tag, entity = self.stack.pop()
        if open_tag != tag:
            self._fail("Unmatched end tag", f', expected "</{open_tag}>", found "</{tag}>"')
        if entity is not None and self.length > entity["offset"]:
            entity["length"] = self.length - entity["offset"]
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self._fail('Unsupported start tag ""', extra=data.index("<"))
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        self._append(_HTML_ENTITIES.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        try:
            self._append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except (ValueError, OverflowError):
            self._fail(f'Can\'t parse numeric entity "&#{name};"')

    def handle_comment(self, data: str) -> None:
        self._fail('Unsupported start tag "!--"')

    def handle_decl(self, decl: str) -> None:
        self._fail('Unsupported start tag "!"')

    handle_pi = unknown_decl = handle_decl

    def finish(self) -> tuple[str, list[JSONDict]]:
        """Close the parser and return (visible text, entities)."""
        self.close()
        if self.stack:
            raise _parse_error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        return "".join(self.parts), self.entities


_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {"bold": "Bold", "italic": "Italic", "underline": "Underline", "code": "Code",
             "strikethrough": "Strikethrough", "spoiler": "Spoiler", "pre": "Pre",
             "text_link": "TextUrl"}


_LINK_TARGET = re.compile(r"\(((?:\\.|[^\\)])*)\)")


def _parse_markdown(src: str, *, v2: bool) -> tuple[str, list[JSONDict]]:
    """MarkdownV2 (strict escaping, nesting) or legacy Markdown -> (visible text, entities)."""
    markers = ({"```": "pre", "`": "code", "*": "bold", "__": "underline", "_": "italic",
                "~": "strikethrough", "||": "spoiler"} if v2 else
               {"```": "pre", "`": "code", "*": "bold", "_": "italic"})
    out: list[str] = []
    length = 0
    stack: list[tuple[str, JSONDict, int]] = []  # (opening marker, entity, byte offset)
    entities: list[JSONDict] = []
    i, n = 0, len(src)

    def emit(text: str) -> None:
        nonlocal length
        out.append(text)
        length += utf16_len(text)

    def close_top(**extra: Any) -> int:
        marker, entity, _ = stack.pop()
        entity.update(extra, length=length - entity["offset"])
        if entity["length"]:
            entities.append(entity)
        return len(marker)

    def fail_unclosed() -> NoReturn:
        _, entity, at = stack[-1]
        if v2:
            raise _parse_error(f"Can't find end of {_MD_NAMES[entity['type']]} entity at byte offset {at}")
        raise _parse_error(f"Can't find end of the entity starting at byte offset {at}")

    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and (0 < ord(src[i + 1]) < 127 if v2 else src[i + 1] in "_*`["):
            emit(src[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1][1]["type"] in ("code", "pre")
        if in_code or (not v2 and stack and stack[-1][0] != "["):
            if src.startswith(stack[-1][0], i):
                i += close_top()
            else:
                emit(char)
                i += 1
            continue
        marker = next((m for m in markers if src.startswith(m, i)), None)
        if marker is not None:
            if stack and stack[-1][0] == marker:
                i += close_top()
                continue
            if any(m == marker for m, _, _ in stack):
                fail_unclosed()
            stack.append((marker, {"type": markers[marker], "offset": length}, len(src[:i].encode())))
            i += len(marker)
            if marker == "```":
                newline = src.find("\n", i)
                language = src[i:newline] if newline != -1 else ""
                if language and re.fullmatch(r"[\w+#.-]+", language):
                    stack[-1][1]["language"] = language
                    i = newline + 1
            continue
        if char == "[":
            stack.append(("[", {"type": "text_link", "offset": length}, len(src[:i].encode())))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            target = _LINK_TARGET.match(src, i + 1)
            if target is None:
                fail_unclosed()
            close_top(type="text_link", url=re.sub(r"\\(.)", r"\1", target.group(1)))
            i = target.end()
            continue
        if v2 and char == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # blockquote line marker
            continue
        if v2 and char in _MD2_RESERVED:
            raise _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        emit(char)
        i += 1
    if stack:
        fail_unclosed()
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _strip(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Trim surrounding whitespace like Telegram does, clipping entities to the result."""
    stripped = text.strip()
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped


def parse_formatted(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSONDict]]:
    """Apply parse_mode (HTML, MarkdownV2, Markdown) or explicit entities; return visible text."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        parser = _TelegramHTML(text)
        parser.feed(text)
        visible, found = parser.finish()
        found.sort(key=lambda e: (e["offset"], -e["length"]))
    elif mode in ("markdownv2", "markdown"):
        visible, found = _parse_markdown(text, v2=mode == "markdownv2")
    elif mode:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    else:
        visible, found = text, list(entities or [])
    return _strip(visible, found)


def validate_text(text: Any, parse_mode: str | None, entities: Any = None) -> tuple[str, list[JSONDict]]:
    """Message text: 1..4096 characters after entity parsing."""
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    visible, found = parse_formatted(text, parse_mode, entities)
    if not visible:
        raise bad_request("message text is empty")
    if len(visible) > MAX_TEXT:
        raise bad_request("message is too long")
    return visible, found


def validate_caption(caption: Any, parse_mode: str | None, entities: Any = None) -> JSONDict:
    """Caption: at most 1024 characters after entity parsing; returns message fields."""
    if caption is None or caption == "":
        return {}
    visible, found = parse_formatted(str(caption), parse_mode, entities)
    if len(visible) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    fields: JSONDict = {"caption": visible} if visible else {}
    if found:
        fields["caption_entities"] = found
    return fields


def validate_reply_markup(markup: Any) -> None:
    """Inline keyboards: <=100 buttons, callback_data 1..64 bytes, a valid action per button."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        for button in buttons:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            elif "url" in button:
                if not re.match(r"(https?|tg)://\S+$", str(button["url"])):
                    raise bad_request("BUTTON_URL_INVALID")
            elif len(button) == 1:
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')


def inline_markup(markup: Any) -> JSONDict | None:
    """The inline keyboard as Telegram echoes it back in Message.reply_markup (else None)."""
    if isinstance(markup, dict) and any(markup.get("inline_keyboard") or []):
        return markup
    return None


def validate_topic_name(name: Any) -> str:
    """Forum topic names are 1..128 characters."""
    if not isinstance(name, str) or not name.strip():
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > 128:
        raise bad_request("TOPIC_TITLE_TOO_LONG")
    return name


def validate_commands(commands: Any) -> list[JSONDict]:
    """setMyCommands: <=100 commands, names 1..32 of [a-z0-9_], descriptions 1..256."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return commands


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
