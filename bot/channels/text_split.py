"""Split long texts at paragraph, line or sentence boundaries to fit a channel's limit."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut where a reader would pause."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = _best_cut(window)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return [c for c in chunks if c]


def _best_cut(window: str) -> int:
    floor = len(window) // 3  # never make a tiny first chunk
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at > floor:
            return at + len(separator)
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > floor]
    if sentence_ends:
        return sentence_ends[-1]
    at = window.rfind(" ")
    return at + 1 if at > floor else len(window)
