"""Configuration: one typed object read from the environment (and an optional `.env`)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from locales import SUPPORTED_LANGUAGES

TELEGRAM_API_URL = "https://api.telegram.org/bot"
_TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")
_WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""Telegram's rule for `secret_token`: 1 to 256 letters, digits, `_` and `-`."""
CARE_CONTACTS_MAX = 1000
CARE_CONTACT_SEPARATOR = "|"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """Everything the bot needs from its operator. Environment variables carry the `OMZIEN_` prefix."""

    model_config = SettingsConfigDict(
        env_prefix="OMZIEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    bot_api_url: str = TELEGRAM_API_URL
    database: Path = Path("data/omzien.sqlite3")
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    log_level: str = "INFO"
    group_messages_per_minute: int = Field(default=20, ge=1, le=60)
    messages_per_second: int = Field(default=30, ge=1, le=30)
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Texts of things closed or past longer ago than this are erased (OMZIEN_RETENTION_DAYS)."""
    log_salt: SecretStr | None = None
    """Key for pseudonymous user ids in logs; without it a random per-database key is used."""
    care_contacts: str | None = None
    """Where anyone worried about a neighbour can always turn, shown by /zorgen below the
    group's own contact (OMZIEN_CARE_CONTACTS, one place a line, lines separated by "|").
    Unset: the usual Dutch list (huisarts, huisartsenpost, Veilig Thuis) in the reader's
    language. 112 for emergencies is always shown."""

    webhook_url: str | None = None
    """Where Telegram sends updates (OMZIEN_WEBHOOK_URL); unset: the bot polls."""
    webhook_secret: SecretStr | None = None
    """Telegram sends it back with every update; required with a webhook URL."""
    webhook_listen: str = "0.0.0.0"
    """The address the bot's HTTP server (webhook and /metrics) listens on."""
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """When polling, serve /metrics on this port (unset: no metrics server). With a webhook,
    /metrics is served beside it."""

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (digits, a colon, then letters)")
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ValueError("must be an http(s) URL such as https://bot.example.org/telegram")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _WEBHOOK_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("must be 1 to 256 letters, digits, _ or -")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Amsterdam") from None
        return value

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("care_contacts")
    @classmethod
    def _care_contacts(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value) > CARE_CONTACTS_MAX:
            raise ValueError(f"must be at most {CARE_CONTACTS_MAX} characters")
        if any(ord(character) < 32 for character in value):
            raise ValueError('use "|" between places, not new lines or other control characters')
        return value.strip()

    @property
    def care_contact_lines(self) -> list[str]:
        """The operator's places to turn to, one a line ([] for the default list)."""
        if self.care_contacts is None:
            return []
        return [line.strip() for line in self.care_contacts.split(CARE_CONTACT_SEPARATOR)
                if line.strip()]

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhook_path(self) -> str:
        """The path of the webhook URL, where the server takes Telegram's POSTs."""
        if self.webhook_url is None:
            raise ConfigError("OMZIEN_WEBHOOK_URL is not set")
        return urlsplit(self.webhook_url).path or "/"

    @property
    def token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("OMZIEN_BOT_TOKEN is not set: ask @BotFather for a token")
        return self.bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line that names the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"OMZIEN_{field.upper()}: {message}") from None
    if settings.webhook_url is not None and settings.webhook_secret is None:
        raise ConfigError("OMZIEN_WEBHOOK_SECRET is not set: a webhook needs a secret that only"
                          " Telegram and the bot know")
    return settings
