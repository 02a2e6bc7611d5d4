"""The unanswered inbox: questions the bot did not answer (or answered with 👎, or answered
before the person asked for a human), grouped by similarity, newest groups first.

Grouping folds each question as the matcher does (`bot.faq.normalize`: scripts, translit and
stop words) and joins it to the first (newest) group whose signature is close (rapidfuzz).
Group titles never show personal data: phone numbers, e-mail addresses, long digit runs and
names after "my name is" are masked before anything else is done with the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot.core.messages import small_number
from bot.faq.matcher import FaqMatcher, Match
from bot.faq.normalize import fold, has_georgian, words_for_matching
from bot.services.faq_editor import Edit, FaqEditError, FaqEditor
from storage.models import utcnow
from storage.repos.unanswered import MissedQuestion, UnansweredRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

WINDOW = timedelta(days=90)  # questions older than this leave the inbox
SCANNED = 1000  # at most this many waiting questions are grouped (about 0.2 s at worst)
ESCALATED_WITHIN = timedelta(minutes=30)  # a ticket this soon after an answer: it did not help
SIMILAR = 80  # rapidfuzz score (0–100) from which two questions are one group
SUGGESTED_FLOOR = 0.12  # a topic scoring at least this is offered (as "is it one of these?")
MAX_SUGGESTED = 3
MAX_IDS = 100  # questions one decision covers (buttons carry their ids)
TITLE_LIMIT = 140
UNANSWERED, DISLIKED, ESCALATED = "unanswered", "disliked", "escalated"
DISMISSED, OFFTOPIC, TOPIC = "dismissed", "offtopic", "topic:"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()\-.]{6,}\d")
_DIGITS = re.compile(r"\d{5,}")
_NAME = re.compile(
    r"(?i)\b(my name is|my name's|i am called|i'm called|me mqvia|me mkvia|mqvia|mkvia|"
    r"chemi saxeli(?: aris|a)|chemi sakheli(?: aris|a))\s+([^\W\d_]+)((?:\s+[A-Z][^\W\d_]*)?)"
    r"|(მე მქვია|მქვია|ჩემი სახელი(?: არის|ა))\s+([^\W\d_]+)")
NAME_MASK, PHONE_MASK, EMAIL_MASK, NUMBER_MASK = "[name]", "[phone]", "[e-mail]", "[number]"


def mask(text: str) -> str:
    """`text` with phone numbers, e-mail addresses, long digit runs and given names masked."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _DIGITS.sub(NUMBER_MASK, text)

    def name(found: re.Match[str]) -> str:
        return f"{found.group(1) or found.group(4)} {NAME_MASK}"

    return _NAME.sub(name, text)


def signature(text: str) -> str:
    """What grouping compares: the folded content words (masks and digits left out)."""
    folded = fold(re.sub(r"\[[a-z-]+\]|\d", " ", text))
    return " ".join(word for word, _class in words_for_matching(folded))


def similar(a: str, b: str) -> bool:
    """Two signatures close enough to be one group."""
    if not a or not b:
        return a == b
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2 >= SIMILAR


@dataclass(frozen=True)
class Group:
    """Similar questions waiting for a decision."""

    title: str  # the newest question, masked
    count: int
    languages: tuple[str, ...]
    newest_at: datetime
    question_ids: tuple[int, ...]  # newest first, at most MAX_IDS
    reasons: tuple[str, ...]  # UNANSWERED, DISLIKED, ESCALATED
    suggested: tuple[Match, ...]  # topics it may belong to, best first

    @property
    def key(self) -> int:
        """The group's newest question: names the group in forms and buttons."""
        return self.question_ids[0]


@dataclass
class _Draft:
    signature: str
    title: str
    rows: list[MissedQuestion]
    reasons: set[str]


def _first_similar(drafts: list[_Draft], signatures: list[str], sig: str) -> _Draft | None:
    """The newest group whose signature is similar to `sig`. The mean of two scores reaches
    SIMILAR only where token_sort_ratio reaches 2 × SIMILAR − 100: that bound is found in C over
    all groups at once, the full test runs on those candidates only."""
    if not sig:
        return next((d for d in drafts if not d.signature), None)
    candidates = process.extract(sig, signatures, scorer=fuzz.token_sort_ratio,
                                 score_cutoff=2 * SIMILAR - 100, limit=None)
    for index in sorted(index for _choice, _score, index in candidates):
        if similar(drafts[index].signature, sig):
            return drafts[index]
    return None


def _reason(row: MissedQuestion) -> str | None:
    if row.answer_id is None:
        return UNANSWERED
    if row.disliked:
        return DISLIKED
    if row.ticket_at is not None and row.ticket_at - row.created_at <= ESCALATED_WITHIN:
        return ESCALATED
    return None


def _language(row: MissedQuestion) -> str:
    return "ka" if has_georgian(row.query) else row.language


def group_questions(rows: list[MissedQuestion], matcher: FaqMatcher) -> list[Group]:
    """Rows (newest first) as groups of similar questions, newest groups first."""
    drafts: list[_Draft] = []
    signatures: list[str] = []  # the drafts' signatures, in the same order
    for row in rows:
        reason = _reason(row)
        if reason is None:
            continue
        title = " ".join(mask(row.query).split())
        sig = signature(title)
        draft = _first_similar(drafts, signatures, sig)
        if draft is None:
            drafts.append(_Draft(sig, title, [row], {reason}))
            signatures.append(sig)
        else:
            draft.rows.append(row)
            draft.reasons.add(reason)
    groups = []
    for draft in drafts:
        title = draft.title if len(draft.title) <= TITLE_LIMIT else draft.title[:TITLE_LIMIT] + "…"
        result = matcher.match(draft.title)
        suggested = tuple(m for m in result.matches if m.score >= SUGGESTED_FLOOR)[:MAX_SUGGESTED]
        groups.append(Group(
            title=title, count=len(draft.rows),
            languages=tuple(sorted({_language(r) for r in draft.rows})),
            newest_at=draft.rows[0].created_at,
            question_ids=tuple(r.id for r in draft.rows[:MAX_IDS]),
            reasons=tuple(r for r in (UNANSWERED, DISLIKED, ESCALATED) if r in draft.reasons),
            suggested=suggested))
    return groups


async def inbox(uow: UnitOfWork, matcher: FaqMatcher) -> list[Group]:
    """The groups waiting for a decision, newest first."""
    rows = await uow.repo(UnansweredRepo).waiting(utcnow() - WINDOW, SCANNED)
    return group_questions(rows, matcher)


def parse_ids(text: str) -> list[int] | None:
    """Question ids as forms and buttons carry them ("12.9.4"); None when malformed."""
    ids = [small_number(part) for part in text.split(".")]
    if not 0 < len(ids) <= MAX_IDS or None in ids:
        return None
    return [i for i in ids if i is not None]


def join_ids(group: Group) -> str:
    """The group's question ids as forms and buttons carry them."""
    return ".".join(str(i) for i in group.question_ids)


async def still_waiting(uow: UnitOfWork, question_ids: list[int]) -> bool:
    """True while any of the questions waits for a decision (a stale page or button: False)."""
    return bool(question_ids) and await uow.repo(UnansweredRepo).waiting_count(question_ids) > 0


async def decide(uow: UnitOfWork, question_ids: list[int], decision: str) -> int:
    """Record a decision (DISMISSED, OFFTOPIC or TOPIC + topic id) on the questions still
    waiting; how many were (0: someone decided already — nothing changes twice)."""
    return await uow.repo(UnansweredRepo).decide(question_ids, decision)


def phrasing_kind(text: str, matcher: FaqMatcher) -> str:
    """Which phrasing list a question belongs in: ka (Georgian script), translit (Georgian in
    Latin letters, as the matcher reads it) or en."""
    if has_georgian(text):
        return "ka"
    return "translit" if matcher.match(text).language == "ka" else "en"


@dataclass(frozen=True)
class Settled:
    """What became of a decision on a group of questions."""

    changed: int  # the questions it was recorded on (0: decided before, or refused)
    edit: Edit | None = None  # the content change (None: a dismissal, or refused)
    refused: FaqEditError | None = None  # why the content check refused it (nothing recorded)


Record = Callable[[UnitOfWork, Settled], Awaitable[None]]


async def settle(editor: FaqEditor, question_ids: list[int], decision: str, text: str,
                 kind: str, who: str, record: Record) -> Settled:
    """Make a decision: the content change first (`text` as a phrasing of the topic or as an
    off-topic example), then the decision on the questions still waiting, in one unit of work
    with whatever `record` adds to it (the audit row, the answer to the staff chat). When the
    content check refuses the change, no decision is recorded: the questions keep waiting,
    and `record` hears why (`Settled.refused`)."""
    edit, refused = None, None
    try:
        edit = await apply_to_content(editor, decision, text, kind, who)
    except FaqEditError as error:  # its reason may quote the question: not logged
        log.info("the content check refused a decision on question #%s", question_ids[0])
        refused = error
    async with UnitOfWork(editor.database) as uow:
        changed = 0 if refused is not None else await decide(uow, question_ids, decision)
        settled = Settled(changed=changed, edit=edit, refused=refused)
        await record(uow, settled)
        await uow.commit()
    return settled


async def apply_to_content(editor: FaqEditor, decision: str, text: str, kind: str,
                           who: str) -> Edit | None:
    """Make a decision part of the FAQ content: the text as a phrasing of the topic
    (TOPIC + id) or as an off-topic example; a dismissal changes no content (None).
    Raises `FaqEditError` when the content check refuses the change."""
    if decision.startswith(TOPIC):
        return await editor.add_phrasing(decision[len(TOPIC):], kind, text, who)
    if decision == OFFTOPIC:
        return await editor.mark_offtopic(text, kind, who)
    return None
