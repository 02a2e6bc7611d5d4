"""/subscribe on the form engine: topics and municipality typed or tapped, each change saved at
once, the last topic kept, Back, old panel buttons harmless."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import HubApp, create_app
from bot.core.messages import Incoming, Reply
from bot.settings import Settings
from storage.models_outbox import Subscription

USER = "6262"
_keys = itertools.count(1)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[HubApp]:
    hub = await create_app(settings, migrate=False)
    yield hub
    await hub.close()


async def say(app: HubApp, text: str | None = None, *, payload: str | None = None,
              language: str = "en") -> list[Reply]:
    return await app.core.handle(Incoming(
        channel="telegram", user_id=USER, chat_id=USER, event_key=f"sub-{next(_keys)}",
        text=text, payload=payload, language_hint=language))


async def _row(app: HubApp) -> Subscription | None:
    async with app.session_factory() as session:
        return (await session.exec(select(Subscription))).first()


async def test_topics_and_municipality_typed_each_saved_at_once(app: HubApp) -> None:
    [panel] = await say(app, "/subscribe")
    assert "You are subscribed" in panel.text and "sb:t:topics:funding" in panel.payloads()
    row = await _row(app)
    assert row is not None and "funding" in row.topics
    await say(app, "Funding opportunities")  # a label, typed: turned off
    row = await _row(app)
    assert row is not None and "funding" not in row.topics  # saved before the form ends
    await say(app, "1, 2")  # forums and trainings off, by their numbers
    row = await _row(app)
    assert row is not None and row.topics == ["legal", "hub"]
    [places] = await say(app, "done")
    assert "which municipality" in places.text
    [back] = await say(app, "back")
    assert "sb:t:topics:legal" in back.payloads()
    await say(app, "done")
    [saved] = await say(app, "zestafoni")  # translit, f for ფ
    assert "Saved" in saved.text and "Zestaponi" in saved.text and "Legal news" in saved.text
    row = await _row(app)
    assert row is not None and row.municipality == "zestaponi"


async def test_the_last_topic_stays_and_georgian_labels_work(app: HubApp) -> None:
    await say(app, "/subscribe", language="ka")
    for number in ("1", "2", "3", "4"):
        await say(app, number, language="ka")
    [refused] = await say(app, "5", language="ka")
    assert "sub:off" in refused.payloads()
    row = await _row(app)
    assert row is not None and row.topics == ["hub"]
    await say(app, "მზადაა", language="ka")
    await say(app, "მთელი იმერეთი", language="ka")
    row = await _row(app)
    assert row is not None and row.municipality is None


async def test_menu_item_unsubscribe_and_old_panel_buttons(app: HubApp) -> None:
    [offer] = await say(app, payload="sub:menu")
    assert "sub:on" in offer.payloads()
    await say(app, payload="sub:on")
    [panel] = await say(app, payload="sub:menu")
    assert "sb:t:topics:forums" in panel.payloads()
    [stale] = await say(app, payload="sub:t:forums")
    assert "no longer active" in stale.text
    await say(app, payload="sub:menu")
    [gone] = await say(app, payload="sub:off")
    assert "no more announcements" in gone.text
    assert await _row(app) is None
    answer = await say(app, "Where is your office?")  # the form was left with it
    assert "Tsereteli" in "\n".join(r.text for r in answer)
