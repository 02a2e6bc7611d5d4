"""Benchmark the FAQ matcher: lookup latency and index memory, real and 1,000-topic content.

Usage: python scripts/bench_faq.py [--topics 1000] [--phrasings 20] [--queries 3000] [--seed 7]

The synthetic content replicates the real topics' phrasings with varied words (new pseudo-words
in Latin and Georgian script per topic, so the vocabulary grows with the topic count). Queries
mix the evaluation sets (short and chatty), mutated phrasings (typos, suffixes, extra words),
off-topic texts and long messages glued from six evaluation questions.
Prints build time, index memory (what tracemalloc sees the index keep, and the RSS delta of
a build) and lookup latency p50/p95/p99, wall clock and CPU time of the lookup thread.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.faq.content import FaqContent, Topic, load_faq, load_offtopic
from bot.faq.matcher import FaqMatcher
from bot.settings import DEFAULT_CONTENT_DIR, Settings

LATIN = "bdgvztklmnprsxqcjhw"
VOWELS = "aeiou"
GEORGIAN = "ბგდვზთკლმნპჟრსტფქღყშჩცძწჭხჯჰ"
GEORGIAN_VOWELS = "აეიოუ"
SUFFIXES = ("ში", "ის", "ზე", "ით", "ებს", "ისთვის")
LATIN_SUFFIXES = ("shi", "is", "ze", "it", "ebs", "istvis", "s")


def pseudo_word(rng: random.Random, georgian: bool) -> str:
    consonants, vowels = (GEORGIAN, GEORGIAN_VOWELS) if georgian else (LATIN, VOWELS)
    return "".join(rng.choice(consonants) + rng.choice(vowels)
                   for _ in range(rng.randint(2, 4)))


def synthetic_content(real: FaqContent, n_topics: int, per_topic: int,
                      rng: random.Random) -> FaqContent:
    """`n_topics` topics built from the real ones, each with its own new words."""
    topics = []
    for index in range(n_topics):
        base = real.topics[index % len(real.topics)]
        own = {kind: [pseudo_word(rng, kind == "ka") for _ in range(4)]
               for kind in ("en", "ka", "translit")}
        questions: dict[str, list[str]] = {"en": [], "ka": [], "translit": []}
        pool = [(kind, q) for kind, qs in base.questions.items() for q in qs]
        rng.shuffle(pool)
        for kind, phrasing in (pool * 2)[:per_topic]:
            words = phrasing.split()
            if len(words) > 1 and index >= len(real.topics):
                words[rng.randrange(len(words))] = rng.choice(own[kind])
            words.insert(rng.randrange(len(words) + 1), rng.choice(own[kind]))
            text = " ".join(words)
            if text not in questions[kind]:
                questions[kind].append(text)
        topics.append(Topic(
            id=f"{base.id}_{index}", category=base.category, title=base.title,
            short=base.short, questions={k: tuple(v) for k, v in questions.items()},
            answer=base.answer))
    return FaqContent(categories=real.categories, topics=tuple(topics),
                      by_id={t.id: t for t in topics})


def mutate(text: str, rng: random.Random) -> str:
    """A user-like variant: a typo, a Georgian ending, an extra word, or Mtavruli."""
    words = text.split() or [text]
    i = rng.randrange(len(words))
    word = words[i]
    roll = rng.random()
    if roll < 0.3 and len(word) > 3:
        j = rng.randrange(1, len(word) - 1)
        word = word[:j] + word[j + 1] + word[j] + word[j + 2:]
    elif roll < 0.55:
        georgian = any("\u10d0" <= ch <= "\u10ff" for ch in word)
        word += rng.choice(SUFFIXES if georgian else LATIN_SUFFIXES)
    elif roll < 0.8:
        words.insert(i, rng.choice(["please", "გთხოვთ", "tell me", "xom", "hello"]))
    else:
        word = word.upper()
    words[i] = word
    return " ".join(words)


def queries_for(content: FaqContent, extra: list[str], count: int,
                rng: random.Random) -> list[str]:
    phrasings = [q for t in content.topics for qs in t.questions.values() for q in qs]
    out = list(extra)
    while len(out) < count:
        out.append(mutate(rng.choice(phrasings), rng))
    rng.shuffle(out)
    return out[:count]


def rss_kib() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bench(name: str, content: FaqContent, offtopic: tuple[str, ...], queries: list[str],
          threshold: float) -> None:
    gc.collect()
    rss_before = rss_kib()
    start = time.perf_counter()
    matcher = FaqMatcher(content, threshold=threshold, offtopic=offtopic)
    build = time.perf_counter() - start
    rss_delta = rss_kib() - rss_before  # includes build-time garbage the allocator keeps

    tracemalloc.start()
    traced = FaqMatcher(content, threshold=threshold, offtopic=offtopic)
    index_bytes, _ = tracemalloc.get_traced_memory()  # what the index keeps alive
    tracemalloc.stop()
    del traced
    gc.collect()

    for query in queries[:50]:  # warm-up
        matcher.match(query)
    latencies, cpu = [], []
    answered = 0
    for query in queries:
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        result = matcher.match(query)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
        answered += result.answer_id is not None
    latencies.sort()
    cpu.sort()

    def pct(p: float, values: list[float] = latencies) -> float:
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]

    phrasings = sum(len(qs) for t in content.topics for qs in t.questions.values())
    print(f"{name}: {len(content.topics)} topics, {phrasings} phrasings, "
          f"{len(offtopic)} off-topic examples, vocabulary {len(matcher._words)} words")
    print(f"  build {build * 1000:.0f} ms; "
          f"index memory {index_bytes / 2**20:.2f} MiB (tracemalloc), "
          f"RSS delta {rss_delta / 1024:.1f} MiB")
    print(f"  {len(latencies)} lookups: p50 {pct(50):.3f} ms, p95 {pct(95):.3f} ms, "
          f"p99 {pct(99):.3f} ms, max {latencies[-1]:.3f} ms, mean "
          f"{statistics.fmean(latencies):.3f} ms; answered {answered / len(latencies):.0%}")
    # CPU time of the lookup thread: what a lookup costs when it has a core to itself (on a
    # shared, loaded machine the wall-clock figures above include waiting for one).
    print(f"  CPU time per lookup: p50 {pct(50, cpu):.3f} ms, p95 {pct(95, cpu):.3f} ms, "
          f"p99 {pct(99, cpu):.3f} ms, max {cpu[-1]:.3f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--phrasings", type=int, default=20)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    threshold = Settings.model_fields["faq_threshold"].default
    real = load_faq(DEFAULT_CONTENT_DIR / "faq.yaml")
    offtopic = load_offtopic(DEFAULT_CONTENT_DIR / "faq_offtopic.yaml")
    # Both evaluation sets: short questions and long, chatty, multi-sentence messages.
    eval_queries = [line.split("\t")[2] for path in sorted((ROOT / "tests/faq_eval").glob("*.tsv"))
                    for line in path.read_text(encoding="utf-8").splitlines()[1:]
                    if line.strip()]
    long_queries = [" ".join(rng.sample(eval_queries, 6))[:600] for _ in range(20)]
    extra = eval_queries + list(offtopic) + long_queries

    bench("real content", real, offtopic, queries_for(real, extra, args.queries, rng), threshold)
    synthetic = synthetic_content(real, args.topics, args.phrasings, rng)
    bench("synthetic content", synthetic, offtopic,
          queries_for(synthetic, extra, args.queries, rng), threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
