"""Typed settings read from the environment (and an optional `.env` file)."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.messages import small_number

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
DEFAULT_GRAPH_API = "https://graph.facebook.com/v21.0"  # pinned Graph API version
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingsError(SystemExit):
    """Start-up stops with one clear line naming the bad variable."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment; nothing secret lives in code."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_rate_limit: float = Field(default=30.0, ge=0)
    database_url: str = "sqlite+aiosqlite:///hubbot.db"
    staff_chat_id: int | None = None
    timezone: str = "Asia/Tbilisi"
    log_level: str = "INFO"
    hub_phone: str | None = None
    hub_email: str | None = None
    hub_hours: str | None = None
    content_dir: Path = DEFAULT_CONTENT_DIR
    telegram_paid_broadcast: bool = False  # opt in to paid broadcasts (0.1 Star a message)
    telegram_paid_rate: float = Field(default=1000.0, gt=0)
    reminder_offsets: str = "1d,2h"
    quiet_hours: str = "22:00-09:00"
    sla_hours: float = Field(default=24.0, gt=0)
    retention_days: int = Field(default=365, gt=0)
    digest_time: str = "09:00"
    hotline_hours: str | None = None
    staff_language: str = "ka"
    delivery_give_up: str = "24h"  # then a message is "failed" and staff are told once
    delivery_retry_max: str = "30m"  # the longest wait between two tries of one message
    faq_threshold: float = Field(default=0.45, gt=0, lt=1)
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    messenger_page_token: SecretStr | None = None
    messenger_api_base_url: str = DEFAULT_GRAPH_API
    messenger_app_secret: SecretStr | None = Field(default=None, validate_default=True)
    messenger_verify_token: SecretStr | None = Field(default=None, validate_default=True)
    console_public_url: str | None = None  # where staff reach the console (behind HTTPS)
    example_content: str = "auto"  # auto: a fresh SQLite database gets example content; off
    feedback_after: str = "2h"  # attendees are asked how an event was this long after its end
    telegram_bot_username: str | None = None  # for posters' links; else asked of getMe
    messenger_page: str | None = None  # the Page's username or id, for m.me links on posters

    @field_validator("telegram_bot_token", "telegram_api_base_url", "hub_phone", "hub_email",
                     "hub_hours", "staff_chat_id", "hotline_hours", "telegram_webhook_url",
                     "telegram_webhook_secret", "messenger_page_token", "messenger_app_secret",
                     "messenger_verify_token", "console_public_url", "telegram_bot_username",
                     "messenger_page", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty variable (as `.env` templates leave them) means "not set"."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_webhook_url", "messenger_api_base_url", "console_public_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("telegram_webhook_url"):
                raise ValueError("required with TELEGRAM_WEBHOOK_URL (1-256 characters "
                                 "A-Z, a-z, 0-9, _ and -)")
            return None
        if not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("messenger_app_secret", "messenger_verify_token")
    @classmethod
    def _messenger_pair(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("messenger_page_token") is not None:
            raise ValueError("required with MESSENGER_PAGE_TOKEN")
        return value

    @property
    def messenger_enabled(self) -> bool:
        """True when the Messenger channel is configured."""
        return self.messenger_page_token is not None

    @property
    def needs_web_server(self) -> bool:
        """True when some channel receives its updates through a webhook."""
        return self.messenger_enabled or (self.telegram_bot_token is not None
                                          and self.telegram_webhook_url is not None)

    @property
    def console_url(self) -> str:
        """The console's base address: CONSOLE_PUBLIC_URL, else http://HOST:PORT as seen here."""
        if self.console_public_url:
            return self.console_public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def console_secure(self) -> bool:
        """True when staff reach the console over HTTPS (cookies are then Secure)."""
        return self.console_url.startswith("https://")

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("expected the form 123456:ABC… given by @BotFather")
        return value

    @field_validator("hotline_hours")
    @classmethod
    def _hours_shape(cls, value: str | None) -> str | None:
        if value is not None:
            from bot.services.working_hours import WorkingHours

            WorkingHours.parse(value)
            return value.strip()
        return None

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: str) -> str:
        parse_offsets(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        if value.strip().lower() in ("", "off"):
            return "off"
        parse_span(value)
        return value

    @field_validator("digest_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

    @field_validator("telegram_bot_username", "messenger_page")
    @classmethod
    def _link_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lstrip("@")
        if not value.replace("_", "").replace(".", "").isalnum() or not value.isascii():
            raise ValueError("letters, digits, _ and . only")
        return value

    @field_validator("delivery_give_up", "delivery_retry_max", "feedback_after")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value.strip().lower()

    @property
    def give_up_after(self) -> timedelta:
        """`DELIVERY_GIVE_UP` as a duration."""
        return parse_duration(self.delivery_give_up)

    @property
    def retry_max(self) -> timedelta:
        """`DELIVERY_RETRY_MAX` as a duration."""
        return parse_duration(self.delivery_retry_max)

    @property
    def feedback_delay(self) -> timedelta:
        """`FEEDBACK_AFTER` as a duration."""
        return parse_duration(self.feedback_after)

    @property
    def offsets(self) -> list[timedelta]:
        """`REMINDER_OFFSETS` as durations, longest first."""
        return parse_offsets(self.reminder_offsets)

    @field_validator("staff_language")
    @classmethod
    def _staff_language(cls, value: str) -> str:
        if value not in ("ka", "en"):
            raise ValueError("use ka or en")
        return value

    @field_validator("example_content")
    @classmethod
    def _example_content(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("auto", "off"):
            raise ValueError("use auto or off")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("content_dir")
    @classmethod
    def _content_exists(cls, value: Path) -> Path:
        if not (value / "faq.yaml").is_file():
            raise ValueError(f"{value} has no faq.yaml")
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The hub's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """"90s", "30m", "24h", "2d" → a duration."""
    part = text.strip().lower()
    count = small_number(part[:-1])
    if part[-1:] not in _UNITS or count is None or count < 1:
        raise ValueError('expected a duration like "90s", "30m", "24h" or "2d"')
    return timedelta(seconds=count * _UNITS[part[-1]])


def parse_offsets(text: str) -> list[timedelta]:
    """"1d,2h,30m" → durations, longest first."""
    offsets = []
    for part in text.split(","):
        part = part.strip().lower()
        count = small_number(part[:-1])
        if part[-1:] not in ("m", "h", "d") or count is None or count < 1:
            raise ValueError('expected durations like "1d,2h,30m" (units m, h, d)')
        offsets.append(timedelta(seconds=count * _UNITS[part[-1]]))
    return sorted(set(offsets), reverse=True)


def parse_clock(text: str) -> time:
    """"09:00" → a time of day."""
    hours_text, sep, minutes_text = text.strip().partition(":")
    hours, minutes = small_number(hours_text), small_number(minutes_text)
    if not sep or hours is None or minutes is None or hours > 23 or minutes > 59:
        raise ValueError('expected a time of day like "09:00"')
    return time(hours, minutes)


def parse_span(text: str) -> tuple[time, time]:
    """"22:00-09:00" → (start, end); the span may cross midnight."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError('expected a span like "22:00-09:00"')
    return parse_clock(start), parse_clock(end)


def normalise_database_url(url: str) -> str:
    """Map plain driver URLs to their asyncio drivers."""
    url = url.strip()
    for plain, async_form in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg2://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return async_form + url[len(plain):]
    if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        raise ValueError("use sqlite+aiosqlite:///file.db or postgresql://user@host/db")
    return url


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value stops start-up with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"hubbot: bad setting {name}: {message}") from None
