"""Numbers that come from outside — typed by people, carried by buttons, posted by console
forms, written in console URLs — are read by one rule (`small_number` in bot/core/messages.py).
"²" and "፩" are digits to `str.isdigit` and `int()` refuses them; a number longer than nine
digits fits no column. Each gets a polite answer: never an error page, never "try again"."""

from __future__ import annotations

import pytest

from bot.core.engine import TRY_AGAIN
from bot.core.messages import is_small_id, small_number
from bot.i18n import translator
from tests.console_harness import ConsoleHarness
from tests.staff_chat import StaffMember
from tests.telegram_harness import TelegramHarness

en, ka = translator("en"), translator("ka")
PERSON = 7811
HUGE = "1" + "0" * 20  # past every integer column (SQLite's too)
STALE = "That button is no longer active. Here is the main menu."


@pytest.mark.parametrize(("text", "number"), [
    ("0", 0), ("12", 12), ("007", 7), ("999999999", 999999999), ("1000000000", None),
    ("", None), ("²", None), ("፩", None), ("٣", None), ("-1", None), (" 1", None),
    ("1\n", None), ("1_000", None), ("12a", None)])
def test_one_rule_for_numbers_from_outside(text: str, number: int | None) -> None:
    assert small_number(text) == number
    assert is_small_id(text) is (number is not None)


def _no_error(messages: list[dict]) -> str:
    text = "\n".join(m.get("text") or "" for m in messages)
    assert en(TRY_AGAIN) not in text and ka(TRY_AGAIN) not in text, text
    return text


async def test_digits_of_other_kinds_typed_or_pressed_get_an_answer(
        telegram: TelegramHarness) -> None:
    # A lone digit may be an event rating: a superscript two is not one.
    _no_error(await telegram.send(PERSON, "²"))
    # A choice typed by its number, in Ethiopic digits, is no number of the list.
    _no_error(await telegram.send(PERSON, "/subscribe"))
    _no_error(await telegram.send(PERSON, "፩"))
    # Buttons whose data was tampered with are stale buttons.
    for data in ("efb:1:²", f"efb:{HUGE}:5", "efb:²:5"):
        assert en(STALE) in _no_error(await telegram.press(PERSON, data, message_id=1))


async def test_a_tampered_unanswered_button_in_the_staff_chat_is_stale(
        staffed: TelegramHarness, staff: StaffMember) -> None:
    for data in ("un:d:²", "un:o:1.²", f"un:t:office_location:{HUGE}"):
        before = len(staff.api.sent_messages(staff.chat_id))
        staff.api.push_callback(staff.user_id, data, message_id=1, chat_id=staff.chat_id,
                                first_name=staff.name)
        [answer] = (await staff.api.wait_for_messages(staff.chat_id, before + 1))[before:]
        assert answer["text"].startswith(en(STALE)), answer["text"]


async def test_crafted_numbers_in_console_requests_get_a_polite_answer(
        console: ConsoleHarness) -> None:
    page = await console.sign_in()
    token = await page.locator("input[name=csrf_token]").first.input_value()

    async def post(path: str, **fields: str) -> int:
        response = await page.request.post(path, form={"csrf_token": token, **fields},
                                           max_redirects=0)
        return response.status

    async def get(path: str) -> int:
        return (await page.request.get(path, max_redirects=0)).status

    assert await post("/console/faq/unanswered", action="dismiss", ids="²") == 400
    assert await post("/console/faq/unanswered", action="dismiss", ids=f"1.{HUGE}") == 400
    assert await get("/console/tickets?q=%23%C2%B2") == 200  # "#²": a search, no number
    assert await get(f"/console/tickets?q=%23{HUGE}") == 200
    for path in (f"/console/orgs/{HUGE}", f"/console/events/{HUGE}",
                 f"/console/events/{HUGE}/attendees.csv", f"/console/announcements/{HUGE}",
                 "/console/orgs/%D9%A3", "/console/tickets/999999999/files/999999999999"):
        assert await get(path) == 404, path
    assert await post(f"/console/faq/history/{'9' * 12}/revert") == 404
    assert await post(f"/console/events/1/attendance/{HUGE}", present="1") == 404
    assert await get(f"/console/announcements?before={HUGE}") == 200
    # A form's number: the form again with the problem beside the field.
    assert await post("/console/announcements", text="Hello", audience="event:²",
                      when="now") == 400
    assert await post("/console/events/new", kind="forum", title_ka="ფორუმი",
                      title_en="Forum", capacity="9" * 5000) == 422
