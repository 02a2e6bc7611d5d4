"""The channels on a wired app: each built with what it needs, then wired in, here and only here.

`create_app` (bot/app.py) builds what every process shares: the database, the router, the
services and the core. A process then opens the channels it uses through these functions, which
hand each channel only what it needs (the core, the settings, the commands, a store) and do the
wiring a channel must not do itself: the core's sender registry, the chat-moved listeners, and
the hotline's staff desk.
"""

from __future__ import annotations

from bot.app import HubApp
from bot.channels.messenger import MessengerChannel
from bot.channels.messenger_convert import CHANNEL as MESSENGER
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_convert import CHANNEL as TELEGRAM
from bot.channels.telegram_files import TelegramFiles
from bot.console.app import mount
from bot.console.deps import ConsoleDeps
from bot.services.messenger_records import MessengerRecords
from bot.web import WebServer


def open_telegram(hub: HubApp) -> TelegramChannel:
    """The Telegram channel, as the app's Telegram sender; it carries the staff chat, so the
    hotline (and the announcements' progress reports through it) use its staff desk."""
    channel = TelegramChannel(hub.core, hub.settings, commands=hub.router.commands.values())
    hub.core.register_sender(TELEGRAM, channel)
    hub.core.moved_listeners.append(channel.follow_moved_chat)
    if channel.staff_desk is not None:
        hub.services.hotline.desk = channel.staff_desk
    hub.services.hotline.files[TELEGRAM] = TelegramFiles(channel.application.bot)  # the inbox's
    return channel


def open_messenger(hub: HubApp) -> MessengerChannel:
    """The Messenger channel, as the app's Messenger sender."""
    channel = MessengerChannel(hub.core, hub.settings, MessengerRecords(hub.database, hub.settings))
    hub.core.register_sender(MESSENGER, channel)
    return channel


def open_web(hub: HubApp, *, host: str, port: int) -> WebServer:
    """The web server (health, metrics, webhooks added by the channels) with the staff console."""
    web = WebServer(hub.session_factory, host=host, port=port)
    web.add_routes(lambda app: mount(app, ConsoleDeps.of(hub)))
    return web
