"""Registering an organisation through the stand-in Bot API: bad input, restarts, review, /myorg."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models_orgs import APPROVED, PENDING, Organisation
from tests.telegram_harness import TelegramHarness, buttons, wait_for_text

USER = 5101
NAME = "ქუთაისის ახალგაზრდული ცენტრი"


async def _fill_to_code(telegram: TelegramHarness, user: int = USER,
                        form: str = "Non-commercial") -> dict:
    [ask_name] = await telegram.send(user, "/register")
    assert "name in Georgian" in ask_name["text"]
    [ask_en] = await telegram.send(user, NAME)
    [ask_form] = await telegram.press_label(user, ask_en, "Skip")
    [ask_code] = await telegram.press_label(user, ask_form, form)
    assert "9 digits" in ask_code["text"]
    return ask_code


async def _fill_after_code(telegram: TelegramHarness, ask_municipality: dict,
                           user: int = USER) -> dict:
    [ask_areas] = await telegram.press_label(user, ask_municipality, "Kutaisi")
    [toggled] = await telegram.press_label(user, ask_areas, "Youth")
    assert "✅ Youth" in buttons(toggled)
    [toggled] = await telegram.press_label(user, toggled, "SP1")
    [ask_contact] = await telegram.press_label(user, toggled, "Done")
    [ask_phone] = await telegram.send(user, "Nino Beridze")
    assert ask_phone["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    [_noted, ask_email] = await telegram.send(user, "555 12 34 56", expect=2)
    [ask_site] = await telegram.send(user, "info@example.ge")
    [ask_description] = await telegram.press_label(user, ask_site, "Skip")
    [ask_consent] = await telegram.send(user, "We help young people take part in local life.")
    [ask_public] = await telegram.press_label(user, ask_consent, "Yes")
    [review] = await telegram.press_label(user, ask_public, "Yes")
    return review


async def _organisations(telegram: TelegramHarness) -> list[Organisation]:
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        return list((await session.exec(select(Organisation).order_by(Organisation.id))).all())


async def test_bad_values_are_reasked_and_the_form_ends_pending(telegram: TelegramHarness) -> None:
    await _fill_to_code(telegram)
    [eight] = await telegram.send(USER, "12345678")
    assert "has 8" in eight["text"] and "9 digits" in eight["text"]
    [ten] = await telegram.send(USER, "1234567890")
    assert "has 10" in ten["text"]
    [letters] = await telegram.send(USER, "12345678a")
    assert "no letters" in letters["text"]
    [ask_municipality] = await telegram.send(USER, "204 567 891")
    assert "municipality" in ask_municipality["text"]
    [ask_areas] = await telegram.press_label(USER, ask_municipality, "Kutaisi")
    [toggled] = await telegram.press_label(USER, ask_areas, "Youth")
    [ask_contact] = await telegram.press_label(USER, toggled, "Done")
    [ask_phone] = await telegram.send(USER, "Nino Beridze")
    [letters] = await telegram.send(USER, "555 12ab 56")
    assert "only digits" in letters["text"]
    [short] = await telegram.send(USER, "555 12 34")
    assert "complete phone number" in short["text"]
    before = len(telegram.api.sent_messages(USER))
    telegram.api.push_contact(USER, "995555123456")
    [noted, ask_email] = (await telegram.api.wait_for_messages(USER, before + 2))[before:]
    assert noted["reply_markup"] == {"remove_keyboard": True}
    assert "e-mail" in ask_email["text"]
    [bad_email] = await telegram.send(USER, "name@")
    assert "not complete" in bad_email["text"]
    [ask_site] = await telegram.send(USER, "Info@Example.ge")
    [bad_site] = await telegram.send(USER, "not a site")
    assert "web address" in bad_site["text"]
    [ask_description] = await telegram.send(USER, "facebook.com/kutaisiyouth")
    [too_long] = await telegram.send(USER, "ა" * 2000)
    assert "2000 characters" in too_long["text"] and "500" in too_long["text"]
    [ask_consent] = await telegram.send(USER, "We help young people take part in local life.")
    [ask_public] = await telegram.press_label(USER, ask_consent, "Yes")
    [review] = await telegram.press_label(USER, ask_public, "Yes")
    assert "Identification code: 204567891" in review["text"]
    assert "+995 555 12 34 56" in review["text"]
    assert "https://facebook.com/kutaisiyouth" in review["text"]
    [done] = await telegram.press_label(USER, review, "✅ Send for review")
    assert "sent to the hub's staff" in done["text"]
    [organisation] = await _organisations(telegram)
    assert organisation.status == PENDING
    assert organisation.id_code == "204567891"
    assert organisation.phone == "+995555123456"
    assert organisation.email == "info@example.ge"
    assert organisation.areas == ["youth"]
    assert organisation.consent_public_at is not None


async def test_a_sticker_is_reasked_and_a_restart_continues_the_form(
        telegram: TelegramHarness) -> None:
    await telegram.send(USER, "/register")
    before = len(telegram.api.sent_messages(USER))
    telegram.api.push_sticker(USER)
    [reask] = (await telegram.api.wait_for_messages(USER, before + 1))[before:]
    assert "only use text" in reask["text"] and "name in Georgian" in reask["text"]
    [ask_en] = await telegram.send(USER, NAME)
    await telegram.restart()
    [ask_form] = await telegram.press_label(USER, ask_en, "Skip")
    assert "legal form" in ask_form["text"]
    [typed] = await telegram.send(USER, "an NGO")
    assert "choose one of the buttons" in typed["text"]
    await telegram.restart()
    [again] = await telegram.send(USER, "/register")
    assert "continue where you stopped" in again["text"] and "legal form" in again["text"]


async def test_informal_group_may_have_no_code_and_review_edits_a_field(
        telegram: TelegramHarness) -> None:
    ask_code = await _fill_to_code(telegram, form="Informal")
    [ask_municipality] = await telegram.press_label(USER, ask_code, "We have none")
    review = await _fill_after_code(telegram, ask_municipality)
    assert "none (informal group)" in review["text"]
    [ask_email] = await telegram.press_label(USER, review, "✏️ E-mail")
    [review] = await telegram.send(USER, "group@example.org")
    assert "E-mail: group@example.org" in review["text"]
    [ask_form] = await telegram.press_label(USER, review, "✏️ Legal form")
    [ask_code] = await telegram.press_label(USER, ask_form, "Foundation")  # needs a code now
    assert "We have none" not in buttons(ask_code)
    [review] = await telegram.send(USER, "204567891")
    await telegram.press_label(USER, review, "✅ Send for review")
    [organisation] = await _organisations(telegram)
    assert (organisation.legal_form, organisation.id_code) == ("foundation", "204567891")


async def test_the_same_code_cannot_be_registered_twice(telegram: TelegramHarness) -> None:
    await _fill_to_code(telegram)
    review = await _fill_after_code(telegram, (await telegram.send(USER, "204567891"))[0])
    await telegram.press_label(USER, review, "✅ Send for review")
    await _fill_to_code(telegram, user=USER + 1)
    [taken] = await telegram.send(USER + 1, "204567891")
    assert "already registered" in taken["text"] and "Tsereteli" in taken["text"]
    assert "📞 Contact the hub team" in buttons(taken)  # no staff chat here: no hotline
    assert len(await _organisations(telegram)) == 1


async def test_consent_refused_saves_nothing(telegram: TelegramHarness) -> None:
    await _fill_to_code(telegram)
    [ask_municipality] = await telegram.send(USER, "204567891")
    [ask_areas] = await telegram.press_label(USER, ask_municipality, "Kutaisi")
    [toggled] = await telegram.press_label(USER, ask_areas, "Youth")
    await telegram.press_label(USER, toggled, "Done")
    await telegram.send(USER, "Nino Beridze")
    await telegram.send(USER, "+995 555 12 34 56", expect=2)
    [ask_site] = await telegram.send(USER, "info@example.ge")
    [ask_description] = await telegram.press_label(USER, ask_site, "Skip")
    [ask_consent] = await telegram.send(USER, "We help young people.")
    [refused] = await telegram.press_label(USER, ask_consent, "No")
    assert "cannot register" in refused["text"]
    assert await _organisations(telegram) == []


async def test_myorg_edits_of_an_approved_organisation_go_back_to_review(
        telegram: TelegramHarness) -> None:
    await _fill_to_code(telegram)
    review = await _fill_after_code(telegram, (await telegram.send(USER, "204567891"))[0])
    await telegram.press_label(USER, review, "✅ Send for review")
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        organisation = (await session.exec(select(Organisation))).one()
        organisation.status = APPROVED
        session.add(organisation)
        await session.commit()
    [card] = await telegram.send(USER, "/myorg")
    assert "Status: approved" in card["text"]
    [review] = await telegram.press_label(USER, card, "✏️ Change the details")
    assert "review again" in review["text"]
    [ask_description] = await telegram.press_label(USER, review, "✏️ Description")
    [review] = await telegram.send(USER, "Youth work and local democracy in Kutaisi.")
    [done] = await telegram.press_label(USER, review, "✅ Send for review")
    assert "sent to the hub's staff" in done["text"]
    [organisation] = await _organisations(telegram)
    assert organisation.status == PENDING
    assert organisation.description == "Youth work and local democracy in Kutaisi."
    [card] = await telegram.send(USER, "/register")  # already registered: shows it
    assert "waiting for the hub's staff" in card["text"]


async def test_old_form_buttons_are_harmless(telegram: TelegramHarness) -> None:
    [stale] = await telegram.press(USER, "reg:v:legal_form:nnle", message_id=1)
    assert "no longer active" in stale["text"]
    ask_code = await _fill_to_code(telegram)
    [earlier] = await telegram.press(USER, "reg:v:legal_form:foundation",
                                     message_id=ask_code["message_id"])
    assert "earlier question" in earlier["text"] and "9 digits" in earlier["text"]


async def test_the_whole_form_can_be_typed_and_the_export_lists_it(
        telegram: TelegramHarness, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_orgs_export import hubbot

    await telegram.send(USER, "/register", language_code="ka")
    await telegram.send(USER, NAME)
    [ask_form] = await telegram.send(USER, "გამოტოვება")  # Skip, typed in Georgian
    assert "legal" in ask_form["text"] or "ფორმა" in ask_form["text"]
    [ask_code] = await telegram.send(USER, "Non-commercial legal entity")  # the English label
    [ask_municipality] = await telegram.send(USER, "204567891")
    [ask_areas] = await telegram.send(USER, "qutaisi")  # translit
    [toggled] = await telegram.send(USER, "ახალგაზრდობა, 1")  # a label and a number
    assert sum(label.startswith("✅") for label in buttons(toggled)) == 2
    [ask_contact] = await telegram.send(USER, "მზადაა")  # Done
    await telegram.send(USER, "ნინო ბერიძე")
    await telegram.send(USER, "555 12 34 56", expect=2)
    [ask_site] = await telegram.send(USER, "info@example.ge")
    [ask_description] = await telegram.send(USER, "skip")
    [ask_consent] = await telegram.send(USER, "ახალგაზრდების ჩართულობა ადგილობრივ ცხოვრებაში.")
    [ask_public] = await telegram.send(USER, "კი")
    [review] = await telegram.send(USER, "ki")
    [done] = await telegram.send(USER, "გაგზავნა")
    assert NAME in done["text"]
    [organisation] = await _organisations(telegram)
    assert organisation.status == PENDING
    assert (organisation.legal_form, organisation.municipality) == ("nnle", "kutaisi")
    assert set(organisation.areas) == {"youth", "sp1"}
    assert organisation.website is None and organisation.consent_public_at is not None
    code, out, err = await hubbot(["orgs", "export", "--format", "csv"],
                                  telegram.settings.database_url, tmp_path)
    assert code == 0, err
    assert NAME in out and "204567891" in out and PENDING in out


async def test_a_near_miss_is_offered(telegram: TelegramHarness) -> None:
    await _fill_to_code(telegram)
    await telegram.send(USER, "204567891")
    [offer] = await telegram.send(USER, "Kutaiso")
    assert "Did you mean “Kutaisi”?" in offer["text"]
    [ask_areas] = await telegram.send(USER, "yes")
    assert "areas of work" in ask_areas["text"]


@pytest.mark.parametrize("command", ["/help", "/language", "/subscribe", "/events"])
async def test_a_command_mid_form_leaves_it_and_the_next_question_gets_its_answer(
        telegram: TelegramHarness, command: str) -> None:
    await telegram.send(USER, "/register")
    [ask_en] = await telegram.send(USER, NAME)
    assert "name in English" in ask_en["text"]
    telegram.api.push_text(USER, command)
    telegram.api.push_text(USER, "Where is your office?")  # one chat's updates run in order
    note = await wait_for_text(telegram.api, USER, "saved as a draft")
    assert "/register" in note["text"]
    await wait_for_text(telegram.api, USER, "Tsereteli")
    assert await _organisations(telegram) == []
    [offer] = await telegram.send(USER, "/register")
    [continued] = await telegram.press_label(USER, offer, "▶️ Continue")
    assert "name in English" in continued["text"]
