"""Settings: URL mapping and clear errors."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings, normalise_database_url


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql://hub@db/hub", "postgresql+asyncpg://hub@db/hub"),
    ("postgres://hub@db/hub", "postgresql+asyncpg://hub@db/hub"),
    ("postgresql+asyncpg://hub@db/hub", "postgresql+asyncpg://hub@db/hub"),
    ("sqlite:///hubbot.db", "sqlite+aiosqlite:///hubbot.db"),
    ("sqlite+aiosqlite:///hubbot.db", "sqlite+aiosqlite:///hubbot.db"),
])
def test_database_urls_map_to_async_drivers(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_defaults_are_usable() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///hubbot.db"
    assert settings.timezone == "Asia/Tbilisi"
    assert settings.telegram_bot_token is None
    assert settings.hub_phone is None


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PHONE", "  ")
    monkeypatch.setenv("STAFF_CHAT_ID", "")
    settings = load_settings(_env_file=None)
    assert settings.hub_phone is None and settings.staff_chat_id is None


def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Europe/Atlantis")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "TIMEZONE" in str(caught.value.code)
    assert "\n" not in str(caught.value.code)


def test_token_is_secret_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN")
    settings = load_settings(_env_file=None)
    assert "SECRET-TOKEN" not in repr(settings)
