"""/unanswered in the staff chat: the newest groups of questions the bot could not answer, each
with buttons to dismiss it, mark it off-topic, or add it to a suggested topic."""

from __future__ import annotations

from bot.core.messages import Button, Notice, Reply
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, Translate
from bot.services import unanswered
from bot.services.staff_notices import queue_notices
from bot.services.unanswered import DISMISSED, OFFTOPIC, TOPIC, Group, Settled
from storage.uow import UnitOfWork

SHOWN = 5
PREFIX = "un"
REASONS = {unanswered.UNANSWERED: N_("not answered"), unanswered.DISLIKED: N_("👎 not helpful"),
           unanswered.ESCALATED: N_("asked for a person")}
ALREADY_DECIDED = N_("Someone has already decided about these questions.")


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
    editor = turn.services.faq_editor
    if (turn.event.chat_kind != "staff" or ids is None or action not in ("d", "o", "t")
            or (action != "d" and editor is None)
            or (topic_id is not None and turn.services.faq.topic(topic_id) is None)):
        await turn.stale_button()
        return
    if action == "d":
        changed = await unanswered.decide(turn.uow, ids, DISMISSED)
        turn.say(_(N_("Dismissed ({count} questions).")).format(count=changed) if changed
                 else _(ALREADY_DECIDED))
        return
    newest = await turn.uow.faq.question(ids[0])
    if newest is None or not await unanswered.still_waiting(turn.uow, ids):
        turn.say(_(ALREADY_DECIDED))
        return
    assert editor is not None
    # The content is changed in its own unit of work once this one is committed, and the
    # decision recorded after it; what came of it is said then (the content check may refuse).
    text = " ".join(unanswered.mask(newest.query).split())
    kind = unanswered.phrasing_kind(text, turn.services.faq.matcher)
    who = turn.person.display_name or turn.event.display_name or turn.event.user_id
    decision = OFFTOPIC if topic_id is None else f"{TOPIC}{topic_id}"
    title = _topic_title(turn, topic_id) if topic_id is not None else None
    event, question_ids = turn.event, ids

    async def tell(uow: UnitOfWork, settled: Settled) -> None:
        """Answer where the button was pressed, with the decision's own unit of work."""
        await queue_notices(uow, [Notice(
            channel=event.channel, chat_id=event.chat_id, thread_id=event.thread_id,
            replies=[Reply(text=_outcome(_, settled, title))])],
            origin=f"unanswered:{question_ids[0]}")

    async def settle() -> None:
        await unanswered.settle(editor, question_ids, decision, text, kind, who, tell)

    turn.after_commit.append(settle)


def _outcome(_: Translate, settled: Settled, topic: str | None) -> str:
    """What became of adding a group to a topic (or to the off-topic examples), for staff."""
    if settled.refused is not None:
        reason = settled.refused.said(_)
        if topic is None:
            return _(N_("Not marked off-topic: {reason}. The questions stay in "
                        "/unanswered.")).format(reason=reason)
        return _(N_("Not added to «{topic}»: {reason}. The questions stay in "
                    "/unanswered.")).format(topic=topic, reason=reason)
    if not settled.changed:
        return _(ALREADY_DECIDED)
    if topic is None:
        return _(N_("Marked off-topic ({count} questions).")).format(count=settled.changed)
    return _(N_("Added to «{topic}» ({count} questions).")).format(topic=topic,
                                                                   count=settled.changed)


def register(router: Router) -> None:
    """Wire /unanswered and its buttons."""
    router.staff_command("unanswered", list_groups, N_("questions the bot could not answer"))
    router.button(PREFIX, pressed)
