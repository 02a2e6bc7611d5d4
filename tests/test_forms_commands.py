"""A command at any step of /register or /ask leaves the form; the next question gets its answer.

Every step is tried: the person types their way to it, sends /help, then asks where the office
is. They get the address, nothing of the question is stored in the form, and the form offers
to continue from its draft.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.models_hotline import Ticket
from storage.models_orgs import Organisation
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, staff_harness, wait_for_text

STAFF_CHAT = -1004400
PERSON = 4401
OFFICE = "Where is your office?"
# what a person types, step after step (every choice typed, never tapped)
REGISTER = ["ქუთაისის ახალგაზრდული ცენტრი", "skip", "Non-commercial legal entity", "204567891",
            "Kutaisi", "Youth", "Done", "Nino Beridze", "555 12 34 56", "info@example.ge", "skip",
            "We help young people take part in local life.", "yes"]
ASK = ["Legal help", "Kutaisi", "We need advice on the lease of our office.", "Done",
       "In the chat"]


@pytest.fixture
async def bot(telegram_api: FakeTelegramAPI, settings: Settings) -> AsyncIterator[TelegramHarness]:
    """The bot with a staff chat (so the hotline is offered)."""
    harness = staff_harness(telegram_api, settings, STAFF_CHAT)
    await harness.start()
    yield harness
    await harness.stop()


async def _command_after(bot: TelegramHarness, command: str, typed: list[str]) -> None:
    api = bot.api
    for text in [command, *typed, "/help", OFFICE]:  # one chat's updates are handled in order
        api.push_text(PERSON, text)
    await wait_for_text(api, PERSON, "Tsereteli", timeout=30)


async def _offers_to_continue(bot: TelegramHarness, command: str) -> bool:
    [offer] = await bot.send(PERSON, command)
    markup = offer.get("reply_markup") or {}
    return any("Continue" in b["text"] for row in markup.get("inline_keyboard", []) for b in row)


@pytest.mark.parametrize("steps", range(1, len(REGISTER) + 1))
async def test_help_at_any_step_of_register_then_a_question(bot: TelegramHarness,
                                                            steps: int) -> None:
    await _command_after(bot, "/register", REGISTER[:steps])
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        assert (await session.exec(select(Organisation))).all() == []
    assert await _offers_to_continue(bot, "/register")  # the answers so far wait as a draft


@pytest.mark.parametrize("steps", range(0, len(ASK) + 1))
async def test_help_at_any_step_of_ask_then_a_question(bot: TelegramHarness, steps: int) -> None:
    await _command_after(bot, "/ask", ASK[:steps])
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        assert (await session.exec(select(Ticket))).all() == []
    assert not [m for m in bot.api.sent_messages(STAFF_CHAT) if OFFICE in (m.get("text") or "")]
    if steps:
        assert await _offers_to_continue(bot, "/ask")


async def _typed(bot: TelegramHarness, texts: list[str]) -> None:
    """Type each text and wait until the bot has answered it (a phone: noted, then the next)."""
    for text in texts:
        await bot.send(PERSON, text, expect=2 if text == "555 12 34 56" else 1)


@pytest.mark.parametrize("steps", [1, 3, 5, 7, 10, len(REGISTER)])
async def test_a_restart_between_two_steps_of_register_loses_nothing(
        bot: TelegramHarness, steps: int) -> None:
    typed = ["/register", *REGISTER, "yes", "Send"]  # consent, public listing, then send
    await _typed(bot, typed[:steps])
    await bot.restart()  # a new process on the same database, mid-form
    await _typed(bot, typed[steps:])
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        [organisation] = (await session.exec(select(Organisation))).all()
    assert organisation.status == "pending" and organisation.municipality == "kutaisi"
    assert organisation.phone and organisation.email == "info@example.ge"
