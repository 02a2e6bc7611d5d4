"""The unanswered inbox: questions the bot did not answer, answered with 👎 or followed by a
ticket, grouped by similarity with personal data masked; /unanswered in the staff chat and the
console's FAQ pages (a real Chromium) act on the groups once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import HubApp, create_app
from bot.i18n import translator
from bot.services import unanswered
from bot.services.unanswered import mask
from bot.settings import Settings
from storage.models import FaqQuestion, utcnow
from storage.models_hotline import Ticket
from storage.uow import UnitOfWork
from tests.console_harness import ConsoleHarness
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.staff_chat import STAFF_CHAT, StaffMember
from tests.telegram_harness import TelegramHarness, buttons, staff_harness

en = translator("en")  # the staff chat's language in the tests
PERSON = 7301
MONEY = "can you lend me money for a new car"
MONEY_AGAIN = "Can you lend me some money for a car, please?"
PRIVATE = "My name is Nino Beridze, call 555 12 34 56 or nino.b@example.ge: any news?"


def test_titles_hide_phone_numbers_e_mails_long_numbers_and_names() -> None:
    masked = mask(PRIVATE)
    for secret in ("Nino", "Beridze", "555", "nino.b@example.ge"):
        assert secret not in masked
    assert masked.startswith("My name is [name]")
    assert "[phone]" in masked and "[e-mail]" in masked
    assert mask("მე მქვია ნინო, პირადი ნომერი 01024056789") == "მე მქვია [name], პირადი ნომერი [phone]"
    assert mask("chemi saxelia giorgi, sad xart?") == "chemi saxelia [name], sad xart?"
    assert mask("Where is your office?") == "Where is your office?"


async def _question(hub: HubApp, query: str, answer_id: str | None, *, person_id: int,
                    minutes_ago: int = 0) -> int:
    async with UnitOfWork(hub.database) as uow:
        question_id = await uow.faq.record_question(
            person_id=person_id, language="en", query=query, answer_id=answer_id, score=0.3)
        row = await uow.faq.question(question_id)
        assert row is not None
        row.created_at = utcnow() - timedelta(minutes=minutes_ago)
        uow.session.add(row)
        await uow.commit()
    return question_id


async def _person(hub: HubApp, user: str) -> int:
    async with UnitOfWork(hub.database) as uow:
        person, _conversation, _new = await uow.people.seen(
            channel="telegram", external_id=user, chat_id=user, display_name="Nino",
            language="en")
        await uow.commit()
    assert person.id is not None
    return person.id


async def test_the_inbox_groups_similar_misses_newest_first(hub: HubApp) -> None:
    someone, another = await _person(hub, "7401"), await _person(hub, "7402")
    await _question(hub, MONEY, None, person_id=someone, minutes_ago=50)
    await _question(hub, "Where is your office?", "office_location", person_id=someone,
                    minutes_ago=45)  # answered, nobody complained: not in the inbox
    disliked = await _question(hub, "how do I register my NGO", "register_organization",
                               person_id=another, minutes_ago=40)
    await _question(hub, "როდის ხართ ღია?", "contact", person_id=another, minutes_ago=20)
    await _question(hub, MONEY_AGAIN, None, person_id=another, minutes_ago=10)
    async with UnitOfWork(hub.database) as uow:
        await uow.faq.record_feedback(person_id=another, question_id=disliked,
                                      topic_id="register_organization", helpful=False)
        # A ticket five minutes after the Georgian question: the answer did not help.
        uow.session.add(Ticket(person_id=another, channel="telegram", language="ka",
                               topic="hub", municipality="kutaisi", question="…",
                               created_at=utcnow() - timedelta(minutes=15)))
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        groups = await unanswered.inbox(uow, hub.services.faq.matcher)
    assert [(g.title, g.count, g.reasons) for g in groups] == [
        (MONEY_AGAIN, 2, (unanswered.UNANSWERED,)),
        ("როდის ხართ ღია?", 1, (unanswered.ESCALATED,)),
        ("how do I register my NGO", 1, (unanswered.DISLIKED,))]
    assert groups[1].languages == ("ka",)
    assert groups[2].suggested[0].topic_id == "register_organization"
    ids = list(groups[0].question_ids)
    async with UnitOfWork(hub.database) as uow:
        assert await unanswered.still_waiting(uow, ids)
        assert await unanswered.decide(uow, ids, unanswered.DISMISSED) == 2
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:  # a stale page or button: nothing to do
        assert not await unanswered.still_waiting(uow, ids)
        assert await unanswered.decide(uow, ids, unanswered.OFFTOPIC) == 0
        assert len(await unanswered.inbox(uow, hub.services.faq.matcher)) == 2


async def test_staff_decide_about_a_group_once_in_the_staff_chat(
        staffed: TelegramHarness, staff: StaffMember) -> None:
    await staffed.send(PERSON, MONEY)
    await staffed.send(PERSON, MONEY_AGAIN)
    await staffed.send(PERSON, PRIVATE)
    before = len(staff.api.sent_messages(staff.chat_id))
    staff.write("/unanswered")
    messages = await staff.api.wait_for_messages(staff.chat_id, before + 3)
    texts = [m["text"] for m in messages[before:]]
    assert en("Unanswered questions, newest first ({shown} of {total} groups):").format(
        shown=2, total=2) == texts[0]
    assert texts[1].startswith("«My name is [name], call [phone] or [e-mail]: any news?»")
    assert "Beridze" not in "".join(texts)
    assert texts[2].startswith(f"«{MONEY_AGAIN}»\n2 ×")
    money = messages[before + 2]
    assert en("Off-topic") in buttons(money)
    await staff.presses(money, en("Dismiss"),
                        en("Dismissed ({count} questions).").format(count=2))
    await staff.presses(money, en("Dismiss"),
                        en("Someone has already decided about these questions."))
    reply = await staff.says("/unanswered", en(
        "Unanswered questions, newest first ({shown} of {total} groups):").format(
            shown=1, total=1))
    assert reply is not None
    async with UnitOfWork(staffed.hub.database) as uow:  # type: ignore[union-attr]
        rows = (await uow.session.exec(
            FaqQuestion.__table__.select().order_by(FaqQuestion.id))).all()  # type: ignore[attr-defined]
    assert [r.review for r in rows] == ["dismissed", "dismissed", None]
    private = messages[before + 1]
    await staff.presses(private, en("Off-topic"),
                        en("Marked off-topic ({count} questions).").format(count=1))
    editor = staffed.hub.services.faq_editor  # type: ignore[union-attr]
    assert editor is not None
    offtopic = (await editor.document())["offtopic"]  # added once the press was committed
    assert "My name is [name], call [phone] or [e-mail]: any news?" in offtopic["en"]
    assert [entry.who for entry in await editor.history(limit=1)] == ["Tamar"]


async def _answers_within(hub: HubApp, question: str, topic_id: str | None,
                          seconds: float = 5.0) -> bool:
    """True once the bot process `hub` answers `question` with `topic_id` (None: no answer)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if hub.services.faq.match(question).answer_id == topic_id:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_question_added_in_the_console_is_answered_and_can_be_reverted(
        console: ConsoleHarness, settings: Settings) -> None:
    parking = "is there parking near you?"
    other_process = await create_app(settings, migrate=False)  # another bot, same database
    other_process.watch_content(interval=0.5)
    try:
        await _added_in_the_console_then_reverted(console, other_process, parking)
    finally:
        await other_process.close()


async def _added_in_the_console_then_reverted(console: ConsoleHarness, other_process: HubApp,
                                              parking: str) -> None:
    [refused] = await console.person.send(PERSON, parking)
    assert "office" not in refused["text"].lower()
    office = console.hub.services.faq.topic("office_location")
    assert office is not None
    page = await console.sign_in()
    await page.get_by_role("link", name=console.ka("FAQ"), exact=True).click()
    await page.get_by_label(console.ka("Question, as a person would write it")).fill(
        "Where is your office?")
    await page.get_by_role("button", name=console.ka("Test"), exact=True).click()
    row = page.get_by_role("row").filter(has_text="office_location")
    assert "1.000" in await row.inner_text()
    assert console.ka("answered") in await row.inner_text()

    await page.get_by_role("link", name=console.ka("Unanswered questions")).click()
    group = page.locator("li.group").filter(has_text=parking)
    await group.get_by_label(console.ka("Another topic")).select_option("office_location")
    await group.get_by_role("button", name=console.ka("Add"), exact=True).click()
    notice = await page.get_by_role("status").inner_text()
    assert notice == console.ka("Added to «{topic}» ({count} questions).").format(
        topic=office.title["ka"], count=1)
    assert await page.locator("li.group").count() == 0

    [answered] = await console.person.send(PERSON, parking)
    assert answered["text"].startswith(office.answer["en"].splitlines()[0])
    assert await _answers_within(other_process, parking, "office_location")

    await page.get_by_role("link", name=console.ka("Audit log")).click()
    assert "faq.unanswered.topic" in await page.locator("table").inner_text()
    await page.goto("/console/faq/history")
    change = page.get_by_role("row").filter(has_text=parking)
    await change.get_by_role("button", name=console.ka("Revert")).click()
    assert console.ka("Change {version} reverted.").split("{")[0] in await page.get_by_role(
        "status").inner_text()
    [again] = await console.person.send(PERSON, parking)
    assert not again["text"].startswith(office.answer["en"].splitlines()[0])
    assert await _answers_within(other_process, parking, None)


async def test_a_topics_answer_is_previewed_and_checked_before_saving(
        console: ConsoleHarness) -> None:
    page = await console.sign_in()
    await page.goto("/console/faq?q=Where+is+your+office%3F")
    await page.get_by_role("row").filter(has_text="office_location").get_by_role("link").click()
    english = page.get_by_label(console.ka("Answer in English"))
    await english.fill("Ask us with {cmd_ask}.\nEmail: {hub_email}\n" + "Long. " * 600)
    await page.get_by_role("button", name=console.ka("Preview")).click()
    alert = await page.get_by_role("alert").inner_text()
    ka = console.ka
    assert ka("{where} ({lang}): {count} characters, limit {limit}").format(
        where=ka("topic {topic} answer").format(topic="'office_location'"), lang="en",
        count=3641, limit=3500) in alert  # the content check in the console's language
    assert "characters, limit" not in alert
    preview = page.locator("section.preview[lang=en]")
    telegram, messenger = preview.locator("figure").nth(0), preview.locator("figure").nth(1)
    first = await telegram.locator(".bubble .text").first.inner_text()
    assert first.startswith("Ask us with /ask.\nLong.")  # no e-mail configured: line left out
    assert await telegram.locator(".bubble").count() == 1  # Telegram takes 4096 characters
    assert await messenger.locator(".bubble").count() == 2  # Messenger 2000
    assert "Helpful" in await messenger.locator(".bubble").last.inner_text()
    georgian = await page.locator("section.preview[lang=ka] .bubble .text").first.inner_text()
    assert georgian.startswith(console.hub.services.faq.topic("office_location")
                               .answer["ka"].splitlines()[0][:20])

    await page.get_by_label(console.ka("Answer in English")).fill("Our office moved: ask at the desk.")
    await page.get_by_role("button", name=console.ka("Save"), exact=True).click()
    assert await page.get_by_role("status").inner_text() == console.ka(
        "Saved. The bot answers with it within seconds.")
    [answer] = await console.person.send(PERSON, "Where is your office?")
    assert answer["text"].startswith("Our office moved: ask at the desk.")
    await page.get_by_label(console.ka("Answer in English")).fill("")
    await page.get_by_role("button", name=console.ka("Save"), exact=True).click()
    assert await page.get_by_role("alert").first.inner_text() == console.ka(
        "Not saved: {reason}").format(reason=console.ka("the answer is empty"))
    [still] = await console.person.send(PERSON, "Where is your office?")
    assert still["text"].startswith("Our office moved")


async def test_a_new_topic_from_unanswered_questions(console: ConsoleHarness) -> None:
    question = "do you rent out bicycles?"
    await console.person.send(PERSON, question)
    page = await console.sign_in()
    await page.goto("/console/faq/unanswered")
    await page.get_by_role("link", name=console.ka("New topic from these questions")).click()
    assert await page.get_by_label(console.ka("Questions in English, one a line")).input_value() \
        == question
    for label, value in (("Id (Latin letters, digits and _)", "bicycles"),
                         ("Title in Georgian", "ველოსიპედები"), ("Title in English", "Bicycles"),
                         ("Answer in Georgian", "ველოსიპედებს არ ვაქირავებთ."),
                         ("Answer in English", "We do not rent out bicycles."),
                         ("Questions in Georgian, one a line", "ველოსიპედს აქირავებთ?"),
                         ("Questions in Georgian in Latin letters, one a line",
                          "velosipeds aqiravebt?")):
        await page.get_by_label(console.ka(label), exact=True).fill(value)
    await page.get_by_role("button", name=console.ka("Create the topic")).click()
    assert await page.get_by_role("status").inner_text() == console.ka(
        "Topic created. The bot answers with it within seconds.")
    [answer] = await console.person.send(PERSON, question)
    assert answer["text"].startswith("We do not rent out bicycles.")
    await page.goto("/console/faq/unanswered")
    assert await page.locator("li.group").count() == 0


async def test_added_from_the_staff_chat_the_question_gets_the_topics_answer(
        staffed: TelegramHarness, staff: StaffMember) -> None:
    parking = "is there parking near the office?"
    await staffed.send(PERSON, parking)
    hub = staffed.hub
    assert hub is not None
    hub.watch_content()  # as `hubbot run` does
    office = hub.services.faq.topic("office_location")
    assert office is not None
    await staff.says("/unanswered", en(
        "Unanswered questions, newest first ({shown} of {total} groups):").format(
            shown=1, total=1))
    group = await staff.sees(f"«{parking}»")
    await staff.presses(group, f"➕ {office.title['en']}",
                        en("Added to «{topic}» ({count} questions).").format(
                            topic=office.title["en"], count=1))
    assert await _answers_within(hub, parking, "office_location")  # this process follows
    [answer] = await staffed.send(PERSON, parking)
    assert answer["text"].startswith(office.answer["en"].splitlines()[0])


async def test_staff_hear_in_their_language_when_the_content_check_refuses_an_addition(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    ka = translator("ka")
    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False, staff_language="ka")
    await harness.start()
    try:
        hub = harness.hub
        assert hub is not None and hub.services.faq_editor is not None
        parking = "is there parking near the office?"
        await harness.send(PERSON, parking)
        office = hub.services.faq.topic("office_location")
        assert office is not None
        staff = StaffMember(telegram_api)
        await staff.says("/unanswered", ka(
            "Unanswered questions, newest first ({shown} of {total} groups):").format(
                shown=1, total=1))
        group = await staff.sees(f"«{parking}»")
        # Meanwhile someone makes the same words an off-topic example (`hubbot faq`, say):
        # as a phrasing of the office topic they would now contradict the content.
        await hub.services.faq_editor.mark_offtopic(parking, "en", "Nino")
        reason = ka("off-topic example {text} is also a question of {topic}").format(
            text=repr(parking), topic=repr("office_location"))
        refused = await staff.presses(group, f"➕ {office.title['ka']}", ka(
            "Not added to «{topic}»: {reason}. The questions stay in /unanswered.").format(
                topic=office.title["ka"], reason=reason))
        assert ka("Added to «{topic}» ({count} questions).").split("«")[0] not in \
            refused["text"]
        assert parking not in (await hub.services.faq_editor.topic("office_location")
                               or {})["questions"]["en"]
        async with UnitOfWork(hub.database) as uow:
            [waiting] = await unanswered.inbox(uow, hub.services.faq.matcher)
        assert waiting.title == parking  # no decision recorded: it is still waiting
        await asyncio.sleep(0.5)  # nothing else is said after the refusal
        assert staff.api.sent_messages(STAFF_CHAT)[-1]["text"] == refused["text"]
    finally:
        await harness.stop()
