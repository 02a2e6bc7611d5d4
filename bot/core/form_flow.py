"""Moving through a form's steps: where the person stands, starting and leaving (with drafts),
asking the next step, and applying an answer once it is known.

A form's state lives in the person's conversation row (`turn.goto`): the flow is the form's name,
the step its current step, the data the answers so far. The next step is always the first one
not yet answered, so editing from the review screen and continuing after a restart are the same
code path as filling the form in. How a button or a typed message becomes an answer is the
form's other half (`bot/core/forms.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.form_steps import (
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
    Step,
)
from bot.core.messages import Button
from bot.core.turn import Turn
from bot.i18n import N_


class FormFlow:
    """A declared list of steps with what happens at the end, and the person's way through it."""

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

    # ------------------------------------------------------------------ applying an answer

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
