"""`hubbot faq`: ask the FAQ as the bot would, or check its content."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot faq`."""
    faq = sub.add_parser("faq", help="ask the FAQ (`hubbot faq check` validates the content)")
    faq.add_argument("--json", action="store_true", help="print one JSON object per question")
    faq.add_argument("question", nargs="*", help="a question; none: one per line on stdin")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Answer the question(s), or check the content (exit 1 when it is broken)."""
    from bot.app import build_faq
    from bot.faq.content import ContentError, load_faq
    from handlers import build_router

    if args.question == ["check"]:
        try:
            content = load_faq(settings.content_dir / "faq.yaml")
        except ContentError as exc:
            print(f"hubbot faq check: {exc}", file=sys.stderr)
            return 1
        phrasings = sum(len(q) for t in content.topics for q in t.questions.values())
        print(f"ok: {len(content.topics)} topics, {len(content.categories)} categories, "
              f"{phrasings} question phrasings")
        return 0
    faq = build_faq(settings, build_router())
    questions = [" ".join(args.question)] if args.question else (line.rstrip("\n")
                                                                 for line in sys.stdin)
    for question in questions:  # blank lines get a null answer too: output lines match input
        result = faq.match(question)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            topic = faq.topic(result.answer_id) if result.answer_id else None
            print(faq.answer(topic, result.language or "en") if topic else "(no answer)")
    return 0
