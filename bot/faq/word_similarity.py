"""How alike two folded words are, for the FAQ matcher: a query word against the content's words.

A cosine over character n-grams and prefixes finds candidates; an edit-distance ratio (typos:
"adress", "hotlien"), a long common prefix and a common stem (Georgian endings: ქუთაისი /
ქუთაისში / ქუთაისის) raise them. Similarities are scaled to 0–1 between a floor and a ceiling.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Prefix

from bot.faq.normalize import stem

NGRAMS = (2, 3)  # character n-grams of "<word>"
PREFIXES = (3, 6)  # plus the word's first 3..6 letters as features
CANDIDATE = 0.25  # n-gram cosine below which two words are not compared further
TYPO_RATIO = 0.85  # edit-distance ratio that counts as "the same word, mistyped" (4+ letters)
STEM_SHARE = 0.55  # a common prefix of 4+ letters and this share of the longer word: one stem
SAME_STEM = 0.85  # two words with the same stem once Georgian endings are off ("xonSic"/"xonis")
SIM_FLOOR, SIM_FULL = 0.45, 0.9  # word similarity below FLOOR counts 0, above FULL counts 1
WORD_CACHE = 20_000  # query words whose neighbours are remembered

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # (query word, vocabulary word, similarity)


def _features(word: str) -> dict[str, float]:
    """The word's n-grams and prefixes, L2-normalised."""
    padded = f"<{word}>"
    feats: dict[str, float] = {}
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i:i + n]
            feats[gram] = feats.get(gram, 0.0) + 1.0
    for k in range(PREFIXES[0], min(len(word), PREFIXES[1]) + 1):
        feats["^" + word[:k]] = 1.0
    norm = math.sqrt(sum(v * v for v in feats.values()))
    return {g: v / norm for g, v in feats.items()}


class WordSimilarity:
    """The content's vocabulary, indexed for finding the words like a query's."""

    def __init__(self, vocabulary: list[str]) -> None:
        self._words = vocabulary
        self._word_len = np.array([len(w) for w in vocabulary])
        self._stems = np.array([stem(w) for w in vocabulary], dtype=object)
        # Features × words, each word's column L2-normalised.
        self._feature_ids: dict[str, int] = {}
        fi, wi, val = [], [], []
        for index, word in enumerate(vocabulary):
            for gram, value in _features(word).items():
                fi.append(self._feature_ids.setdefault(gram, len(self._feature_ids)))
                wi.append(index)
                val.append(value)
        self._feature_word = sp.csr_matrix((val, (fi, wi)),
                                           shape=(len(self._feature_ids), len(vocabulary)))
        self._neighbours: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def pairs(self, words: list[str]) -> Pairs:
        """(position in `words`, vocabulary word, similarity 0–1) for every pair that counts.

        A word's neighbours depend on the word alone, and people reuse the same words, so they
        are remembered (the older half forgotten beyond `WORD_CACHE` words); new words are
        compared together in one batch.
        """
        cache = self._neighbours
        missing = [w for w in dict.fromkeys(words) if w not in cache]
        if missing:
            if len(cache) + len(missing) > WORD_CACHE:
                for old in list(itertools.islice(cache, len(cache) // 2 + len(missing))):
                    del cache[old]
            qi, vi, sim = self._compare(missing)
            cuts = np.searchsorted(qi, np.arange(1, len(missing)))
            for word, v, s in zip(missing, np.split(vi, cuts), np.split(sim, cuts)):
                cache[word] = (v, s)
        found = [cache[w] for w in words]
        sizes = [len(v) for v, _ in found]
        return (np.repeat(np.arange(len(words), dtype=np.int64), sizes),
                np.concatenate([v for v, _ in found]), np.concatenate([s for _, s in found]))

    def best(self, words: list[str]) -> dict[str, float]:
        """Each word's similarity to the vocabulary word most like it (absent: none is)."""
        qi, _, sim = self.pairs(words)
        best: dict[str, float] = {}
        for q, s in zip(qi.tolist(), sim.tolist()):
            best[words[q]] = max(best.get(words[q], 0.0), s)
        return best

    def _compare(self, words: list[str]) -> Pairs:
        """Compare `words` with the vocabulary; pairs sorted by query word."""
        fi, qi, val = [], [], []
        for index, word in enumerate(words):
            for gram, value in _features(word).items():
                f = self._feature_ids.get(gram)
                if f is not None:
                    fi.append(f)
                    qi.append(index)
                    val.append(value)
        query = sp.csr_matrix((val, (qi, fi)), shape=(len(words), len(self._feature_ids)))
        cosine = (query @ self._feature_word).tocoo()
        keep = cosine.data >= CANDIDATE
        qi, vi, sim = cosine.row[keep], cosine.col[keep], cosine.data[keep]
        refine = sim < SIM_FULL
        if refine.any():
            sim = sim.copy()
            q_ids, q_pos = np.unique(qi[refine], return_inverse=True)
            v_ids, v_pos = np.unique(vi[refine], return_inverse=True)
            q_words = [words[i] for i in q_ids]
            v_words = [self._words[v] for v in v_ids]
            ratio = process.cdist(q_words, v_words, scorer=fuzz.ratio)[q_pos, v_pos] / 100
            prefix = process.cdist(q_words, v_words, scorer=Prefix.similarity)[q_pos, v_pos]
            q_len = np.array([len(w) for w in q_words])[q_pos]
            longer = np.maximum(q_len, self._word_len[vi[refine]])
            shorter = np.minimum(q_len, self._word_len[vi[refine]])
            typo = np.where((ratio >= TYPO_RATIO) & (shorter >= 4), ratio, 0.0)
            common = np.where((prefix >= 4) & (prefix >= STEM_SHARE * longer),
                              0.55 + 0.45 * prefix / longer, 0.0)
            q_stems = np.array([stem(w) for w in q_words], dtype=object)[q_pos]
            same = np.where(q_stems == self._stems[vi[refine]], SAME_STEM, 0.0)
            sim[refine] = np.maximum.reduce([sim[refine], typo, common, same])
        sim = np.clip((sim - SIM_FLOOR) / (SIM_FULL - SIM_FLOOR), 0.0, 1.0)
        keep = sim > 0
        order = np.argsort(qi[keep], kind="stable")
        return (qi[keep][order].astype(np.int64), vi[keep][order].astype(np.int64),
                sim[keep][order])
