"""The FAQ in the console: "test a question" (the top matches and their scores) and the
unanswered inbox (groups of questions the bot could not answer, with suggested topics and what
staff can do with each group)."""

from __future__ import annotations

from aiohttp import web

from bot.console import audit
from bot.console.auth import staff
from bot.console.deps import deps
from bot.console.errors import ErrorPage
from bot.console.render import form, language, render, see_other, translate
from bot.console.url_values import record_number
from bot.i18n import N_
from bot.services import unanswered
from bot.services.faq import FaqService
from bot.services.faq_editor import FaqEditError
from bot.services.unanswered import DISMISSED, OFFTOPIC, TOPIC
from storage.uow import UnitOfWork

NAV = ("/console/faq", N_("FAQ"))
HOME, INBOX, HISTORY = "/console/faq", "/console/faq/unanswered", "/console/faq/history"
MAX_QUERY = 500
REASONS = {unanswered.UNANSWERED: N_("not answered"), unanswered.DISLIKED: N_("👎 not helpful"),
           unanswered.ESCALATED: N_("asked for a person after the answer")}
ACTIONS = {"dismiss": (DISMISSED, "faq.unanswered.dismiss",
                       N_("Dismissed ({count} questions).")),
           "offtopic": (OFFTOPIC, "faq.unanswered.offtopic",
                        N_("Marked off-topic ({count} questions).")),
           "topic": (TOPIC, "faq.unanswered.topic",
                     N_("Added to «{topic}» ({count} questions)."))}


def add_routes(app: web.Application) -> None:
    """The FAQ pages under /console/faq."""
    app.router.add_get("/faq", test_page)
    app.router.add_get("/faq/unanswered", inbox_page)
    app.router.add_post("/faq/unanswered", decide)
    app.router.add_get("/faq/history", history_page)
    app.router.add_post(r"/faq/history/{version:\d{1,12}}/revert", revert)


def _faq(request: web.Request) -> FaqService:
    return deps(request).services.faq


def _title(faq: FaqService, topic_id: str, lang: str) -> str:
    topic = faq.topic(topic_id)
    return topic.title[lang] if topic is not None else topic_id


async def test_page(request: web.Request) -> web.Response:
    """A question typed here is matched as the bot would: the top topics and their scores."""
    faq, lang = _faq(request), language(request)
    query = request.query.get("q", "").strip()[:MAX_QUERY]
    result = faq.match(query) if query else None
    matches = [{"id": m.topic_id, "title": _title(faq, m.topic_id, lang),
                "score": f"{m.score:.3f}", "chosen": result.answer_id == m.topic_id}
               for m in (result.matches if result else ())]
    answer = None
    if result is not None and result.answer_id is not None:
        topic = faq.topic(result.answer_id)
        assert topic is not None
        answer = faq.answer(topic, lang)
    categories = [{"title": c.title[lang],
                   "topics": [{"id": t.id, "title": t.title[lang]}
                              for t in faq.content.topics_in(c.id)]}
                  for c in faq.content.categories]
    return render(request, "faq/test.html", {
        "q": query, "result": result, "matches": matches, "answer": answer,
        "threshold": f"{faq.matcher.threshold:.3f}", "categories": categories})


async def inbox_page(request: web.Request) -> web.Response:
    """The groups of unanswered questions, newest first, with suggested topics."""
    faq, lang = _faq(request), language(request)
    async with UnitOfWork(deps(request).database) as uow:
        groups = await unanswered.inbox(uow, faq.matcher)
    tz = deps(request).settings.tz
    rows = [{"key": g.key, "title": g.title, "count": g.count, "languages": g.languages,
             "newest": g.newest_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
             "reasons": [REASONS[r] for r in g.reasons], "ids": unanswered.join_ids(g),
             "suggested": [{"id": m.topic_id, "title": _title(faq, m.topic_id, lang),
                            "score": f"{m.score:.2f}"} for m in g.suggested]}
            for g in groups]
    topics = sorted(((t.id, t.title[lang]) for t in faq.content.topics), key=lambda t: t[1])
    return render(request, "faq/unanswered.html", {"groups": rows, "topics": topics})


async def decide(request: web.Request) -> web.StreamResponse:
    """Add a group's question as a phrasing of a topic, as an off-topic example, or dismiss
    it; the content change is versioned by the editor, the decision recorded once, audited."""
    posted = await form(request)
    _ = translate(request)
    action, ids_text = str(posted.get("action", "")), str(posted.get("ids", ""))
    topic_id = str(posted.get("topic", ""))
    if action.startswith("topic:"):  # a suggested topic's own button
        action, topic_id = "topic", action.partition(":")[2]
    text = " ".join(str(posted.get("phrasing", "")).split())[:MAX_QUERY]
    ids = unanswered.parse_ids(ids_text)
    if action not in ACTIONS or ids is None:
        raise ErrorPage(400, N_("Nothing was decided"), N_(
            "The form did not say what to do with which questions. Go back, reload the page "
            "and try again."), back=(INBOX, N_("Unanswered questions")))
    decision, audit_action, notice = ACTIONS[action]
    faq = _faq(request)
    if action == "topic":
        if faq.topic(topic_id) is None:
            raise see_other(request, INBOX, notice=_(N_("Choose a topic first.")))
        decision += topic_id
    who = staff(request).name
    async with UnitOfWork(deps(request).database) as uow:
        waiting = await unanswered.still_waiting(uow, ids)
    if not waiting:  # decided meanwhile (another tab, the staff chat): the content stays as is
        raise see_other(request, INBOX,
                        notice=_(N_("Someone has already decided about these questions.")))
    target = f"faq question #{ids[0]}"

    async def audited(uow: UnitOfWork, settled: unanswered.Settled) -> None:
        edit = settled.edit
        if settled.changed or (edit is not None and edit.changed):
            version = f" (v{edit.version})" if edit is not None and edit.changed else ""
            await audit.record(uow, staff(request), audit_action, target,
                               f"{settled.changed} questions"
                               + (f" → {topic_id}" if topic_id else "") + version)

    settled = await unanswered.settle(deps(request).faq_editor(), ids, decision, text,
                                      unanswered.phrasing_kind(text, faq.matcher), who, audited)
    if settled.refused is not None:
        raise see_other(request, INBOX, notice=_(N_("Not changed: {reason}")).format(
            reason=settled.refused.said(_)))
    if settled.edit is not None and settled.edit.changed:
        await deps(request).content_changed()
    changed = settled.changed
    if not changed:
        raise see_other(request, INBOX,
                        notice=_(N_("Someone has already decided about these questions.")))
    raise see_other(request, INBOX, notice=_(notice).format(
        count=changed, topic=_title(faq, topic_id, language(request))))


async def history_page(request: web.Request) -> web.Response:
    """Every change to the content, newest first, each revertible."""
    entries = await deps(request).faq_editor().history(limit=200)
    return render(request, "faq/history.html", {"entries": entries,
                                                "tz": deps(request).settings.tz})


async def revert(request: web.Request) -> web.StreamResponse:
    """Put back what one change changed (a new change, itself revertible)."""
    version = record_number(request, "version")
    _ = translate(request)
    try:
        edit = await deps(request).faq_editor().revert(version, staff(request).name)
    except LookupError:
        raise ErrorPage(404, N_("No such change"), N_(
            "The FAQ content has no change {version}."), back=(HISTORY, N_("History")),
            version=version) from None
    except FaqEditError as refused:
        raise see_other(request, HISTORY, notice=_(N_("Not changed: {reason}")).format(
            reason=refused.said(_))) from None
    if edit.changed:
        async with UnitOfWork(deps(request).database) as uow:
            await audit.record(uow, staff(request), "faq.revert", f"faq change v{version}",
                               f"v{edit.version}")
            await uow.commit()
        await deps(request).content_changed()
    raise see_other(request, HISTORY, notice=_(N_("Change {version} reverted.")).format(
        version=version) if edit.changed else _(N_("Nothing to revert: it is as it was.")))
