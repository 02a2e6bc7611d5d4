"""Files people sent on Telegram, downloaded again by their file_id (getFile, then the file)."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram_errors import delivery_error
from bot.services.files import FileData


class TelegramFiles:
    """The `FileSource` of Telegram (the Bot API serves files of up to 20 MB)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch_file(self, file_id: str) -> FileData:
        """Download a file by its file_id."""
        try:
            file = await self.bot.get_file(file_id)
            content = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise delivery_error(exc) from exc
        name = PurePosixPath(file.file_path or "").name or "file"
        return FileData(content, name, mimetypes.guess_type(name)[0] or "application/octet-stream")
