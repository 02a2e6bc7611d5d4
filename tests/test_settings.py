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


@pytest.mark.parametrize(("env", "named"), [
    ({"PORT": "99999"}, "PORT"),
    ({"MESSENGER_PAGE_TOKEN": "page"}, "MESSENGER_APP_SECRET"),
    ({"MESSENGER_PAGE_TOKEN": "page", "MESSENGER_APP_SECRET": "s"}, "MESSENGER_VERIFY_TOKEN"),
    ({"MESSENGER_API_BASE_URL": "graph.facebook.com"}, "MESSENGER_API_BASE_URL"),
    ({"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook"},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_URL": "https://x.org/w", "TELEGRAM_WEBHOOK_SECRET": "no spaces"},
     "TELEGRAM_WEBHOOK_SECRET"),
])
def test_webhook_settings_are_checked(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                      named: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert f"bad setting {named}:" in str(caught.value.code)


def test_messenger_settings_enable_the_web_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"MESSENGER_PAGE_TOKEN": "page", "MESSENGER_APP_SECRET": "secret",
                        "MESSENGER_VERIFY_TOKEN": "verify"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    assert settings.messenger_enabled and settings.needs_web_server
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert settings.messenger_api_base_url == "https://graph.facebook.com/v21.0"


def test_console_links_use_the_public_url_or_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    local = load_settings(_env_file=None, port=9090)
    assert local.console_url == "http://127.0.0.1:9090" and not local.console_secure
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://hub.example.org/")
    public = load_settings(_env_file=None)
    assert public.console_url == "https://hub.example.org" and public.console_secure
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "hub.example.org")
    with pytest.raises(SettingsError, match="CONSOLE_PUBLIC_URL"):
        load_settings(_env_file=None)
