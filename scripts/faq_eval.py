"""Measure the FAQ matcher on evaluation sets: accuracy@1, @3 and off-topic refusal.

Usage: python scripts/faq_eval.py [SET.tsv ...] [--threshold T] [--errors] [--halves]
                                  [--no-offtopic]
Without files, every set in tests/faq_eval/ is measured: questions.tsv (short questions) and
chatty.tsv (long, multi-sentence, keyboard-typed messages; written before the matcher was
tuned for them, tuned on its odd lines only: the even lines are its held-out half). A file has
lines
`lang<TAB>expected<TAB>query`; expected is a topic id or `-` (must refuse).
Each set prints accuracy per language and per message length (words: short ≤ 5, medium 6–12,
long ≥ 13). `--halves` also reports the odd and even lines separately (tune on one, check on
the other). Topics whose answer needs a setting (working hours) are included, as with every
setting configured.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.faq.content import load_faq, load_offtopic
from bot.faq.matcher import FaqMatcher
from bot.settings import DEFAULT_CONTENT_DIR, Settings

EVAL_DIR = ROOT / "tests" / "faq_eval"
LENGTHS = (("short", 0, 5), ("medium", 6, 12), ("long", 13, 10**6))


def length_bucket(query: str) -> str:
    """short (≤ 5 words), medium (6–12) or long (≥ 13)."""
    count = len(query.split())
    return next(name for name, low, high in LENGTHS if low <= count <= high)


def read_set(path: Path) -> list[tuple[str, str | None, str]]:
    """(lang, expected id or None, query) rows of an evaluation file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            lang, expected, query = line.split("\t")
            rows.append((lang, None if expected == "-" else expected, query))
    return rows


def build_matcher(threshold: float | None = None, *, offtopic: bool = True,
                  content_dir: Path = DEFAULT_CONTENT_DIR) -> FaqMatcher:
    """The matcher as the bot builds it: content, off-topic examples, default threshold."""
    if threshold is None:
        threshold = Settings.model_fields["faq_threshold"].default
    content = load_faq(content_dir / "faq.yaml")
    examples = load_offtopic(content_dir / "faq_offtopic.yaml") if offtopic else ()
    return FaqMatcher(content, threshold=threshold, offtopic=examples)


def halves(rows: list[tuple[str, str | None, str]]) -> dict[str, list[tuple[str, str | None, str]]]:
    """The set split into odd and even lines (1st, 3rd, … and 2nd, 4th, … questions)."""
    return {"odd": rows[0::2], "even": rows[1::2]}


def evaluate(matcher: FaqMatcher, rows: list[tuple[str, str | None, str]]) -> dict[str, float]:
    """The three figures, plus per-language accuracy@1."""
    on = [r for r in rows if r[1] is not None]
    off = [r for r in rows if r[1] is None]
    at1 = at3 = 0
    per_lang: dict[str, list[int]] = {}
    per_length: dict[str, list[int]] = {}
    errors = []
    for lang, expected, query in on:
        result = matcher.match(query)
        top3 = [m.topic_id for m in result.matches[:3]]
        hit = result.answer_id == expected
        at1 += hit
        at3 += expected in top3
        per_lang.setdefault(lang, []).append(hit)
        per_length.setdefault(length_bucket(query), []).append(hit)
        if not hit:
            errors.append((lang, expected, result.answer_id, query, result.matches[:2]))
    refused = 0
    for lang, _, query in off:
        result = matcher.match(query)
        refused += result.answer_id is None
        if result.answer_id is not None:
            errors.append((lang, None, result.answer_id, query, result.matches[:2]))
    figures = {"accuracy@1": at1 / len(on), "accuracy@3": at3 / len(on),
               "refusal": refused / len(off) if off else 1.0}
    figures |= {f"accuracy@1[{k}]": sum(v) / len(v) for k, v in sorted(per_lang.items())}
    figures |= {f"accuracy@1[{name}, n={len(per_length[name])}]":
                sum(per_length[name]) / len(per_length[name])
                for name, _, _ in LENGTHS if name in per_length}
    figures["_errors"] = errors  # type: ignore[assignment]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*",
                        default=[str(p) for p in sorted(EVAL_DIR.glob("*.tsv"))])
    parser.add_argument("--threshold", type=float,
                        default=Settings.model_fields["faq_threshold"].default)
    parser.add_argument("--errors", action="store_true", help="list the misses")
    parser.add_argument("--halves", action="store_true",
                        help="also report odd and even lines separately")
    parser.add_argument("--no-offtopic", action="store_true",
                        help="ignore content/faq_offtopic.yaml")
    args = parser.parse_args()
    matcher = build_matcher(args.threshold, offtopic=not args.no_offtopic)
    for path in map(Path, args.paths):
        report(matcher, path, args)
    return 0


def report(matcher: FaqMatcher, path: Path, args: argparse.Namespace) -> None:
    """Print one set's figures (and misses, halves) as asked."""
    rows = read_set(path)
    figures = evaluate(matcher, rows)
    errors = figures.pop("_errors")
    print(f"{path.name}: {len(rows)} questions ({sum(r[1] is None for r in rows)} off-topic), "
          f"threshold {args.threshold}")
    for name, value in figures.items():
        print(f"{name:>30}: {value:.3f}")
    if args.halves:
        for name, part in halves(rows).items():
            part_figures = evaluate(matcher, part)
            part_figures.pop("_errors")
            print(f"{name} half ({len(part)}): " + ", ".join(
                f"{k} {part_figures[k]:.3f}" for k in ("accuracy@1", "accuracy@3", "refusal")))
    if args.errors:
        for lang, expected, got, query, top in errors:
            tops = ", ".join(f"{m.topic_id}={m.score:.2f}" for m in top)
            print(f"  [{lang}] want {expected} got {got}: {query!r}  ({tops})")
    print()


if __name__ == "__main__":
    sys.exit(main())
