"""A turn: one incoming event being handled, with its person, unit of work and replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.messages import Button, Document, Incoming, Notice, Reply
from bot.i18n import Translate, translator
from storage.models import Conversation, Person
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.services.container import Services


DRAFTS_KEY = "_drafts"


class Features(Protocol):
    """What a turn may know of the other features (the router, seen narrowly)."""

    commands: dict[str, Any]
    menu_items: list[Any]
    leave_hooks: list[Any]
    flow_pause: dict[str, Any]
    stale_button: Any
    home: Any  # shows the main menu under a text (registered by the menu feature)
    staff_text: Any
    free_text: Any
    non_text: Any

    def button_handler(self, payload: str) -> Any:
        """The handler for a payload and the rest of it, if registered."""

    def has_command(self, name: str) -> bool:
        """True if `/name` exists."""


@dataclass
class Turn:
    """Everything a handler needs for one event; handlers append replies with `say`."""

    event: Incoming
    person: Person
    uow: UnitOfWork
    services: Services
    features: Features
    conversation: Conversation | None = None
    offer_language_switch: bool = False
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    reply_language: str | None = None  # this turn only: answer in the language of the question
    # Paused forms, kept in the conversation row beside (or instead of) the current flow.
    drafts: dict[str, Any] = field(default_factory=dict)
    # What the router's preparers worked out before the unit of work opened (by name).
    prepared: dict[str, Any] = field(default_factory=dict)

    @property
    def _(self) -> Translate:
        """Translate a message id into the language of this turn's replies."""
        return translator(self.language)

    @property
    def language(self) -> str:
        """The language of this turn's replies (the person's, unless overridden once)."""
        return self.reply_language or self.person.language

    @property
    def staff_language(self) -> str:
        """The language of texts for staff (STAFF_LANGUAGE), whoever they are about."""
        return self.services.settings.staff_language

    @property
    def for_staff(self) -> Translate:
        """Translate a message id into the staff language."""
        return translator(self.staff_language)

    def reply_in_staff_language(self) -> None:
        """This turn answers staff: its replies are in the staff language, whoever writes."""
        self.reply_language = self.staff_language

    def say(self, text: str, buttons: list[list[Button]] | None = None,
            document: Document | None = None, *, remove_keyboard: bool = False) -> Reply:
        """Queue a reply to the person."""
        reply = Reply(text=text, buttons=buttons or [], document=document,
                      remove_keyboard=remove_keyboard)
        self.replies.append(reply)
        return reply

    def notify(self, person: Person, text: str, buttons: list[list[Button]] | None = None,
               document: Document | None = None, kind: str | None = None) -> Reply:
        """Queue a message to another person (in their language: translate before calling)."""
        reply = Reply(text=text, buttons=buttons or [], document=document)
        self.notices.append(Notice(channel=person.channel, chat_id=person.chat_id, replies=[reply],
                                   person_id=person.id, kind=kind))
        return reply

    def notify_staff(self, text: str, buttons: list[list[Button]] | None = None,
                     thread_id: int | None = None) -> None:
        """Queue a message for the staff chat (nothing happens when none is configured)."""
        staff_chat = self.services.settings.staff_chat_id
        if staff_chat is not None:
            self.notices.append(Notice(
                channel="telegram", chat_id=str(staff_chat), thread_id=str(thread_id)
                if thread_id else None, replies=[Reply(text=text, buttons=buttons or [])]))

    async def goto(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Move the person to `step` of `flow` (stored, so restarts keep it)."""
        assert self.person.id is not None
        kept = data if data is not None else (self.conversation.data if self.conversation else {})
        kept = {k: v for k, v in kept.items() if k != DRAFTS_KEY}
        if self.drafts:
            kept[DRAFTS_KEY] = self.drafts
        await self.uow.conversations.set(self.person.id, flow=flow, step=step, data=kept)
        self.conversation = await self.uow.conversations.get(self.person.id)

    async def finish(self) -> None:
        """Leave whatever flow the person was in (paused forms stay as drafts)."""
        if self.conversation is not None:
            assert self.person.id is not None
            if self.drafts:  # an idle row (no flow) that only keeps the drafts
                await self.uow.conversations.set(self.person.id, flow="", step="",
                                                 data={DRAFTS_KEY: self.drafts})
            else:
                await self.uow.conversations.clear(self.person.id)
            self.conversation = None

    async def save_drafts(self) -> None:
        """Store `drafts` now (outside any flow, or beside the current one)."""
        assert self.person.id is not None
        if self.conversation is not None:
            await self.goto(self.conversation.flow, self.conversation.step)
        elif self.drafts:
            await self.uow.conversations.set(self.person.id, flow="", step="",
                                             data={DRAFTS_KEY: self.drafts})
        else:
            await self.uow.conversations.clear(self.person.id)

    def flow_data(self) -> dict[str, Any]:
        """A copy of the current flow's data, without the drafts kept beside it."""
        if self.conversation is None:
            return {}
        return {k: v for k, v in self.conversation.data.items() if k != DRAFTS_KEY}

    def in_flow(self, flow: str) -> bool:
        """True while the person is in `flow`."""
        return self.conversation is not None and self.conversation.flow == flow

    async def leave(self, *, keep_flow: bool = False) -> None:
        """Turn back to the bot: leave any open-ticket mode and the current flow (a form pauses)."""
        router = self.features
        for hook in router.leave_hooks:
            await hook(self)
        if self.conversation is None or keep_flow:
            return
        pause = router.flow_pause.get(self.conversation.flow)
        if pause is not None:
            await pause(self)
        else:
            await self.finish()

    def home(self, text: str) -> None:
        """Say `text` with the main menu under it (just the text if no menu is registered)."""
        if self.features.home is not None:
            self.features.home(self, text)
        else:
            self.say(text)

    async def stale_button(self) -> None:
        """Answer a button that no longer applies, as the router's stale-button handler does."""
        handler = self.features.stale_button
        assert handler is not None
        await handler(self)
