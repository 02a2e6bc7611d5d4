"""Find the FAQ topic a free-text question is about — or admit that none fits.

Queries and phrasings are folded (see `normalize`: Mkhedruli, Mtavruli and Latin translit share
one skeleton) and split into words; stop words ("please", "can you", "გთხოვთ", "xom"…) are
dropped. Words are compared fuzzily (bot/faq/word_similarity.py: typos, Georgian endings). Each
word weighs its rarity across topics (idf).

A phrasing scores the geometric mean of two coverages, idf-weighted and soft:
- precision: how much of the question the phrasing explains,
- recall: how much of the phrasing the question contains;
a topic scores its best phrasing, blended with how much of the question the topic's whole
vocabulary explains. A question word no topic knows ("weather", "passport", "taxi", "joke")
weighs extra and pulls every score down, so off-topic questions fall below the threshold.

Real messages are longer: greetings, context and thanks around the question. A message of
several sentences or clauses is scored whole and clause by clause, through the same scoring; a
clause lifts a topic part of the way towards its own score, more the more of the message it
holds. Word-initial keyboard capitals ("Ronisdziebebis") are read whichever way the content
knows better. A topic answers above the threshold, or just below it when it leads every other
topic and the off-topic examples twofold.

Optional off-topic examples (`content/faq_offtopic.yaml`) form one more, hidden topic: when it
wins, the bot does not answer. Only the real topics appear in `MatchResult.matches`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bot.faq.content import FaqContent
from bot.faq.normalize import (
    ENGLISH_STOP_WORDS,
    GEORGIAN_STOP_WORDS,
    QUESTION,
    STOP,
    fold,
    has_georgian,
    keyboard_reading,
    word_class,
    words_for_matching,
)
from bot.faq.word_similarity import WordSimilarity

# Scoring (word similarity: bot/faq/word_similarity.py).
QUESTION_WEIGHT = 0.5  # where / სად / rodis … weigh half a content word
UNKNOWN_WEIGHT = 1.3  # a word no topic knows weighs 1.3 × the rarest known word
PHRASING_SHARE = 0.7  # topic score = 0.7 × best phrasing + 0.3 × whole-topic coverage
TIE = 0.005  # top two topics closer than this: refuse rather than pick one at random
# Just below the threshold a topic still answers when nothing else comes close: at least this
# score and this many times the runner-up's (the off-topic examples count as a runner-up).
CLEAR_FLOOR, CLEAR_LEAD = 0.36, 2.0
MAX_QUERY_WORDS = 40
# Long messages: each sentence or clause is also scored on its own, so greetings, context and
# thanks around the question do not drown it.
_CLAUSE = re.compile(r"[.?!;:\n]+|,\s|\s[-–—]+\s|[–—]")
MAX_CLAUSES = 8
CLAUSE_LIFT = 0.6  # at most this share of the way from the message's score to a clause's


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


def _expand(indptr: np.ndarray, indices: np.ndarray, keys: np.ndarray,
            ) -> tuple[np.ndarray, np.ndarray]:
    """For CSR postings: (position in `keys`, posting) for every posting of every key."""
    starts = indptr[keys]
    lengths = indptr[keys + 1] - starts
    owner = np.repeat(np.arange(len(keys)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, indices[starts[owner] + offsets]


def _postings(pairs: Iterable[tuple[int, int]], n_keys: int, n_values: int) -> sp.csr_matrix:
    pairs = sorted(set(pairs))
    keys = [k for k, _ in pairs]
    values = [v for _, v in pairs]
    return sp.csr_matrix((np.ones(len(pairs)), (keys, values)), shape=(n_keys, n_values))


class FaqMatcher:
    """An index over every phrasing and title of every topic (and the off-topic examples)."""

    def __init__(self, content: FaqContent, *, threshold: float,
                 offtopic: Sequence[str] = ()) -> None:
        self.threshold = threshold
        self.topic_ids = [t.id for t in content.topics]
        self._topic_index = {topic_id: i for i, topic_id in enumerate(self.topic_ids)}
        n_real = len(self.topic_ids)
        rows: list[tuple[int, str, list[tuple[str, str]]]] = []  # (topic, kind, words)
        for index, topic in enumerate(content.topics):
            texts = [(kind, q) for kind, qs in topic.questions.items() for q in qs]
            texts += [("ka", topic.title["ka"]), ("en", topic.title["en"])]
            rows += [(index, kind, words_for_matching(fold(text))) for kind, text in texts]
        rows += [(n_real, "off", words_for_matching(fold(text))) for text in offtopic]
        rows = [r for r in rows if r[2]]
        # Words that show a Latin-letter question is English, or Georgian in translit.
        english = {w for _, kind, ws in rows if kind == "en" for w, _ in ws}
        georgian = {w for _, kind, ws in rows if kind in ("ka", "translit") for w, _ in ws}
        self._english_words = (english | ENGLISH_STOP_WORDS) - georgian - GEORGIAN_STOP_WORDS
        self._georgian_words = (georgian | GEORGIAN_STOP_WORDS) - english - ENGLISH_STOP_WORDS
        self._n_topics = n_real + (1 if any(r[0] == n_real for r in rows) else 0)
        self._row_topic = np.array([r[0] for r in rows], dtype=np.int64)
        self._row_kind = [r[1] for r in rows]

        vocab: dict[str, int] = {}
        is_question: list[bool] = []
        for _, _, words in rows:
            for word, cls in words:
                if word not in vocab:
                    vocab[word] = len(vocab)
                    is_question.append(cls == QUESTION)
        self._words = list(vocab)
        n_words = len(vocab)

        word_row = _postings(((vocab[w], r) for r, (_, _, ws) in enumerate(rows) for w, _ in ws),
                             n_words, len(rows))
        word_topic = _postings(((vocab[w], t) for t, _, ws in rows for w, _ in ws),
                               n_words, self._n_topics)

        # idf over the real topics; words only the off-topic examples use count as rarest.
        real = word_topic[:, :n_real] if self._n_topics > n_real else word_topic
        df = np.asarray(real.sum(axis=1)).ravel()
        self._idf = np.log1p(n_real / np.maximum(df, 1))
        self._idf_unknown = math.log1p(n_real) * UNKNOWN_WEIGHT
        self._word_weight = self._idf * np.where(is_question, QUESTION_WEIGHT, 1.0)
        self._row_weight = np.asarray(word_row.T @ self._word_weight).ravel()
        self._wr_ptr, self._wr_idx = word_row.indptr, word_row.indices
        self._wt_ptr, self._wt_idx = word_topic.indptr, word_topic.indices
        self._similarity = WordSimilarity(self._words)

    # ------------------------------------------------------------------ matching

    def match(self, query: str, limit: int = 5, *,
              leave_out: Collection[str] = ()) -> MatchResult:
        """Score every topic for `query`; answer only above the threshold.

        Topics in `leave_out` are neither answered nor offered (their answer needs a setting
        that is unset: the working hours without HUB_HOURS).
        """
        folded = self._fold(query)
        words = words_for_matching(folded)[:MAX_QUERY_WORDS]
        if not words:
            return MatchResult(query=query, answer_id=None, matches=(), language=None)
        scores, row_ids, row_scores = self._score(words)
        for clause in self._clauses(query):
            # A clause lifts a topic part of the way from the whole message's score, more
            # when it holds more of the message's words ("Before I register — what do you do
            # with my data?": the data clause counts, the two-word aside barely).
            lift = CLAUSE_LIFT * math.sqrt(len(clause) / len(words))
            scores = np.maximum(scores, scores + lift * (self._score(clause)[0] - scores))
        real = scores[:len(self.topic_ids)]
        for topic_id in leave_out:
            if topic_id in self._topic_index:
                real[self._topic_index[topic_id]] = 0.0
        order = np.argsort(-real, kind="stable")[:limit]
        matches = tuple(Match(self.topic_ids[i], float(real[i])) for i in order if real[i] > 0)
        best = matches[0] if matches else None
        offtopic = float(scores[-1]) if self._n_topics > len(self.topic_ids) else 0.0
        offtopic_wins = best is not None and offtopic >= best.score
        # Two topics fitting equally well ("help", "kutaisi"): nothing tells them apart.
        tie = len(matches) > 1 and matches[0].score - matches[1].score < TIE
        runner_up = max([offtopic] + [m.score for m in matches[1:2]])
        sure = best is not None and (best.score >= self.threshold or (
            best.score >= CLEAR_FLOOR and best.score >= CLEAR_LEAD * runner_up))
        answer = best.topic_id if best and sure and not offtopic_wins and not tie else None
        return MatchResult(query=query, answer_id=answer, matches=matches,
                           language=self._language(query, folded, answer, row_ids,
                                                   row_scores))

    def _fold(self, text: str) -> str:
        """`fold`, with each word-initial keyboard capital read whichever way the content knows."""
        folded = fold(text)
        other = keyboard_reading(text)
        if other is None:
            return folded
        plain, alternative = folded.split(), fold(other).split()
        if len(plain) != len(alternative):
            return folded
        differ = [(a, b) for a, b in zip(plain, alternative) if a != b]
        best = self._similarity.best([w for pair in differ for w in pair])
        chosen = {a: b for a, b in differ if best.get(b, 0.0) > best.get(a, 0.0)}
        return " ".join(chosen.get(w, w) for w in plain)

    def _clauses(self, query: str) -> list[list[tuple[str, str]]]:
        """The words of each clause of a message of several, leaving out clauses of stop words."""
        parts = [p for p in _CLAUSE.split(query) if p.strip()]
        if len(parts) < 2:
            return []
        clauses = []
        for part in parts[:MAX_CLAUSES]:
            folded = self._fold(part)
            if any(word_class(w) != STOP for w in folded.split()):
                clauses.append(words_for_matching(folded)[:MAX_QUERY_WORDS])
        return clauses if len(clauses) > 1 else []

    def _score(self, words: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Topic scores, plus the touched phrasing rows and their scores."""
        qi, vi, sim = self._similarity.pairs([w for w, _ in words])
        if not len(qi):
            return np.zeros(self._n_topics), np.zeros(0, dtype=np.int64), np.zeros(0)
        # Each query word weighs like the known word it matches best, or as an unknown word.
        best: dict[int, tuple[float, int]] = {}
        for q, v, s in zip(qi.tolist(), vi.tolist(), sim.tolist()):
            if q not in best or s >= best[q][0]:  # on a tie the later pair wins
                best[q] = (s, v)
        weight = np.array([(float(self._idf[best[q][1]]) if q in best else self._idf_unknown)
                           * (QUESTION_WEIGHT if cls == QUESTION else 1.0)
                           for q, (_, cls) in enumerate(words)])
        n, total = len(weight), weight.sum()
        scores = np.zeros(self._n_topics)
        # Phrasing rows: precision (max similarity per query word, weighted) …
        owner, rows = _expand(self._wr_ptr, self._wr_idx, vi)
        row_ids, row_pos = np.unique(rows, return_inverse=True)
        per_word = np.zeros((n, len(row_ids)))
        np.maximum.at(per_word, (qi[owner], row_pos), sim[owner])
        precision = weight @ per_word / total
        # … and recall (each phrasing word's best similarity to the query, weighted).
        words_hit, hit_pos = np.unique(vi, return_inverse=True)
        word_best = np.zeros(len(words_hit))
        np.maximum.at(word_best, hit_pos, sim)
        owner, rows = _expand(self._wr_ptr, self._wr_idx, words_hit)
        covered = np.zeros(len(row_ids))
        np.add.at(covered, np.searchsorted(row_ids, rows),
                  (word_best * self._word_weight[words_hit])[owner])
        recall = covered / np.maximum(self._row_weight[row_ids], 1e-9)
        row_scores = np.sqrt(precision * recall)
        np.maximum.at(scores, self._row_topic[row_ids], row_scores)
        # Whole-topic coverage of the question.
        owner, topics = _expand(self._wt_ptr, self._wt_idx, vi)
        per_topic = np.zeros((n, self._n_topics))
        np.maximum.at(per_topic, (qi[owner], topics), sim[owner])
        coverage = weight @ per_topic / total
        scores = PHRASING_SHARE * scores + (1 - PHRASING_SHARE) * coverage * (scores > 0)
        return scores, row_ids, row_scores

    def _language(self, query: str, folded: str, answer: str | None, row_ids: np.ndarray,
                  row_scores: np.ndarray) -> str | None:
        if has_georgian(query):
            return "ka"
        if answer is None:
            return None
        # Latin letters: English or translit? Count words only one of them uses ("you", "the"
        # against "ra", "aris", "habis") …
        words = folded.split()
        english = sum(w in self._english_words for w in words)
        georgian = sum(w in self._georgian_words for w in words)
        if english != georgian:
            return "en" if english > georgian else "ka"
        # … else the kind of the best-fitting phrasing (on a tie, e.g. "LDA Georgia", English).
        mine = self._row_topic[row_ids] == self.topic_ids.index(answer)
        kinds = [self._row_kind[r] for r in row_ids]
        rank = row_scores + np.array([1e-9 if k == "en" else 0.0 for k in kinds])
        rank[~mine | np.array([k == "ka" for k in kinds], dtype=bool)] = -1.0
        if not len(rank) or rank.max() < 0:
            return "ka"  # only Georgian-script phrasings fit: Georgian typed in Latin letters
        return "en" if kinds[int(np.argmax(rank))] == "en" else "ka"
