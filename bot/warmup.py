"""Ready a process for long running: what loads lazily loads now, then the heap is frozen.

Two kinds of pause otherwise fall on whoever comes first or unluckily: the first text in a
language compiles its catalog and loads Babel's locale data (30–100 ms each), and Python's
full garbage collections walk every object the start-up built (the FAQ index, locale data,
modules): 100+ ms of event loop each, measured while reminders were planned. `gc.freeze()`
moves what exists after start-up out of the collector's sight; objects made later are
collected as before.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from babel.dates import format_datetime

from bot.i18n import LANGUAGES, translator

_frozen = False


def warm_up() -> None:
    """Load translations and locale data for every language, then freeze the start-up heap
    (once per process: later apps, as in tests, leave the collector as it is)."""
    global _frozen  # one process, one freeze
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for language in LANGUAGES:
        translator(language)("")
        format_datetime(moment, "EEEE, d MMMM y, HH:mm", locale=language)
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
