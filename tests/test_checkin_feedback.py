"""Check-in through the poster's link and feedback after the event, end to end: two people
register through the stand-in Bot API, one checks in with /start checkin_CODE on the event's
day, the other is refused the day before; after the event only the attendee is asked, answers
4 and a comment, and it is stored; the poster's PDF shows the title and the link."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from pypdf import PdfReader
from sqlmodel import select

from bot.app import HubApp
from bot.services.feedback import feedback_key
from storage.models_attendance import EventAttendance, EventFeedback
from storage.models_events import Event
from storage.models_outbox import OutboxMessage
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, buttons, wait_for_text
from tests.test_events import _register, _stored_event
from tests.test_orgs_export import hubbot

ATTENDEE, ABSENT, STRANGER = 7101, 7102, 7103


@pytest.fixture
async def bot(telegram_api: FakeTelegramAPI, settings) -> TelegramHarness:  # type: ignore[no-untyped-def]
    harness = TelegramHarness(telegram_api, settings.model_copy(update={
        "telegram_bot_token": SecretStr(telegram_api.token), "quiet_hours": "off"}))
    await harness.start()
    yield harness  # type: ignore[misc]
    await harness.stop()


async def _event(hub: HubApp, event_id: int) -> Event:
    async with hub.session_factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event


async def _rows(hub: HubApp, table: type) -> list:
    async with hub.session_factory() as session:
        return list((await session.exec(select(table))).all())


async def _set_times(hub: HubApp, event_id: int, starts: datetime, ends: datetime) -> None:
    async with hub.session_factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        event.starts_at, event.ends_at = starts, ends
        session.add(event)
        await session.commit()


async def test_check_in_by_link_then_only_the_attendee_is_asked_for_feedback(
        bot: TelegramHarness, tmp_path: Path) -> None:
    assert bot.hub is not None
    hub = bot.hub
    event_id = await _stored_event(hub, kind="training", title_en="Grant writing training",
                                   title_ka="გრანტების წერის ტრენინგი")
    await _register(bot, ATTENDEE, event_id)
    await _register(bot, ABSENT, event_id)
    code = (await _event(hub, event_id)).checkin_code

    # The training takes place: it began 4 hours ago and ended 3 hours ago.
    now = datetime.now(UTC)
    starts, ends = now - timedelta(hours=4), now - timedelta(hours=3)
    await _set_times(hub, event_id, starts, ends)

    # The day before, the check-in is refused, and says when it opens.
    hub.services.checkin.clock = lambda: starts - timedelta(days=1)
    [early] = await bot.send(ABSENT, f"/start checkin_{code}")
    assert "opens on the day of the event" in early["text"], early["text"]
    # On the day, the registered person is checked in, once.
    hub.services.checkin.clock = lambda: starts + timedelta(minutes=5)
    [welcome] = await bot.send(ATTENDEE, f"/start checkin_{code}")
    assert "You are checked in" in welcome["text"] and "Grant writing training" in welcome["text"]
    [again] = await bot.send(ATTENDEE, f"/start checkin_{code}")
    assert "already checked in" in again["text"]
    # Someone who did not register is asked for their organisation and counted as a walk-in.
    [ask] = await bot.send(STRANGER, f"/start checkin_{code}")
    assert "You are not registered for Grant writing training" in ask["text"], ask["text"]
    [done] = await bot.send(STRANGER, "Kutaisi Youth Centre")
    assert "You are checked in" in done["text"]
    # The day after, it is too late.
    hub.services.checkin.clock = lambda: ends + timedelta(days=1)
    [late] = await bot.send(ABSENT, f"/start checkin_{code}")
    assert "has already taken place" in late["text"]

    present = await _rows(hub, EventAttendance)
    assert len(present) == 2
    walk_in = next(row for row in present if row.walk_in)
    assert walk_in.organisation_name == "Kutaisi Youth Centre"

    # FEEDBACK_AFTER (2 h) after the end: the attendees are asked, the absent person is not.
    assert await hub.services.feedback.plan(ends + timedelta(hours=1)) is None  # too soon
    assert await hub.services.feedback.plan() == "2 feedback requests queued"
    assert await hub.services.feedback.plan() is None  # at most once per person
    request = await wait_for_text(bot.api, ATTENDEE, "How was it?")
    assert "Grant writing training" in request["text"]
    assert not [m for m in bot.api.sent_messages(ABSENT) if "How was it?" in (m.get("text") or "")]
    keys = {row.dedupe_key for row in await _rows(hub, OutboxMessage) if row.kind == "feedback"}
    assert feedback_key(event_id, 1) in keys or len(keys) == 2

    # The person types 4 (a digit counts as the rating), then a comment; a training asks more.
    [comment_prompt] = await bot.send(ATTENDEE, "4")
    assert "Anything you would like to tell us" in comment_prompt["text"]
    [apply_prompt] = await bot.send(ATTENDEE, "Very practical, thank you")
    assert "What will you apply in your organisation" in apply_prompt["text"]
    [thanks] = await bot.press_label(ATTENDEE, apply_prompt, "Skip")
    assert "Thank you for your feedback" in thanks["text"]
    [answer] = await _rows(hub, EventFeedback)
    assert (answer.event_id, answer.rating, answer.comment, answer.will_apply) == (
        event_id, 4, "Very practical, thank you", None)
    # The buttons of the old request do not make a second answer.
    [second] = await bot.press_label(ATTENDEE, request, "5")
    assert "already with us" in second["text"]
    assert len(await _rows(hub, EventFeedback)) == 1

    # The poster: its text shows the title and the link that checks people in.
    result, out, err = await hubbot(["events", "poster", str(event_id), "-o", str(tmp_path)],
                                    bot.settings.database_url, tmp_path,
                                    TELEGRAM_BOT_USERNAME="imereti_hub_bot")
    assert result == 0, err
    link = f"https://t.me/imereti_hub_bot?start=checkin_{code}"
    assert link in out
    text = "".join(page.extract_text() for page in PdfReader(
        tmp_path / f"event-{event_id}-poster.pdf").pages)
    assert "Grant writing training" in text and link in text.replace("\n", "")


async def test_the_poster_asks_the_bot_its_name_and_refuses_without_any_link(
        bot: TelegramHarness, tmp_path: Path) -> None:
    assert bot.hub is not None
    event_id = await _stored_event(bot.hub)
    result, _out, err = await hubbot(["events", "poster", str(event_id), "-o", str(tmp_path)],
                                     bot.settings.database_url, tmp_path)
    assert result == 2 and "TELEGRAM_BOT_USERNAME" in err
    result, out, err = await hubbot(["events", "poster", str(event_id), "-o",
                                     str(tmp_path / "p.pdf")], bot.settings.database_url,
                                    tmp_path, TELEGRAM_BOT_TOKEN=bot.api.token,
                                    TELEGRAM_API_BASE_URL=bot.api.base_url,
                                    MESSENGER_PAGE="imeretihub")
    assert result == 0, err
    code = (await _event(bot.hub, event_id)).checkin_code
    assert f"https://t.me/hub_test_bot?start=checkin_{code}" in out
    assert f"https://m.me/imeretihub?ref=checkin_{code}" in out
    reader = PdfReader(io.BytesIO((tmp_path / "p.pdf").read_bytes()))
    assert len(reader.pages) == 1 and "რეგიონული ფორუმი" in reader.pages[0].extract_text()
    assert buttons  # (imported for the helpers' sake)


async def test_messenger_ref_checks_in_a_walk_in_and_feedback_keeps_the_24_hour_window(
        messenger) -> None:  # type: ignore[no-untyped-def]
    from bot.i18n import translator
    from tests.messenger_harness import postback_event, set_last_message

    ka = translator("ka")

    hub = messenger.telegram.hub
    assert hub is not None
    quiet = hub.settings.model_copy(update={"quiet_hours": "off"})
    hub.services.feedback.settings = quiet
    now = datetime.now(UTC)
    starts, ends = now - timedelta(hours=5), now - timedelta(hours=3)
    event_id = await _stored_event(hub, kind="forum", title_en="Regional forum",
                                   starts_at=starts, ends_at=ends)
    code = (await _event(hub, event_id)).checkin_code
    hub.services.checkin.clock = lambda: starts + timedelta(minutes=10)

    # A new conversation from the poster's m.me link: Get Started carries the ref.
    for psid in ("psid-near", "psid-far"):
        get_started = postback_event(psid, "/start")
        get_started["postback"]["referral"] = {"ref": f"checkin_{code}", "source": "SHORTLINK",
                                               "type": "OPEN_THREAD"}
        assert await messenger.deliver(get_started) == 200
        [ask] = await messenger.graph.wait_for(psid, 1)
        assert ka("You are not registered for {title}, but you are welcome anyway: we will "
                  "record you as a guest.").format(title="რეგიონული ფორუმი") in ask.text
        [done] = await messenger.say(psid, "Zestaponi Women's Union")
        assert done.text.startswith(ka("✅ Welcome to {title}! You are checked in.").format(
            title="რეგიონული ფორუმი"))
    # An existing conversation gets the ref as a referral event: already checked in.
    referral = {"sender": {"id": "psid-near"}, "recipient": {"id": "PAGE"},
                "timestamp": 1, "referral": {"ref": f"checkin_{code}", "source": "SHORTLINK"}}
    assert await messenger.deliver(referral) == 200
    again = (await messenger.graph.wait_for("psid-near", 3))[-1]
    assert again.text.startswith(ka("You are already checked in for {title}. Welcome!").format(
        title="რეგიონული ფორუმი"))

    # One attendee wrote long ago: no survey outside the 24-hour window (no tag covers it).
    await set_last_message(messenger, "psid-far", timedelta(hours=30))
    assert await hub.services.feedback.plan() == "2 feedback requests queued"
    request = (await messenger.graph.wait_for("psid-near", 4))[-1]
    assert "როგორ ჩაიარა?" in request.text  # Messenger people speak Georgian first
    far = None
    for _attempt in range(200):  # the worker records the refusal of the far one soon after
        async with hub.session_factory() as session:
            far = (await session.exec(select(OutboxMessage).where(
                OutboxMessage.kind == "feedback", OutboxMessage.chat_id == "psid-far"))).one()
        if far.state in ("sent", "failed", "skipped"):  # finished
            break
        await asyncio.sleep(0.05)
    assert far is not None and far.state == "skipped"
    assert not [m for m in messenger.graph.sent_to("psid-far") if "როგორ ჩაიარა?" in m.text]
    assert all(m.tag is None for m in messenger.graph.sent_to("psid-near"))


async def test_staff_tick_attendance_see_feedback_and_download_the_poster(console) -> None:  # type: ignore[no-untyped-def]
    from storage.models_console import AuditEntry
    from tests.test_console_events import _event_with, _person

    hub = console.hub
    nino, giorgi = await _person(hub, "7501"), await _person(hub, "7502")
    event = await _event_with(hub, nino, giorgi)
    page = await console.sign_in(name="Nino")
    await page.goto(f"/console/events/{event.id}")
    await page.get_by_text(console.ka("Checked in: {count}").format(count=0)).wait_for()

    stale = await page.context.new_page()  # a second tab, opened before the tick
    await stale.goto(f"/console/events/{event.id}")
    mark = console.ka("Mark {name} present").format(name="P7501")
    for tab in (page, stale):  # the stale tab's tick changes nothing
        await tab.get_by_role("button", name=mark).click()
        await tab.get_by_role("status").filter(has_text=console.ka("Marked present.")).wait_for()
    await page.get_by_text(console.ka("Checked in: {count}").format(count=1)).wait_for()
    await page.get_by_role("button", name=console.ka("Mark {name} absent").format(
        name="P7501")).wait_for()
    [present] = await _rows(hub, EventAttendance)
    assert (present.person_id, present.via, present.staff_name) == (nino.id, "staff", "Nino")
    audits = [a for a in await _rows(hub, AuditEntry) if a.action == "event.attendance"]
    assert len(audits) == 1 and audits[0].staff_name == "Nino"

    # Unticking takes the check-in back.
    await page.get_by_role("button", name=console.ka("Mark {name} absent").format(
        name="P7501")).click()
    await page.get_by_role("status").filter(has_text=console.ka("Marked absent.")).wait_for()
    assert await _rows(hub, EventAttendance) == []

    # Feedback stored for the event shows on its page (no names beside the words).
    async with hub.session_factory() as session:
        session.add(EventFeedback(event_id=event.id, person_id=giorgi.id, rating=4,
                                  comment="Useful examples"))
        await session.commit()
    await page.reload()
    await page.get_by_text(console.ka("{count} answers, average rating {average} / 5").format(
        count=1, average="4.0")).wait_for()
    await page.get_by_role("cell", name="Useful examples").wait_for()

    # The poster: the bot's name asked of getMe (the stand-in answers hub_test_bot).
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=console.ka("Check-in poster (PDF)")).click()
    download = await download_info.value
    assert download.suggested_filename == f"event-{event.id}-poster.pdf"
    path = await download.path()
    text = PdfReader(path).pages[0].extract_text().replace("\n", "")
    assert f"https://t.me/hub_test_bot?start=checkin_{event.checkin_code}" in text
    assert "რეგიონული ფორუმი" in text


async def test_forget_keeps_the_counts_but_not_the_words(hub: HubApp) -> None:
    from storage.repos.privacy import PrivacyRepo
    from storage.uow import UnitOfWork

    now = datetime.now(UTC)
    event_id = await _stored_event(hub, kind="training", starts_at=now - timedelta(hours=1))
    async with UnitOfWork(hub.database) as uow:
        person, _conversation, _new = await uow.people.seen(
            channel="telegram", external_id="7601", chat_id="7601", display_name="Eka",
            language="en")
        await uow.commit()
    hub.services.checkin.clock = lambda: now
    async with UnitOfWork(hub.database) as uow:
        result = await hub.services.checkin.walk_in(uow, person, event_id, "Eka's Union")
        assert result.outcome == "checked_in"
        assert await hub.services.feedback.store(uow, person, event_id, 5, "Eka liked it",
                                                 "Eka's plan")
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        fresh = await uow.session.get(type(person), person.id)
        assert fresh is not None
        await uow.repo(PrivacyRepo).erase_person(fresh)
        await uow.commit()
    [present] = await _rows(hub, EventAttendance)
    [answer] = await _rows(hub, EventFeedback)
    assert (present.walk_in, present.organisation_name) == (True, None)
    assert (answer.rating, answer.comment, answer.will_apply) == (5, None, None)


async def test_feedback_requests_wait_for_the_end_of_quiet_hours(hub: HubApp) -> None:
    from storage.uow import UnitOfWork

    tz = hub.settings.tz  # QUIET_HOURS 22:00-09:00 by default
    ends = datetime.now(tz).replace(hour=19, minute=30, second=0, microsecond=0) - timedelta(
        days=1)
    event_id = await _stored_event(hub, starts_at=ends - timedelta(hours=2), ends_at=ends)
    async with UnitOfWork(hub.database) as uow:
        person, _conversation, _new = await uow.people.seen(
            channel="telegram", external_id="7701", chat_id="7701", display_name="Levan",
            language="ka")
        await uow.commit()
    hub.services.checkin.clock = lambda: ends - timedelta(hours=1)
    async with UnitOfWork(hub.database) as uow:
        await hub.services.checkin.walk_in(uow, person, event_id, None)
        await uow.commit()
    # 2 h after 19:30 is 21:30: asked then; planned at 22:10 it waits until 09:00
    assert await hub.services.feedback.plan(ends + timedelta(hours=2, minutes=40)) == \
        "1 feedback requests queued"
    [row] = [r for r in await _rows(hub, OutboxMessage) if r.kind == "feedback"]
    assert row.not_before.astimezone(tz).strftime("%H:%M") == "09:00"
    assert row.not_before.astimezone(tz).date() == (ends + timedelta(days=1)).date()
    assert "როგორ ჩაიარა?" in row.payload["replies"][0]["text"]  # in the person's language


async def test_the_daily_digest_counts_check_ins_and_feedback(hub: HubApp) -> None:
    from storage.uow import UnitOfWork

    routines = hub.services.routines
    routines.settings = hub.settings.model_copy(update={"staff_chat_id": -100777,
                                                        "staff_language": "en"})
    now = datetime.now(UTC)
    event_id = await _stored_event(hub, starts_at=now - timedelta(hours=3),
                                   ends_at=now - timedelta(hours=2))
    hub.services.checkin.clock = lambda: now - timedelta(hours=2, minutes=30)
    for number, rating in (("7801", 5), ("7802", 4)):
        async with UnitOfWork(hub.database) as uow:
            person, _conversation, _new = await uow.people.seen(
                channel="telegram", external_id=number, chat_id=number, display_name="",
                language="en")
            await hub.services.checkin.walk_in(uow, person, event_id, None)
            await hub.services.feedback.store(uow, person, event_id, rating, None, None)
            await uow.commit()
    assert await routines.daily_digest() == "digest queued"
    [digest] = [r for r in await _rows(hub, OutboxMessage) if r.kind == "staff_alert"]
    text = digest.payload["replies"][0]["text"]
    assert "Event check-ins: 2" in text
    assert "Event feedback: 2 answers, average rating 4.5 / 5" in text
