"""The FAQ content file (`content/faq.yaml`): loading and validation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.faq.problems import Problem, english
from bot.i18n import N_

LANGUAGES = ("ka", "en")
PHRASING_KINDS = ("ka", "en", "translit")
MAX_TITLE = 40
MAX_SHORT = 20
MAX_ANSWER = 3500
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# `{cmd_x}` placeholders name a bot command; they are filled only when that command exists.
COMMAND_PLACEHOLDERS = {
    "cmd_ask": "ask", "cmd_register": "register", "cmd_events": "events",
    "cmd_directory": "directory", "cmd_subscribe": "subscribe",
    "cmd_unsubscribe": "unsubscribe", "cmd_forget": "forget", "cmd_language": "language",
    "cmd_menu": "menu",
}
SETTING_PLACEHOLDERS = ("hub_phone", "hub_email", "hub_hours")
KNOWN_PLACEHOLDERS = set(SETTING_PLACEHOLDERS) | set(COMMAND_PLACEHOLDERS)
_MTAVRULI = re.compile(r"[\u1c90-\u1cbf]")


@dataclass(frozen=True)
class Category:
    """A group of topics for browsing."""

    id: str
    title: dict[str, str]


@dataclass(frozen=True)
class Topic:
    """One FAQ entry: its phrasings and its answer in each language."""

    id: str
    category: str
    title: dict[str, str]
    short: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    answer: dict[str, str]


@dataclass(frozen=True)
class FaqContent:
    """All categories and topics, in file order."""

    categories: tuple[Category, ...]
    topics: tuple[Topic, ...]
    by_id: dict[str, Topic] = field(default_factory=dict)

    def topics_in(self, category_id: str) -> list[Topic]:
        """Topics of one category, in file order."""
        return [t for t in self.topics if t.category == category_id]


class ContentError(ValueError):
    """The content file cannot be used; the message says where and why."""


def load_faq(path: Path) -> FaqContent:
    """Read and validate the FAQ file; raises ContentError listing every problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    problems = check_faq(raw)
    if problems:
        raise ContentError(f"{path}: " + english(problems))
    categories = tuple(Category(id=c["id"], title=dict(c["title"])) for c in raw["categories"])
    topics = tuple(
        Topic(
            id=t["id"], category=t["category"], title=dict(t["title"]),
            short=dict(t.get("short") or t["title"]),
            questions={k: tuple(t["questions"].get(k) or ()) for k in PHRASING_KINDS},
            answer={lang: t["answer"][lang].strip() for lang in LANGUAGES},
        )
        for t in raw["topics"]
    )
    return FaqContent(categories=categories, topics=topics, by_id={t.id: t for t in topics})


def load_offtopic(path: Path) -> tuple[str, ...]:
    """Example questions the bot must not answer (`content/faq_offtopic.yaml`), if the file exists.

    The file has `phrasings:` with `en` / `ka` / `translit` lists; the matcher uses them as a
    competing pseudo-topic. A missing file means no examples; a malformed one raises ContentError.
    """
    if not path.is_file():
        return ()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    phrasings = raw.get("phrasings") if isinstance(raw, dict) else None
    if not isinstance(phrasings, dict):
        raise ContentError(f"{path}: expected a mapping `phrasings` with en / ka / translit lists")
    texts: list[str] = []
    for kind, values in phrasings.items():
        if kind not in PHRASING_KINDS or not isinstance(values, list):
            raise ContentError(f"{path}: `phrasings.{kind}` must be one of "
                               f"{', '.join(PHRASING_KINDS)} and hold a list")
        texts += [str(v).strip() for v in values if str(v or "").strip()]
    return tuple(dict.fromkeys(texts))


def check_faq(raw: object) -> list[Problem]:
    """Every problem in a parsed content file: ids, translations, empty answers, lengths."""
    if not isinstance(raw, dict):
        return [Problem(N_("the file must be a mapping with `categories` and `topics`"))]
    problems: list[Problem] = []
    categories = raw.get("categories") or []
    topics = raw.get("topics") or []
    if not isinstance(categories, list) or not isinstance(topics, list):
        return [Problem(N_("`categories` and `topics` must be lists"))]
    if not topics:
        problems.append(Problem(N_("no topics")))
    if any(not isinstance(c, dict) for c in categories):
        problems.append(Problem(N_("every category must be a mapping with `id` and `title`")))
    categories = [c for c in categories if isinstance(c, dict)]
    category_ids = [c.get("id") for c in categories]
    problems += [Problem(N_("duplicate category id {category}"), category=repr(i))
                 for i in _duplicates(category_ids)]
    for c in categories:
        problems += _check_texts(Problem(N_("category {category} title"),
                                         category=repr(c.get("id"))), c.get("title"), MAX_TITLE)
    topic_ids = [t.get("id") for t in topics if isinstance(t, dict)]
    problems += [Problem(N_("duplicate topic id {topic}"), topic=repr(i))
                 for i in _duplicates(topic_ids)]
    seen_phrasings: dict[str, str] = {}
    for t in topics:
        if not isinstance(t, dict) or not t.get("id"):
            problems.append(Problem(N_("a topic without an id")))
            continue
        tid = t["id"]
        topic = repr(tid)
        if t.get("category") not in category_ids:
            problems.append(Problem(N_("topic {topic}: unknown category {category}"),
                                    topic=topic, category=repr(t.get("category"))))
        problems += _check_texts(Problem(N_("topic {topic} title"), topic=topic),
                                 t.get("title"), MAX_TITLE)
        if t.get("short") is not None:
            problems += _check_texts(Problem(N_("topic {topic} short"), topic=topic),
                                     t.get("short"), MAX_SHORT)
        problems += _check_texts(Problem(N_("topic {topic} answer"), topic=topic),
                                 t.get("answer"), MAX_ANSWER)
        for lang, answer in (t.get("answer") or {}).items():
            unknown = placeholders(str(answer)) - KNOWN_PLACEHOLDERS
            if unknown:
                problems.append(Problem(
                    N_("topic {topic} answer ({lang}): unknown placeholder(s) {placeholders}"),
                    topic=topic, lang=lang,
                    placeholders=", ".join(sorted(f"{{{u}}}" for u in unknown))))
        questions = t.get("questions") or {}
        if not isinstance(questions, dict):
            problems.append(Problem(
                N_("topic {topic}: `questions` must map en/ka/translit to lists"), topic=topic))
            continue
        for kind in PHRASING_KINDS:
            if not questions.get(kind):
                problems.append(Problem(N_("topic {topic}: no {kind} questions"), topic=topic,
                                        kind=kind))
        for kind, phrasings in questions.items():
            if not isinstance(phrasings, list):
                problems.append(Problem(N_("topic {topic}: `questions.{kind}` must be a list"),
                                        topic=topic, kind=kind))
                continue
            for phrasing in phrasings:
                key = " ".join(str(phrasing).casefold().split())
                other = seen_phrasings.setdefault(key, tid)
                if other != tid:
                    problems.append(Problem(
                        N_("question {phrasing} is in both {other} and {topic}"),
                        phrasing=repr(phrasing), other=repr(other), topic=topic))
    return problems


def placeholders(text: str) -> set[str]:
    """Names of `{placeholders}` used in a text."""
    return set(_PLACEHOLDER.findall(text))


def _check_texts(where: Problem, texts: object, limit: int) -> list[Problem]:
    if not isinstance(texts, dict):
        return [Problem(N_("{where}: missing"), where=where)]
    problems = []
    for lang in LANGUAGES:
        value = texts.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(N_("{where}: missing {lang} translation"), where=where,
                                    lang=lang))
        elif len(value.strip()) > limit:
            problems.append(Problem(N_("{where} ({lang}): {count} characters, limit {limit}"),
                                    where=where, lang=lang, count=len(value.strip()),
                                    limit=limit))
        elif _MTAVRULI.search(value):
            problems.append(Problem(N_("{where} ({lang}): Mtavruli capitals; write Mkhedruli"),
                                    where=where, lang=lang))
    return problems


def _duplicates(values: list[object]) -> list[object]:
    seen, dups = set(), []
    for v in values:
        if v in seen and v not in dups:
            dups.append(v)
        seen.add(v)
    return dups
