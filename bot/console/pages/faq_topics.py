"""One FAQ topic in the console: its phrasings, and its answers (ka/en) previewed as Telegram
and Messenger would show them, with `hubbot faq check`'s findings for the text as typed."""

from __future__ import annotations

from aiohttp import web

from bot.console.answer_preview import preview
from bot.console.deps import deps
from bot.console.render import form, language, render
from bot.faq.checks import check_topic_answers
from bot.faq.content import LANGUAGES, MAX_ANSWER, Topic

NAV = None  # reached from the FAQ page


def add_routes(app: web.Application) -> None:
    """GET /console/faq/topics/ID, POST …/preview (shows, saves nothing)."""
    app.router.add_get(r"/faq/topics/{topic:[a-z0-9_]+}", topic_page)
    app.router.add_post(r"/faq/topics/{topic:[a-z0-9_]+}/preview", preview_page)


def _topic(request: web.Request) -> Topic:
    topic = deps(request).services.faq.topic(request.match_info["topic"])
    if topic is None:
        raise web.HTTPNotFound(text="no such topic")
    return topic


def _page(request: web.Request, topic: Topic, answers: dict[str, str]) -> web.Response:
    faq = deps(request).services.faq
    category = next((c for c in faq.content.categories if c.id == topic.category), None)
    lang = language(request)
    return render(request, "faq/topic.html", {
        "topic": topic, "title": topic.title[lang],
        "category": category.title[lang] if category else topic.category,
        "answers": answers, "limit": MAX_ANSWER,
        "previews": [preview(faq, answers[code], code) for code in LANGUAGES],
        "problems": check_topic_answers(faq.content, topic, answers)})


async def topic_page(request: web.Request) -> web.Response:
    """The topic as it is."""
    topic = _topic(request)
    return _page(request, topic, dict(topic.answer))


async def preview_page(request: web.Request) -> web.Response:
    """The topic with the answers as typed: previews and checks, nothing saved."""
    topic = _topic(request)
    posted = await form(request)
    answers = {code: str(posted.get(f"answer_{code}", topic.answer[code]))[:MAX_ANSWER * 2]
               .replace("\r\n", "\n").strip() for code in LANGUAGES}
    return _page(request, topic, answers)
