"""Text from the outside made safe to store: no NUL, no lone surrogates, names within bounds.

PostgreSQL refuses NUL in text, and neither database driver can encode a lone surrogate
(JSON allows "\\ud800"); either would make every message of that person fail. Each adapter
cleans what it builds, so the core only ever sees text it can store.
"""

from __future__ import annotations

import dataclasses

from bot.core.messages import Incoming
from storage.limits import max_length
from storage.models import Person

DISPLAY_NAME_LIMIT = max_length(Person, "display_name") or 128


def clean_text(text: str) -> str:
    """The text without NUL, each lone surrogate replaced by U+FFFD (pairs are joined)."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 round trip: a split pair becomes its character, a lone half becomes U+FFFD.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def clean_name(name: str) -> str:
    """A display name: clean, spaces squeezed, cut to what the database keeps."""
    return " ".join(clean_text(name).split())[:DISPLAY_NAME_LIMIT]


def cleaned(event: Incoming) -> Incoming:
    """The same event with every text in it cleaned: ids, text, payload, name, attachments."""
    changes: dict[str, object] = {
        f.name: clean_text(value) for f in dataclasses.fields(event)
        if isinstance(value := getattr(event, f.name), str)}
    changes["display_name"] = clean_name(event.display_name)
    changes["attachments"] = tuple(
        dataclasses.replace(attachment, **{
            f.name: clean_text(value) for f in dataclasses.fields(attachment)
            if isinstance(value := getattr(attachment, f.name), str)})
        for attachment in event.attachments)
    return dataclasses.replace(event, **changes)  # type: ignore[arg-type]
