"""Fold Georgian script, Mtavruli and Latin translit into one comparable key.

Georgian letters and their Latin spellings (national romanisation and keyboard habits) map to
one phonetic skeleton, so "ქუთაისი", "ᲥᲣᲗᲐᲘᲡᲘ", "qutaisi" and "kutaisi" all read "kutaisi".
English is folded by the same rules; that is harmless because queries and phrasings are folded
alike.
"""

from __future__ import annotations

import re
import unicodedata

# Georgian letter → skeleton. Upper-case Latin letters stand for digraph sounds (input is
# casefolded first, so they cannot collide with typed letters).
_GEORGIAN = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i",
    "კ": "k", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "j", "რ": "r", "ს": "s",
    "ტ": "t", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "g", "ყ": "k", "შ": "S", "ჩ": "C", "ც": "c",
    "ძ": "Z", "წ": "c", "ჭ": "C", "ხ": "x", "ჯ": "j", "ჰ": "h", "ჱ": "e", "ჲ": "i", "ჳ": "u",
    "ჴ": "x", "ჵ": "o", "ჶ": "p", "ჷ": "e", "ჸ": "", "ჹ": "", "ჺ": "",
}
_GEORGIAN_TABLE = str.maketrans(_GEORGIAN)

_DIGRAPHS = re.compile(r"sh|ch|ts|tz|dz|zh|kh|gh|th|ph")
_DIGRAPH_MAP = {"sh": "S", "ch": "C", "ts": "c", "tz": "c", "dz": "Z", "zh": "j", "kh": "x",
                "gh": "g", "th": "t", "ph": "p"}
# Single Latin letters whose chat habit is a Georgian sound: q=ქ, w=წ, y=ყ, f=ფ.
_LATIN_TABLE = str.maketrans({"q": "k", "w": "c", "y": "k", "f": "p"})

_APOSTROPHES = re.compile(r"[’'`´ʼ‘]")
_NON_WORD = re.compile(r"[^\w]+|_")
_REPEATS = re.compile(r"(.)\1{2,}")
_GEORGIAN_CHAR = re.compile(r"[\u10a0-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f]")


def has_georgian(text: str) -> bool:
    """True if the text contains Georgian script (any case)."""
    return bool(_GEORGIAN_CHAR.search(text))


def clean(text: str) -> str:
    """Casefold (Mtavruli → Mkhedruli), drop accents and punctuation, squeeze spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if unicodedata.category(ch) != "Mn")
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """The phonetic skeleton of a text, for matching."""
    text = clean(text)
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_MAP[m.group()], text)
    text = text.translate(_LATIN_TABLE)
    return text.translate(_GEORGIAN_TABLE)
