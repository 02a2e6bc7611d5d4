"""/unanswered in the staff chat: the newest groups of questions the bot could not answer, each
with buttons to dismiss it, mark it off-topic, or add it to a suggested topic."""

from __future__ import annotations

import logging

from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, Translate
from bot.services import unanswered
from bot.services.faq_editor import FaqEditError
from bot.services.unanswered import DISMISSED, OFFTOPIC, TOPIC, Group

log = logging.getLogger(__name__)

SHOWN = 5
PREFIX = "un"
REASONS = {unanswered.UNANSWERED: N_("not answered"), unanswered.DISLIKED: N_("👎 not helpful"),
           unanswered.ESCALATED: N_("asked for a person")}


def _topic_title(turn: Turn, topic_id: str) -> str:
    topic = turn.services.faq.topic(topic_id)
    return topic.title[turn.language] if topic is not None else topic_id


def _card(turn: Turn, _: Translate, group: Group) -> tuple[str, list[list[Button]]]:
    reasons = ", ".join(_(REASONS[r]) for r in group.reasons)
    text = _(N_("«{title}»\n{count} × · {languages} · {reasons}")).format(
        title=group.title, count=group.count, languages=", ".join(group.languages),
        reasons=reasons)
    ids = unanswered.join_ids(group)
    rows = [[Button(label=_(N_("➕ {topic}")).format(topic=_topic_title(turn, m.topic_id)),
                    payload=f"{PREFIX}:t:{m.topic_id}:{ids}")] for m in group.suggested]
    rows.append([Button(label=_(N_("Off-topic")), payload=f"{PREFIX}:o:{ids}"),
                 Button(label=_(N_("Dismiss")), payload=f"{PREFIX}:d:{ids}")])
    return text, rows


async def list_groups(turn: Turn) -> None:
    """/unanswered: the newest groups, one message each with its buttons."""
    turn.reply_in_staff_language()
    _ = turn.for_staff
    groups = await unanswered.inbox(turn.uow, turn.services.faq.matcher)
    if not groups:
        turn.say(_(N_("No unanswered questions are waiting.")))
        return
    turn.say(_(N_("Unanswered questions, newest first ({shown} of {total} groups):")).format(
        shown=min(SHOWN, len(groups)), total=len(groups)))
    for group in groups[:SHOWN]:
        turn.say(*_card(turn, _, group))


async def pressed(turn: Turn, rest: str) -> None:
    """A decision on one group: dismiss (d), off-topic (o) or add to a topic (t:ID)."""
    turn.reply_in_staff_language()
    _ = turn.for_staff
    action, _sep, tail = rest.partition(":")
    topic_id = None
    if action == "t":
        topic_id, _sep, tail = tail.partition(":")
    ids = unanswered.parse_ids(tail)
    if (turn.event.chat_kind != "staff" or ids is None or action not in ("d", "o", "t")
            or (topic_id is not None and turn.services.faq.topic(topic_id) is None)):
        await turn.stale_button()
        return
    decision = {"d": DISMISSED, "o": OFFTOPIC}.get(action) or f"{TOPIC}{topic_id}"
    changed = await unanswered.decide(turn.uow, ids, decision)
    newest = await turn.uow.faq.question(ids[0])
    editor = turn.services.faq_editor
    if changed and decision != DISMISSED and newest is not None and editor is not None:
        # The content is changed in its own unit of work, once this one is committed.
        text = " ".join(unanswered.mask(newest.query).split())
        kind = unanswered.phrasing_kind(text, turn.services.faq.matcher)
        who = turn.person.display_name or turn.event.display_name or turn.event.user_id

        async def into_content() -> None:
            try:
                await unanswered.apply_to_content(editor, decision, text, kind, who)
            except FaqEditError:  # its reason may quote the question: not logged
                log.warning("unanswered question #%s: the content check refused it", ids[0])

        turn.after_commit.append(into_content)
    if not changed:
        turn.say(_(N_("Someone has already decided about these questions.")))
    elif action == "d":
        turn.say(_(N_("Dismissed ({count} questions).")).format(count=changed))
    elif action == "o":
        turn.say(_(N_("Marked off-topic ({count} questions).")).format(count=changed))
    else:
        assert topic_id is not None
        turn.say(_(N_("Added to «{topic}» ({count} questions).")).format(
            topic=_topic_title(turn, topic_id), count=changed))


def register(router: Router) -> None:
    """Wire /unanswered and its buttons."""
    router.staff_command("unanswered", list_groups, N_("questions the bot could not answer"))
    router.button(PREFIX, pressed)
