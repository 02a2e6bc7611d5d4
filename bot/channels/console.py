"""A terminal chat on the same core: one line in per message, buttons as numbered choices."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bot.core.clean_text import cleaned
from bot.core.engine import ConversationCore
from bot.core.messages import Button, Incoming, Reply, small_number
from bot.i18n import N_, language_from_hint, translator

CHANNEL = "console"


class ConsoleChat:
    """Reads stdin, prints replies; typing a button's number presses it; ends at end of input."""

    payload_limit = None

    def __init__(self, core: ConversationCore, *, language: str | None, user: str | None = None,
                 stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.core = core
        self.language = language
        self.user = user or getpass.getuser()
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._choices: list[Button] = []
        core.register_sender(CHANNEL, self)

    async def send(self, chat_id: str, replies: list[Reply], thread_id: str | None = None, *,
                   kind: str | None = None) -> None:
        """Show a message meant for another console person (there is only one terminal)."""
        for reply in replies:
            self._print(f"[to {chat_id}] {reply.text}")

    async def run(self) -> None:
        """Chat until end of input."""
        interactive = self.stdin.isatty()
        if interactive:
            _ = translator(language_from_hint(self.language)[0])
            self._print(_(N_("(Imereti Hub bot: type a question, /start for the menu, "
                             "Ctrl-D to quit)")))
        # No display name: the OS account ("root", "ubuntu") is not a person's name.
        await self._send(Incoming(channel=CHANNEL, user_id=self.user, chat_id=self.user,
                                  language_hint=self.language, text="/start"))
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            await self._send(self._event_for(line))

    def _event_for(self, line: str) -> Incoming:
        base = dict(channel=CHANNEL, user_id=self.user, chat_id=self.user,
                    language_hint=self.language, event_key=None)
        number = small_number(line)
        if number is not None and 1 <= number <= len(self._choices):
            button = self._choices[number - 1]
            if button.payload:
                return Incoming(payload=button.payload, **base)  # type: ignore[arg-type]
        return Incoming(text=line, **base)  # type: ignore[arg-type]

    async def _send(self, event: Incoming) -> None:
        replies = await self.core.handle(cleaned(event))  # a pasted NUL must not break the chat
        self._choices = []
        for reply in replies:
            self._render(reply)

    def _render(self, reply: Reply) -> None:
        self._print(reply.text)
        if reply.document is not None:
            self._print(f"[file: {reply.document.filename}, {len(reply.document.content)} bytes]")
        for row in reply.buttons:
            for button in row:
                if button.url:
                    self._print(f"  {button.label}: {button.url}")
                elif button.payload:
                    self._choices.append(button)
                    self._print(f"  [{len(self._choices)}] {button.label}")
        self._print("")

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()
