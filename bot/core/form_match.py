"""Typed answers to a form's buttons: labels in either language, numbers, yes/no words, near misses.

Labels and typed text are compared after the FAQ's folding (bot/faq/normalize.py), so case,
emoji, punctuation, Mtavruli and Latin translit ("qutaisi") do not matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.messages import small_number
from bot.faq.normalize import fold
from bot.i18n import LANGUAGES, translator

YES_WORDS = ("yes", "y", "ok", "okay", "yeah", "yep", "sure", "agree", "i agree", "continue",
             "დიახ", "კი", "ჰო", "კარგი", "ვეთანხმები", "გავაგრძელოთ", "ki", "ho", "diax", "diakh",
             "kargi", "vetanxmebi")
NO_WORDS = ("no", "n", "nope", "არა", "ara", "ar", "არ")
BACK_WORDS = ("back", "უკან", "ukan")
CANCEL_WORDS = ("cancel", "stop", "გაუქმება", "გააუქმე", "gauqmeba", "gaauqme")
DONE_WORDS = ("done", "finish", "finished", "that's all", "მზადაა", "დასრულება", "დავასრულე",
              "mzadaa", "dasruleba")
SEND_WORDS = ("send", "submit", "გაგზავნა", "გაგზავნე", "gagzavna", "gagzavne")
SKIP_WORDS = ("skip", "none", "გამოტოვება", "გამოტოვე", "არ გვაქვს", "gamotoveba", "ar gvaqvs")
NEAR_MISS = 80  # rapidfuzz ratio (0-100) above which a typed word is offered as "Did you mean"


def _keys(words: Sequence[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


_YES, _NO, _BACK, _CANCEL = _keys(YES_WORDS), _keys(NO_WORDS), _keys(BACK_WORDS), _keys(CANCEL_WORDS)
_DONE, _SEND, _SKIP = _keys(DONE_WORDS), _keys(SEND_WORDS), _keys(SKIP_WORDS)


def key(text: str) -> str:
    """The comparable form of a label or of what someone typed."""
    return fold(text)


def word_class(text: str) -> str | None:
    """'yes', 'no', 'back', 'cancel', 'done', 'send' or 'skip' when the text is such a word."""
    typed = key(text)
    for name, words in (("yes", _YES), ("no", _NO), ("back", _BACK), ("cancel", _CANCEL),
                        ("done", _DONE), ("send", _SEND), ("skip", _SKIP)):
        if typed in words:
            return name
    return None


@dataclass(frozen=True)
class Candidate:
    """One answer a person may type: its value and the message ids that name it."""

    value: str
    labels: tuple[str, ...]


def _spellings(candidate: Candidate) -> list[str]:
    """Every folded spelling of a candidate, in every language, with and without brackets."""
    found: list[str] = []
    for label in candidate.labels:
        for language in LANGUAGES:
            text = translator(language)(label)
            found.append(key(text))
            if "(" in text:  # "Non-commercial legal entity (NNLE)": either part alone
                head, _sep, tail = text.partition("(")
                found += [key(head), key(tail.rstrip(")"))]
    return [f for f in found if f]


def says(text: str, label: str) -> bool:
    """True when the text is the label (a message id) typed, in either language."""
    typed = key(text)
    return bool(typed) and typed in _spellings(Candidate("", (label,)))


@dataclass(frozen=True)
class Match:
    """What a typed text matched: a sure value, a near miss to confirm, or nothing."""

    value: str | None = None
    near: str | None = None


def match(text: str, candidates: Sequence[Candidate]) -> Match:
    """The candidate a typed text means: exact label, number in the list, unique words, near miss."""
    typed = key(text)
    if not typed:
        return Match()
    if typed.isdigit():  # digits of any kind are no words: a number of the list or nothing
        number = small_number(typed)
        exact_value = [c for c in candidates if c.value == typed]
        if exact_value:  # a choice whose value is the number itself (participants: 1-5)
            return Match(value=exact_value[0].value)
        if number is not None and 1 <= number <= len(candidates):
            return Match(value=candidates[number - 1].value)
        return Match()
    spellings = [(c, _spellings(c)) for c in candidates]
    exact = {c.value for c, keys in spellings if typed in keys}
    if len(exact) == 1:
        return Match(value=exact.pop())
    words = set(typed.split())
    containing = {c.value for c, keys in spellings if any(words <= set(k.split()) for k in keys)}
    if len(containing) == 1 and len(typed) >= 3:
        return Match(value=containing.pop())
    best, best_score = None, 0.0
    for candidate, keys in spellings:
        for spelling in keys:
            score = fuzz.ratio(typed, spelling)
            if score > best_score:
                best, best_score = candidate.value, score
    if best is not None and best_score >= NEAR_MISS:
        return Match(near=best)
    return Match()
