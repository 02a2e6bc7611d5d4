"""/register and /myorg: the organisation form, its review screen, and changes later.

The form is a table of steps. Each answer is kept in the conversation's data (so a restart
loses nothing); the next step is always the first one not yet answered, which makes editing
from the review screen the same code path as filling the form in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services import org_validation as check
from bot.services.org_catalog import AREAS, LEGAL_FORMS, MUNICIPALITIES, NO_CODE_FORMS
from bot.services.organisations import (
    DuplicateCode,
    code_taken,
    form_values,
    submit_organisation,
)
from handlers.org_review import post_review_card
from handlers.menu import back_to_menu, show_menu
from handlers.org_card import FIELD_LABELS, organisation_summary, status_line
from storage.models_orgs import APPROVED
from storage.repos.organisations import OrganisationRepo

FLOW = "register"
REVIEW = "review"
STEPS = ("name_ka", "name_en", "legal_form", "id_code", "municipality", "areas", "contact_name",
         "phone", "email", "website", "description", "consent_store", "consent_public")
OPTIONAL = ("name_en", "website")  # a Skip button stores None

Parser = Callable[[str], Any]
TEXT_STEPS: dict[str, Parser] = {
    "name_ka": check.parse_name,
    "name_en": check.parse_name,
    "id_code": check.parse_id_code,
    "contact_name": lambda text: check.parse_name(text, check.MAX_CONTACT),
    "phone": check.parse_phone,
    "email": check.parse_email,
    "website": check.parse_website,
    "description": check.parse_description,
}
QUESTIONS: dict[str, str] = {
    "name_ka": N_("What is the organisation's name in Georgian?"),
    "name_en": N_("And its name in English? If it has none, press Skip."),
    "legal_form": N_("What is its legal form?"),
    "id_code": N_("What is its identification code (9 digits)?"),
    "municipality": N_("In which municipality is it based?"),
    "areas": N_("What are its areas of work? Choose all that apply, then press Done."),
    "contact_name": N_("Who is the contact person? Please write their first and last name."),
    "phone": N_("The contact phone number? Type it, or press the button below to share the "
                "number of this Telegram account."),
    "email": N_("The contact e-mail address?"),
    "website": N_("A website or Facebook page? If there is none, press Skip."),
    "description": N_("Describe the organisation's work in a few sentences (at most 500 "
                      "characters)."),
    "consent_store": N_("May the hub store these details to register the organisation and to "
                        "contact it about the hub's work? You can ask us to delete them at any "
                        "time."),
    "consent_public": N_("May we list the organisation publicly, in the bot's directory and in "
                         "the printed booklet (name, legal form, municipality, areas of work, "
                         "description, phone, e-mail, website)?"),
}


def _answered(step: str, data: dict[str, Any]) -> bool:
    if step not in data:
        return False
    if step == "id_code":  # "none" only stands while the legal form allows it
        return bool(data["id_code"]) or data.get("legal_form") in NO_CODE_FORMS
    if step == "areas":
        return bool(data["areas"]) and not data.get("choosing_areas")
    return True


def next_step(data: dict[str, Any]) -> str:
    """The first unanswered step, or the review screen."""
    return next((step for step in STEPS if not _answered(step, data)), REVIEW)


# ----------------------------------------------------------------------------- asking

def _choice(label: str, step: str, value: str) -> Button:
    return Button(label=label, payload=f"reg:v:{step}:{value}")


def _cancel_row(turn: Turn) -> list[Button]:
    return [Button(label=turn._(N_("✖️ Cancel")), short=turn._(N_("Cancel")), payload="reg:x")]


def ask(turn: Turn, step: str, data: dict[str, Any], prefix: str = "") -> None:
    """Send the question of `step`, with its buttons."""
    _ = turn._
    if step == REVIEW:
        _review(turn, data, prefix)
        return
    text = (prefix + "\n\n" if prefix else "") + _(QUESTIONS[step])
    rows: list[list[Button]] = []
    if step in OPTIONAL:
        rows.append([_choice(_(N_("Skip")), step, "-")])
    elif step == "legal_form":
        rows = [[_choice(_(label), step, key)] for key, label in LEGAL_FORMS.items()]
    elif step == "id_code" and data.get("legal_form") in NO_CODE_FORMS:
        text += "\n" + _(N_("An informal group may have none."))
        rows.append([_choice(_(N_("We have none")), step, "-")])
    elif step == "municipality":
        buttons = [_choice(_(label), step, key) for key, label in MUNICIPALITIES.items()]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    elif step == "areas":
        chosen = set(data.get("areas") or [])
        buttons = [Button(label=("✅ " if key in chosen else "") + _(label), payload=f"reg:t:{key}")
                   for key, label in AREAS.items()]
        rows = [[b] for b in buttons[:4]] + [buttons[i:i + 2] for i in range(4, len(buttons), 2)]
        rows.append([Button(label=_(N_("Done ➡️")), short=_(N_("Done")), payload="reg:d")])
    elif step == "phone":
        # A share-contact request becomes a reply keyboard: no other buttons may go with it.
        turn.say(text, [[Button(label=_(N_("📱 Share my number")), request_phone=True)]])
        return
    elif step in ("consent_store", "consent_public"):
        rows = [[_choice(_(N_("Yes, I agree")), step, "y"), _choice(_(N_("No")), step, "n")]]
    if step not in ("areas",):
        rows.append(_cancel_row(turn))
    turn.say(text, rows)


def _review(turn: Turn, data: dict[str, Any], prefix: str) -> None:
    _ = turn._
    text = (prefix + "\n\n" if prefix else "") + _(N_("Please check the details:")) + "\n\n"
    text += organisation_summary(data, _) + "\n\n"
    text += _(N_("Is everything right? Press a field to change it, or send for review."))
    buttons = [Button(label="✏️ " + _(label), short=_(label), payload=f"reg:e:{name}")
               for name, label in FIELD_LABELS.items()]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Button(label=_(N_("✅ Send for review")), short=_(N_("Send")),
                        payload="reg:ok")])
    rows.append(_cancel_row(turn))
    turn.say(text, rows)


async def _move_on(turn: Turn, data: dict[str, Any], prefix: str = "") -> None:
    step = next_step(data)
    await turn.goto(FLOW, step, data)
    ask(turn, step, data, prefix)


# ----------------------------------------------------------------------------- answers

async def on_message(turn: Turn) -> None:
    """A message while the form is open: the answer to the current step."""
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    _ = turn._
    text = (turn.event.text or "").strip()
    if step == "phone" and not text:
        shared = [a.phone for a in turn.event.attachments if a.kind == "contact" and a.phone]
        text = shared[0] if shared else ""
    if step not in TEXT_STEPS:
        ask(turn, step, data, _(N_("Please choose one of the buttons below.")))
        return
    if not text:
        ask(turn, step, data, _(N_("I can only use text here: stickers, photos and files "
                                   "cannot be read as an answer.")))
        return
    try:
        value = TEXT_STEPS[step](text)
    except check.InvalidValue as bad:
        ask(turn, step, data, _(bad.message).format(**bad.params))
        return
    if step == "id_code" and await code_taken(turn.uow, value, except_id=data.get("org_id")):
        _duplicate_code(turn, value)
        return
    data[step] = value
    if step == "phone":
        turn.say(f"📱 {value}", remove_keyboard=True)  # hide the share-my-number keyboard
    await _move_on(turn, data)


def _duplicate_code(turn: Turn, code: str) -> None:
    _ = turn._
    text = _(N_("An organisation with the identification code {code} is already registered. "
                "If it is yours, the hub's staff can help: {how}\n\nIf you mistyped the code, "
                "send it again.")).format(code=code, how=staff_contacts(turn))
    turn.say(text, [[Button(label=_(N_("🙋 Talk to a person")), short=_(N_("Talk to a person")),
                            payload="faq:person")], _cancel_row(turn)])


def staff_contacts(turn: Turn) -> str:
    """How to reach the hub's staff: the hotline when it exists, configured contacts, the office."""
    _ = turn._
    settings = turn.services.settings
    ways = []
    if turn.services.router.has_command("ask"):
        ways.append(_(N_("write to them with /ask")))
    if settings.hub_phone:
        ways.append(_(N_("call {phone}")).format(phone=settings.hub_phone))
    if settings.hub_email:
        ways.append(_(N_("e-mail {email}")).format(email=settings.hub_email))
    ways.append(_(N_("or visit the hub's office in Kutaisi, 111 Tsereteli St.")))
    return ", ".join(ways)


async def pressed(turn: Turn, rest: str) -> None:
    """Buttons under `reg:` — start, choices, area toggles, edits, submit, cancel."""
    kind, _sep, value = rest.partition(":")
    if kind == "go":
        await register_command(turn)
        return
    if kind == "edit":
        await _edit_existing(turn)
        return
    if not turn.in_flow(FLOW):
        await turn.stale_button()
        return
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    if kind == "x":
        await turn.finish()
        show_menu(turn, turn._(N_("Cancelled. Nothing was saved.")))
    elif kind == "v":
        await _chosen(turn, step, data, *value.partition(":")[::2])
    elif kind == "t" and step == "areas" and value in AREAS:
        chosen = list(data.get("areas") or [])
        data["areas"] = [a for a in chosen if a != value] if value in chosen else chosen + [value]
        data["choosing_areas"] = True
        await turn.goto(FLOW, step, data)
        ask(turn, step, data)
    elif kind == "d" and step == "areas":
        if not data.get("areas"):
            ask(turn, step, data, turn._(N_("Please choose at least one area of work.")))
            return
        data.pop("choosing_areas", None)
        await _move_on(turn, data)
    elif kind == "e" and step == REVIEW and value in FIELD_LABELS:
        await turn.goto(FLOW, value, data)
        ask(turn, value, data)
    elif kind == "ok" and step == REVIEW:
        await _submit(turn, data)
    else:  # a button of an earlier question
        ask(turn, step, data, turn._(N_("That button belongs to an earlier question. "
                                        "Let's continue here:")))


async def _chosen(turn: Turn, step: str, data: dict[str, Any], button_step: str,
                  value: str) -> None:
    valid = {
        "legal_form": value in LEGAL_FORMS,
        "municipality": value in MUNICIPALITIES,
        "id_code": value == "-" and data.get("legal_form") in NO_CODE_FORMS,
        "consent_store": value in ("y", "n"),
        "consent_public": value in ("y", "n"),
    }
    if button_step != step or not (valid.get(step) or (step in OPTIONAL and value == "-")):
        ask(turn, step, data, turn._(N_("That button belongs to an earlier question. "
                                        "Let's continue here:")))
        return
    if step == "consent_store" and value == "n":
        await turn.finish()
        show_menu(turn, turn._(N_("Without this consent we cannot register the organisation. "
                                  "Nothing was saved.")))
        return
    if step in ("consent_store", "consent_public"):
        data[step] = value == "y"
    else:
        data[step] = None if value == "-" else value
    await _move_on(turn, data)


async def _submit(turn: Turn, data: dict[str, Any]) -> None:
    _ = turn._
    if next_step(data) != REVIEW:  # cannot happen through the buttons; be safe anyway
        await _move_on(turn, data)
        return
    assert turn.person.id is not None
    try:
        organisation = await submit_organisation(
            turn.uow, person_id=turn.person.id, values=data, organisation_id=data.get("org_id"))
    except DuplicateCode:
        await turn.goto(FLOW, "id_code", data)
        _duplicate_code(turn, data["id_code"])
        return
    except LookupError:
        await turn.finish()
        await turn.stale_button()
        return
    await turn.finish()
    post_review_card(turn, organisation)
    turn.say(_(N_("Thank you! {name} was sent to the hub's staff for review. We will tell you "
                  "here when they have looked at it. You can see or change the details with "
                  "/myorg.")).format(name=organisation.name_ka), [back_to_menu(turn)])


# ----------------------------------------------------------------------------- commands

async def register_command(turn: Turn) -> None:
    """/register: start the form, continue it, or point to the organisation already registered."""
    if turn.in_flow(FLOW):
        assert turn.conversation is not None
        ask(turn, turn.conversation.step, dict(turn.conversation.data),
            turn._(N_("Let's continue where you stopped:")))
        return
    assert turn.person.id is not None
    existing = await turn.uow.repo(OrganisationRepo).for_person(turn.person.id)
    if existing is not None:
        await myorg(turn)
        return
    await turn.finish()
    intro = turn._(N_("Let's register your organisation in the hub's directory. It takes about "
                      "two minutes; you can stop with /cancel at any time."))
    await _move_on(turn, {}, intro)


async def myorg(turn: Turn) -> None:
    """/myorg: the person's organisation, its status, and a button to change it."""
    await turn.finish()
    _ = turn._
    assert turn.person.id is not None
    organisation = await turn.uow.repo(OrganisationRepo).for_person(turn.person.id)
    if organisation is None:
        turn.say(_(N_("You have not registered an organisation yet.")),
                 [[Button(label=_(N_("🏢 Register an organisation")), short=_(N_("Register")),
                          payload="reg:go")], back_to_menu(turn)])
        return
    text = organisation_summary(form_values(organisation), _) + "\n\n" + status_line(
        organisation, _)
    turn.say(text, [[Button(label=_(N_("✏️ Change the details")), short=_(N_("Change")),
                            payload="reg:edit")], back_to_menu(turn)])


async def _edit_existing(turn: Turn) -> None:
    assert turn.person.id is not None
    organisation = await turn.uow.repo(OrganisationRepo).for_person(turn.person.id)
    if organisation is None:
        await turn.stale_button()
        return
    data = form_values(organisation) | {"org_id": organisation.id}
    note = ""
    if organisation.status == APPROVED:
        note = turn._(N_("Changes go to the hub's staff for review again before the directory "
                         "shows them."))
    await turn.goto(FLOW, REVIEW, data)
    ask(turn, REVIEW, data, note)


def register(router: Router) -> None:
    """Wire organisation registration into the router."""
    router.command("register", register_command, N_("register your organisation"))
    router.command("myorg", myorg, N_("your organisation's details and status"))
    router.button("reg", pressed)
    router.flow(FLOW, on_message)
    router.menu(50, N_("🏢 Register an organisation"), N_("Register"), "reg:go")
