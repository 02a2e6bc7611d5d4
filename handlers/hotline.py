"""The hotline, person side: /ask (a form on the engine), the open-ticket mode, the rating."""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import (
    CHOICE,
    FILES,
    OPEN,
    PHONE,
    REVIEW,
    YESNO,
    Invalid,
    Option,
    Step,
)
from bot.core.forms import Form, part_of
from bot.core.messages import Button, is_small_id
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from bot.services.phones import normalise_phone
from bot.services.tickets import Attached, Question
from bot.services.working_hours import WorkingHours
from handlers.menu import back_to_menu, show_menu
from handlers.smalltalk import is_menu_word
from storage.models import utcnow

FLOW = "ask"
PARTS = "parts"
ATTACHMENT_KINDS = ("photo", "document")
SUMMARY_QUESTION = 1500  # how much of a long question the summary repeats
TOLD = "ticket_told"  # kept beside drafts: the open-ticket notice was given for this ticket


def _question(data: dict[str, Any]) -> str:
    return "\n".join(p["text"] for p in data.get(PARTS) or [] if p.get("text"))


async def _typed_question(turn: Turn, data: dict[str, Any]) -> bool:
    """Free text at the subject or municipality step is (the start of) the question: kept."""
    files = [a for a in turn.event.attachments if a.kind in ATTACHMENT_KINDS]
    if not (turn.event.text or "").strip() and not files:
        return False
    assert turn.conversation is not None
    data[PARTS] = [*(data.get(PARTS) or []), part_of(turn, files)]
    data[OPEN] = PARTS  # more may come at the question step
    step = FORM.step(turn.conversation.step)
    assert step is not None
    await turn.goto(FLOW, step.name, data)
    FORM.ask(turn, step, data, turn._(N_("Got it: I have kept that as your question. To send it "
                                         "to the right people, one more thing:")))
    return True


def _ask_question_text(turn: Turn, data: dict[str, Any]) -> str:
    if data.get(PARTS):
        question = _question(data) or "—"
        if len(question) > SUMMARY_QUESTION:
            question = question[:SUMMARY_QUESTION] + " …"
        return turn._(N_("Your question so far:\n{question}\n\nAdd more (text, photos or "
                         "documents), or press \"Done\".")).format(question=question)
    return turn._(N_("Write your question. You can send several messages, and photos or "
                     "documents too. When you have finished, press \"Done\"."))


def _parse_phone(text: str) -> str:
    phone = normalise_phone(text)
    if phone is None:
        raise Invalid(N_("That doesn't look like a Georgian phone number. Please send it as "
                         "555 12 34 56 or +995 555 12 34 56, or use the button."))
    return phone


def _summary(turn: Turn, data: dict[str, Any]) -> str:
    _ = turn._
    files = sum(1 for p in data.get(PARTS) or [] if p.get("kind"))
    question = _question(data) or "—"
    if len(question) > SUMMARY_QUESTION:  # the summary stays one message; all of it is sent
        question = question[:SUMMARY_QUESTION] + " …\n" + _(N_(
            "(The whole question is {count} characters long; all of it goes to the hub "
            "team.)")).format(count=len(question))
    lines = [_(N_("Please check your question:")), "",
             f"{_(TOPICS[data['topic']])} · {_(MUNICIPALITIES[data['municipality']])}",
             question]
    if files:
        lines.append(_(N_("Attached files: {count}")).format(count=files))
    if data.get("phone"):
        lines.append(_(N_("We will call you: {phone}")).format(phone=data["phone"]))
    return "\n".join(lines)


def _start_again_row(turn: Turn, _data: dict[str, Any]) -> list[list[Button]]:
    _ = turn._
    return [[Button(label=_(N_("↩️ Start again")), short=_(N_("Start again")),
                    payload="hl:restart")]]


STEPS = (
    Step("topic", CHOICE, N_("Ask the hub's hotline: qualified legal help, and not only "
                             "legal.\nWhat is your question about?"),
         options=[Option(k, v) for k, v in TOPICS.items()], on_text=_typed_question),
    Step("municipality", CHOICE, N_("Which municipality are you from?"),
         options=[Option(k, v) for k, v in MUNICIPALITIES.items()], columns=3,
         on_text=_typed_question),
    Step(PARTS, FILES, _ask_question_text, file_kinds=ATTACHMENT_KINDS,
         empty_done=N_("Please write your question first.")),
    Step("answer_way", CHOICE, N_("How should we answer you?"), options=[
        Option("chat", N_("💬 Here in the chat"), N_("In the chat")),
        Option("phone", N_("📞 By phone"), N_("By phone"))]),
    Step("phone", PHONE, N_("Send your phone number with the button below, or type it "
                            "(e.g. 555 12 34 56)."),
         parse=_parse_phone, when=lambda data: data.get("answer_way") == "phone"),
    Step("consent", YESNO, N_(
        "Privacy: the hub keeps your name, your question and your phone number (if you gave "
        "it) to answer you; hub staff see them. You can erase them any time with /forget. Do "
        "you agree?"), yes_label=N_("✅ I agree"), no_label=None),
    Step("confirm", REVIEW, "", summary=_summary, submit_label=N_("📨 Send"),
         submit_short=N_("Send"), extra_rows=_start_again_row),
)


async def start(turn: Turn) -> None:
    """/ask: continue the question in progress, offer a draft, or begin with the subject."""
    if turn.in_flow(FLOW):
        await FORM.resume(turn, turn._(N_("Let's continue where you stopped:")))
        return
    await FORM.start(turn)


async def ask_about(turn: Turn, question: str) -> None:
    """Begin /ask with a question already written (from an FAQ question left unanswered)."""
    await turn.finish()
    part = {"text": question, "ref": None, "kind": None, "file_id": None}
    await FORM.start(turn, {PARTS: [part], OPEN: PARTS},
                     turn._(N_("I will pass your question to the hub team:\n{question}"))
                     .format(question=question))


async def pressed(turn: Turn, rest: str) -> None:
    """Buttons of the /ask form and of open tickets."""
    kind, _sep, value = rest.partition(":")
    if kind == "new":
        await turn.leave()
        await start(turn)
    elif kind == "leave":
        await leave_ticket_mode(turn)
        show_menu(turn, turn._(N_("OK. Your question stays with the hub team; they will answer "
                                  "you here. Your next messages go to the bot again.")))
    elif kind == "r":
        await _rate(turn, value)
    elif kind == "q":
        await _from_faq(turn, value)
    elif kind == "restart" and turn.in_flow(FLOW):
        await FORM.start(turn, {})
    elif not await FORM.press(turn, rest):
        await turn.stale_button()


async def _from_faq(turn: Turn, value: str) -> None:
    question = await turn.uow.faq.question(int(value)) if is_small_id(value) else None
    if question is None or question.person_id != turn.person.id:
        await start(turn)
        return
    await ask_about(turn, question.query)


async def _submit(turn: Turn, data: dict[str, Any]) -> None:
    files = tuple(Attached(kind=part["kind"], caption=part.get("text") or "",
                           message_ref=part.get("ref"), link=_file_link(turn, part.get("file_id")))
                  for part in data.get(PARTS) or [] if part.get("kind"))
    ticket = await turn.services.tickets.open(turn.uow, turn.person, turn.language, Question(
        topic=data["topic"], municipality=data["municipality"], text=_question(data),
        phone=data.get("phone"), files=files))
    await FORM.discard(turn)
    turn.drafts.pop(TOLD, None)
    turn.say(turn._(N_("Thank you! Your question is #{number}.")).format(number=ticket.id)
             + "\n" + _expected_answer(turn), [back_to_menu(turn)])


FORM = Form(FLOW, "hl", STEPS, on_complete=_submit, command="ask",
            paused=N_("Your question to the hotline is saved as a draft; send /ask to continue."),
            cancelled=N_("Cancelled. Your question was not sent; it is kept as a draft: send "
                         "/ask to continue."),
            draft_offer=N_("You started a question to the hotline earlier. Continue where you "
                           "stopped?"))


def _expected_answer(turn: Turn) -> str:
    _ = turn._
    settings = turn.services.settings
    if not settings.hotline_hours:
        return _(N_("The hub team will answer you here as soon as they can."))
    hours = WorkingHours.parse(settings.hotline_hours)
    now = utcnow()
    if hours.is_open(now, settings.tz):
        return _(N_("The hub team works now and will answer you here as soon as they can."))
    opening = hours.next_opening(now, settings.tz)
    return _(N_("It is outside working hours now; the hub team will answer you from "
                "{day} {time}.")).format(day=opening.strftime("%d.%m"),
                                         time=opening.strftime("%H:%M"))


def _file_link(turn: Turn, file_id: str | None) -> str | None:
    """Where staff can open a file that cannot be copied into their chat (a Messenger link)."""
    if not file_id or turn.person.channel == turn.services.hotline.staff_channel:
        return None  # same platform: the message itself is copied to staff
    return file_id


async def relay_to_ticket(turn: Turn) -> bool:
    """While a person's ticket is open, their plain messages go to its staff topic."""
    if turn.person.active_ticket_id is None:
        return False
    event, _ = turn.event, turn._
    if is_menu_word(event.text):  # typed "menu" returns to the bot, as the menu button does
        await leave_ticket_mode(turn)
        show_menu(turn)
        return True
    files = [a for a in event.attachments if a.kind in ATTACHMENT_KINDS]
    if not event.text and not files:
        turn.say(_(N_("The hub team can receive text, photos and documents.")))
        return True
    file = Attached(kind=files[0].kind, caption="", message_ref=event.message_ref,
                    link=_file_link(turn, files[0].file_id)) if files else None
    ticket_id = await turn.services.tickets.follow_up(turn.uow, turn.person, event.text or "",
                                                      event.message_ref, file)
    if ticket_id is None:
        if turn.drafts.pop(TOLD, None) is not None:
            await turn.save_drafts()
        return False
    if turn.drafts.get(TOLD) == ticket_id:
        return True  # said once: the person knows where their messages go
    turn.drafts[TOLD] = ticket_id
    await turn.save_drafts()
    turn.say(_(N_("You are writing to the hub team (#{number}): your messages go to them until "
                  "you send /start or choose \"Back to the bot\".")).format(number=ticket_id), [
        [Button(label=_(N_("➕ A new question")), short=_(N_("New question")), payload="hl:new"),
         Button(label=_(N_("🤖 Back to the bot")), short=_(N_("Back to the bot")),
                payload="hl:leave")]])
    return True


async def leave_ticket_mode(turn: Turn) -> None:
    """The person's messages go to the bot again (the ticket itself stays open for staff)."""
    turn.services.tickets.leave(turn.uow, turn.person)
    if turn.drafts.pop(TOLD, None) is not None:
        await turn.save_drafts()


async def _rate(turn: Turn, value: str) -> None:
    number, _sep, stars = value.partition(":")
    if not is_small_id(number) or stars not in {"1", "2", "3", "4", "5"} or not await \
            turn.services.tickets.rate(turn.uow, turn.person, int(number), int(stars)):
        await turn.stale_button()
        return
    show_menu(turn, turn._(N_("Thank you for your rating!")))


def register(router: Router) -> None:
    """Wire the hotline's person side into the router."""
    router.command("ask", start, N_("ask the hub's hotline a question"))
    router.button("hl", pressed)
    FORM.register(router, {"ask": start})
    router.interceptors.append(relay_to_ticket)
    router.leave_hooks.append(leave_ticket_mode)
    router.menu(30, N_("⚖️ Ask the hotline"), N_("Hotline"), "hl:new")
