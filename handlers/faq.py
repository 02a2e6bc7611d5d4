"""FAQ: answer free text, browse by category, ask whether the answer helped."""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import TEXT, Step
from bot.core.forms import Form
from bot.core.messages import Button, Incoming, is_small_id
from bot.core.router import Router
from bot.core.turn import Turn
from bot.faq.matcher import MatchResult
from bot.i18n import N_
from handlers.menu import back_to_menu
from handlers.person import person_button, reach_a_person
from handlers.smalltalk import reply_if_smalltalk

MAX_QUERY = 500
SUGGESTION_FLOOR = 0.12
MAX_SUGGESTIONS = 3
FEEDBACK_FLOW = "faq_feedback"
PREPARED = "faq_match"
MAX_COMMENT = 1000


async def free_text(turn: Turn) -> None:
    """Answer a question typed in the person's own words, or offer likely topics."""
    if await reply_if_smalltalk(turn):
        return
    query = (turn.event.text or "").strip()[:MAX_QUERY]
    matched = turn.prepared.get(PREPARED)
    result = matched[1] if matched and matched[0] == query else turn.services.faq.match(query)
    if (result.answer_id and result.language and result.language != turn.person.language
            and not turn.person.language_chosen):
        turn.reply_language = result.language  # answer in the language they wrote in, this once
    assert turn.person.id is not None
    question_id = await turn.uow.faq.record_question(
        person_id=turn.person.id, language=turn.language, query=query,
        answer_id=result.answer_id, score=result.matches[0].score if result.matches else 0.0)
    if result.answer_id is not None:
        _send_answer(turn, result.answer_id, question_id)
        return
    likely = [m.topic_id for m in result.matches if m.score >= SUGGESTION_FLOOR][:MAX_SUGGESTIONS]
    _ = turn._
    rows = [[_topic_button(turn, topic_id)] for topic_id in likely]
    rows.append([person_button(turn, question_id)])  # the question goes along
    rows.append(back_to_menu(turn))
    if likely:
        text = _(N_("I'm not sure I understood. Is your question about one of these?"))
    else:
        text = _(N_("Sorry, I don't have an answer to that. I can only answer questions about "
                    "the Imereti Regional Hub and its services."))
    turn.say(text, rows)


def _match_early(event: Incoming, services: Any) -> tuple[str, MatchResult] | None:
    """The FAQ match of a typed text, worked out before the unit of work opens (the matcher
    needs no database, so other people's messages need not wait for it)."""
    if event.payload is not None or not event.text or event.command is not None:
        return None
    query = event.text.strip()[:MAX_QUERY]
    return (query, services.faq.match(query)) if query else None


def _topic_button(turn: Turn, topic_id: str) -> Button:
    topic = turn.services.faq.topic(topic_id)
    assert topic is not None
    return Button(label=topic.title[turn.language], short=topic.short[turn.language],
                  payload=f"faq:t:{topic_id}")


def _send_answer(turn: Turn, topic_id: str, question_id: int) -> None:
    faq = turn.services.faq
    topic = faq.topic(topic_id)
    assert topic is not None
    _ = turn._
    feedback = [
        Button(label=_(N_("👍 Helpful")), short=_(N_("Helpful")),
               payload=f"fb:y:{question_id}:{topic_id}"),
        Button(label=_(N_("👎 Not helpful")), short=_(N_("Not helpful")),
               payload=f"fb:n:{question_id}:{topic_id}"),
    ]
    turn.say(faq.answer(topic, turn.language) + "\n\n" + _(N_("Did this help?")),
             [feedback, back_to_menu(turn)])


async def browse(turn: Turn, rest: str) -> None:
    """Buttons under `faq:` — categories, topics, and the way to a person."""
    kind, _sep, value = rest.partition(":")
    faq = turn.services.faq
    await turn.finish()
    if kind == "c" and not value:
        await _categories(turn)
    elif kind == "c" and any(c.id == value for c in faq.content.categories):
        await _topics(turn, value)
    elif kind == "t" and faq.topic(value) is not None:
        _send_answer(turn, value, 0)
    elif kind == "person":
        await reach_a_person(turn, value)
    else:
        await turn.stale_button()


async def _categories(turn: Turn) -> None:
    categories = turn.services.faq.content.categories
    rows = [[Button(label=c.title[turn.language], payload=f"faq:c:{c.id}")] for c in categories]
    turn.say(turn._(N_("Choose a subject:")), rows + [back_to_menu(turn)])


async def _topics(turn: Turn, category_id: str) -> None:
    topics = turn.services.faq.content.topics_in(category_id)
    rows = [[_topic_button(turn, t.id)] for t in topics]
    back = Button(label=turn._(N_("⬅️ Subjects")), short=turn._(N_("Subjects")), payload="faq:c")
    turn.say(turn._(N_("Choose a question:")), rows + [[back], back_to_menu(turn)])


async def feedback(turn: Turn, rest: str) -> None:
    """Record a "did this help?" vote; on "no", ask what was missing."""
    vote, _s, tail = rest.partition(":")
    question_text, _s, topic_id = tail.partition(":")
    faq = turn.services.faq
    if vote not in ("y", "n") or not is_small_id(question_text) or faq.topic(topic_id) is None:
        await turn.stale_button()
        return
    question_id: int | None = int(question_text) or None
    if question_id is not None:
        question = await turn.uow.faq.question(question_id)
        if question is None or question.person_id != turn.person.id:
            await turn.stale_button()
            return
    assert turn.person.id is not None
    row = await turn.uow.faq.record_feedback(person_id=turn.person.id, question_id=question_id,
                                             topic_id=topic_id, helpful=vote == "y")
    _ = turn._
    if vote == "y":
        turn.say(_(N_("Thank you! Glad it helped.")), [back_to_menu(turn)])
        return
    await FEEDBACK.start(turn, {"feedback_id": row.id})


def _feedback_rows(turn: Turn, _data: dict[str, Any]) -> list[list[Button]]:
    return [[person_button(turn)], back_to_menu(turn)]


async def _comment_kept(turn: Turn, data: dict[str, Any]) -> None:
    """Keep what the person says was missing, and answer it too if it is a question."""
    await turn.uow.faq.add_comment(int(data["feedback_id"]), data["comment"])
    await FEEDBACK.discard(turn)
    turn.say(turn._(N_("Thank you, we will use this to improve the answers.")))
    await free_text(turn)  # people often type their real question here: answer it too


FEEDBACK = Form(FEEDBACK_FLOW, "fbc", [
    Step("comment", TEXT, N_("Sorry it didn't help. In a sentence, what were you looking "
                             "for? It helps us improve the answers. (Or send /cancel.)"),
         max_length=MAX_COMMENT, extra_rows=_feedback_rows),
], on_complete=_comment_kept, drafts=False, paused="", cancelled="", draft_offer="")


async def _feedback_pressed(turn: Turn, rest: str) -> None:
    if not await FEEDBACK.press(turn, rest):
        await turn.stale_button()


async def browse_command(turn: Turn) -> None:
    """/faq: browse questions by subject."""
    await turn.finish()
    await _categories(turn)


def register(router: Router) -> None:
    """Wire the FAQ into the router."""
    router.command("faq", browse_command, N_("browse questions and answers by subject"))
    router.button("faq", browse)
    router.button("fb", feedback)
    router.button("fbc", _feedback_pressed)
    FEEDBACK.register(router)
    router.free_text = free_text
    router.prepare(PREPARED, _match_early)
    router.menu(10, N_("❓ Questions and answers"), N_("Q&A"), "faq:c")
    router.menu(20, N_("📍 Address and contacts"), N_("Contacts"), "faq:t:office_location")
