"""The Messenger channel: the signed webhook in, the Send API out, within the 24-hour window."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.messenger_convert import CHANNEL, PAYLOAD_LIMIT, events_of, render
from bot.channels.messenger_graph import BadPageToken, GraphClient
from bot.core.clean_text import clean_name, clean_text
from bot.core.delivery import DeliveryError, OutsideWindow
from bot.core.messages import Incoming, Reply
from bot.i18n import N_, translator
from storage.models import utcnow
from storage.repos.outbox import OutboxRepo
from storage.repos.people import PeopleRepo
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import HubApp

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24) - timedelta(minutes=2)  # last_inbound_at is precise to 60 s
HUMAN_AGENT_WINDOW = timedelta(days=7) - timedelta(minutes=2)
EVENT_KINDS = {"reminder", "event_update"}  # about an event the person registered for
MAX_CONCURRENT_EVENTS = 8
PROFILE_CACHE = 10_000  # people whose name and locale this process remembers


class MessengerChannel:
    """Feeds Messenger webhook events to the core and sends its replies through the Send API."""

    payload_limit = PAYLOAD_LIMIT

    def __init__(self, hub: HubApp) -> None:
        settings = hub.settings
        assert settings.messenger_page_token is not None
        assert settings.messenger_app_secret is not None
        assert settings.messenger_verify_token is not None
        self.hub = hub
        self.graph = GraphClient(settings.messenger_api_base_url,
                                 settings.messenger_page_token.get_secret_value())
        self._app_secret = settings.messenger_app_secret.get_secret_value().encode()
        self._verify_token = settings.messenger_verify_token.get_secret_value()
        self._last_task: dict[str, asyncio.Task[None]] = {}  # keeps one person's events in order
        self._tasks: set[asyncio.Task[None]] = set()
        self._working = asyncio.Semaphore(MAX_CONCURRENT_EVENTS)
        self._profiles: OrderedDict[str, tuple[str, str | None]] = OrderedDict()
        hub.core.register_sender(CHANNEL, self)

    def add_routes(self, app: web.Application) -> None:
        """Serve the webhook at /messenger/webhook."""
        app.router.add_get("/messenger/webhook", self.verify)
        app.router.add_post("/messenger/webhook", self.receive)

    async def stop(self) -> None:
        """Finish the events in hand and close the HTTP session."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        await self.graph.close()

    async def idle(self) -> None:
        """Wait until every received event has been handled (for tests and shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def verify(self, request: web.Request) -> web.StreamResponse:
        """Answer Meta's subscription handshake with the challenge."""
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self._verify_token.encode()):
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403, text="forbidden")

    def signature_ok(self, raw: bytes, header: str) -> bool:
        """True when `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body."""
        expected = "sha256=" + hmac.new(self._app_secret, raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), header.encode())

    async def receive(self, request: web.Request) -> web.StreamResponse:
        """Check the signature, queue every event of the batch, and answer at once."""
        raw = await request.read()
        if not self.signature_ok(raw, request.headers.get("X-Hub-Signature-256", "")):
            log.warning("Messenger webhook with a bad signature refused")
            return web.Response(status=403, text="bad signature")
        try:
            body = json.loads(raw)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(body, dict) or body.get("object") != "page":
            return web.Response(text="ignored")
        events, problems = events_of(body)
        if problems:  # signed, so Meta's: say what was odd, never what people wrote
            log.warning("Messenger webhook: skipped %d malformed part(s): %s", len(problems),
                        "; ".join(sorted(set(problems))))
        for event in events:
            self._schedule(event)
        return web.Response(text="EVENT_RECEIVED")

    def _schedule(self, event: Incoming) -> None:
        chat = event.chat_id
        task = asyncio.create_task(self._process(event, self._last_task.get(chat)))
        self._last_task[chat] = task
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._last_task.get(chat) is finished:
                del self._last_task[chat]
        task.add_done_callback(done)

    async def _process(self, event: Incoming, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            async with self._working:
                name, locale = await self._profile(event.user_id)
                event = dataclasses.replace(
                    event, display_name=clean_name(name) or event.display_name,
                    language_hint=clean_text(locale) if locale else event.language_hint)
                replies = await self.hub.core.handle(event, payload_limit=PAYLOAD_LIMIT)
                await self.hub.core.send_replies(CHANNEL, event.chat_id, replies,
                                                 kind="response")
        except Exception:  # one event's failure must not stop the others
            log.exception("error while handling a Messenger event")

    async def _profile(self, psid: str) -> tuple[str, str | None]:
        """The person's name and language from the User Profile API, once per person and process.

        Staff then see a name on hotline cards, and English speakers are greeted in English.
        Without the permission (or on any error) the bot simply goes on without them.
        """
        if psid in self._profiles:
            self._profiles.move_to_end(psid)
            return self._profiles[psid]
        try:
            data = await self.graph.get(psid, "first_name,last_name,locale")
            name = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
            found = (name, str(data["locale"]) if data.get("locale") else None)
        except (DeliveryError, OSError, TimeoutError, ValueError):
            found = ("", None)
        self._profiles[psid] = found
        if len(self._profiles) > PROFILE_CACHE:
            self._profiles.popitem(last=False)
        return found

    async def send(self, chat_id: str, replies: list[Reply], thread_id: str | None = None, *,
                   kind: str | None = None) -> None:
        """Deliver replies (the core's `Sender`); the window decides the messaging type."""
        messaging = await self._messaging(chat_id, kind)
        sent = 0
        try:
            for reply in replies:
                for message in render(reply):
                    await self.graph.post("me/messages", {
                        "recipient": {"id": chat_id}, **messaging, "message": message})
                if reply.document is not None:
                    document = reply.document
                    await self.graph.post("me/messages", {
                        "recipient": {"id": chat_id}, **messaging,
                        "message": {"attachment": {"type": "file",
                                                   "payload": {"is_reusable": False}}}},
                        file=(document.filename, document.content, document.mime_type))
                sent += 1
        except DeliveryError as exc:
            exc.sent = sent
            if isinstance(exc, BadPageToken):
                log.critical("MESSENGER_PAGE_TOKEN was refused by the Graph API (error 190): "
                             "nothing can be sent on Messenger until it is replaced")
                await self._alert_staff_bad_token()
            raise

    async def _messaging(self, chat_id: str, kind: str | None) -> dict[str, str]:
        """`messaging_type` (and `tag`) allowed for this message now; never a wrong tag."""
        if kind == "response":
            return {"messaging_type": "RESPONSE"}
        async with self.hub.session_factory() as session:
            last = await PeopleRepo(session).last_inbound(channel=CHANNEL, external_id=chat_id)
        age = utcnow() - last if last is not None else None
        if age is not None and age <= WINDOW:
            return {"messaging_type": "UPDATE"}
        if age is not None and kind in EVENT_KINDS:
            return {"messaging_type": "MESSAGE_TAG", "tag": "CONFIRMED_EVENT_UPDATE"}
        if age is not None and kind == "staff_reply" and age <= HUMAN_AGENT_WINDOW:
            return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        raise OutsideWindow("outside window")

    async def _alert_staff_bad_token(self) -> None:
        settings = self.hub.settings
        if settings.staff_chat_id is None:
            return
        _ = translator(settings.staff_language)
        text = _(N_("🚨 Messenger refuses the page token (MESSENGER_PAGE_TOKEN): nothing reaches "
                    "people on Messenger until it is replaced."))
        async with UnitOfWork(self.hub.database) as uow:
            await uow.repo(OutboxRepo).enqueue([{
                "dedupe_key": f"staff:messenger-token:{utcnow():%Y%m%d%H}",
                "kind": "staff_alert", "channel": "telegram",
                "chat_id": str(settings.staff_chat_id),
                "payload": {"replies": [{"text": text, "buttons": []}]}}])
            await uow.commit()
        if self.hub.core.on_queued is not None:
            self.hub.core.on_queued()


def greeting_profile(hub: HubApp) -> dict[str, Any]:
    """The Get Started button, greeting and persistent menu for `hubbot messenger setup`."""
    menus = []
    greetings = []
    for language, locale in (("ka", "default"), ("en", "en_US")):
        _ = translator(language)
        greetings.append({"locale": locale, "text": _(N_(
            "Hello {{user_first_name}}! This is the Imereti Regional Hub. Ask a question "
            "or open the menu."))[:160]})
        items = [("/start", N_("Menu and questions")), ("/ask", N_("Ask the hub team")),
                 ("/language", N_("Language")), ("/forget", N_("Erase my data"))]
        menus.append({"locale": locale, "composer_input_disabled": False,
                      "call_to_actions": [{"type": "postback", "title": _(title)[:30],
                                           "payload": payload}
                                          for payload, title in items
                                          if hub.router.has_command(payload[1:])]})
    return {"get_started": {"payload": "/start"}, "greeting": greetings,
            "persistent_menu": menus}
