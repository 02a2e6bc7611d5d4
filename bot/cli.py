"""The `hubbot` command line: run, chat, faq, db."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("hubbot")

NO_CHANNEL = ("hubbot: no channel configured — set TELEGRAM_BOT_TOKEN (and optionally "
              "TELEGRAM_API_BASE_URL) to run the bot, or try it in a terminal with `hubbot chat`")


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))


async def _run(settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        print(NO_CHANNEL, file=sys.stderr)
        return 2
    from bot.app import create_app
    from bot.channels.telegram import TelegramChannel, run_polling

    hub = await create_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await run_polling(TelegramChannel(hub), stop)
    finally:
        await hub.close()
    return 0


async def _chat(settings: Settings, language: str | None) -> int:
    from bot.app import create_app
    from bot.channels.console import ConsoleChat

    hub = await create_app(settings)
    try:
        await ConsoleChat(hub.core, language=language).run()
    finally:
        await hub.close()
    return 0


def _faq(settings: Settings, args: argparse.Namespace) -> int:
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
    for question in questions:
        if not question.strip():
            continue
        result = faq.match(question)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            topic = faq.topic(result.answer_id) if result.answer_id else None
            print(faq.answer(topic, result.language or "en") if topic else "(no answer)")
    return 0


async def _db(settings: Settings, action: str) -> int:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print(f"database schema is up to date ({action})")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of `hubbot`."""
    p = argparse.ArgumentParser(prog="hubbot", description="Imereti Hub front-door bot")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot on the configured channels")
    chat = sub.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument("--lang", choices=["ka", "en"], default=None,
                      help="your language (default: from $LANG, else Georgian)")
    faq = sub.add_parser("faq", help="ask the FAQ (`hubbot faq check` validates the content)")
    faq.add_argument("--json", action="store_true", help="print one JSON object per question")
    faq.add_argument("question", nargs="*", help="a question; none: one per line on stdin")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hubbot` console script."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.code, file=sys.stderr)
        return 2
    _setup_logging(settings)
    if args.command == "run":
        return asyncio.run(_run(settings))
    if args.command == "chat":
        language = args.lang or (os.environ.get("LANG", "")[:2] or None)
        return asyncio.run(_chat(settings, language))
    if args.command == "faq":
        return _faq(settings, args)
    return asyncio.run(_db(settings, args.action))


if __name__ == "__main__":
    sys.exit(main())
