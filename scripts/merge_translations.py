"""Merge a JSON file of {English id: Georgian translation} into the Georgian catalog.

Usage: python scripts/merge_translations.py FILE.json   (after `python scripts/i18n.py`)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "bot/locales/ka/LC_MESSAGES/messages.po"


def main(path: str) -> int:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ka")
    merged = 0
    for message in catalog:
        if message.id and message.id in translations:
            message.string = translations[message.id]
            merged += 1
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True, width=100)
    missing = sum(1 for m in catalog if m.id and not m.string)
    print(f"merged {merged}; {missing} still untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
