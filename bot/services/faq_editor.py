"""Changing the FAQ content: phrasings, answers, topics, off-topic examples, canned answers,
a whole imported document; every change versioned (who, when, before/after) and revertible.

Each call is one short unit of work that locks the content's version row, so changes happen
one at a time in every process; the running bots see the new version within seconds
(`bot/services/faq_store.py`). A call that would change nothing changes nothing and records
nothing (safe to repeat). A change that would add a problem `hubbot faq check` reports is
refused with `FaqEditError`, which names it: in English as `str()` (the command line), in the
console's language with `said(translate)`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.faq.content import LANGUAGES, MAX_SHORT, PHRASING_KINDS
from bot.faq.document import (
    Document,
    check,
    from_json,
    normal_topic,
    normalized,
    to_json,
)
from bot.faq.problems import Problem, Translate, english
from bot.i18n import N_
from storage.engine import Database
from storage.models_faq_content import FaqChange
from storage.repos.faq_content import FaqContentRepo
from storage.uow import UnitOfWork

Part = Any  # a topic dict, a category dict, the off-topic lists, a canned answer, a document


class FaqEditError(ValueError):
    """The change was refused; `problems` say why (each a message id with its values)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(english(list(problems)))
        self.problems = problems

    @classmethod
    def because(cls, message: str, **values: object) -> FaqEditError:
        """Refused for one reason: a message id with `{names}` and their values."""
        return cls(Problem(message, **values))

    def said(self, translate: Translate) -> str:
        """Why, in the language of `translate` (the console's)."""
        return "; ".join(problem.said(translate) for problem in self.problems)


@dataclass(frozen=True)
class Edit:
    """A change's outcome: the new version, or None when nothing needed changing."""

    version: int | None
    summary: str

    @property
    def changed(self) -> bool:
        """True when the content changed."""
        return self.version is not None


@dataclass(frozen=True)
class HistoryEntry:
    """One change as the history lists it."""

    version: int
    at: Any
    who: str
    action: str
    scope: str
    key: str
    summary: str
    reverts: int | None
    before: Part
    after: Part


class FaqEditor:
    """The rules for changing the FAQ content (console pages and `hubbot faq` call these)."""

    def __init__(self, database: Database,
                 on_change: Callable[[], None] | None = None) -> None:
        self.database = database
        self.on_change = on_change  # this process's content watch looks at once

    # ---------------------------------------------------------------- reading
    async def document(self) -> Document:
        """The whole content."""
        async with UnitOfWork(self.database) as uow:
            return await uow.repo(FaqContentRepo).document()

    async def topic(self, topic_id: str) -> dict[str, Any] | None:
        """One topic, or None."""
        async with UnitOfWork(self.database) as uow:
            return await uow.repo(FaqContentRepo).topic(topic_id)

    async def history(self, *, limit: int = 50, key: str | None = None) -> list[HistoryEntry]:
        """The newest changes first."""
        async with UnitOfWork(self.database) as uow:
            rows = await uow.repo(FaqContentRepo).changes(limit=limit, key=key)
        return [_entry(row) for row in rows]

    async def change(self, version: int) -> HistoryEntry | None:
        """One change by its version."""
        async with UnitOfWork(self.database) as uow:
            row = await uow.repo(FaqContentRepo).change(version)
        return _entry(row) if row else None

    # ---------------------------------------------------------------- topics
    async def add_phrasing(self, topic_id: str, lang: str, text: str, who: str) -> Edit:
        """Add a way of asking a topic's question (`lang`: ka, en or translit)."""
        kind, text = _kind(lang), _text(text, "phrasing")

        def change(topic: Part) -> Part:
            topic = _existing(topic, topic_id)
            if text not in topic["questions"][kind]:
                topic["questions"][kind].append(text)
            return topic
        return await self._edit(who, "add_phrasing", "topic", topic_id, change,
                                f"{topic_id}: + {kind} phrasing {text!r}")

    async def remove_phrasing(self, topic_id: str, lang: str, text: str, who: str) -> Edit:
        """Remove one phrasing of a topic."""
        kind = _kind(lang)

        def change(topic: Part) -> Part:
            topic = _existing(topic, topic_id)
            topic["questions"][kind] = [q for q in topic["questions"][kind] if q != text.strip()]
            return topic
        return await self._edit(who, "remove_phrasing", "topic", topic_id, change,
                                f"{topic_id}: − {kind} phrasing {text.strip()!r}")

    async def update_answer(self, topic_id: str, lang: str, text: str, who: str) -> Edit:
        """Replace a topic's answer in `lang` (ka or en)."""
        lang, text = _lang(lang), _text(text, "answer")

        def change(topic: Part) -> Part:
            topic = _existing(topic, topic_id)
            topic["answer"][lang] = text
            return topic
        return await self._edit(who, "update_answer", "topic", topic_id, change,
                                f"{topic_id}: {lang} answer")

    async def update_title(self, topic_id: str, lang: str, title: str, who: str, *,
                           short: str | None = None) -> Edit:
        """Replace a topic's title (its button) and, if given, its short label in `lang`."""
        lang, title = _lang(lang), _text(title, "title")

        def change(topic: Part) -> Part:
            topic = _existing(topic, topic_id)
            topic["title"][lang] = title
            if short is not None:
                topic["short"][lang] = _text(short, "short title")
            return topic
        return await self._edit(who, "update_title", "topic", topic_id, change,
                                f"{topic_id}: {lang} title")

    async def create_topic(self, topic_id: str, category: str, title: dict[str, str],
                           answer: dict[str, str], who: str, *,
                           questions: dict[str, list[str]] | None = None,
                           short: dict[str, str] | None = None) -> Edit:
        """A new topic; creating the same one again changes nothing, another one with the
        same id is refused."""
        topic_id = _text(topic_id, "topic id")
        short = short or {lang: _shorten(str(title.get(lang) or "")) for lang in LANGUAGES}
        new = normal_topic({"id": topic_id, "category": category, "title": title,
                            "short": short, "answer": answer, "questions": questions or {}})

        def change(current: Part) -> Part:
            if current is not None and current != new:
                raise FaqEditError.because(N_("a topic {topic} exists already"),
                                           topic=repr(topic_id))
            return new
        return await self._edit(who, "create_topic", "topic", topic_id, change,
                                f"new topic {topic_id}")

    async def delete_topic(self, topic_id: str, who: str) -> Edit:
        """Remove a topic (revert brings it back)."""
        return await self._edit(who, "delete_topic", "topic", topic_id, lambda _: None,
                                f"removed topic {topic_id}")

    async def put_category(self, category_id: str, title: dict[str, str], who: str) -> Edit:
        """Create a category or change its titles."""
        new = {"id": _text(category_id, "category id"),
               "title": {lang: str(title.get(lang) or "").strip() for lang in LANGUAGES}}
        return await self._edit(who, "put_category", "category", category_id,
                                lambda _: new, f"category {category_id}")

    # ---------------------------------------------------------------- off-topic, canned
    async def mark_offtopic(self, text: str, lang: str, who: str) -> Edit:
        """A question the hub does not answer: the bot refuses questions close to it."""
        kind, text = _kind(lang), _text(text, "example")

        def change(offtopic: Part) -> Part:
            if text not in offtopic[kind]:
                offtopic[kind].append(text)
            return offtopic
        return await self._edit(who, "mark_offtopic", "offtopic", "", change,
                                f"+ off-topic {text!r}")

    async def remove_offtopic(self, text: str, lang: str, who: str) -> Edit:
        """Remove an off-topic example."""
        kind = _kind(lang)

        def change(offtopic: Part) -> Part:
            offtopic[kind] = [t for t in offtopic[kind] if t != text.strip()]
            return offtopic
        return await self._edit(who, "remove_offtopic", "offtopic", "", change,
                                f"− off-topic {text.strip()!r}")

    async def set_canned(self, name: str, texts: dict[str, str], who: str) -> Edit:
        """Create or replace a canned answer (`/reply NAME`); a Georgian text is required."""
        name = _text(name, "name").lower()
        new = {lang: str(texts.get(lang) or "").strip() for lang in LANGUAGES}
        return await self._edit(who, "set_canned", "canned", name, lambda _: new,
                                f"canned answer {name}")

    async def remove_canned(self, name: str, who: str) -> Edit:
        """Remove a canned answer."""
        name = name.strip().lower()
        return await self._edit(who, "remove_canned", "canned", name, lambda _: None,
                                f"removed canned answer {name}")

    # ---------------------------------------------------------------- whole content
    async def replace_all(self, document: Document, who: str, *, summary: str = "import") -> Edit:
        """Make the content exactly `document` (an import); refused when it has problems."""
        new = normalized(document)
        problems = check(new)
        if problems:
            raise FaqEditError(*problems)
        return await self._edit(who, "import", "all", "", lambda _: new, summary,
                                validate=False)

    async def revert(self, version: int, who: str) -> Edit:
        """Put back what change `version` changed, as it was before it (a new change)."""
        async with UnitOfWork(self.database) as uow:
            row = await uow.repo(FaqContentRepo).change(version)
        if row is None:
            raise LookupError(f"no change with version {version}")
        if row.action == "seed":
            raise FaqEditError.because(N_(
                "version {version} is the first content; nothing to go back to"), version=version)
        before = from_json(row.before)
        return await self._edit(who, "revert", row.scope, row.key, lambda _: before,
                                f"revert of {version}: {row.summary}"[:300], validate=False,
                                reverts=version)

    # ---------------------------------------------------------------- the one way to change
    async def _edit(self, who: str, action: str, scope: str, key: str,
                    change: Callable[[Part], Part], summary: str, *, validate: bool = True,
                    reverts: int | None = None) -> Edit:
        who = _text(who, "who")[:128]
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(FaqContentRepo)
            await repo.version(lock=True)  # one change at a time, in every process
            document = await repo.document()
            before = _part(document, scope, key)
            after = change(copy.deepcopy(before))
            if after == before:
                return Edit(version=None, summary=summary)
            if validate:
                updated = _with_part(copy.deepcopy(document), scope, key, after)
                new_problems = [p for p in check(updated) if p not in set(check(document))]
                if new_problems:
                    raise FaqEditError(*new_problems)
            await _write(repo, scope, key, after)
            version = await repo.add_change(FaqChange(
                who=who, action=action, scope=scope, key=key[:64], summary=summary[:300],
                before=to_json(before), after=to_json(after), reverts=reverts))
            await repo.bump(version)
            await uow.commit()
        if self.on_change is not None:
            self.on_change()
        return Edit(version=version, summary=summary)


def _part(document: Document, scope: str, key: str) -> Part:
    if scope == "topic":
        return next((t for t in document["topics"] if t["id"] == key), None)
    if scope == "category":
        return next((c for c in document["categories"] if c["id"] == key), None)
    if scope == "offtopic":
        return document["offtopic"]
    if scope == "canned":
        return document["canned"].get(key)
    return document


def _with_part(document: Document, scope: str, key: str, part: Part) -> Document:
    if scope in ("topic", "category"):
        items = document["topics" if scope == "topic" else "categories"]
        index = next((i for i, x in enumerate(items) if x["id"] == key), None)
        if part is None and index is not None:
            del items[index]
        elif part is not None and index is None:
            items.append(part)
        elif part is not None and index is not None:
            items[index] = part
    elif scope == "offtopic":
        document["offtopic"] = part
    elif scope == "canned":
        if part is None:
            document["canned"].pop(key, None)
        else:
            document["canned"][key] = part
    else:
        document = part
    return document


async def _write(repo: FaqContentRepo, scope: str, key: str, part: Part) -> None:
    if scope == "topic":
        if part is None:
            await repo.delete_topic(key)
        else:
            await repo.put_topic(part)
    elif scope == "category":
        if part is not None:
            await repo.put_category(part)
    elif scope == "offtopic":
        await repo.put_offtopic(part)
    elif scope == "canned":
        await repo.put_canned(key, part)
    else:
        await repo.replace_all(part if part is not None else normalized({}))


def _existing(topic: Part, topic_id: str) -> Part:
    if topic is None:
        raise FaqEditError.because(N_("no topic {topic}"), topic=repr(topic_id))
    return topic


def _kind(lang: str) -> str:
    if lang not in PHRASING_KINDS:
        raise FaqEditError.because(N_("language must be one of {languages}, not {lang}"),
                                   languages=", ".join(PHRASING_KINDS), lang=repr(lang))
    return lang


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise FaqEditError.because(N_("language must be one of {languages}, not {lang}"),
                                   languages=", ".join(LANGUAGES), lang=repr(lang))
    return lang


EMPTY = {  # what must not be empty -> the refusal
    "phrasing": N_("the phrasing is empty"), "answer": N_("the answer is empty"),
    "title": N_("the title is empty"), "short title": N_("the short title is empty"),
    "topic id": N_("the topic id is empty"), "category id": N_("the category id is empty"),
    "example": N_("the example is empty"), "name": N_("the canned answer's name is empty"),
    "who": N_("the name of who changes it is empty"),
}


def _text(text: str, what: str) -> str:
    text = " ".join(str(text or "").split()) if what not in ("answer",) else str(text or "").strip()
    if not text:
        raise FaqEditError.because(EMPTY[what])
    return text


def _shorten(title: str) -> str:
    """A title's first whole words within Messenger's quick-reply limit."""
    words, short = title.split(), ""
    for word in words:
        if len(f"{short} {word}".strip()) > MAX_SHORT:
            break
        short = f"{short} {word}".strip()
    return short or title[:MAX_SHORT]


def _entry(row: FaqChange) -> HistoryEntry:
    assert row.id is not None
    return HistoryEntry(version=row.id, at=row.at, who=row.who, action=row.action,
                        scope=row.scope, key=row.key, summary=row.summary, reverts=row.reverts,
                        before=from_json(row.before), after=from_json(row.after))
