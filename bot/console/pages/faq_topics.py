"""One FAQ topic in the console: its answers (ka/en) previewed as Telegram and Messenger would
show them, with `hubbot faq check`'s findings before saving; its phrasings; a new topic."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from bot.console import audit
from bot.console.answer_preview import preview
from bot.console.auth import staff
from bot.console.deps import deps
from bot.console.errors import ErrorPage
from bot.console.render import form, language, render, see_other, translate
from bot.faq.content import LANGUAGES, MAX_ANSWER, PHRASING_KINDS
from bot.faq.document import check
from bot.i18n import N_
from bot.services import unanswered
from bot.services.faq_editor import FaqEditError, FaqEditor
from storage.uow import UnitOfWork

NAV = None  # reached from the FAQ page
TOPIC_PATH = r"/faq/topics/{topic:[a-z0-9_]+}"
MAX_FIELD = MAX_ANSWER * 2


def add_routes(app: web.Application) -> None:
    """A topic's page, its preview (saves nothing), saving, phrasings; a new topic."""
    app.router.add_get("/faq/topics/new", new_page)
    app.router.add_post("/faq/topics/new", create)
    app.router.add_get(TOPIC_PATH, topic_page)
    app.router.add_post(TOPIC_PATH + "/answers", answers)
    app.router.add_post(TOPIC_PATH + "/phrasings", phrasings)


def _editor(request: web.Request) -> FaqEditor:
    return deps(request).faq_editor()


async def _topic(request: web.Request) -> dict[str, Any]:
    topic_id = request.match_info["topic"]
    topic = await _editor(request).topic(topic_id)
    if topic is None:
        raise ErrorPage(404, N_("No such topic"), N_("The FAQ has no topic {topic}."),
                        back=("/console/faq", N_("FAQ")), topic=topic_id)
    return topic


async def _page(request: web.Request, topic: dict[str, Any], typed: dict[str, str], *,
                error: str | None = None) -> web.Response:
    """The page with the answers as typed: their previews and the content check's findings."""
    faq = deps(request).services.faq
    document = await _editor(request).document()
    edited = copy.deepcopy(document)
    for entry in edited["topics"]:
        if entry["id"] == topic["id"]:
            entry["answer"] = dict(typed)
    existing = set(check(document))
    _ = translate(request)
    problems = [p.said(_) for p in check(edited) if p not in existing]
    lang = language(request)
    category = next((c for c in document["categories"] if c["id"] == topic["category"]), None)
    history = await _editor(request).history(limit=20, key=topic["id"])
    return render(request, "faq/topic.html", {
        "topic": topic, "title": topic["title"].get(lang) or topic["id"],
        "category": category["title"].get(lang) if category else topic["category"],
        "answers": typed, "limit": MAX_ANSWER, "kinds": PHRASING_KINDS, "error": error,
        "previews": [preview(faq, typed[code], code) for code in LANGUAGES],
        "problems": problems, "history": history, "tz": deps(request).settings.tz})


async def topic_page(request: web.Request) -> web.Response:
    """The topic as it is now."""
    topic = await _topic(request)
    return await _page(request, topic, dict(topic["answer"]))


def _typed_answers(posted: Any, topic: dict[str, Any]) -> dict[str, str]:
    return {code: str(posted.get(f"answer_{code}", topic["answer"].get(code, "")))[:MAX_FIELD]
            .replace("\r\n", "\n").strip() for code in LANGUAGES}


async def answers(request: web.Request) -> web.StreamResponse:
    """"Preview" shows the answers as typed; "Save" saves them unless the check refuses."""
    topic = await _topic(request)
    posted = await form(request)
    typed = _typed_answers(posted, topic)
    if posted.get("save") is None:
        return await _page(request, topic, typed)
    editor, who, saved = _editor(request), staff(request).name, []
    try:
        for code in LANGUAGES:
            edit = await editor.update_answer(topic["id"], code, typed[code], who)
            if edit.changed:
                saved.append(f"{code} v{edit.version}")
    except FaqEditError as refused:
        return await _page(request, topic, typed, error=refused.said(translate(request)))
    await _audit(request, "faq.answer", topic["id"], ", ".join(saved))
    _ = translate(request)
    notice = _(N_("Saved. The bot answers with it within seconds.")) if saved else _(
        N_("Nothing to save: the answers are unchanged."))
    raise see_other(request, f"/console/faq/topics/{topic['id']}", notice=notice)


async def phrasings(request: web.Request) -> web.StreamResponse:
    """Add a phrasing (`add_KIND` with text) or remove one (`remove` = "KIND:text")."""
    topic = await _topic(request)
    posted = await form(request)
    editor, who, _ = _editor(request), staff(request).name, translate(request)
    remove = str(posted.get("remove", ""))
    kind = str(posted.get("kind", ""))
    try:
        if remove:
            kind, _sep, text = remove.partition(":")
            edit = await editor.remove_phrasing(topic["id"], kind, text, who)
            action = "faq.phrasing.remove"
        else:
            text = str(posted.get("text", ""))
            edit = await editor.add_phrasing(topic["id"], kind, text, who)
            action = "faq.phrasing.add"
    except FaqEditError as refused:
        raise see_other(request, f"/console/faq/topics/{topic['id']}", notice=_(
            N_("Not changed: {reason}")).format(reason=refused.said(_))) from None
    if edit.changed:
        await _audit(request, action, topic["id"], f"{kind} v{edit.version}")
    raise see_other(request, f"/console/faq/topics/{topic['id']}",
                    notice=_(N_("Saved. The bot answers with it within seconds."))
                    if edit.changed else _(N_("Nothing to save: the answers are unchanged.")))


async def _audit(request: web.Request, action: str, topic_id: str, details: str) -> None:
    async with UnitOfWork(deps(request).database) as uow:
        await audit.record(uow, staff(request), action, f"faq topic {topic_id}", details)
        await uow.commit()
    await deps(request).content_changed()


async def new_page(request: web.Request, values: dict[str, Any] | None = None,
                   error: str | None = None) -> web.Response:
    """A new topic, its first phrasing taken from an unanswered question when it comes from one."""
    faq = deps(request).services.faq
    lang = language(request)
    if values is None:
        question = request.query.get("q", "")[:500]
        kind = unanswered.phrasing_kind(question, faq.matcher) if question else "en"
        values = {"ids": request.query.get("ids", "")[:1200], "id": "", "category": "",
                  **{f"title_{c}": "" for c in LANGUAGES}, **{f"answer_{c}": "" for c in LANGUAGES},
                  **{f"questions_{k}": question if k == kind else "" for k in PHRASING_KINDS}}
    categories = [(c.id, c.title[lang]) for c in faq.content.categories]
    return render(request, "faq/new_topic.html", {
        "values": values, "categories": categories, "kinds": PHRASING_KINDS, "error": error,
        "languages": LANGUAGES}, status=400 if error else 200)


async def create(request: web.Request) -> web.StreamResponse:
    """Create the topic (the content check first); the questions it came from are decided."""
    posted = await form(request)
    values = {key: str(value)[:MAX_FIELD] for key, value in posted.items() if key != "csrf_token"}
    topic_id = values.get("id", "").strip().lower()
    lines = {kind: [line.strip() for line in values.get(f"questions_{kind}", "").splitlines()
                    if line.strip()] for kind in PHRASING_KINDS}
    try:
        if not topic_id.replace("_", "").isalnum() or not topic_id.isascii():
            raise FaqEditError.because(
                N_("The id is lower-case Latin letters, digits and _ only."))
        edit = await _editor(request).create_topic(
            topic_id, values.get("category", ""),
            {c: values.get(f"title_{c}", "") for c in LANGUAGES},
            {c: values.get(f"answer_{c}", "") for c in LANGUAGES}, staff(request).name,
            questions=lines)
    except FaqEditError as refused:
        return await new_page(request, values, refused.said(translate(request)))
    ids = unanswered.parse_ids(values.get("ids", "")) if values.get("ids") else None
    async with UnitOfWork(deps(request).database) as uow:
        decided = await unanswered.decide(uow, ids, unanswered.TOPIC + topic_id) if ids else 0
        await audit.record(uow, staff(request), "faq.topic.create", f"faq topic {topic_id}",
                           f"v{edit.version}, {decided} questions")
        await uow.commit()
    await deps(request).content_changed()
    raise see_other(request, f"/console/faq/topics/{topic_id}", notice=translate(request)(
        N_("Topic created. The bot answers with it within seconds.")))
