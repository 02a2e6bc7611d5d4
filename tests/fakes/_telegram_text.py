"""Message text as Telegram checks it: HTML and Markdown entities, UTF-16 lengths, limits."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, NoReturn

from ._telegram_models import MAX_CAPTION, MAX_TEXT, ApiError, JSONDict, bad_request


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
