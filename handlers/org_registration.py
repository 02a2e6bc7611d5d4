"""/register and /myorg: the organisation form (on the form engine), its review, changes later."""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import (
    CHOICE,
    EMAIL,
    MULTI,
    PHONE,
    REVIEW,
    TEXT,
    YESNO,
    Option,
    Step,
)
from bot.core.forms import Form
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
from handlers.faq import person_button
from handlers.menu import back_to_menu, show_menu
from handlers.org_card import FIELD_LABELS, organisation_summary, status_line
from handlers.org_review import post_review_card
from storage.models_orgs import APPROVED
from storage.repos.organisations import OrganisationRepo

FLOW = "register"
REVIEW_STEP = "review"  # the review step's name


def _options(labels: dict[str, str]) -> list[Option]:
    return [Option(key, label) for key, label in labels.items()]


def _may_have_no_code(data: dict[str, Any]) -> bool:
    return data.get("legal_form") in NO_CODE_FORMS


def _code_answered(data: dict[str, Any]) -> bool:
    """A code stands; "none" only stands while the legal form allows it."""
    return bool(data.get("id_code")) or ("id_code" in data and _may_have_no_code(data))


def _ask_code(turn: Turn, data: dict[str, Any]) -> str:
    text = turn._(N_("What is its identification code (9 digits)?"))
    if _may_have_no_code(data):
        text += "\n" + turn._(N_("An informal group may have none."))
    return text


async def _code_free(turn: Turn, data: dict[str, Any], code: str) -> bool:
    if await code_taken(turn.uow, code, except_id=data.get("org_id")):
        _duplicate_code(turn, code)
        return False
    return True


async def _no_consent(turn: Turn, _data: dict[str, Any]) -> None:
    await FORM.discard(turn)
    show_menu(turn, turn._(N_("Without this consent we cannot register the organisation. "
                              "Nothing was saved.")))


def _review_text(turn: Turn, data: dict[str, Any]) -> str:
    _ = turn._
    return (_(N_("Please check the details:")) + "\n\n" + organisation_summary(data, _) + "\n\n"
            + _(N_("Is everything right? Press a field to change it, or send for review.")))


STEPS = (
    Step("name_ka", TEXT, N_("What is the organisation's name in Georgian?"),
         parse=check.parse_name),
    Step("name_en", TEXT, N_("And its name in English? If it has none, press Skip."),
         parse=check.parse_name, optional=True),
    Step("legal_form", CHOICE, N_("What is its legal form?"), options=_options(LEGAL_FORMS)),
    Step("id_code", TEXT, _ask_code, parse=check.parse_id_code, optional=_may_have_no_code,
         skip_label=N_("We have none"), answered=_code_answered, check=_code_free),
    Step("municipality", CHOICE, N_("In which municipality is it based?"),
         options=_options(MUNICIPALITIES), columns=2),
    Step("areas", MULTI, N_("What are its areas of work? Choose all that apply, then press "
                            "Done."), options=_options(AREAS), columns=2,
         done_label=N_("Done ➡️"), too_few=N_("Please choose at least one area of work.")),
    Step("contact_name", TEXT, N_("Who is the contact person? Please write their first and "
                                  "last name."),
         parse=lambda text: check.parse_name(text, check.MAX_CONTACT)),
    Step("phone", PHONE, N_("The contact phone number? Type it, or press the button below "
                            "to share the number of this Telegram account."),
         parse=check.parse_phone),
    Step("email", EMAIL, N_("The contact e-mail address?"), parse=check.parse_email),
    Step("website", TEXT, N_("A website or Facebook page? If there is none, press Skip."),
         parse=check.parse_website, optional=True),
    Step("description", TEXT, N_("Describe the organisation's work in a few sentences (at "
                                 "most 500 characters)."), parse=check.parse_description),
    Step("consent_store", YESNO, N_(
        "May the hub store these details to register the organisation and to contact it about "
        "the hub's work? You can ask us to delete them at any time."),
        yes_label=N_("Yes, I agree"), on_no=_no_consent),
    Step("consent_public", YESNO, N_(
        "May we list the organisation publicly, in the bot's directory and in the printed "
        "booklet (name, legal form, municipality, areas of work, description, phone, e-mail, "
        "website)?"), yes_label=N_("Yes, I agree")),
    Step(REVIEW_STEP, REVIEW, "", summary=_review_text, edits=FIELD_LABELS,
         submit_label=N_("✅ Send for review"), submit_short=N_("Send")),
)


def _duplicate_code(turn: Turn, code: str) -> None:
    _ = turn._
    text = _(N_("An organisation with the identification code {code} is already registered. "
                "If it is yours, the hub's staff can help: {how}\n\nIf you mistyped the code, "
                "send it again.")).format(code=code, how=staff_contacts(turn))
    turn.say(text, [[person_button(turn)],
                    [Button(label=_(N_("✖️ Cancel")), short=_(N_("Cancel")), payload="reg:x")]])


def staff_contacts(turn: Turn) -> str:
    """How to reach the hub's staff: the hotline when it exists, configured contacts, the office."""
    _ = turn._
    settings = turn.services.settings
    ways = []
    if turn.features.has_command("ask"):
        ways.append(_(N_("write to them with /ask")))
    if settings.hub_phone:
        ways.append(_(N_("call {phone}")).format(phone=settings.hub_phone))
    if settings.hub_email:
        ways.append(_(N_("e-mail {email}")).format(email=settings.hub_email))
    ways.append(_(N_("or visit the hub's office in Kutaisi, 111 Tsereteli St.")))
    return ", ".join(ways)


async def pressed(turn: Turn, rest: str) -> None:
    """Buttons under `reg:` — start, change an existing organisation, and the form's own."""
    kind = rest.partition(":")[0]
    if kind == "go":
        await register_command(turn)
    elif kind == "edit":
        await _edit_existing(turn)
    elif not await FORM.press(turn, rest):
        await turn.stale_button()


async def _submit(turn: Turn, data: dict[str, Any]) -> None:
    _ = turn._
    assert turn.person.id is not None
    try:
        organisation = await submit_organisation(
            turn.uow, person_id=turn.person.id, values=data, organisation_id=data.get("org_id"))
    except DuplicateCode:
        code = str(data.pop("id_code", ""))
        data.pop(REVIEW_STEP, None)
        await turn.goto(FLOW, "id_code", data)
        _duplicate_code(turn, code)
        return
    except LookupError:
        await FORM.discard(turn)
        await turn.stale_button()
        return
    await FORM.discard(turn)
    post_review_card(turn, organisation)
    turn.say(_(N_("Thank you! {name} was sent to the hub's staff for review. We will tell you "
                  "here when they have looked at it. You can see or change the details with "
                  "/myorg.")).format(name=organisation.name_ka), [back_to_menu(turn)])


FORM = Form(FLOW, "reg", STEPS, on_complete=_submit, command="register",
            paused=N_("Your registration is saved as a draft; send /register to continue."),
            cancelled=N_("Cancelled. Your registration is kept as a draft; send /register to "
                         "continue."),
            draft_offer=N_("You started registering an organisation earlier. Continue where you "
                           "stopped?"))


# ----------------------------------------------------------------------------- commands

async def register_command(turn: Turn) -> None:
    """/register: start the form, continue it, or point to the organisation already registered."""
    if turn.in_flow(FLOW):
        await FORM.resume(turn, turn._(N_("Let's continue where you stopped:")))
        return
    if FORM.has_draft(turn):
        await FORM.start(turn)
        return
    assert turn.person.id is not None
    existing = await turn.uow.repo(OrganisationRepo).for_person(turn.person.id)
    if existing is not None:
        await myorg(turn)
        return
    await turn.finish()
    intro = turn._(N_("Let's register your organisation in the hub's directory. It takes about "
                      "two minutes; you can stop with /cancel at any time."))
    await FORM.start(turn, {}, intro)


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
    await FORM.open_at(turn, REVIEW_STEP, data, note)


def register(router: Router) -> None:
    """Wire organisation registration into the router."""
    router.command("register", register_command, N_("register your organisation"))
    router.command("myorg", myorg, N_("your organisation's details and status"))
    router.button("reg", pressed)
    FORM.register(router, {"register": register_command})
    router.menu(50, N_("🏢 Register an organisation"), N_("Register"), "reg:go")
