"""A channel-neutral form engine: a form is a declared list of steps (bot/core/form_steps.py),
asked one at a time.

State lives in the person's conversation row (`turn.goto`): the flow is the form's name, the
step its current step, the data the answers so far. The next step is always the first one not
yet answered, so editing from the review screen and continuing after a restart are the same
code path as filling the form in. Every step gets for free: answers typed instead of tapped
(bot/core/form_match.py), "Did you mean …?", Back, Cancel (answers kept as a draft), a pause
with a visible note when another command comes, and honest limits on long text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.core import form_match
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
    DataHook,
    Option,
    Step,
)
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_

FAQ_MIN_WORDS = 3  # a typed question, not a one-word answer, may get the FAQ's answer


class Form:
    """A declared list of steps with what happens at the end; register it with `register`."""

    def __init__(self, name: str, prefix: str, steps: Sequence[Step], *,
                 on_complete: DataHook, paused: str, cancelled: str, draft_offer: str,
                 command: str | None = None, drafts: bool = True,
                 on_cancel: DataHook | None = None) -> None:
        self.name, self.prefix, self.steps = name, prefix, tuple(steps)
        self.on_cancel = on_cancel  # instead of the main menu (a staff-chat form)
        self.drafts = drafts  # False: a short form is simply left, nothing is kept
        self.on_complete = on_complete
        self.paused, self.cancelled, self.draft_offer = paused, cancelled, draft_offer
        self.command = command
        self._by_name = {s.name: s for s in self.steps}

    # ------------------------------------------------------------------ wiring

    def register(self, router: Router, commands: Mapping[str, Callable[[Turn], Awaitable[None]]]
                 | None = None) -> None:
        """Answer messages inside the form, its /cancel and `commands`, and pause it on others."""
        own = {"cancel": self.cancel, **(commands or {})}
        router.flow(self.name, self.on_message, commands=own, pause=self.pause)

    # ------------------------------------------------------------------ state

    def step(self, name: str) -> Step | None:
        """The step called `name`."""
        return self._by_name.get(name)

    def applicable(self, data: Data) -> list[Step]:
        """The steps asked with these answers, in order."""
        return [s for s in self.steps if s.when is None or s.when(data)]

    def next_step(self, data: Data) -> Step | None:
        """The first unanswered step (a review step is never answered), or None when done."""
        return next((s for s in self.applicable(data) if not s.is_answered(data)), None)

    def has_draft(self, turn: Turn) -> bool:
        """True when the person paused or cancelled this form earlier."""
        return self.name in turn.drafts

    # ------------------------------------------------------------------ starting and leaving

    async def start(self, turn: Turn, data: Data | None = None, intro: str = "") -> None:
        """Begin the form (offering a draft first, if there is one and no data is given)."""
        if data is None and self.has_draft(turn):
            await turn.goto(self.name, DRAFT_STEP, {})
            self._offer_draft(turn)
            return
        turn.drafts.pop(self.name, None)
        await self.move_on(turn, dict(data or {}), intro)

    async def open_at(self, turn: Turn, step_name: str, data: Data, prefix: str = "") -> None:
        """Put the person at a given step with given answers (e.g. straight to the review)."""
        turn.drafts.pop(self.name, None)
        data = {k: v for k, v in data.items()
                if not (k in self._by_name and self._by_name[k].kind == REVIEW)}
        await turn.goto(self.name, step_name, data)
        self.ask(turn, self._by_name[step_name], data, prefix)

    async def resume(self, turn: Turn, prefix: str = "") -> None:
        """Ask the current step again (e.g. when the form's own command comes mid-form)."""
        assert turn.conversation is not None
        if turn.conversation.step == DRAFT_STEP:
            self._offer_draft(turn)
            return
        data = turn.flow_data()
        step = self._by_name.get(turn.conversation.step) or self.next_step(data)
        if step is None:
            await self.move_on(turn, data)
            return
        self.ask(turn, step, data, prefix)

    async def pause(self, turn: Turn) -> None:
        """Another command came: keep the answers as a draft and say so."""
        if self._keep_draft(turn):
            turn.say(turn._(self.paused))
        await turn.finish()

    async def cancel(self, turn: Turn) -> None:
        """Cancel: the answers so far are kept as a draft for the next start."""
        kept, data = self._keep_draft(turn), turn.flow_data()
        await turn.finish()
        if self.on_cancel is not None:
            await self.on_cancel(turn, data)
            return
        turn.home(turn._(self.cancelled if kept else N_("Cancelled.")))

    async def discard(self, turn: Turn) -> None:
        """End the form and forget its answers (after completing, or on a refusal)."""
        turn.drafts.pop(self.name, None)
        await turn.finish()

    def _keep_draft(self, turn: Turn) -> bool:
        if not self.drafts or turn.conversation is None or turn.conversation.flow != self.name:
            return False
        if turn.conversation.step == DRAFT_STEP:
            return self.has_draft(turn)  # the offer was open: the older draft stays
        data = {k: v for k, v in turn.flow_data().items() if k != NEAR}
        if not data:
            return False
        turn.drafts[self.name] = {"step": turn.conversation.step, "data": data}
        return True

    def _offer_draft(self, turn: Turn) -> None:
        _ = turn._
        turn.say(_(self.draft_offer), [
            [Button(label=_(N_("▶️ Continue")), short=_(N_("Continue")),
                    payload=f"{self.prefix}:c:y"),
             Button(label=_(N_("🔄 Start again")), short=_(N_("Start again")),
                    payload=f"{self.prefix}:c:n")]])

    async def _take_draft(self, turn: Turn, keep: bool) -> None:
        draft = turn.drafts.pop(self.name, None)
        if keep and draft:
            data = dict(draft["data"])
            step = self._by_name.get(draft["step"]) or self.next_step(data)
            if step is None:
                await self.move_on(turn, data)
                return
            await turn.goto(self.name, step.name, data)
            self.ask(turn, step, data, turn._(N_("Let's continue where you stopped:")))
        else:
            await self.move_on(turn, {})

    # ------------------------------------------------------------------ asking

    async def move_on(self, turn: Turn, data: Data, prefix: str = "") -> None:
        """Go to the first unanswered step, or complete the form."""
        data.pop(NEAR, None)
        step = self.next_step(data)
        if step is None:
            await self.on_complete(turn, data)
            return
        await turn.goto(self.name, step.name, data)
        self.ask(turn, step, data, prefix)

    def ask(self, turn: Turn, step: Step, data: Data, prefix: str = "") -> None:
        """Send the step's question with its buttons (and Back / Cancel)."""
        _ = turn._
        body = step.prompt(turn, data) if callable(step.prompt) else _(step.prompt)
        if step.kind == REVIEW and step.summary is not None:
            body = step.summary(turn, data)
        text = f"{prefix}\n\n{body}" if prefix else body
        if step.kind == PHONE:  # a share-contact keyboard cannot go with inline buttons
            turn.say(text, [[Button(label=_(N_("📱 Share my number")), request_phone=True)]])
            return
        rows = self._rows(turn, step, data)
        nav = [Button(label=_(N_("✖️ Cancel")), short=_(N_("Cancel")), payload=f"{self.prefix}:x")]
        if self._previous(step, data) is not None:
            nav.insert(0, Button(label=_(N_("⬅️ Back")), short=_(N_("Back")),
                                 payload=f"{self.prefix}:b"))
        turn.say(text, rows + [nav])

    def _rows(self, turn: Turn, step: Step, data: Data) -> list[list[Button]]:
        _, p = turn._, f"{self.prefix}"
        buttons: list[Button] = []
        rows: list[list[Button]] = []
        if step.kind in (CHOICE, YESNO):
            buttons = [Button(label=_(o.label), short=_(o.short) if o.short else None,
                              payload=f"{p}:v:{step.name}:{o.value}")
                       for o in step.choices(turn, data)]
        elif step.kind == MULTI:
            chosen = set(data.get(step.name) or [])
            buttons = [Button(label=("✅ " if o.value in chosen else "") + _(o.label),
                              payload=f"{p}:t:{step.name}:{o.value}")
                       for o in step.choices(turn, data)]
        elif step.kind == REVIEW:
            buttons = [Button(label="✏️ " + _(label), short=_(label), payload=f"{p}:e:{name}")
                       for name, label in step.edits.items()]
        rows = [buttons[i:i + step.columns] for i in range(0, len(buttons), step.columns)]
        if step.kind in (MULTI, FILES):
            rows.append([Button(label=_(step.done_label), short=_(step.done_short),
                                payload=f"{p}:d:{step.name}")])
        if step.kind == REVIEW:
            rows.append([Button(label=_(step.submit_label), short=_(step.submit_short),
                                payload=f"{p}:ok")])
        if step.is_optional(data):
            rows.append([Button(label=_(step.skip_label), payload=f"{p}:s:{step.name}")])
        if step.extra_rows is not None:
            rows += step.extra_rows(turn, data)
        return rows

    def _previous(self, step: Step, data: Data) -> Step | None:
        asked = self.applicable(data)
        if step not in asked:
            return None
        index = asked.index(step)
        return asked[index - 1] if index > 0 else None

    def _reask(self, turn: Turn, step: Step, data: Data, problem: str) -> None:
        self.ask(turn, step, data, problem)

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

    async def _back(self, turn: Turn, step: Step, data: Data) -> None:
        previous = self._previous(step, data)
        if previous is None:
            self._reask(turn, step, data, turn._(N_("This is the first question.")))
            return
        data.pop(NEAR, None)
        if previous.kind in (MULTI, FILES):  # keep what was ticked or sent, open it again
            data[OPEN] = previous.name
        else:
            data.pop(previous.name, None)
        await turn.goto(self.name, previous.name, data)
        self.ask(turn, previous, data)

    async def _edit(self, turn: Turn, name: str, data: Data) -> None:
        step = self._by_name[name]
        if step.kind in (MULTI, FILES):
            data[OPEN] = name
        await turn.goto(self.name, name, data)
        self.ask(turn, step, data)

    async def _chosen(self, turn: Turn, step: Step, data: Data, value: str) -> None:
        if step.kind == YESNO and value == "n" and step.on_no is not None:
            await step.on_no(turn, data)
            return
        answer: Any = (value == "y") if step.kind == YESNO else value
        if step.check is not None and not await step.check(turn, data, answer):
            return
        data[step.name] = answer
        await self.move_on(turn, data)

    async def _toggle(self, turn: Turn, step: Step, data: Data, values: list[str]) -> None:
        chosen = list(data.get(step.name) or [])
        for value in values:
            chosen = [c for c in chosen if c != value] if value in chosen else chosen + [value]
        if step.check is not None and not await step.check(turn, data, chosen):
            return  # refused (it replied), or kept elsewhere at once and asked again
        data[step.name], data[OPEN] = chosen, step.name
        data.pop(NEAR, None)
        await turn.goto(self.name, step.name, data)
        self.ask(turn, step, data)

    async def _done(self, turn: Turn, step: Step, data: Data) -> None:
        have = len(data.get(step.name) or [])
        needed = step.min_choices if step.kind == MULTI else step.min_parts
        if have < needed:
            message = step.too_few if step.kind == MULTI else step.empty_done
            self._reask(turn, step, data, turn._(message))
            return
        data.pop(OPEN, None)
        await self.move_on(turn, data)

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
