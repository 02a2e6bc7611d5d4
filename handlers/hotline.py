"""The hotline, person side: /ask, the conversation with staff, and the rating afterwards."""

from __future__ import annotations

from bot.core.engine import is_small_id
from bot.core.messages import Attachment, Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from bot.services.phones import normalise_phone
from bot.services.working_hours import WorkingHours
from handlers.menu import back_to_menu, show_menu
from storage.models import utcnow
from storage.models_hotline import Ticket, TicketMessage
from storage.repos.tickets import TicketRepo

FLOW = "ask"
MAX_QUESTION = 3000  # the staff card must stay within one Telegram message
MAX_PARTS = 10
ATTACHMENT_KINDS = ("photo", "document")


def _cancel_row(turn: Turn) -> list[Button]:
    return [Button(label=turn._(N_("✖️ Cancel")), short=turn._(N_("Cancel")), payload="hl:cancel")]


async def start(turn: Turn) -> None:
    """/ask: choose the subject of the question."""
    await turn.goto(FLOW, "topic", {"parts": []})
    _ = turn._
    rows = [[Button(label=_(label), payload=f"hl:t:{key}")] for key, label in TOPICS.items()]
    turn.say(_(N_("Ask the hub's hotline: qualified legal help, and not only legal.\n"
                  "What is your question about?")), rows + [_cancel_row(turn)])


async def _ask_municipality(turn: Turn) -> None:
    _ = turn._
    buttons = [Button(label=_(name), payload=f"hl:m:{key}") for key, name in MUNICIPALITIES.items()]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons) - 1, 3)] + [[buttons[-1]]]
    turn.say(_(N_("Which municipality are you from?")), rows + [_cancel_row(turn)])


def _ask_question_text(turn: Turn) -> str:
    return turn._(N_("Write your question. You can send several messages, and photos or "
                     "documents too. When you have finished, press \"Done\"."))


def _done_row(turn: Turn) -> list[Button]:
    return [Button(label=turn._(N_("✅ Done")), short=turn._(N_("Done")), payload="hl:done")]


async def _ask_answer_way(turn: Turn) -> None:
    _ = turn._
    turn.say(_(N_("How should we answer you?")), [
        [Button(label=_(N_("💬 Here in the chat")), short=_(N_("In the chat")), payload="hl:v:chat")],
        [Button(label=_(N_("📞 By phone")), short=_(N_("By phone")), payload="hl:v:phone")],
        _cancel_row(turn)])


async def _ask_consent(turn: Turn) -> None:
    _ = turn._
    turn.say(_(N_("Privacy: the hub keeps your name, your question and your phone number (if "
                  "you gave it) to answer you; hub staff see them. You can erase them any time "
                  "with /forget. Do you agree?")),
             [[Button(label=_(N_("✅ I agree")), short=_(N_("I agree")), payload="hl:c:yes")],
              _cancel_row(turn)])


async def _show_summary(turn: Turn) -> None:
    assert turn.conversation is not None
    data = turn.conversation.data
    _ = turn._
    question = "\n".join(p["text"] for p in data["parts"] if p.get("text"))
    files = sum(1 for p in data["parts"] if p.get("kind"))
    lines = [_(N_("Please check your question:")), "",
             f"{_(TOPICS[data['topic']])} · {_(MUNICIPALITIES[data['municipality']])}",
             question or "—"]
    if files:
        lines.append(_(N_("Attached files: {count}")).format(count=files))
    if data.get("phone"):
        lines.append(_(N_("We will call you: {phone}")).format(phone=data["phone"]))
    turn.say("\n".join(lines), [
        [Button(label=_(N_("📨 Send")), short=_(N_("Send")), payload="hl:send")],
        [Button(label=_(N_("↩️ Start again")), short=_(N_("Start again")), payload="hl:restart")],
        _cancel_row(turn)])


async def pressed(turn: Turn, rest: str) -> None:
    """Buttons of the /ask flow and of open tickets."""
    kind, _sep, value = rest.partition(":")
    if kind == "new":
        await start(turn)
    elif kind == "leave":
        turn.person.active_ticket_id = None
        turn.uow.session.add(turn.person)
        show_menu(turn, turn._(N_("OK. Your question stays with the hub team; they will answer "
                                  "you here. Your next messages go to the bot again.")))
    elif kind == "r":
        await _rate(turn, value)
    elif kind == "cancel" and turn.in_flow(FLOW):
        await turn.finish()
        show_menu(turn, turn._(N_("Cancelled. Your question was not sent.")))
    elif turn.in_flow(FLOW):
        await _flow_button(turn, kind, value)
    else:
        await turn.stale_button()


async def _flow_button(turn: Turn, kind: str, value: str) -> None:
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    if kind == "t" and step == "topic" and value in TOPICS:
        await turn.goto(FLOW, "municipality", data | {"topic": value})
        await _ask_municipality(turn)
    elif kind == "m" and step == "municipality" and value in MUNICIPALITIES:
        await turn.goto(FLOW, "question", data | {"municipality": value})
        turn.say(_ask_question_text(turn), [_cancel_row(turn)])
    elif kind == "done" and step == "question":
        if not data["parts"]:
            turn.say(turn._(N_("Please write your question first.")), [_cancel_row(turn)])
            return
        await turn.goto(FLOW, "answer_way", data)
        await _ask_answer_way(turn)
    elif kind == "v" and step == "answer_way" and value in ("chat", "phone"):
        if value == "chat":
            await turn.goto(FLOW, "consent", data | {"phone": None})
            await _ask_consent(turn)
        else:
            await turn.goto(FLOW, "phone", data)
            _ask_phone(turn)
    elif kind == "c" and value == "yes" and step == "consent":
        await turn.goto(FLOW, "confirm", data)
        await _show_summary(turn)
    elif kind == "send" and step == "confirm":
        await _submit(turn)
    elif kind == "restart" and step == "confirm":
        await start(turn)
    else:
        await turn.stale_button()


def _ask_phone(turn: Turn) -> None:
    _ = turn._
    turn.say(_(N_("Send your phone number with the button below, or type it (e.g. 555 12 34 56).")),
             [[Button(label=_(N_("📱 Share my phone number")), short=_(N_("Share my number")),
                      request_phone=True)]])


async def flow_message(turn: Turn) -> None:
    """Text and files sent while in the /ask flow."""
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    event, _ = turn.event, turn._
    if step == "question":
        await _collect_part(turn, data)
    elif step == "phone":
        contact = next((a.phone for a in event.attachments if a.kind == "contact"), None)
        phone = normalise_phone(contact or event.text or "")
        if phone is None:
            turn.say(_(N_("That doesn't look like a Georgian phone number. Please send it as "
                          "555 12 34 56 or +995 555 12 34 56, or use the button.")))
            _ask_phone(turn)
            return
        await turn.goto(FLOW, "consent", data | {"phone": phone})
        turn.say(f"📱 {phone}", remove_keyboard=True)
        await _ask_consent(turn)
    else:
        turn.say(_(N_("Please use the buttons above, or send /cancel to stop.")))


async def _collect_part(turn: Turn, data: dict) -> None:  # type: ignore[type-arg]
    event, _ = turn.event, turn._
    files = [a for a in event.attachments if a.kind in ATTACHMENT_KINDS]
    if not event.text and not files:
        turn.say(_(N_("I can take text, photos and documents here. Please write your question "
                      "in words.")), [_done_row(turn), _cancel_row(turn)])
        return
    text = (event.text or "").strip()
    written = sum(len(p.get("text") or "") for p in data["parts"])
    if written + len(text) > MAX_QUESTION or len(data["parts"]) >= MAX_PARTS:
        turn.say(_(N_("Your question is already long: please press \"Done\" and send the rest "
                      "after, in the chat with the hub team.")), [_done_row(turn)])
        return
    data["parts"] = [*data["parts"], {"text": text, "ref": event.message_ref,
                                      "kind": files[0].kind if files else None,
                                      "link": _file_link(turn, files)}]
    await turn.goto(FLOW, "question", data)
    turn.say(_(N_("Got it. Add more, or press \"Done\".")), [_done_row(turn), _cancel_row(turn)])


async def _submit(turn: Turn) -> None:
    assert turn.conversation is not None and turn.person.id is not None
    data = turn.conversation.data
    repo = turn.uow.repo(TicketRepo)
    question = "\n".join(p["text"] for p in data["parts"] if p.get("text"))
    ticket = await repo.add(Ticket(
        person_id=turn.person.id, channel=turn.person.channel, language=turn.language,
        topic=data["topic"], municipality=data["municipality"], question=question,
        answer_via="phone" if data.get("phone") else "chat", phone=data.get("phone"),
        requester_name=turn.person.display_name, consent_at=utcnow()))
    assert ticket.id is not None
    for part in data["parts"]:
        if part.get("kind"):  # files follow the card as copies
            await repo.add_message(TicketMessage(
                ticket_id=ticket.id, direction="in",
                text=_with_link(part.get("text") or "", part.get("link")),
                attachment_kind=part["kind"], source_chat_id=turn.person.chat_id,
                source_message_id=part.get("ref")))
    turn.person.active_ticket_id = ticket.id
    if data.get("phone"):
        turn.person.phone = data["phone"]
    turn.person.consent_data_at = turn.person.consent_data_at or utcnow()
    turn.uow.session.add(turn.person)
    await turn.finish()
    turn.say(turn._(N_("Thank you! Your question is #{number}.")).format(number=ticket.id)
             + "\n" + _expected_answer(turn), [back_to_menu(turn)])
    await turn.services.hotline.queue(turn.uow, ticket.id, "sync")


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


def _file_link(turn: Turn, files: list[Attachment]) -> str | None:
    """Where staff can open a file that cannot be copied into their chat (a Messenger link)."""
    if not files or turn.person.channel == turn.services.hotline.staff_channel:
        return None  # same platform: the message itself is copied to staff
    return files[0].file_id


def _with_link(text: str, link: str | None) -> str:
    return f"{text}\n{link}".strip() if link else text


async def relay_to_ticket(turn: Turn) -> bool:
    """While a person's ticket is open, their messages go to its staff topic."""
    ticket_id = turn.person.active_ticket_id
    if ticket_id is None:
        return False
    repo = turn.uow.repo(TicketRepo)
    ticket = await repo.get(ticket_id)
    if ticket is None or ticket.status != "open":
        turn.person.active_ticket_id = None
        turn.uow.session.add(turn.person)
        return False
    event, _ = turn.event, turn._
    files = [a for a in event.attachments if a.kind in ATTACHMENT_KINDS]
    if not event.text and not files:
        turn.say(_(N_("The hub team can receive text, photos and documents.")))
        return True
    await repo.add_message(TicketMessage(
        ticket_id=ticket_id, direction="in",
        text=_with_link((event.text or "")[:MAX_QUESTION], _file_link(turn, files)),
        attachment_kind=files[0].kind if files else None, source_chat_id=turn.person.chat_id,
        source_message_id=event.message_ref))
    await turn.services.hotline.queue(turn.uow, ticket_id, "sync")
    turn.say(_(N_("Sent to the hub team (#{number}).")).format(number=ticket_id), [
        [Button(label=_(N_("➕ A new question")), short=_(N_("New question")), payload="hl:new"),
         Button(label=_(N_("🤖 Back to the bot")), short=_(N_("Back to the bot")),
                payload="hl:leave")]])
    return True


async def _rate(turn: Turn, value: str) -> None:
    number, _sep, stars = value.partition(":")
    if not is_small_id(number) or stars not in {"1", "2", "3", "4", "5"}:
        await turn.stale_button()
        return
    ticket = await turn.uow.repo(TicketRepo).get(int(number))
    if ticket is None or ticket.person_id != turn.person.id or ticket.status != "closed":
        await turn.stale_button()
        return
    ticket.rating = int(stars)
    turn.uow.session.add(ticket)
    show_menu(turn, turn._(N_("Thank you for your rating!")))


def register(router: Router) -> None:
    """Wire the hotline's person side into the router."""
    router.command("ask", start, N_("ask the hub's hotline a question"))
    router.button("hl", pressed)
    router.flow(FLOW, flow_message)
    router.interceptors.append(relay_to_ticket)
    router.menu(30, N_("⚖️ Ask the hotline"), N_("Hotline"), "hl:new")
