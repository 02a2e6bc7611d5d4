"""Handle one neutral event in one unit of work and return the replies to send."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot import metrics
from bot.core.delivery import (
    DeliveryError,
    RateLimited,
    Rejected,
    Sender,
    Transient,
    Unknown,
    Unreachable,
    notice_row,
    reply_order_key,
    reply_to_dict,
)
from bot.core.messages import Button, Incoming, Reply, is_small_id
from bot.core.router import Router
from bot.core.turn import DRAFTS_KEY, Turn
from bot.i18n import LANGUAGE_NAMES, N_, language_from_hint, translator
from storage.engine import Database
from storage.models import utcnow
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

STORED_PAYLOAD_PREFIX = "~"
TRY_AGAIN = N_("Sorry, something went wrong on our side. Please try again in a minute.")
# A reply that could not be sent at once is sent when the channel takes it again, unless it
# has waited this long: by then the person has moved on, and an old answer would confuse.
REPLY_STALE_AFTER = timedelta(hours=12)



class ConversationCore:
    """The channel-neutral heart of the bot: routing, state and persistence per event."""

    def __init__(self, database: Database, router: Router, services: object,
                 senders: dict[str, Sender] | None = None) -> None:
        self._database = database
        self.router = router
        self.services = services
        self.senders: dict[str, Sender] = senders if senders is not None else {}
        self.on_queued: Callable[[], None] | None = None  # wakes the outbox worker
        self._backlog: set[str] = set()  # chats whose replies wait in the outbox
        self.moved_listeners: list[Callable[[str, str, str], Awaitable[None]]] = []

    def register_sender(self, channel: str, sender: Sender) -> None:
        """Let the core deliver notices to people on `channel`."""
        self.senders[channel] = sender

    async def handle(self, event: Incoming, *, payload_limit: int | None = None) -> list[Reply]:
        """Route the event, commit its unit of work, and return what to send back."""
        metrics.UPDATES.labels(event.channel).inc()
        with metrics.HANDLER_SECONDS.labels(event.channel).time():
            return await self._handle(event, payload_limit)

    async def _handle(self, event: Incoming, payload_limit: int | None) -> list[Reply]:
        try:
            prepared = {name: prepare(event, self.services)
                        for name, prepare in self.router.preparers.items()}
            # A person's turn goes before background work; its statements are few and small,
            # except in the staff chat (statistics, exports), which reads on aiosqlite's thread.
            async with UnitOfWork(self._database, urgent=True,
                                  brief=event.chat_kind != "staff") as uow:
                if event.event_key and not await uow.processed.claim(
                        channel=event.channel, event_key=event.event_key):
                    log.info("ignoring redelivered %s event %s", event.channel, event.event_key)
                    return []
                turn = await self._open_turn(uow, event, prepared)
                await self._route(turn)
                replies = await self._fit_payloads(uow, turn.replies, payload_limit)
                await self._queue_notices(uow, turn)
                await uow.commit()
        except Exception:  # the person is told, the process keeps running
            # Never log the person's text: hotline questions may be sensitive.
            log.exception("error while handling a %s event", event.channel)
            language, _ = language_from_hint(event.language_hint)
            return [Reply(text=translator(language)(TRY_AGAIN))]
        if uow.queued_outbox and self.on_queued is not None:
            self.on_queued()
        for action in turn.after_commit:  # work with the outside world, once the state is safe
            try:
                await action()
            except Exception:
                log.exception("an after-commit action failed for a %s event", event.channel)
        return replies

    async def chat_moved(self, channel: str, old_chat_id: str, new_chat_id: str) -> None:
        """A group chat got a new id: whoever holds the old one in memory follows it."""
        for listener in self.moved_listeners:
            await listener(channel, old_chat_id, new_chat_id)

    async def send_replies(self, channel: str, chat_id: str, replies: list[Reply],
                           thread_id: str | None = None, *, kind: str = "reply") -> None:
        """Send the replies to an event now; what the channel does not take now is queued.

        Replies are sent at most once: a reply whose send got no answer may have arrived, so it
        is not sent again (a duplicate would reach the person); the ones after it are queued.
        Once a chat has replies waiting in the outbox, its next replies queue behind them."""
        if not replies:
            return
        key = reply_order_key(channel, chat_id)
        if key in self._backlog:
            async with UnitOfWork(self._database) as uow:
                waiting = await uow.repo(OutboxRepo).pending_for(key)
            if waiting:
                await self._queue_replies(channel, chat_id, thread_id, replies, kind)
                return
            self._backlog.discard(key)
        sender = self.senders[channel]
        try:
            await sender.send(chat_id, replies, thread_id, kind=kind)
        except Unreachable:
            log.info("a %s person has blocked the bot; replies dropped", channel)
        except Rejected as exc:
            log.warning("the %s platform refused a reply: %s", channel, exc)
        except (RateLimited, Transient, DeliveryError) as exc:
            rest = replies[exc.sent + (1 if isinstance(exc, Unknown) else 0):]
            log.warning("a reply could not be sent now (%s: %s); %d queued", type(exc).__name__,
                        exc, len(rest))
            if rest:
                await self._queue_replies(channel, chat_id, thread_id, rest, kind)

    async def _queue_replies(self, channel: str, chat_id: str, thread_id: str | None,
                             replies: list[Reply], kind: str) -> None:
        key = reply_order_key(channel, chat_id)
        row = {"dedupe_key": f"{channel}:{chat_id}:reply:{uuid.uuid4().hex}",
               "kind": "reply" if kind == "response" else kind, "channel": channel,
               "chat_id": chat_id, "thread_id": thread_id, "order_key": key,
               "payload": {"replies": [reply_to_dict(r) for r in replies],
                           "expires_at": (utcnow() + REPLY_STALE_AFTER).isoformat()}}
        async with UnitOfWork(self._database) as uow:
            await uow.repo(OutboxRepo).enqueue([row], known=set())  # a fresh key
            await uow.commit()
        self._backlog.add(key)
        if self.on_queued is not None:
            self.on_queued()

    async def _queue_notices(self, uow: UnitOfWork, turn: Turn) -> None:
        """Messages to other people become outbox rows, committed with the turn's state."""
        if not turn.notices:
            return
        origin = turn.event.event_key or uuid.uuid4().hex
        rows = []
        for i, notice in enumerate(turn.notices):
            sender = self.senders.get(notice.channel)
            replies = await self._fit_payloads(uow, notice.replies,
                                               sender.payload_limit if sender else 64)
            rows.append(notice_row(notice, f"{notice.channel}:{notice.chat_id}:notice:"
                                           f"{turn.event.channel}:{origin}:{i}", replies))
        await uow.repo(OutboxRepo).enqueue(rows)

    async def _open_turn(self, uow: UnitOfWork, event: Incoming,
                         prepared: dict[str, Any]) -> Turn:
        language, offer_switch = language_from_hint(event.language_hint)
        person, conversation, created = await uow.people.seen(
            channel=event.channel, external_id=event.user_id, chat_id=event.chat_id,
            display_name=event.display_name, language=language)
        drafts = dict(conversation.data.get(DRAFTS_KEY) or {}) if conversation else {}
        if conversation is not None and not conversation.flow:
            conversation = None  # an idle row that only keeps paused forms
        return Turn(event=event, person=person, uow=uow, services=self.services,  # type: ignore[arg-type]
                    features=self.router,
                    conversation=conversation, drafts=drafts, prepared=prepared,
                    offer_language_switch=created and offer_switch)

    async def _route(self, turn: Turn) -> None:
        if turn.event.chat_kind == "staff":
            await self._route_staff(turn)
            return
        event, router = turn.event, self.router
        command = event.command
        if command is not None:
            name, _args = command
            flow = turn.conversation.flow if turn.conversation is not None else None
            own = router.flow_commands.get(flow or "", {})
            if name in own:  # the form's own command (/cancel, /register inside /register)
                await own[name](turn)
                return
            # Nothing typed after a command may be taken as an answer to the flow's last step.
            await turn.leave(keep_flow=name in router.keeps_flow)
            registered = router.commands.get(name)
            if registered is None:
                assert router.unknown_command is not None
                await router.unknown_command(turn)
            else:
                await registered.handler(turn)
        elif event.payload is not None:
            await self._press(turn, event.payload)
        elif turn.conversation is not None and turn.conversation.flow in router.flows:
            await router.flows[turn.conversation.flow](turn)
        elif await self._intercepted(turn):
            pass
        elif event.text and event.text.strip():
            assert router.free_text is not None
            await router.free_text(turn)
        else:
            assert router.non_text is not None
            await router.non_text(turn)
        if turn.offer_language_switch and turn.replies:
            other = "en" if turn.language == "ka" else "ka"
            turn.replies[-1].buttons.append(
                [Button(label=LANGUAGE_NAMES[other], payload=f"lang:{other}")])

    async def _intercepted(self, turn: Turn) -> bool:
        for interceptor in self.router.interceptors:
            if await interceptor(turn):
                return True
        return False

    async def _route_staff(self, turn: Turn) -> None:
        """The staff chat: staff commands, staff buttons, and messages in ticket topics."""
        event, router = turn.event, self.router
        command = event.command
        if command is not None:
            registered = router.staff_commands.get(command[0])
            if registered is not None:
                await registered.handler(turn)
            return  # other commands in a busy group are not for the bot
        if event.payload is not None:
            await self._press(turn, event.payload)
        elif turn.conversation is not None and turn.conversation.flow in router.staff_flows:
            await router.staff_flows[turn.conversation.flow](turn)
        elif router.staff_text is not None:
            await router.staff_text(turn)

    async def _press(self, turn: Turn, payload: str) -> None:
        if payload.startswith(STORED_PAYLOAD_PREFIX):
            key = payload[len(STORED_PAYLOAD_PREFIX):]
            stored = await turn.uow.payloads.load(int(key)) if is_small_id(key) else None
            payload = stored or ""
        found = self.router.button_handler(payload)
        if found is None:
            assert self.router.stale_button is not None
            await self.router.stale_button(turn)
            return
        handler, rest = found
        await handler(turn, rest)

    async def _fit_payloads(self, uow: UnitOfWork, replies: list[Reply],
                            limit: int | None) -> list[Reply]:
        """Keep payloads longer than the channel allows server-side, behind a short key."""
        if limit is None:
            return replies
        for reply in replies:
            for row in reply.buttons:
                for i, button in enumerate(row):
                    payload = button.payload
                    if payload and (len(payload.encode()) > limit
                                    or payload.startswith(STORED_PAYLOAD_PREFIX)):
                        key = await uow.payloads.store(payload)
                        row[i] = dataclasses.replace(
                            button, payload=f"{STORED_PAYLOAD_PREFIX}{key}")
        return replies
