"""The FAQ content in the database: seeded from the files, edited through the editor service,
versioned and revertible, followed by every running bot within seconds, exported and imported."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.app import HubApp, create_app
from bot.core.messages import Incoming
from bot.i18n import translator
from bot.services.faq_editor import FaqEditError, FaqEditor
from bot.settings import Settings, load_settings
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, text_of

ROOT = Path(__file__).resolve().parent.parent
HUBBOT = [sys.executable, "-m", "bot.cli"]
NEW_QUESTION = "where can i leave my kayak while i visit"
OFFICE = "111 Tsereteli"
_keys = itertools.count(1)


@pytest.fixture
async def second(settings: Settings) -> AsyncIterator[HubApp]:
    """Another process on the same database (the console's, say), making the changes."""
    hub = await create_app(settings, migrate=False)
    yield hub
    await hub.close()


async def ask(hub: HubApp, text: str, language: str = "en") -> str:
    replies = await hub.core.handle(Incoming(
        channel="telegram", user_id="777", chat_id="777", event_key=f"fs-{next(_keys)}",
        text=text, language_hint=language))
    return "\n".join(r.text for r in replies)


async def test_the_first_start_seeds_the_content_once(hub: HubApp, second: HubApp) -> None:
    editor = FaqEditor(hub.database)
    content = await editor.document()
    assert len(content["topics"]) == 27  # the hub page's 26 and the working hours
    assert "received" in content["canned"] and content["offtopic"]["en"]
    history = await editor.history()
    assert [(h.who, h.action) for h in history] == [("content files", "seed")]  # not twice
    assert OFFICE in await ask(hub, "Where is your office?")


async def test_the_content_from_the_database_answers_exactly_as_the_files_did(
        hub: HubApp) -> None:
    from bot.app import build_faq  # the matcher straight from content/*.yaml

    files = build_faq(hub.settings, hub.router)
    questions = eval_questions().splitlines()
    assert [hub.services.faq.match(q).as_json() for q in questions] == \
        [files.match(q).as_json() for q in questions]


async def test_a_phrasing_added_in_one_process_is_answered_by_a_running_bot_within_5_seconds(
        telegram: TelegramHarness, telegram_api: FakeTelegramAPI, second: HubApp) -> None:
    assert telegram.hub is not None
    telegram.hub.watch_content()  # as `hubbot run` does
    user = 4141
    assert OFFICE not in text_of(await telegram.send(user, NEW_QUESTION))

    edit = await FaqEditor(second.database).add_phrasing(
        "office_location", "en", NEW_QUESTION, "Tamar")
    assert edit.changed
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while OFFICE not in text_of(await telegram.send(user, NEW_QUESTION)):
        assert loop.time() < deadline, "the running bot did not answer with the new content"
        await asyncio.sleep(0.5)
    history = await FaqEditor(second.database).history()
    assert (history[0].who, history[0].action) == ("Tamar", "add_phrasing")


async def test_an_import_by_another_process_is_answered_by_a_running_bot_within_5_seconds(
        telegram: TelegramHarness, settings: Settings, tmp_path: Path) -> None:
    """Real processes: `hubbot faq export` / `import --yes` on the bot's own database."""
    assert telegram.hub is not None
    telegram.hub.watch_content()
    user = 4242
    assert OFFICE not in text_of(await telegram.send(user, NEW_QUESTION))
    exported = tmp_path / "faq.yaml"
    # in a thread: the bot's event loop (in this process) keeps running meanwhile
    exporting = await asyncio.to_thread(
        hubbot, ["faq", "export", "-o", str(exported)], url=settings.database_url)
    assert exporting.returncode == 0, exporting.stderr
    content = yaml.safe_load(exported.read_text(encoding="utf-8"))
    office = next(t for t in content["topics"] if t["id"] == "office_location")
    office["questions"]["en"].append(NEW_QUESTION)
    exported.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")

    imported = await asyncio.to_thread(
        hubbot, ["faq", "import", str(exported), "--yes"], url=settings.database_url)
    assert imported.returncode == 0, imported.stderr
    assert "topics changed (1): office_location" in imported.stdout
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while OFFICE not in text_of(await telegram.send(user, NEW_QUESTION)):
        assert loop.time() < deadline, "the running bot did not answer with the imported content"
        await asyncio.sleep(0.5)


async def test_an_answer_change_is_reverted_and_the_history_keeps_both(hub: HubApp) -> None:
    editor = FaqEditor(hub.database)
    old = await ask(hub, "Where is your office?")
    changed = await editor.update_answer(
        "office_location", "en", "We moved: Kutaisi, 5 Rustaveli Ave.", "Nino")
    assert changed.changed
    assert (await editor.update_answer("office_location", "en",
                                       "We moved: Kutaisi, 5 Rustaveli Ave.", "Nino")).version \
        is None  # the same edit again changes nothing
    await hub.content_watch.check()  # type: ignore[union-attr]
    assert "5 Rustaveli" in await ask(hub, "Where is your office?")

    assert changed.version is not None
    revert = await editor.revert(changed.version, "Tamar")
    assert revert.changed
    await hub.content_watch.check()  # type: ignore[union-attr]
    assert await ask(hub, "Where is your office?") == old
    assert not (await editor.revert(changed.version, "Tamar")).changed  # nothing left to undo
    entry = (await editor.history())[0]
    assert (entry.who, entry.action, entry.reverts) == ("Tamar", "revert", changed.version)
    assert "5 Rustaveli" in entry.before["answer"]["en"]
    assert "5 Rustaveli" not in entry.after["answer"]["en"]


async def test_a_new_topic_is_answered_and_a_removed_one_comes_back_by_revert(
        hub: HubApp) -> None:
    editor = FaqEditor(hub.database)
    office = await ask(hub, "Where is your office?")
    await editor.create_topic(
        "parking", "contact", {"ka": "პარკინგი", "en": "Where can I park a bicycle?"},
        {"ka": "ოფისთან შეგიძლიათ ველოსიპედის დატოვება.", "en": "You can leave a bicycle "
         "at the office."}, "Nino",
        questions={"en": ["where can i park my bicycle"], "ka": ["სად დავტოვო ველოსიპედი"],
                   "translit": ["sad davtovo velosipedi"]})
    await hub.content_watch.check()  # type: ignore[union-attr]
    created = await editor.topic("parking")
    assert created is not None and created["short"]["en"] == "Where can I park a"  # ≤ 20
    assert "leave a bicycle" in await ask(hub, "where can I park my bicycle?")
    assert "ველოსიპედის" in await ask(hub, "სად დავტოვო ველოსიპედი?", "ka")

    removed = await editor.delete_topic("office_location", "Nino")
    await hub.content_watch.check()  # type: ignore[union-attr]
    assert await ask(hub, "Where is your office?") != office
    assert removed.version is not None
    await editor.revert(removed.version, "Nino")
    await hub.content_watch.check()  # type: ignore[union-attr]
    assert await ask(hub, "Where is your office?") == office


async def test_changes_that_would_break_the_content_are_refused(hub: HubApp) -> None:
    editor = FaqEditor(hub.database)
    before = await editor.document()
    with pytest.raises(FaqEditError, match="in both"):  # another topic's phrasing
        await editor.add_phrasing("contact", "en", before["topics"][0]["questions"]["en"][0], "N")
    with pytest.raises(FaqEditError, match="placeholder"):
        await editor.update_answer("contact", "en", "Call {hub_fax}", "N")
    with pytest.raises(FaqEditError, match="also a question"):
        await editor.mark_offtopic("where is your office", "en", "N")
    with pytest.raises(FaqEditError, match="no topic"):
        await editor.add_phrasing("no_such_topic", "en", "anything", "N")
    with pytest.raises(FaqEditError, match="exists already"):
        await editor.create_topic("contact", "contact", {"ka": "ა", "en": "a"},
                                  {"ka": "ა", "en": "a"}, "N")
    assert await editor.document() == before
    assert len(await editor.history()) == 1  # only the seed


async def test_a_refusal_is_said_in_georgian_for_the_console_and_in_english_for_the_cli(
        hub: HubApp) -> None:
    editor = FaqEditor(hub.database)
    with pytest.raises(FaqEditError) as refused:
        await editor.update_answer("contact", "en", "Call {hub_fax}" + " now" * 900, "N")
    english = str(refused.value)
    assert english == ("topic 'contact' answer (en): 3614 characters, limit 3500; topic "
                       "'contact' answer (en): unknown placeholder(s) {hub_fax}")
    georgian = refused.value.said(translator("ka"))
    assert georgian == ("თემის 'contact' პასუხი (en): 3614 სიმბოლოა, დასაშვებია 3500; თემის "
                        "'contact' პასუხი (en): უცნობი ჩანაცვლებადი ველები {hub_fax}")
    with pytest.raises(FaqEditError) as empty:
        await editor.add_phrasing("contact", "ka", "  ", "N")
    assert (str(empty.value), empty.value.said(translator("ka"))) == (
        "the phrasing is empty", "კითხვის ფორმულირება ცარიელია")


async def test_off_topic_examples_and_canned_answers_follow_the_database(hub: HubApp) -> None:
    editor = FaqEditor(hub.database)
    await editor.mark_offtopic("where can i buy a cheap kayak", "en", "Nino")
    await editor.set_canned("parking", {"ka": "პარკინგი ეზოშია.", "en": "Parking is in the yard."},
                            "Nino")
    await hub.content_watch.check()  # type: ignore[union-attr]
    assert hub.services.tickets.canned_text("parking", "en") == "Parking is in the yard."
    assert hub.services.faq.match("where can i buy a cheap kayak").answer_id is None


# ------------------------------------------------------------------ the command line

def hubbot(args: list[str], db: Path | None = None, *, url: str | None = None,
           stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`hubbot` in its own process, on the SQLite file `db` or the database at `url`."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "HUB_", "DATABASE_", "STAFF_", "CONTENT_"))}
    environment |= {"DATABASE_URL": url or f"sqlite:///{db}", "LANG": "C.UTF-8"}
    return subprocess.run(HUBBOT + args, input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=environment, timeout=120, check=False)


def eval_questions() -> str:
    lines = (ROOT / "tests" / "faq_eval" / "questions.tsv").read_text(encoding="utf-8")
    return "".join(line.split("\t")[2] + "\n" for line in lines.splitlines()[1:]) \
        + NEW_QUESTION + "\n"


async def test_export_then_import_on_a_fresh_database_gives_the_same_answers(
        tmp_path: Path) -> None:
    first, fresh = tmp_path / "first.db", tmp_path / "fresh.db"
    settings = load_settings(_env_file=None, database_url=f"sqlite:///{first}")
    hub = await create_app(settings)
    try:
        await FaqEditor(hub.database).add_phrasing("office_location", "en", NEW_QUESTION, "Nino")
    finally:
        await hub.close()
    exported = tmp_path / "faq-export.yaml"
    result = hubbot(["faq", "export", "-o", str(exported)], first)
    assert result.returncode == 0, result.stderr
    assert NEW_QUESTION in exported.read_text(encoding="utf-8")

    result = hubbot(["faq", "import", str(exported), "--yes"], fresh)
    assert result.returncode == 0, result.stderr
    answers = [hubbot(["faq", "--json"], db, stdin=eval_questions()).stdout
               for db in (first, fresh)]
    assert answers[0] == answers[1]
    assert json.loads(answers[1].splitlines()[-1])["answer_id"] == "office_location"
    again = hubbot(["faq", "export"], fresh).stdout
    assert again == exported.read_text(encoding="utf-8")  # a round trip changes nothing


async def test_import_shows_what_changes_and_asks_first(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    exported = tmp_path / "faq.yaml"
    assert hubbot(["faq", "export", "-o", str(exported)], db).returncode == 0
    content = yaml.safe_load(exported.read_text(encoding="utf-8"))
    office = next(t for t in content["topics"] if t["id"] == "office_location")
    office["answer"]["en"] = "We moved: Kutaisi, 5 Rustaveli Ave."
    content["topics"] = [t for t in content["topics"] if t["id"] != "privacy"]
    content["topics"].append({
        "id": "parking", "category": "contact", "title": {"ka": "პარკინგი", "en": "Parking"},
        "questions": {"en": ["where can i park"], "ka": ["სად გავაჩერო მანქანა"],
                      "translit": ["sad gavachero manqana"]},
        "answer": {"ka": "პარკინგი ეზოშია.", "en": "Parking is in the yard."}})
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")

    declined = hubbot(["faq", "import", str(edited)], db, stdin="n\n")
    assert declined.returncode == 1
    assert "topics added (1): parking" in declined.stdout
    assert "topics removed (1): privacy" in declined.stdout
    assert "topics changed (1): office_location" in declined.stdout
    assert OFFICE in hubbot(["faq", "Where is your office?"], db).stdout  # nothing replaced

    accepted = hubbot(["faq", "import", str(edited)], db, stdin="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert "5 Rustaveli" in hubbot(["faq", "Where is your office?"], db).stdout
    history = hubbot(["faq", "history"], db).stdout.splitlines()
    version = history[-1].split("\t")[0]
    assert "import of edited.yaml" in history[-1]
    reverted = hubbot(["faq", "revert", version], db)
    assert reverted.returncode == 0, reverted.stderr
    assert OFFICE in hubbot(["faq", "Where is your office?"], db).stdout
    assert hubbot(["faq", "revert", "999"], db).returncode == 1
    assert hubbot(["faq", "revert", "x"], db).returncode == 2


async def test_check_names_the_problems_of_a_file_before_it_is_imported(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    exported = tmp_path / "faq.yaml"
    assert hubbot(["faq", "export", "-o", str(exported)], db).returncode == 0
    assert hubbot(["faq", "check"], db).returncode == 0
    assert hubbot(["faq", "check", str(exported)], db).returncode == 0
    content = yaml.safe_load(exported.read_text(encoding="utf-8"))
    content["topics"][1]["id"] = content["topics"][0]["id"]
    exported.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    checked = hubbot(["faq", "check", str(exported)], db)
    assert checked.returncode == 1 and "duplicate topic id" in checked.stderr
    refused = hubbot(["faq", "import", str(exported), "--yes"], db)
    assert refused.returncode == 1 and "duplicate topic id" in refused.stderr
    assert hubbot(["faq", "import", str(tmp_path / "missing.yaml")], db).returncode == 2
