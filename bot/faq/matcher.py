"""Find the FAQ topic a free-text question is about.

Queries and phrasings are folded (see `normalize`) and compared with TF-IDF over character
n-grams (scikit-learn), which survives Georgian suffixes, typos and translit; a second TF-IDF
over word stems (first letters of each word) rewards the right content words. A topic scores
its best phrasing. Below the threshold the bot does not guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.faq.content import FaqContent
from bot.faq.normalize import fold, has_georgian

STEM_LENGTH = 5
CHAR_WEIGHT = 0.6


@dataclass(frozen=True)
class Match:
    """A topic and how well the question fits it (0–1)."""

    topic_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """What the bot would answer, and the runners-up."""

    query: str
    answer_id: str | None
    matches: tuple[Match, ...]
    language: str | None  # "ka" or "en" when the question's language is clear

    def as_json(self) -> dict[str, object]:
        """The shape printed by `hubbot faq --json`."""
        return {
            "query": self.query,
            "answer_id": self.answer_id,
            "matches": [{"id": m.topic_id, "score": round(m.score, 4)} for m in self.matches],
        }


def _stems(folded: str) -> str:
    return " ".join(word[:STEM_LENGTH] for word in folded.split() if len(word) > 1)


class FaqMatcher:
    """An index over every phrasing and title of every topic."""

    def __init__(self, content: FaqContent, *, threshold: float) -> None:
        self.threshold = threshold
        self.topic_ids = [t.id for t in content.topics]
        rows: list[tuple[int, str, str]] = []  # (topic index, kind, folded text)
        for index, topic in enumerate(content.topics):
            texts = [(kind, q) for kind, qs in topic.questions.items() for q in qs]
            texts += [("ka", topic.title["ka"]), ("en", topic.title["en"])]
            rows += [(index, kind, fold(text)) for kind, text in texts if fold(text)]
        self._row_topic = np.array([r[0] for r in rows])
        self._row_kind = [r[1] for r in rows]
        folded = [r[2] for r in rows]
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._char_matrix = self._chars.fit_transform(folded).T.tocsr()
        self._words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True)
        self._word_matrix = self._words.fit_transform([_stems(f) for f in folded]).T.tocsr()

    def match(self, query: str, limit: int = 5) -> MatchResult:
        """Score every topic for `query`; answer only above the threshold."""
        folded = fold(query)
        if not folded:
            return MatchResult(query=query, answer_id=None, matches=(), language=None)
        char_scores = (self._chars.transform([folded]) @ self._char_matrix).toarray()[0]
        word_scores = (self._words.transform([_stems(folded)]) @ self._word_matrix).toarray()[0]
        row_scores = CHAR_WEIGHT * char_scores + (1 - CHAR_WEIGHT) * word_scores
        topic_scores = np.zeros(len(self.topic_ids))
        np.maximum.at(topic_scores, self._row_topic, row_scores)
        order = np.argsort(-topic_scores)[:limit]
        matches = tuple(Match(self.topic_ids[i], float(topic_scores[i])) for i in order
                        if topic_scores[i] > 0)
        best = matches[0] if matches else None
        answer = best.topic_id if best and best.score >= self.threshold else None
        return MatchResult(query=query, answer_id=answer, matches=matches,
                           language=self._language(query, row_scores, answer))

    def _language(self, query: str, row_scores: np.ndarray, answer: str | None) -> str | None:
        if has_georgian(query):
            return "ka"
        if answer is None:
            return None
        best_row = int(np.argmax(row_scores))
        return "en" if self._row_kind[best_row] == "en" else "ka"
