"""Hostile text from outside: NUL, lone surrogates and over-long names never break a person's
conversation, and Messenger bodies of the wrong shape are skipped without a traceback."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from sqlmodel import select

from bot.app import HubApp
from bot.channels.console import ConsoleChat
from bot.core.engine import TRY_AGAIN
from bot.i18n import translator
from storage.models import Person
from tests.fakes.graph_api import PAGE_ID, FakeGraphAPI, signed, text_event
from tests.messenger_harness import MessengerHarness
from tests.telegram_harness import TelegramHarness, text_of

SORRY = {translator(language)(TRY_AGAIN) for language in ("ka", "en")}
USER = 6401
PSID = "6100000000000041"


async def _person(hub: HubApp | None, external_id: str) -> Person:
    assert hub is not None
    async with hub.session_factory() as session:
        return (await session.exec(select(Person).where(Person.external_id == external_id))).one()


async def test_telegram_surrogates_and_nul_get_normal_answers(telegram: TelegramHarness) -> None:
    hostile = {"first_name": "Ni\x00no \udfff"}
    answer = await telegram.send(USER, "where \ud800 is the office", **hostile)
    assert text_of(answer) and text_of(answer) not in SORRY
    telegram.api.push_photo(USER, caption="\udfff\x00 my document", **hostile)
    photo = await telegram.api.wait_for_messages(USER, 2)
    assert photo[-1]["text"] not in SORRY
    [office] = await telegram.send(USER, "Where is your office?", **hostile)
    assert "Tsereteli" in office["text"]  # the person's next message works as ever
    person = await _person(telegram.hub, str(USER))
    assert person.display_name == "Nino \ufffd"


async def test_telegram_long_name_is_cut_to_what_is_kept(telegram: TelegramHarness) -> None:
    [hello] = await telegram.send(USER, "/start", first_name="ნ" * 300)
    assert hello["text"] not in SORRY
    person = await _person(telegram.hub, str(USER))
    assert person.display_name == "ნ" * 128


async def test_messenger_surrogates_and_nul_get_normal_answers(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    graph_api.people[PSID] = {"first_name": "Gi\x00orgi\udfff", "last_name": "\ud800",
                              "locale": "en_US\x00"}
    first = await messenger.say(PSID, "hello \ud800 there\x00")
    assert first and not any(m.text in SORRY for m in first)
    [office] = await messenger.say(PSID, "Where is your office?")
    assert "Tsereteli" in office.text
    person = await _person(messenger.telegram.hub, PSID)
    assert person.display_name == "Giorgi\ufffd \ufffd" and person.language == "en"


async def test_console_line_with_nul_and_surrogate(hub: HubApp) -> None:
    out = io.StringIO()
    chat = ConsoleChat(hub.core, language="en", user="tester\x00",
                       stdin=io.StringIO("where\x00 is \ud800 the office\nWhere is your office?\n"),
                       stdout=out)
    await chat.run()
    assert not any(sorry in out.getvalue() for sorry in SORRY)
    assert "Tsereteli" in out.getvalue()


def _body(*entries: Any) -> dict[str, Any]:
    return {"object": "page", "entry": list(entries)}


def _entry(*events: Any) -> dict[str, Any]:
    return {"id": PAGE_ID, "time": 1, "messaging": list(events)}


def _event(**fields: Any) -> dict[str, Any]:
    return {"sender": {"id": "6100000000000042"}, "recipient": {"id": PAGE_ID},
            "timestamp": 1, **fields}


MALFORMED = {
    "entries are strings": ["entry one", "entry two"],
    "messaging is not a list": [{"id": PAGE_ID, "messaging": "hello"}],
    "an event is a number": [_entry(42)],
    "message is a string": [_entry(_event(message="hello"))],
    "sender is a string": [_entry({"sender": "6100000000000042", "message": {"text": "hi"}})],
    "text is an object": [_entry(_event(message={"mid": "m_1", "text": {"a": 1}}))],
    "attachments are strings": [_entry(_event(message={"mid": "m_2", "attachments": ["x"]}))],
    "attachments is an object": [_entry(_event(message={"mid": "m_3", "attachments": {}}))],
    "postback is a list": [_entry(_event(postback=["/start"]))],
    "quick reply is a string": [_entry(_event(message={"mid": "m_4", "text": "a",
                                                       "quick_reply": "x"}))],
    "sender id is too long": [_entry({"sender": {"id": "9" * 300}, "message": {"text": "hi"}})],
}


@pytest.mark.parametrize("shape", list(MALFORMED))
async def test_messenger_body_of_the_wrong_shape_is_skipped(
        messenger: MessengerHarness, graph_api: FakeGraphAPI, caplog: pytest.LogCaptureFixture,
        shape: str) -> None:
    caplog.set_level(logging.INFO)
    good = text_event(PSID, "Where is your office?")
    status = await messenger.post(*signed(_body(*MALFORMED[shape], _entry(good))))
    assert status == 200
    [office] = graph_api.sent_to(PSID)
    assert "Tsereteli" in office.text  # the well-formed event of the same batch is handled
    [skipped] = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert skipped.levelno == logging.WARNING and skipped.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert "6100000000000042" not in caplog.text and "hello" not in caplog.text


async def test_messenger_entry_that_is_not_a_list(messenger: MessengerHarness,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert await messenger.post(*signed({"object": "page", "entry": "oops"})) == 200
    assert await messenger.post(*signed(json.dumps([1, 2]).encode())) == 200
    [skipped] = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert skipped.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_messenger_overlong_message_id_still_deduplicates(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    mid = "m_" + "x" * 400
    assert await messenger.say(PSID, "Where is your office?", mid=mid)
    assert await messenger.say(PSID, "Where is your office?", mid=mid) == []  # a redelivery
