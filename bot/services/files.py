"""Files people sent (a photo, a document), fetched back from their platform for staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FileData:
    """A file's bytes, the name the platform gives it and its media type."""

    content: bytes
    filename: str
    media_type: str


class FileSource(Protocol):
    """A platform that can hand back a file a person sent, by its reference.

    Failures raise the core's delivery errors (bot/core/delivery.py)."""

    async def fetch_file(self, file_id: str) -> FileData:
        """The file's bytes (a network call: never inside a transaction)."""
