"""Issue #15's end to end, through the stand-in Bot API: an event is created, two people
register, one checks in through the poster's link, after the event the attendee is asked for
feedback and answers 4, and `/report month` in the staff chat returns a PDF with the event's
figures and charts. Two registrations, one attendee and one rating are fewer than 3 people, so
the report shows each as "<3" (issue #15: no cell may single anyone out); the event's own
figures are checked in the database the report reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from bot.services.report_files import span_period
from storage.models_attendance import EventAttendance, EventFeedback
from storage.models_events import CANCELLED, EventRegistration
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.staff_chat import StaffMember
from tests.telegram_harness import TelegramHarness, staff_harness, wait_for_text
from tests.test_checkin_feedback import _event, _set_times
from tests.test_events import _register, _stored_event
from tests.test_report import _download, images, pdf_text

FIRST, SECOND = 7201, 7202


async def test_register_check_in_feedback_then_the_months_report(
        telegram_api: FakeTelegramAPI, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.staff_chat import STAFF_CHAT

    bot = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False, quiet_hours="off")
    await bot.start()
    try:
        await _run(bot, telegram_api)
    finally:
        await bot.stop()


async def _run(bot: TelegramHarness, api: FakeTelegramAPI) -> None:
    assert bot.hub is not None
    hub = bot.hub
    # The event took place this month, ended 3 hours ago (in a month's first 3 hours it would
    # have to end before the month began: then its request waits for the real time).
    month_start, _end = span_period("month", hub.settings)
    now = datetime.now(UTC)
    first_day = datetime.combine(month_start, datetime.min.time(), tzinfo=hub.settings.tz)
    starts = max(now - timedelta(hours=4), first_day.astimezone(UTC) + timedelta(minutes=1))
    ends = starts + timedelta(hours=1)
    event_id = await _stored_event(hub, kind="training", title_en="Report training",
                                   title_ka="ანგარიშის ტრენინგი",
                                   starts_at=now + timedelta(days=3))
    await _register(bot, FIRST, event_id)
    await _register(bot, SECOND, event_id)
    await _set_times(hub, event_id, starts, ends)
    code = (await _event(hub, event_id)).checkin_code

    hub.services.checkin.clock = lambda: starts + timedelta(minutes=5)
    [welcome] = await bot.send(FIRST, f"/start checkin_{code}")
    assert "You are checked in" in welcome["text"]

    assert await hub.services.feedback.plan(ends + timedelta(hours=2, minutes=1)) \
        == "1 feedback requests queued"
    await wait_for_text(api, FIRST, "How was it?")
    [next_question] = await bot.send(FIRST, "4")
    assert "Anything you would like to tell us" in next_question["text"]
    [apply_prompt] = await bot.press_label(FIRST, next_question, "Skip")
    [thanks] = await bot.press_label(FIRST, apply_prompt, "Skip")
    assert "Thank you for your feedback" in thanks["text"]

    async with hub.session_factory() as session:
        registered = (await session.exec(select(func.count()).select_from(EventRegistration)
                      .where(EventRegistration.event_id == event_id,
                             EventRegistration.status != CANCELLED))).one()
        present = (await session.exec(select(func.count()).select_from(EventAttendance)
                   .where(EventAttendance.event_id == event_id))).one()
        ratings = (await session.exec(select(EventFeedback.rating)
                   .where(EventFeedback.event_id == event_id))).all()
    assert (registered, present, list(ratings)) == (2, 1, [4])

    staff = StaffMember(api)
    before = len(api.sent_messages(staff.chat_id))
    staff.write("/report month")
    messages = await api.wait_for_messages(staff.chat_id, before + 3, timeout=60)
    [document] = [m for m in messages[before:] if "document" in m]
    content = await _download(api, document["document"]["file_id"])
    text = pdf_text(content)
    assert "Training 1 <3 <3" in text  # one training; 2 registrations, 2 participants: hidden
    assert "Training <3 0 <3 <3 0" in text  # 1 present, no walk-in, 1 rating, its average, 0 comments
    for private in ("7201", "Report training"):  # no people, and events only by kind
        assert private not in text
    assert images(content) >= 3  # charts beside the tables
