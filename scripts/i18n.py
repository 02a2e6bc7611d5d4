"""Extract translatable strings and merge them into the `.po` catalogs.

Usage: python scripts/i18n.py        (then fill the empty `msgstr` lines in bot/locales/ka/…)
English message ids are the English text; the `en` catalog stays empty on purpose.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
TEMPLATE = ROOT / "bot" / "locales" / "messages.pot"


def extract() -> None:
    """Write the template from the source code."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_", "--no-location",
                    "--sort-output", "--omit-header", "-o", str(TEMPLATE), str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True)


def merge(language: str) -> int:
    """Bring one catalog in line with the template; returns how many strings lack a translation."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        from babel.messages.catalog import Catalog
        catalog = Catalog(locale=language)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.project, catalog.version, catalog.fuzzy = "imereti-hubbot", "1", False
    catalog.copyright_holder = "Imereti Hub bot contributors"
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True,
                 ignore_obsolete=True, width=100)
    return sum(1 for m in catalog if m.id and not m.string)


def main() -> int:
    extract()
    for language in ("ka", "en"):
        missing = merge(language)
        print(f"{language}: {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
