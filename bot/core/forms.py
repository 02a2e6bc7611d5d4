"""A channel-neutral form engine: a form is a declared list of steps (bot/core/form_steps.py),
asked one at a time (bot/core/form_flow.py: state, drafts, asking, applying answers).

This half reads what the person sends: a button of the form, or a message typed instead of
tapped (bot/core/form_match.py: labels, numbers, yes/no words, "Did you mean …?"), with Back,
Cancel (answers kept as a draft), a pause with a visible note when another command comes, a
question typed at a choice step answered from the FAQ, and honest limits on long text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.core import form_match
from bot.core.form_flow import FormFlow
from bot.core.form_match import Candidate
from bot.core.form_steps import (
    BUTTON_KINDS,
    CHOICE,
    DRAFT_STEP,
    FILES,
    MULTI,
    NEAR,
    OPEN,
    PHONE,
    REVIEW,
    YESNO,
    Data,
    Option,
    Step,
)
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_

FAQ_MIN_WORDS = 3  # a typed question, not a one-word answer, may get the FAQ's answer


class Form(FormFlow):
    """A form that answers its buttons and typed messages; register it with `register`."""

    # ------------------------------------------------------------------ wiring

    def register(self, router: Router, commands: Mapping[str, Callable[[Turn], Awaitable[None]]]
                 | None = None) -> None:
        """Answer messages inside the form, its /cancel and `commands`, and pause it on others."""
        own = {"cancel": self.cancel, **(commands or {})}
        router.flow(self.name, self.on_message, commands=own, pause=self.pause)

    # ------------------------------------------------------------------ buttons

    async def press(self, turn: Turn, rest: str) -> bool:
        """A button of this form (`prefix:rest`); False when `rest` is not a form button."""
        kind, _sep, value = rest.partition(":")
        if kind not in ("v", "t", "d", "s", "b", "x", "e", "ok", "c"):
            return False
        if not turn.in_flow(self.name):
            await turn.stale_button()
            return True
        assert turn.conversation is not None
        current, data = turn.conversation.step, turn.flow_data()
        if kind == "c" and current == DRAFT_STEP:
            await self._take_draft(turn, keep=value == "y")
            return True
        if kind == "x":
            await self.cancel(turn)
            return True
        step = self._by_name.get(current)
        if step is None:
            await self.resume(turn)
            return True
        target, _sep, choice = value.partition(":")
        if kind == "b":
            await self._back(turn, step, data)
        elif kind == "v" and target == step.name and step.kind in (CHOICE, YESNO) and any(
                o.value == choice for o in step.choices(turn, data)):
            await self._chosen(turn, step, data, choice)
        elif kind == "t" and target == step.name and step.kind == MULTI and any(
                o.value == choice for o in step.choices(turn, data)):
            await self._toggle(turn, step, data, [choice])
        elif kind == "d" and target == step.name and step.kind in (MULTI, FILES):
            await self._done(turn, step, data)
        elif kind == "s" and target == step.name and step.is_optional(data):
            data[step.name] = None
            await self.move_on(turn, data)
        elif kind == "e" and step.kind == REVIEW and value in step.edits:
            await self._edit(turn, value, data)
        elif kind == "ok" and step.kind == REVIEW:
            await self.move_on(turn, data | {step.name: True})
        else:
            self._reask(turn, step, data, turn._(N_("That button belongs to an earlier question. "
                                                    "Let's continue here:")))
        return True


    # ------------------------------------------------------------------ typed messages

    async def on_message(self, turn: Turn) -> None:
        """A message while the form is open: the answer to the current step, typed."""
        assert turn.conversation is not None
        current, data = turn.conversation.step, turn.flow_data()
        text = (turn.event.text or "").strip()
        if current == DRAFT_STEP:
            word = form_match.word_class(text)
            if word in ("yes", "no"):
                await self._take_draft(turn, keep=word == "yes")
            else:
                self._offer_draft(turn)
            return
        step = self._by_name.get(current)
        if step is None:
            await self.move_on(turn, data)
            return
        word = form_match.word_class(text) if text else None
        if step.kind in BUTTON_KINDS or step.kind == PHONE:
            if word == "back":
                await self._back(turn, step, data)
                return
            if word == "cancel":
                await self.cancel(turn)
                return
        if word == "yes" and data.get(NEAR) is not None and step.kind in (CHOICE, MULTI):
            near = data.pop(NEAR)
            if step.kind == MULTI:
                await self._toggle(turn, step, data, [near])
            else:
                await self._chosen(turn, step, data, near)
            return
        data.pop(NEAR, None)
        if step.is_optional(data) and (word == "skip" or text in ("-", "—")
                                       or form_match.says(text, step.skip_label)):
            data[step.name] = None
            await self.move_on(turn, data)
            return
        handler = {CHOICE: self._typed_choice, YESNO: self._typed_choice,
                   MULTI: self._typed_multi, FILES: self._typed_part,
                   REVIEW: self._typed_review}.get(step.kind, self._typed_value)
        await handler(turn, step, data, text)

    async def _typed_value(self, turn: Turn, step: Step, data: Data, text: str) -> None:
        _ = turn._
        if step.kind == PHONE and not text:
            shared = [a.phone for a in turn.event.attachments if a.kind == "contact" and a.phone]
            text = shared[0] if shared else ""
        if not text:
            self._reask(turn, step, data, _(N_("I can only use text here: stickers, photos and "
                                               "files cannot be read as an answer.")))
            return
        if step.max_length is not None and len(text) > step.max_length:
            self._reask(turn, step, data, _(N_(
                "Your message is {count} characters long; here the limit is {limit}. Please "
                "shorten it and send it again.")).format(count=len(text), limit=step.max_length))
            return
        try:
            value = step.parse_answer(text)
        except ValueError as bad:
            message = getattr(bad, "message", None) or N_("Please check that and send it again.")
            params = getattr(bad, "params", {})
            self._reask(turn, step, data, _(message).format(**params))
            return
        if step.check is not None and not await step.check(turn, data, value):
            return
        data[step.name] = value
        if step.kind == PHONE:
            turn.say(f"📱 {value}", remove_keyboard=True)  # hide the share-my-number keyboard
        await self.move_on(turn, data)

    async def _typed_choice(self, turn: Turn, step: Step, data: Data, text: str) -> None:
        if step.kind == YESNO:
            word = form_match.word_class(text)
            if word == "yes" or (word == "no" and step.no_label):
                await self._chosen(turn, step, data, "y" if word == "yes" else "n")
                return
        options = step.choices(turn, data)
        found = form_match.match(text, [Candidate(o.value, o.labels()) for o in options])
        if found.value is not None:
            await self._chosen(turn, step, data, found.value)
            return
        await self._unmatched(turn, step, data, text, found.near)

    async def _typed_multi(self, turn: Turn, step: Step, data: Data, text: str) -> None:
        if form_match.word_class(text) in ("done", "yes", "send"):
            await self._done(turn, step, data)
            return
        candidates = [Candidate(o.value, o.labels()) for o in step.choices(turn, data)]
        pieces = [p for p in text.replace(";", ",").split(",") if p.strip()]
        if len(pieces) == 1 and " " in text.strip() and all(
                w.isdigit() for w in text.split()):  # "1 3 5"
            pieces = text.split()
        values = [form_match.match(p, candidates).value for p in pieces]
        if pieces and all(values):
            await self._toggle(turn, step, data, [v for v in values if v])
            return
        near = form_match.match(text, candidates).near
        await self._unmatched(turn, step, data, text, near)

    async def _typed_review(self, turn: Turn, step: Step, data: Data, text: str) -> None:
        if form_match.word_class(text) in ("send", "yes", "done") or any(
                form_match.says(text, label) for label in (step.submit_label, step.submit_short)):
            await self.move_on(turn, data | {step.name: True})
            return
        edits = [Option(name, label) for name, label in step.edits.items()]
        found = form_match.match(text, [Candidate(o.value, (o.label,)) for o in edits])
        if found.value is not None and not text.strip().isdigit():
            await self._edit(turn, found.value, data)
            return
        await self._unmatched(turn, step, data, text, None)

    async def _typed_part(self, turn: Turn, step: Step, data: Data, text: str) -> None:
        _ = turn._
        files = [a for a in turn.event.attachments if a.kind in step.file_kinds]
        parts = list(data.get(step.name) or [])
        if not files and form_match.word_class(text) == "done" and parts:
            await self._done(turn, step, data)
            return
        if not text and not files:
            self._reask(turn, step, data, _(N_("I can take text, photos and documents here. "
                                               "Please write in words.")))
            return
        if len(parts) >= step.max_parts:
            self._reask(turn, step, data, _(N_(
                "That is already {count} messages, the most one question can take; this last "
                "one was not added. Please press \"Done\"; you can send the rest afterwards, "
                "in the chat with the hub team.")).format(count=len(parts)))
            return
        data[step.name] = [*parts, part_of(turn, files)]
        data[OPEN] = step.name
        await turn.goto(self.name, step.name, data)
        turn.say(_(N_("Got it. Add more, or press \"Done\".")), self._rows(turn, step, data) + [
            [Button(label=_(N_("✖️ Cancel")), short=_(N_("Cancel")), payload=f"{self.prefix}:x")]])

    async def _unmatched(self, turn: Turn, step: Step, data: Data, text: str,
                         near: str | None) -> None:
        """Typed text that is none of the buttons: a near miss, the flow's own use, the FAQ."""
        _ = turn._
        if near is not None:
            option = next(o for o in step.choices(turn, data) if o.value == near)
            data[NEAR] = near
            await turn.goto(self.name, step.name, data)
            payload = (f"{self.prefix}:t:{step.name}:{near}" if step.kind == MULTI
                       else f"{self.prefix}:v:{step.name}:{near}")
            turn.say(_(N_("Did you mean “{label}”? Press it, or type yes.")).format(
                label=_(option.label)), [[Button(label=_(option.label), payload=payload)]])
            return
        if step.on_text is not None and await step.on_text(turn, data):
            return
        if text and len(text.split()) >= FAQ_MIN_WORDS and _faq_answer(turn, text):
            self.ask(turn, step, data, _(N_("Now, to continue:")))
            return
        problem = (N_("Please choose one of the buttons below, or type its name or number.")
                   if text else N_("I can only use text here: stickers, photos and files "
                                   "cannot be read as an answer."))
        self._reask(turn, step, data, _(problem))



def part_of(turn: Turn, files: Sequence[Any]) -> Data:
    """One message of a several-message answer: its text, and its file if any."""
    return {"text": (turn.event.text or "").strip(), "ref": turn.event.message_ref,
            "kind": files[0].kind if files else None,
            "file_id": files[0].file_id if files else None}


def _faq_answer(turn: Turn, text: str) -> bool:
    """Give the FAQ's answer when it is confident about a question typed mid-form."""
    faq = turn.services.faq
    result = faq.match(text)
    topic = faq.topic(result.answer_id) if result.answer_id else None
    if topic is None:
        return False
    turn.say(faq.answer(topic, turn.language))
    return True
