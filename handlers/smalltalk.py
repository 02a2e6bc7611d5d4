"""Greetings and thanks typed as free text get a friendly answer instead of an FAQ guess."""

from __future__ import annotations

from bot.core.turn import Turn
from bot.faq.normalize import fold
from bot.i18n import N_
from handlers.menu import show_menu

GREETINGS = {fold(w) for w in (
    "hi", "hello", "hey", "good morning", "good evening", "good afternoon", "hi there",
    "გამარჯობა", "გამარჯობათ", "სალამი", "დილა მშვიდობისა", "საღამო მშვიდობისა", "hello bot",
    "gamarjoba", "gamarjobat", "salami", "dila mshvidobisa", "salam",
)}
THANKS = {fold(w) for w in (
    "thanks", "thank you", "thank you very much", "thx", "ok thanks", "great thanks",
    "მადლობა", "გმადლობთ", "დიდი მადლობა", "მადლობთ", "madloba", "gmadlobt", "didi madloba",
    "merci", "mersi",
)}
GOODBYES = {fold(w) for w in ("bye", "goodbye", "ნახვამდის", "nakhvamdis", "naxvamdis", "კარგად",
                                "kargad")}


LONGEST = 2 * max(len(w) for w in GREETINGS | THANKS | GOODBYES)  # room for "!!!", spaces, emoji


async def reply_if_smalltalk(turn: Turn) -> bool:
    """Answer a bare greeting, thanks or goodbye; False when the text is something else."""
    text = turn.event.text or ""
    if len(text) > LONGEST:  # a question, not small talk: spare the folding
        return False
    key = fold(text)
    _ = turn._
    if key in GREETINGS:
        show_menu(turn, _(N_("Hello! How can I help? Type your question or choose from the menu.")))
    elif key in THANKS:
        turn.say(_(N_("You are welcome! Write any time you have a question.")))
    elif key in GOODBYES:
        turn.say(_(N_("Goodbye! Write any time you have a question.")))
    else:
        return False
    return True
