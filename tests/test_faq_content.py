"""The FAQ content file: the hub page's 26 topics and working hours, both languages, facts from
settings only."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import build_faq
from bot.faq.content import load_faq, load_offtopic
from bot.faq.render import fill
from bot.settings import DEFAULT_CONTENT_DIR, load_settings
from handlers import build_router

HUB_MD_IDS = {
    "hub_about", "hub_operator", "strategic_priorities", "funding_partners", "membership",
    "consultation", "legal_hotline", "project_writing", "financial_management",
    "public_communication", "forums", "events", "trainings", "directory_booklet",
    "register_organization", "office_location", "contact", "national_events", "local_government",
    "accountability_transparency", "financial_sustainability", "subscriptions", "privacy",
    "response_time", "municipalities", "students",
}


# Not on the hub page: filled from HUB_HOURS alone, left out when it is unset (issue #14).
SETTING_TOPICS = {"working_hours"}


def test_the_content_has_exactly_the_topics_of_the_hub_page() -> None:
    content = load_faq(DEFAULT_CONTENT_DIR / "faq.yaml")
    assert {t.id for t in content.topics} == HUB_MD_IDS | SETTING_TOPICS


def test_no_phone_email_or_hours_are_written_into_answers() -> None:
    text = (DEFAULT_CONTENT_DIR / "faq.yaml").read_text(encoding="utf-8")
    answers = text.split("topics:", 1)[1]
    assert not re.search(r"\+995|\b5\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}\b", answers)
    assert not re.search(r"[\w.]+@[\w-]+\.\w+", answers)


def test_unset_placeholders_drop_their_line() -> None:
    text = "Visit us.\nPhone: {hub_phone}\nMail: {hub_email}"
    assert fill(text, {"hub_phone": None, "hub_email": "hub@example.org"}) == (
        "Visit us.\nMail: hub@example.org")


def test_configured_phone_appears_in_the_contact_answer(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    router = build_router()
    without = build_faq(load_settings(_env_file=None), router)
    with_phone = build_faq(load_settings(_env_file=None, hub_phone="+995 431 00 00 00"), router)
    topic = without.topic("contact")
    assert topic is not None
    assert "+995 431 00 00 00" not in without.answer(topic, "en")
    assert "+995 431 00 00 00" in with_phone.answer(topic, "en")
    assert "+995 431 00 00 00" in with_phone.answer(topic, "ka")


def test_answers_mention_only_commands_that_exist() -> None:
    faq = build_faq(load_settings(_env_file=None), build_router())
    for topic in faq.content.topics:
        for language in ("ka", "en"):
            answer = faq.answer(topic, language)
            assert "{" not in answer
            for command in re.findall(r"/([a-z_]+)", answer):
                assert faq.has_command(command), (topic.id, command)


def test_the_evaluation_set_does_not_repeat_content_phrasings() -> None:
    from bot.faq.normalize import clean

    content = load_faq(DEFAULT_CONTENT_DIR / "faq.yaml")
    known = {clean(q) for t in content.topics for qs in t.questions.values() for q in qs}
    known |= {clean(q) for q in load_offtopic(DEFAULT_CONTENT_DIR / "faq_offtopic.yaml")}
    rows = [row for path in sorted((Path(__file__).parent / "faq_eval").glob("*.tsv"))
            for row in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(rows) > 250  # both sets: short questions and chatty messages
    repeated = [row for row in rows if clean(row.split("\t")[2]) in known]
    assert not repeated, "evaluation questions must not be copies of the content file"
