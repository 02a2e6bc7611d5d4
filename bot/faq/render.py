"""Fill an answer's `{placeholders}`; a line whose placeholder has no value is left out."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.faq.content import LANGUAGES, FaqContent

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, values: Mapping[str, str | None]) -> str:
    """Substitute known values; drop whole lines that need a value we do not have."""
    kept = []
    for line in text.splitlines():
        names = _PLACEHOLDER.findall(line)
        if any(not values.get(name) for name in names):
            continue
        kept.append(_PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), line))
    return "\n".join(kept).strip()


def unanswerable(content: FaqContent, values: Mapping[str, str | None]) -> set[str]:
    """Topics whose answer, filled, says nothing in some language (e.g. hours without HUB_HOURS)."""
    return {t.id for t in content.topics
            if any(not fill(t.answer[lang], values) for lang in LANGUAGES)}
