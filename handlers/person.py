"""The way from the bot to a human: the hotline when it exists, else the hub's contacts."""

from __future__ import annotations

from bot.core.messages import Button
from bot.core.turn import Turn
from bot.i18n import N_
from handlers.menu import back_to_menu


def person_button(turn: Turn, question_id: int | str = "") -> Button:
    """The way to a human: "Talk to a person" with a hotline, the hub's contacts without one."""
    _ = turn._
    payload = f"faq:person:{question_id}" if question_id else "faq:person"
    if turn.features.has_command("ask"):
        return Button(label=_(N_("🙋 Talk to a person")), short=_(N_("Talk to a person")),
                      payload=payload)
    # No staff chat, no hotline: promise only what exists (phone, e-mail, the office).
    return Button(label=_(N_("📞 Contact the hub team")), short=_(N_("Contacts")),
                  payload=payload)


async def reach_a_person(turn: Turn, question_id: str = "") -> None:
    """The way to a human: the hotline (with the question asked) when it exists, or contacts."""
    await turn.finish()
    router = turn.features
    ask = router.commands.get("ask")
    carried = router.button_handler(f"hl:q:{question_id}") if question_id else None
    if ask is not None and carried is not None:
        handler, rest = carried
        await handler(turn, rest)
        return
    if ask is not None:
        await ask.handler(turn)
        return
    faq = turn.services.faq
    topic = faq.topic("contact")
    assert topic is not None
    turn.say(faq.answer(topic, turn.language), [back_to_menu(turn)])
