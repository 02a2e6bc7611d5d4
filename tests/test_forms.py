"""The form engine alone: a small declared form driven through the real core and database."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from bot.app import HubApp, create_app
from bot.core.form_steps import CHOICE, NUMBER, REVIEW, TEXT, YESNO, Option, Step
from bot.core.forms import Form
from bot.core.messages import Incoming, Reply
from bot.core.router import Router
from bot.core.turn import Turn
from bot.places import MUNICIPALITIES
from bot.settings import Settings
from handlers import FEATURES

USER = "4242"
COMPLETED: list[dict[str, Any]] = []
_keys = itertools.count(1)


async def _complete(turn: Turn, data: dict[str, Any]) -> None:
    COMPLETED.append(data)
    await DEMO.discard(turn)
    turn.say("demo complete")


async def _typed_note(turn: Turn, data: dict[str, Any]) -> bool:
    """The `note` step keeps free text typed where a choice is expected (as /ask does)."""
    if not turn.event.text or not turn.event.text.startswith("Note:"):
        return False
    data["note"] = turn.event.text
    await turn.goto(DEMO.name, "size", data)
    DEMO.ask(turn, DEMO.steps[1], data, "noted")
    return True


DEMO = Form("demo", "demo", [
    Step("municipality", CHOICE, "Which municipality?",
         options=[Option(k, v) for k, v in MUNICIPALITIES.items()], columns=3),
    Step("size", CHOICE, "How many participants (1–5)?",
         options=[Option(str(n), str(n)) for n in range(1, 6)], on_text=_typed_note),
    Step("agree", YESNO, "Do you agree?"),
    Step("name", TEXT, "Your name?", max_length=20),
    Step("count", NUMBER, "A number from 1 to 9?", minimum=1, maximum=9),
    Step("review", REVIEW, "Check:", summary=lambda turn, data: f"Check: {data}",
         edits={"name": "Name"}),
], on_complete=_complete, paused="Demo saved as a draft; send /demo to continue.",
    cancelled="Demo cancelled, kept as a draft.", draft_offer="Continue the demo?",
    command="demo")


async def _start(turn: Turn) -> None:
    if turn.in_flow(DEMO.name):
        await DEMO.resume(turn, "again:")
        return
    await DEMO.start(turn)


async def _pressed(turn: Turn, rest: str) -> None:
    if not await DEMO.press(turn, rest):
        await turn.stale_button()


def _register(router: Router) -> None:
    router.command("demo", _start, "a demo form")
    router.button("demo", _pressed)
    DEMO.register(router, {"demo": _start})


demo_feature = ModuleType("demo_feature")
demo_feature.register = _register  # type: ignore[attr-defined]


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[HubApp]:
    COMPLETED.clear()
    hub = await create_app(settings, migrate=False, features=(*FEATURES, demo_feature))
    yield hub
    await hub.close()


async def say(app: HubApp, text: str | None = None, *, payload: str | None = None,
              language: str = "en") -> list[Reply]:
    return await app.core.handle(Incoming(
        channel="telegram", user_id=USER, chat_id=USER, event_key=str(next(_keys)), text=text,
        payload=payload, language_hint=language))


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def _flow(app: HubApp) -> tuple[str, str] | None:
    async with app.session_factory() as session:
        from sqlmodel import select

        from storage.models import Conversation
        row = (await session.exec(select(Conversation))).first()
        return (row.flow, row.step) if row is not None else None


async def test_every_choice_can_be_typed(app: HubApp) -> None:
    assert "Which municipality" in texts(await say(app, "/demo"))
    assert "participants" in texts(await say(app, "ᲥᲣᲗᲐᲘᲡᲘ"))  # Mtavruli
    assert "agree" in texts(await say(app, "3"))  # the value itself
    assert "name" in texts(await say(app, "კი"))
    await say(app, "Nino")
    review = texts(await say(app, "7"))
    assert "Check:" in review
    assert "demo complete" in texts(await say(app, "send"))
    assert COMPLETED[0] | {"review": None} == {
        "municipality": "kutaisi", "size": "3", "agree": True, "name": "Nino", "count": 7,
        "review": None}


@pytest.mark.parametrize("typed", ["qutaisi", "Kutaisi", "ქუთაისი", "1", "kutaisi!"])
async def test_a_label_in_any_spelling_or_its_number(app: HubApp, typed: str) -> None:
    await say(app, "/demo")
    await say(app, typed)
    assert await _flow(app) == ("demo", "size")


async def test_yes_and_no_words(app: HubApp) -> None:
    await say(app, "/demo")
    await say(app, "Vani")
    await say(app, "2")
    await say(app, "ara")
    await say(app, "Nino")
    await say(app, "1")
    await say(app, "ok")
    assert COMPLETED and COMPLETED[0]["agree"] is False


async def test_a_near_miss_is_offered_and_yes_takes_it(app: HubApp) -> None:
    await say(app, "/demo")
    [offer] = await say(app, "Kutaiso")
    assert "Did you mean “Kutaisi”?" in offer.text
    assert offer.payloads() == ["demo:v:municipality:kutaisi"]
    await say(app, "yes")
    assert await _flow(app) == ("demo", "size")


async def test_unmatched_text_is_refused_with_the_question_again(app: HubApp) -> None:
    await say(app, "/demo")
    [again] = await say(app, "an NGO")
    assert "choose one of the buttons" in again.text and "Which municipality" in again.text


async def test_a_question_mid_form_gets_the_faq_answer_and_the_step_again(app: HubApp) -> None:
    await say(app, "/demo")
    replies = await say(app, "Where is your office?")
    assert "Tsereteli" in texts(replies)
    assert "Which municipality" in replies[-1].text
    assert await _flow(app) == ("demo", "municipality")


async def test_a_flow_may_keep_free_text(app: HubApp) -> None:
    await say(app, "/demo")
    await say(app, "Vani")
    [noted] = await say(app, "Note: bring a laptop")
    assert noted.text.startswith("noted")
    await say(app, "1")
    await say(app, "yes")
    await say(app, "Nino")
    await say(app, "1")
    await say(app, "send")
    assert COMPLETED[0]["note"] == "Note: bring a laptop"


async def test_back_returns_to_the_previous_step(app: HubApp) -> None:
    await say(app, "/demo")
    [first_back] = await say(app, "back")
    assert "first question" in first_back.text
    await say(app, "Vani")
    [size] = await say(app, "2")
    assert "demo:b" in size.payloads()
    [again] = await say(app, payload="demo:b")
    assert "participants" in again.text
    await say(app, "უკან")
    assert await _flow(app) == ("demo", "municipality")


async def test_cancel_keeps_a_draft_that_the_next_start_offers(app: HubApp) -> None:
    await say(app, "/demo")
    await say(app, "Vani")
    [cancelled] = await say(app, payload="demo:x")
    assert "kept as a draft" in cancelled.text
    [offer] = await say(app, "/demo")
    assert "Continue the demo?" in offer.text
    [continued] = await say(app, "yes")
    assert "continue where you stopped" in continued.text and "participants" in continued.text
    await say(app, "/cancel")
    await say(app, "/demo")
    [fresh] = await say(app, payload="demo:c:n")
    assert "Which municipality" in fresh.text


async def test_another_command_pauses_the_form_visibly(app: HubApp) -> None:
    await say(app, "/demo")
    await say(app, "Vani")
    await say(app, "2")
    await say(app, "yes")
    replies = await say(app, "/help")
    assert "Demo saved as a draft; send /demo to continue." in replies[0].text
    assert "/register" in texts(replies)  # and /help answered as usual
    assert await _flow(app) == ("", "")  # an idle row keeps only the draft
    answer = await say(app, "Where is your office?")
    assert "Tsereteli" in texts(answer)
    assert not COMPLETED
    [offer] = await say(app, "/demo")
    assert "Continue the demo?" in offer.text
    [continued] = await say(app, payload="demo:c:y")
    assert "name" in continued.text


async def test_long_text_is_measured_not_dropped(app: HubApp) -> None:
    await say(app, "/demo")
    for answer in ("Vani", "2", "yes"):
        await say(app, answer)
    [too_long] = await say(app, "N" * 35)
    assert "35 characters" in too_long.text and "20" in too_long.text
    assert await _flow(app) == ("demo", "name")


async def test_numbers_out_of_range_and_review_edits(app: HubApp) -> None:
    await say(app, "/demo")
    for answer in ("Vani", "2", "yes", "Nino"):
        await say(app, answer)
    [bad] = await say(app, "12")
    assert "from 1 to 9" in bad.text
    [review] = await say(app, "5")
    assert "demo:e:name" in review.payloads()
    [ask_name] = await say(app, "name")  # the edit button, typed
    assert "Your name?" in ask_name.text
    [review] = await say(app, "Tamar")
    assert "'name': 'Tamar'" in review.text
    await say(app, "გაგზავნა")
    assert COMPLETED[0]["name"] == "Tamar"


async def test_the_form_survives_a_new_process(app: HubApp, settings: Settings) -> None:
    await say(app, "/demo")
    await say(app, "Vani")
    other = await create_app(settings, migrate=False, features=(*FEATURES, demo_feature))
    try:
        replies = await other.core.handle(Incoming(
            channel="telegram", user_id=USER, chat_id=USER, event_key="other-1", text="4",
            language_hint="en"))
    finally:
        await other.close()
    assert "agree" in texts(replies)


async def test_an_old_button_is_harmless(app: HubApp) -> None:
    [stale] = await say(app, payload="demo:v:municipality:vani")
    assert "no longer active" in stale.text
    await say(app, "/demo")
    await say(app, "Vani")
    [earlier] = await say(app, payload="demo:v:municipality:khoni")
    assert "earlier question" in earlier.text and "participants" in earlier.text
