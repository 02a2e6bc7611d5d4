"""Staff /newevent on the form engine: every answer typed, Back, a review with edits, Cancel."""

from __future__ import annotations

from storage.models_events import Event
from tests.staff_chat import StaffMember, rows
from tests.telegram_harness import TelegramHarness, buttons


async def test_newevent_typed_from_start_to_end_with_an_edit(staffed: TelegramHarness,
                                                            staff: StaffMember) -> None:
    await staff.says("/newevent", "What kind")
    await staff.says("training", "The title")  # the kind, typed
    await staff.says("ტრენინგი ანგარიშვალდებულებაზე", "When does it start")
    await staff.says("2020-01-01 10:00", "That time has passed")
    await staff.says("2031-05-20 10:00", "Where?")
    await staff.says("Kutaisi, 111 Tsereteli St.", "How many seats")
    await staff.says("0", "number of seats (1–10000)")
    review = await staff.says("25", "Create this event?")
    assert "✏️ Seats" in buttons(review)
    await staff.says("Seats", "How many seats")  # an edit, typed
    review = await staff.says("no seat limit", "Create this event?")  # the skip button, typed
    await staff.says("create", "created")
    [event] = await rows(staffed, Event)
    assert (event.kind, event.title_ka, event.capacity) == (
        "training", "ტრენინგი ანგარიშვალდებულებაზე", None)
    assert event.address == "Kutaisi, 111 Tsereteli St."


async def test_newevent_back_and_cancel_create_nothing(staffed: TelegramHarness,
                                                       staff: StaffMember) -> None:
    staff.write("/newevent")
    kinds = await staff.sees("What kind")
    staff.press(kinds, "Forum")
    title = await staff.sees("The title")
    staff.press(title, "⬅️ Back")
    kinds = await staff.sees("What kind")
    staff.press(kinds, "✖️ Cancel")
    await staff.sees("No event was created")
    staff.press(kinds, "Forum")
    await staff.sees("no longer active")
    assert await rows(staffed, Event) == []
