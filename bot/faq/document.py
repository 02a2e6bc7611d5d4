"""The whole FAQ content as one document (a plain dict, the shape of `hubbot faq export`):
`categories`, `topics`, `offtopic` (phrasings by kind) and `canned` answers.

The database stores it in tables; this module turns it into what the matcher and the tickets
use, checks it, reads and writes it as YAML, and says what differs between two of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.faq.content import (
    LANGUAGES,
    PHRASING_KINDS,
    Category,
    ContentError,
    FaqContent,
    Topic,
    check_faq,
)
from bot.faq.problems import Problem, english
from bot.i18n import N_

Document = dict[str, Any]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
FORMAT_VERSION = 1
YAML_HEADER = ("# FAQ content of the Imereti Regional Hub bot (`hubbot faq export`).\n"
               "# Edit, then `hubbot faq import FILE`: it shows what changes and asks first.\n")


def from_content_dir(content_dir: Path) -> Document:
    """The document the `content/*.yaml` files make; raises ContentError listing every problem
    of faq.yaml (each file is parsed once)."""
    faq_path = content_dir / "faq.yaml"
    raw = _read_yaml(faq_path)
    problems = check_faq(raw)
    if problems:
        raise ContentError(f"{faq_path}: " + english(problems))
    assert isinstance(raw, dict)
    off_path = content_dir / "faq_offtopic.yaml"
    offtopic_raw = _read_yaml(off_path) if off_path.is_file() else {"phrasings": {}}
    phrasings = offtopic_raw.get("phrasings") if isinstance(offtopic_raw, dict) else None
    if not isinstance(phrasings, dict) or any(
            kind not in PHRASING_KINDS or not isinstance(v, list) for kind, v in phrasings.items()):
        raise ContentError(f"{off_path}: expected a mapping `phrasings` with en / ka / translit "
                           "lists")
    canned_path = content_dir / "canned.yaml"
    canned_raw = _read_yaml(canned_path) if canned_path.is_file() else {}
    return normalized({"categories": raw.get("categories"), "topics": raw.get("topics"),
                       "offtopic": phrasings, "canned": canned_raw or {}})


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc


def normalized(raw: object) -> Document:
    """A document with every part present, in a fixed shape; raises ContentError when `raw`
    is not shaped like one at all (content problems are for `check`)."""
    if not isinstance(raw, dict):
        raise ContentError("expected a mapping with `categories`, `topics`, `offtopic`, `canned`")
    categories, topics = raw.get("categories") or [], raw.get("topics") or []
    offtopic, canned = raw.get("offtopic") or {}, raw.get("canned") or {}
    if not isinstance(categories, list) or not isinstance(topics, list):
        raise ContentError("`categories` and `topics` must be lists")
    if not isinstance(offtopic, dict) or not isinstance(canned, dict):
        raise ContentError("`offtopic` and `canned` must be mappings")
    if not all(isinstance(x, dict) and x.get("id") for x in categories + topics):
        raise ContentError("every category and topic must be a mapping with an `id`")
    return {
        "version": FORMAT_VERSION,
        "categories": [normal_category(c) for c in categories],
        "topics": [normal_topic(t) for t in topics],
        "offtopic": {kind: _texts(offtopic.get(kind)) for kind in PHRASING_KINDS},
        "canned": {str(name).strip().lower(): _langs(texts) for name, texts in canned.items()
                   if isinstance(texts, dict)},
    }


def normal_category(raw: dict[str, Any]) -> dict[str, Any]:
    """A category as `{id, title}`."""
    return {"id": str(raw["id"]), "title": _langs(raw.get("title"))}


def normal_topic(raw: dict[str, Any]) -> dict[str, Any]:
    """A topic as `{id, category, title, short, questions, answer}`, texts stripped."""
    questions = raw.get("questions") if isinstance(raw.get("questions"), dict) else {}
    title = _langs(raw.get("title"))
    short = _langs(raw.get("short")) if raw.get("short") else dict(title)
    return {"id": str(raw["id"]), "category": str(raw.get("category") or ""), "title": title,
            "short": short,
            "questions": {kind: _texts(questions.get(kind)) for kind in PHRASING_KINDS},
            "answer": _langs(raw.get("answer"))}


def to_content(document: Document) -> FaqContent:
    """What the matcher and the menus use (no validation: broken content still loads)."""
    categories = tuple(Category(id=c["id"], title=dict(c["title"]))
                       for c in document["categories"])
    topics = tuple(
        Topic(id=t["id"], category=t["category"], title=dict(t["title"]),
              short={lang: t["short"].get(lang) or t["title"].get(lang, "") for lang in LANGUAGES},
              questions={kind: tuple(t["questions"][kind]) for kind in PHRASING_KINDS},
              answer=dict(t["answer"]))
        for t in document["topics"])
    return FaqContent(categories=categories, topics=topics, by_id={t.id: t for t in topics})


def offtopic_examples(document: Document) -> tuple[str, ...]:
    """The off-topic examples, each once."""
    return tuple(dict.fromkeys(text for kind in PHRASING_KINDS
                               for text in document["offtopic"][kind]))


def canned_answers(document: Document) -> dict[str, dict[str, str]]:
    """Canned answers by name, as the tickets service uses them (a Georgian text required)."""
    return {name: {lang: text for lang, text in texts.items() if text}
            for name, texts in document["canned"].items() if texts.get("ka")}


def check(document: Document) -> list[Problem]:
    """Every problem in the content: the topics' checks, then off-topic and canned answers."""
    problems = check_faq({"categories": document["categories"], "topics": document["topics"]})
    phrasings = {" ".join(q.casefold().split()): t["id"] for t in document["topics"]
                 for kind in PHRASING_KINDS for q in t["questions"][kind]}
    for kind in PHRASING_KINDS:
        for text in document["offtopic"][kind]:
            owner = phrasings.get(" ".join(text.casefold().split()))
            if owner:
                problems.append(Problem(
                    N_("off-topic example {text} is also a question of {topic}"),
                    text=repr(text), topic=repr(owner)))
    for name, texts in document["canned"].items():
        if not texts.get("ka"):
            problems.append(Problem(N_("canned answer {name}: missing ka translation"),
                                    name=repr(name)))
    return problems


def dump_yaml(document: Document) -> str:
    """The document as YAML, Georgian as letters, long answers as blocks."""
    return YAML_HEADER + yaml.dump(document, Dumper=_Dumper, allow_unicode=True,
                                   sort_keys=False, width=100)


def parse_yaml(text: str) -> Document:
    """A document from YAML; raises ContentError when it is not one."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"not YAML: {str(exc).splitlines()[0]}") from exc
    return normalized(raw)


def to_json(part: object) -> str | None:
    """A part of the document as JSON for the change history (None stays None)."""
    return None if part is None else json.dumps(part, ensure_ascii=False, sort_keys=False)


def from_json(text: str | None) -> Any:
    """The inverse of `to_json`."""
    return None if text is None else json.loads(text)


@dataclass
class Diff:
    """What replacing one document with another would change."""

    added: list[str] = field(default_factory=list)  # topic ids
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # "categories", "off-topic examples"…

    @property
    def empty(self) -> bool:
        """True when the documents are the same."""
        return not (self.added or self.removed or self.changed or self.other)


def diff(old: Document, new: Document) -> Diff:
    """Topics added, removed and changed; and which other parts changed."""
    before = {t["id"]: t for t in old["topics"]}
    after = {t["id"]: t for t in new["topics"]}
    result = Diff(added=[i for i in after if i not in before],
                  removed=[i for i in before if i not in after],
                  changed=[i for i in after if i in before and after[i] != before[i]])
    if [t["id"] for t in old["topics"] if t["id"] in after] != [
            t["id"] for t in new["topics"] if t["id"] in before]:
        result.other.append("topic order")
    for part, label in (("categories", "categories"), ("offtopic", "off-topic examples"),
                        ("canned", "canned answers")):
        if old[part] != new[part]:
            result.other.append(label)
    return result


def _langs(raw: object) -> dict[str, str]:
    raw = raw if isinstance(raw, dict) else {}
    return {lang: str(raw.get(lang) or "").strip() for lang in LANGUAGES}


def _texts(raw: object) -> list[str]:
    if not isinstance(raw, list):
        return []
    return list(dict.fromkeys(str(v).strip() for v in raw if str(v or "").strip()))


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
