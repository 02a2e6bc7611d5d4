"""Every user-visible string is translated into Georgian, with its placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import language_from_hint, translator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
MTAVRULI = re.compile(r"[\u1c90-\u1cbf]")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for directory, method_map in [(ROOT / package, [("**.py", "python")])
                                  for package in ("bot", "handlers")]:
        for _file, _line, message, _comments, _context in extract_from_dir(
                directory, method_map=method_map,
                keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
            found.add(message if isinstance(message, str) else message[0])
    # the console's templates: _() and ngettext() as Jinja2 calls them
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "bot/console/templates",
            method_map=[("**.html", "jinja2.ext:babel_extract")]):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _georgian_catalog() -> dict[str, list[str]]:
    """Message id (a plural's singular) -> its translations (one per plural form)."""
    with (ROOT / "bot/locales/ka/LC_MESSAGES/messages.po").open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0]:
                [m.string] if isinstance(m.string, str) else list(m.string)
                for m in read_po(handle) if m.id}


def test_every_message_in_the_code_has_a_georgian_translation() -> None:
    catalog = _georgian_catalog()
    missing = sorted(m for m in _source_messages() if not all(catalog.get(m) or [""]))
    assert not missing, f"untranslated (run scripts/i18n.py and translate): {missing}"


def test_translations_keep_their_placeholders_and_use_no_mtavruli() -> None:
    for message_id, translations in _georgian_catalog().items():
        for translation in translations:
            if not translation:
                continue  # reported by the test above
            assert sorted(PLACEHOLDER.findall(message_id)) == sorted(PLACEHOLDER.findall(translation)), message_id
            assert not MTAVRULI.search(translation), message_id


def test_catalogs_compile_at_run_time() -> None:
    assert translator("ka")("Choose a language:") == "აირჩიეთ ენა:"
    assert translator("en")("Choose a language:") == "Choose a language:"


def test_first_language_from_the_platform_hint() -> None:
    assert language_from_hint("ka") == ("ka", False)
    assert language_from_hint("en-GB") == ("en", False)
    assert language_from_hint("ru") == ("ka", True)
    assert language_from_hint(None) == ("ka", True)
