"""The `hubbot` command line, run as a newcomer would: a real process, pipes, a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HUBBOT = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], tmp_path: Path, *, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Run `hubbot` with a clean environment and a database in `tmp_path`."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "HUB_", "DATABASE_", "STAFF_"))}
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}", "LANG": "C.UTF-8"}
    environment |= env
    return subprocess.run(HUBBOT + args, input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=60)


def test_chat_in_a_pipe_answers_the_office_question(tmp_path: Path) -> None:
    result = run(["chat"], tmp_path, stdin="Where is your office?\n")
    assert result.returncode == 0, result.stderr
    assert "111 Tsereteli" in result.stdout
    assert "Kutaisi" in result.stdout


def test_chat_numbers_press_buttons(tmp_path: Path) -> None:
    # /start's menu: 1 = questions and answers → a list of subjects
    result = run(["chat", "--lang", "en"], tmp_path, stdin="1\n")
    assert result.returncode == 0, result.stderr
    assert "Choose a subject:" in result.stdout


def test_chat_continues_the_same_person_across_runs(tmp_path: Path) -> None:
    run(["chat", "--lang", "en"], tmp_path, stdin="/language\n1\n")  # choose ქართული
    result = run(["chat", "--lang", "en"], tmp_path, stdin="Where is your office?\n")
    assert "წერეთლის" in result.stdout


def test_run_without_a_channel_names_chat_and_the_variables(tmp_path: Path) -> None:
    result = run(["run"], tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "hubbot chat" in lines[0] and "TELEGRAM_BOT_TOKEN" in lines[0]


@pytest.mark.parametrize(("name", "value"), [
    ("TIMEZONE", "Mars/Olympus"), ("DATABASE_URL", "mysql://x"), ("TELEGRAM_BOT_TOKEN", "nonsense"),
    ("STAFF_CHAT_ID", "staff"), ("LOG_LEVEL", "LOUD"),
])
def test_a_bad_setting_stops_with_one_line_naming_it(tmp_path: Path, name: str, value: str) -> None:
    result = run(["run"], tmp_path, **{name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr


def test_faq_json_for_one_question(tmp_path: Path) -> None:
    result = run(["faq", "--json", "Where is your office?"], tmp_path)
    data = json.loads(result.stdout)
    assert data["query"] == "Where is your office?"
    assert data["answer_id"] == "office_location"
    assert 1 <= len(data["matches"]) <= 5
    assert data["matches"][0]["id"] == "office_location"


def test_faq_json_reads_stdin_one_line_each(tmp_path: Path) -> None:
    result = run(["faq", "--json"], tmp_path,
                 stdin="სად არის ოფისი?\nhow do I cook lobio with beans and walnuts\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["answer_id"] for r in rows] == ["office_location", None]


def test_faq_check_accepts_the_content_and_rejects_broken_content(tmp_path: Path) -> None:
    assert run(["faq", "check"], tmp_path).returncode == 0
    broken = tmp_path / "content"
    broken.mkdir()
    text = (ROOT / "content" / "faq.yaml").read_text(encoding="utf-8")
    text = text.replace("- id: contact\n    category:", "- id: office_location\n    category:", 1)
    (broken / "faq.yaml").write_text(text, encoding="utf-8")
    # the content lives in the database: broken files are found when a fresh one is seeded
    result = run(["faq", "check"], tmp_path, CONTENT_DIR=str(broken),
                 DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    assert result.returncode == 1
    assert "duplicate topic id 'office_location'" in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "hub.db").exists()
    assert run(["db", "upgrade"], tmp_path).returncode == 0  # idempotent
