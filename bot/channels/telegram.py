"""The Telegram channel on python-telegram-bot: long polling, per-chat ordering, flood limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from typing import Any

from aiohttp import web
from telegram import BotCommand, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot.channels.telegram_convert import (
    CALLBACK_DATA_LIMIT,
    CHANNEL,
    TEXT_LIMIT,
    incoming_from_update,
    reply_markup,
)
from bot.channels.telegram_errors import delivery_error
from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_staff import TelegramStaffDesk, staff_incoming
from bot.channels.telegram_webhook import add_webhook_route
from bot.channels.text_split import split_text
from bot.core.engine import ConversationCore
from bot.core.messages import Button, Reply
from bot.core.router import Command
from bot.i18n import LANGUAGES, translator
from bot.services.rate_limits import PAID_KINDS
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 8
ORDERING_WINDOW = 100_000
GROUP_MESSAGES_PER_MINUTE = 20
SEND_RETRIES = 3


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates run in order.

    PTB's own semaphore is not FIFO under contention, which could reorder one chat's updates,
    so it is sized out of the way; the chat lock is taken first, then our own work limit.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(ORDERING_WINDOW)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, tasks holding or waiting
        self._working = asyncio.Semaphore(max_concurrent_updates)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then process this one."""
        key = _chat_key(update)
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._working:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]  # nobody else holds or waits for this chat's lock
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0


def api_urls(base: str) -> tuple[str, str]:
    """Bot API and file URLs for `TELEGRAM_API_BASE_URL` (with or without the trailing /bot)."""
    root = base.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


class TelegramChannel:
    """Feeds Telegram updates to the core and renders its replies.

    It is handed what it uses: the core (to handle updates and send their replies), the
    settings, and the bot's commands (published to Telegram's menu). It carries the staff chat
    too: `staff_desk` talks to it, for whoever the app wires it to (see bot/assembly.py)."""

    payload_limit = CALLBACK_DATA_LIMIT

    def __init__(self, core: ConversationCore, settings: Settings, *,
                 commands: Iterable[Command]) -> None:
        self.core = core
        self.settings = settings
        self.commands = list(commands)
        self.application = self._build()
        self._poll_timeout = 10
        self.staff_chat_id = settings.staff_chat_id
        self.staff_desk: TelegramStaffDesk | None = None
        if self.staff_chat_id is not None:
            self.staff_desk = TelegramStaffDesk(self.application.bot, self.staff_chat_id)

    def _build(self) -> Application:
        settings = self.settings
        assert settings.telegram_bot_token is not None
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token.get_secret_value())
            .job_queue(None)  # our scheduler runs the timed work; no second APScheduler
            .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
            .request(AiohttpRequest(connection_pool_size=MAX_CONCURRENT_UPDATES + 8))
            .get_updates_request(AiohttpRequest())
            .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_rate_limit,
                                         group_max_rate=GROUP_MESSAGES_PER_MINUTE,
                                         max_retries=SEND_RETRIES))
        )
        if settings.telegram_api_base_url:
            api, files = api_urls(settings.telegram_api_base_url)
            builder = builder.base_url(api).base_file_url(files)
        if settings.telegram_webhook_url:  # updates arrive at our web server instead
            builder = builder.updater(None)
        application = builder.build()
        application.add_handler(TypeHandler(Update, self.on_update))
        application.add_error_handler(self._on_error)
        return application

    async def start(self, *, poll: bool = True, poll_timeout: int = 10,
                    long_poll: bool = True) -> None:
        """Initialise the application; unless `poll` is off, publish commands and receive updates
        (webhook, or long polling — unless `long_poll` is off: then `start_polling` starts it)."""
        application = self.application
        self._poll_timeout = poll_timeout
        await application.initialize()
        if not poll:  # a sending-only process (the scheduler role, staff commands)
            return
        await self.publish_commands()
        await application.start()
        settings = self.settings
        if settings.telegram_webhook_url:
            assert settings.telegram_webhook_secret is not None
            await application.bot.set_webhook(
                settings.telegram_webhook_url, allowed_updates=Update.ALL_TYPES,
                secret_token=settings.telegram_webhook_secret.get_secret_value())
            log.info("Telegram webhook set")
            return
        if long_poll:
            await self.start_polling()

    async def start_polling(self) -> None:
        """Start long polling (one process per bot: see poll_leader.py)."""
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=self._poll_timeout)
        log.info("Telegram long polling started")

    async def stop_polling(self) -> None:
        """Stop long polling; updates already fetched are still handled."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()

    def add_routes(self, app: web.Application) -> None:
        """Serve /telegram/webhook (webhook mode)."""
        secret = self.settings.telegram_webhook_secret
        assert secret is not None
        add_webhook_route(app, self.application, secret.get_secret_value())

    async def stop(self) -> None:
        """Stop polling, finish the updates in hand and shut down."""
        application = self.application
        await self.stop_polling()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def publish_commands(self) -> None:
        """Publish the command list in both languages (Georgian is the default)."""
        application = self.application
        for language in LANGUAGES:
            _ = translator(language)
            commands = [BotCommand(c.name, _(c.description)[:256])
                        for c in self.commands if c.listed]
            try:
                await application.bot.set_my_commands(
                    commands, language_code=None if language == "ka" else language)
            except TelegramError:
                log.warning("could not publish the command list", exc_info=True)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one update: answer a button press at once, run the core, send the replies."""
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramError:
                log.debug("callback query could not be answered (too old?)")
        chat = update.effective_chat
        if self.staff_chat_id is not None and chat is not None and chat.id == self.staff_chat_id:
            event = staff_incoming(update, self.staff_chat_id)
        else:
            event = incoming_from_update(update)
        if event is None:
            return
        replies = await self.core.handle(event, payload_limit=CALLBACK_DATA_LIMIT)
        await self.deliver(int(event.chat_id), replies,
                           int(event.thread_id) if event.thread_id else None)

    async def send(self, chat_id: str, replies: list[Reply], thread_id: str | None = None, *,
                   kind: str | None = None) -> None:
        """Deliver replies in order (the core's `Sender`); a failure raises a `DeliveryError`
        whose `sent` counts the replies that went out before it."""
        bot = self.application.bot
        chat, thread = int(chat_id), int(thread_id) if thread_id else None
        paid = self._paid(kind)
        sent = 0
        try:
            for reply in replies:
                parts = split_text(reply.text, TEXT_LIMIT) if reply.text else []
                for i, part in enumerate(parts):
                    await bot.send_message(
                        chat, part, message_thread_id=thread, allow_paid_broadcast=paid,
                        reply_markup=reply_markup(reply) if i == len(parts) - 1 else None)
                if reply.document is not None:
                    await bot.send_document(chat, InputFile(
                        reply.document.content, filename=reply.document.filename),
                        message_thread_id=thread, allow_paid_broadcast=paid)
                sent += 1
        except TelegramError as exc:
            error = delivery_error(exc)
            error.sent = sent
            raise error from exc

    async def copy(self, chat_id: str, from_chat_id: str, message_id: str,
                   buttons: list[list[Button]], *, kind: str | None = None) -> None:
        """Copy a message (a staff photo or document) to a person, with buttons under it."""
        try:
            await self.application.bot.copy_message(
                int(chat_id), int(from_chat_id), int(message_id),
                reply_markup=reply_markup(Reply(text="", buttons=buttons)),
                allow_paid_broadcast=self._paid(kind))
        except TelegramError as exc:
            raise delivery_error(exc) from exc

    def _paid(self, kind: str | None) -> bool | None:
        """Announcements go as paid broadcasts when TELEGRAM_PAID_BROADCAST is on: beyond the
        free 30 messages a second (PTB's rate limiter gives them their own budget, so replies
        to people never wait behind them)."""
        return True if kind in PAID_KINDS and self.settings.telegram_paid_broadcast else None

    async def deliver(self, chat_id: int, replies: list[Reply], thread_id: int | None = None) -> None:
        """Send the replies to an update now; what cannot go now is queued (see the core)."""
        await self.core.send_replies(CHANNEL, str(chat_id), replies,
                                         str(thread_id) if thread_id else None)

    async def follow_moved_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> None:
        """The staff group became a supergroup: follow it now, and say which setting to change
        (a listener of the core's `chat_moved`)."""
        if channel != CHANNEL or self.staff_chat_id is None or str(self.staff_chat_id) != old_chat_id:
            return
        new = int(new_chat_id)
        log.critical("the staff chat moved to a new id: set STAFF_CHAT_ID=%s (this process "
                     "follows it until it restarts)", new)
        self.staff_chat_id = self.settings.staff_chat_id = new
        if self.staff_desk is not None:
            self.staff_desk.chat_id = new

    @staticmethod
    async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)
