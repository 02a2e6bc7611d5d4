"""Translations: gettext catalogs compiled from the `.po` files in memory at start-up.

Message ids are English; Georgian is the default language. Compiling in memory means a fresh
clone works without a `pybabel compile` step and no generated `.mo` files live in git.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("ka", "en")
DEFAULT_LANGUAGE = "ka"
LANGUAGE_NAMES = {"ka": "ქართული", "en": "English"}

Translate = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 (gettext convention)
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog for a language (English ids pass through when untranslated)."""
    po_path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translator(language: str) -> Translate:
    """The `_` function for one language."""
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE).gettext


def language_from_hint(hint: str | None) -> tuple[str, bool]:
    """First language from a platform hint: (language, whether to offer a switch)."""
    code = (hint or "").split("-")[0].split("_")[0].lower()
    if code in LANGUAGES:
        return code, False
    return DEFAULT_LANGUAGE, True
