"""`hubbot faq`: ask the FAQ as the bot would; check, export, import, list and revert its content.

The content lives in the database (seeded from CONTENT_DIR on first start). `import` shows what
it would change and asks first (`--yes` for scripts). Exit codes as every command: 0 done (also
nothing to change), 1 broken content, no such version, or an import declined, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.arguments import record_id
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp
    from bot.faq.document import Diff

ACTIONS = ("check", "export", "import", "history", "revert")
CLI_WHO = "command line"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot faq`."""
    faq = sub.add_parser(
        "faq", help="ask the FAQ; `faq check|export|import FILE|history|revert VERSION` "
                    "look after its content")
    faq.add_argument("--json", action="store_true", help="print one JSON object per question")
    faq.add_argument("-o", "--output", type=Path, metavar="FILE",
                     help="export: write the YAML here (default: standard output)")
    faq.add_argument("--yes", action="store_true", help="import: replace without asking")
    faq.add_argument("--who", default=CLI_WHO, help="import, revert: the name kept in the history")
    faq.add_argument("--limit", type=int, default=30, help="history: how many changes (30)")
    faq.add_argument("question", nargs="*",
                     help="a question (none: one per line on stdin), or one of: "
                          + ", ".join(ACTIONS))


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Answer the question(s), or look after the content."""
    words = list(args.question)
    if words and words[0] in ACTIONS:
        return await _content_action(settings, args, words[0], words[1:], open_app)
    hub = await open_app(settings)
    try:
        faq = hub.services.faq
        questions = [" ".join(words)] if words else (line.rstrip("\n") for line in sys.stdin)
        for question in questions:  # blank lines get a null answer too: output lines match input
            result = faq.match(question)
            if args.json:
                print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
            else:
                topic = faq.topic(result.answer_id) if result.answer_id else None
                print(faq.answer(topic, result.language or "en") if topic else "(no answer)")
    finally:
        await hub.close()
    return 0


async def _content_action(settings: Settings, args: argparse.Namespace, action: str,
                          rest: list[str],
                          open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    from bot.cli.startup import ContentStartupError
    from bot.faq import document as doc
    from bot.faq.content import ContentError
    from bot.faq.problems import english
    from bot.services.faq_editor import FaqEditError, FaqEditor

    prog = f"hubbot faq {action}"
    wants = {"import": 1, "revert": 1, "check": (0, 1)}.get(action, 0)
    if len(rest) not in (wants if isinstance(wants, tuple) else (wants,)):
        usage = {"import": "FILE", "revert": "VERSION", "check": "[FILE]"}.get(action, "")
        return _refuse(f"{prog}: usage: hubbot faq {action} {usage}".rstrip())
    incoming = None
    if action in ("import", "check") and rest:
        try:
            incoming = doc.parse_yaml(Path(rest[0]).read_text(encoding="utf-8"))
        except OSError as exc:
            return _refuse(f"{prog}: cannot read {rest[0]}: {exc.strerror or exc}")
        except ContentError as exc:
            return _refuse(f"{prog}: {rest[0]}: {exc}")
        problems = doc.check(incoming)
        if problems:
            print(f"{prog}: {rest[0]}: " + english(problems), file=sys.stderr)
            return 1
        if action == "check":
            print(_summary("ok", incoming))
            return 0
    version = None
    if action == "revert":
        try:
            version = record_id(rest[0])
        except argparse.ArgumentTypeError as exc:
            return _refuse(f"{prog}: {exc}")
    try:
        hub = await open_app(settings)
    except ContentStartupError as exc:
        if action != "check":
            raise
        print(f"hubbot faq check: {str(exc).removeprefix('hubbot: ')}", file=sys.stderr)
        return 1
    editor = FaqEditor(hub.database)
    try:
        if action == "check":
            current = await editor.document()
            problems = doc.check(current)
            if problems:
                print("hubbot faq check: " + english(problems), file=sys.stderr)
                return 1
            print(_summary("ok", current))
            return 0
        if action == "export":
            text = doc.dump_yaml(await editor.document())
            if args.output is None:
                sys.stdout.write(text)
                return 0
            from bot.cli.output import OutputError, write_file
            try:
                path = write_file(args.output, text.encode("utf-8"), default_name="faq.yaml")
            except OutputError as exc:
                return _refuse(f"{prog}: {exc}")
            print(f"wrote {path}")
            return 0
        if action == "history":
            for entry in reversed(await editor.history(limit=max(1, args.limit))):
                print(f"{entry.version}\t{entry.at:%Y-%m-%d %H:%M}\t{entry.who}\t{entry.summary}")
            return 0
        if action == "revert":
            assert version is not None
            try:
                edit = await editor.revert(version, args.who)
            except (LookupError, FaqEditError) as exc:
                print(f"{prog}: {exc}", file=sys.stderr)
                return 1
            print(f"reverted {version}: version {edit.version}" if edit.changed
                  else f"nothing to revert: the content is as before version {version}")
            return 0
        assert incoming is not None  # import
        changes = doc.diff(await editor.document(), incoming)
        if changes.empty:
            print("nothing to change: the content is the same")
            return 0
        print(_describe(changes))
        if not args.yes and not _confirm("Replace the content with this file? [y/N] "):
            print("not replaced", file=sys.stderr)
            return 1
        try:
            edit = await editor.replace_all(incoming, args.who,
                                            summary=f"import of {Path(rest[0]).name}")
        except FaqEditError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 1
        print(f"imported: version {edit.version}")
        return 0
    finally:
        await hub.close()


def _describe(changes: Diff) -> str:
    lines = []
    for label, ids in (("added", changes.added), ("removed", changes.removed),
                       ("changed", changes.changed)):
        if ids:
            lines.append(f"topics {label} ({len(ids)}): {', '.join(ids)}")
    if changes.other:
        lines.append("also changed: " + ", ".join(changes.other))
    return "\n".join(lines)


def _confirm(prompt: str) -> bool:
    print(prompt, end="", flush=True)
    answer = sys.stdin.readline()
    if not answer:
        print()
    return answer.strip().lower() in ("y", "yes")


def _summary(word: str, content: dict) -> str:  # type: ignore[type-arg]
    phrasings = sum(len(q) for t in content["topics"] for q in t["questions"].values())
    return (f"{word}: {len(content['topics'])} topics, {len(content['categories'])} categories, "
            f"{phrasings} question phrasings")


def _refuse(line: str) -> int:
    print(line, file=sys.stderr)
    return 2
