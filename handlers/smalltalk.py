"""Small talk and intent words typed as free text: a fitting answer instead of an FAQ guess.

Greetings, thanks, goodbyes, "ok" and 👍 get a short answer; "menu", "help", "are you a bot?",
"who are you?" and "I want to talk to a human" (in English, Georgian and translit) do what they
say, also with a greeting or thanks around them ("hi, are you a bot?"). Only a whole message
counts ("help me write a grant application" is a question for the FAQ).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot.core.turn import Turn
from bot.faq.normalize import fold
from bot.i18n import N_
from handlers.menu import back_to_menu, help_text, show_menu
from handlers.person import person_button, reach_a_person
from storage.models import utcnow

# A question asked this recently is what "I want to talk to a human" is about.
LAST_QUESTION_WITHIN = timedelta(minutes=30)


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


GREETINGS = _folded((
    "hi", "hello", "hey", "good morning", "good evening", "good afternoon", "hi there",
    "გამარჯობა", "გამარჯობათ", "სალამი", "დილა მშვიდობისა", "საღამო მშვიდობისა", "hello bot",
    "gamarjoba", "gamarjobat", "salami", "dila mshvidobisa", "salam",
))
THANKS = _folded((
    "thanks", "thank you", "thank you very much", "thx", "ok thanks", "great thanks",
    "მადლობა", "გმადლობთ", "დიდი მადლობა", "მადლობთ", "madloba", "gmadlobt", "didi madloba",
    "merci", "mersi", "mdlb",
))
GOODBYES = _folded(("bye", "goodbye", "ნახვამდის", "nakhvamdis", "naxvamdis", "კარგად",
                    "kargad"))
OKAYS = _folded((
    "ok", "okay", "okey", "k", "kk", "fine", "good", "great", "cool", "alright", "got it",
    "understood", "ოკ", "ოკეი", "კარგი", "კაი", "გასაგებია", "გავიგე", "ნორმალურია", "kargi",
    "kai", "gasagebia", "gavige", "ok ok",
))
OK_SIGNS = frozenset({"👍", "👌", "🙂", "😊", "🙏", "✅", "👏", "❤️", "❤", "🤝", "👍🏻", "👍🏼",
                      "👍🏽", "👍🏾", "👍🏿"})
MENU_WORDS = _folded((
    "menu", "main menu", "the menu", "show menu", "show me the menu", "start", "მენიუ",
    "მთავარი მენიუ", "მენიუ მაჩვენე", "meniu", "menu machvene", "mtavari meniu",
))
HELP_WORDS = _folded((
    "help", "help me", "i need help", "what can you do", "how does this work", "commands",
    "დახმარება", "დამეხმარე", "დამეხმარეთ", "დახმარება მჭირდება", "რა შეგიძლია",
    "რა შეგიძლიათ", "daxmareba", "damexmare", "damexmaret", "daxmareba mWirdeba",
    "ra shegidzlia", "ra shegidzliat",
))
BOT_QUESTIONS = _folded((
    "are you a bot", "is this a bot", "are you a robot", "are you human", "are you a human",
    "are you a real person", "am i talking to a bot", "is this a real person", "bot",
    "ბოტი ხარ", "ბოტი ხართ", "შენ ბოტი ხარ", "თქვენ ბოტი ხართ", "ეს ბოტია", "რობოტი ხარ",
    "ადამიანი ხარ", "ადამიანი ხართ", "ბოტთან ვსაუბრობ", "boti xar", "boti xart",
    "shen boti xar", "es botia", "adamiani xar", "adamiani xart", "roboti xar",
    # who or what the bot is
    "who are you", "what are you", "who am i talking to", "who is this", "who is writing",
    "are you a person", "are you real", "is this automatic",
    "ვინ ხარ", "ვინ ხართ", "შენ ვინ ხარ", "თქვენ ვინ ხართ", "რა ხარ", "ვისთან ვსაუბრობ",
    "ვისთან ვლაპარაკობ", "ვინ მწერს", "ცოცხალი ადამიანი ხარ",
    "vin xar", "vin xart", "shen vin xar", "tqven vin xart", "ra xar", "vistan vsaubrob",
    "vistan vlaparakob", "vin mwers", "cocxali adamiani xar",
))
HUMAN_REQUESTS = _folded((
    "i want to talk to a human", "talk to a human", "i want to talk to a person",
    "talk to a person", "can i talk to a human", "can i talk to a person", "speak to a human",
    "i want to speak to a human", "a real person", "real person", "human", "human please",
    "operator", "connect me to a person", "talk to someone", "i want to talk to someone",
    "ადამიანთან მინდა საუბარი", "მინდა ადამიანთან საუბარი", "ადამიანთან საუბარი",
    "ადამიანთან მინდა ლაპარაკი", "ცოცხალ ადამიანთან მინდა საუბარი", "ოპერატორი",
    "ოპერატორთან საუბარი", "თანამშრომელთან საუბარი", "თანამშრომელთან მინდა საუბარი",
    "adamiantan minda saubari", "minda adamiantan saubari", "adamiantan saubari",
    "adamiantan minda laparaki", "operatori", "tanamshromeltan saubari",
    "tanamshromeltan minda saubari",
))

# Said around an intent ("hi, are you a bot?", "ვინ ხარ? მადლობა"): not part of it.
POLITE_EDGES = GREETINGS | THANKS | _folded((
    "please", "pls", "sorry", "excuse me", "გთხოვთ", "ბოდიში", "gtxovt", "bodishi", "hey there", "hello there",
))

LONGEST = 2 * max(len(w) for w in (GREETINGS | THANKS | GOODBYES | OKAYS | MENU_WORDS
                                   | HELP_WORDS | BOT_QUESTIONS | HUMAN_REQUESTS))


def is_menu_word(text: str | None) -> bool:
    """True when the whole message asks for the menu ("menu", "მენიუ", "meniu")."""
    return bool(text) and len(text or "") <= LONGEST and fold(text or "") in MENU_WORDS


async def reply_if_smalltalk(turn: Turn) -> bool:
    """Answer small talk or an intent word; False when the text is something else."""
    text = (turn.event.text or "").strip()
    if len(text) > LONGEST:  # a question, not small talk: spare the folding
        return False
    if text and all(ch in "".join(OK_SIGNS) or ch.isspace() for ch in text):
        turn.say(turn._(N_("👍 Write any time you have a question.")))
        return True
    key = fold(text)
    core = _without_polite_edges(key)
    if core != key and core in MENU_WORDS | HELP_WORDS | BOT_QUESTIONS | HUMAN_REQUESTS:
        key = core
    _ = turn._
    if key in GREETINGS:
        show_menu(turn, _(N_("Hello! How can I help? Type your question or choose from the menu.")))
    elif key in THANKS:
        turn.say(_(N_("You are welcome! Write any time you have a question.")))
    elif key in GOODBYES:
        turn.say(_(N_("Goodbye! Write any time you have a question.")))
    elif key in OKAYS:
        turn.say(_(N_("👍 Write any time you have a question.")))
    elif key in MENU_WORDS:
        show_menu(turn)
    elif key in HELP_WORDS:
        turn.say(help_text(turn))
        show_menu(turn)
    elif key in BOT_QUESTIONS:
        _about_the_bot(turn)
    elif key in HUMAN_REQUESTS:
        await _to_a_person(turn)
    else:
        return False
    return True


def _without_polite_edges(key: str) -> str:
    """A folded message without a greeting or thanks before or after it."""
    words = key.split()
    for _ in range(2):
        for size in (3, 2, 1):
            if len(words) > size and " ".join(words[:size]) in POLITE_EDGES:
                words = words[size:]
                break
        for size in (3, 2, 1):
            if len(words) > size and " ".join(words[-size:]) in POLITE_EDGES:
                words = words[:-size]
                break
    return " ".join(words)


def _about_the_bot(turn: Turn) -> None:
    _ = turn._
    if turn.features.has_command("ask"):
        text = _(N_("Yes, I am a bot: the hub's automatic assistant. I answer questions about "
                    "the hub and its services. The hub team, real people, answer what I "
                    "cannot: press \"Talk to a person\" or send /ask."))
    else:
        text = _(N_("Yes, I am a bot: the hub's automatic assistant. I answer questions about "
                    "the hub and its services. For anything else, the button below shows how "
                    "to reach the hub team, real people."))
    turn.say(text, [[person_button(turn)], back_to_menu(turn)])


async def _to_a_person(turn: Turn) -> None:
    """The hotline (with the question asked just before, if any), or the hub's contacts."""
    assert turn.person.id is not None
    last = await turn.uow.faq.last_question_id(turn.person.id, utcnow() - LAST_QUESTION_WITHIN)
    await reach_a_person(turn, str(last) if last is not None else "")
