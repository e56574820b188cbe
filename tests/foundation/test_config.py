from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.logs import protect_token

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_TOKEN", "BOT_API_URL", "DATABASE", "TIMEZONE", "LANGUAGE"):
        monkeypatch.delenv(f"OMZIEN_{name}", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.bot_api_url == "https://api.telegram.org/bot"
    assert str(settings.database) == "data/omzien.sqlite3"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.language == "nl"


def test_care_contacts_are_read_one_place_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMZIEN_CARE_CONTACTS", raising=False)
    assert load_settings(_env_file=None).care_contact_lines == []
    monkeypatch.setenv("OMZIEN_CARE_CONTACTS", " Wijkteam Oost: 020 555 0101 || Huisarts ")
    assert load_settings(_env_file=None).care_contact_lines == ["Wijkteam Oost: 020 555 0101",
                                                                "Huisarts"]
    monkeypatch.setenv("OMZIEN_CARE_CONTACTS", "   ")
    assert load_settings(_env_file=None).care_contacts is None


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("OMZIEN_TIMEZONE", "Mars/Olympus", "OMZIEN_TIMEZONE: unknown time zone"),
        ("OMZIEN_LANGUAGE", "xx", "OMZIEN_LANGUAGE: must be one of nl, en"),
        ("OMZIEN_BOT_TOKEN", "not-a-token", "OMZIEN_BOT_TOKEN: does not look like a bot token"),
        ("OMZIEN_BOT_API_URL", "ftp://x", "OMZIEN_BOT_API_URL: must be an http(s) URL"),
        ("OMZIEN_CARE_CONTACTS", "Wijkteam\nHuisarts", "OMZIEN_CARE_CONTACTS: use \"|\" between"),
        ("OMZIEN_CARE_CONTACTS", "x" * 1001, "OMZIEN_CARE_CONTACTS: must be at most 1000"),
        ("OMZIEN_WEBHOOK_URL", "bot.example.org/hook", "OMZIEN_WEBHOOK_URL: must be an http(s) URL"),
        ("OMZIEN_WEBHOOK_SECRET", "with spaces", "OMZIEN_WEBHOOK_SECRET: must be 1 to 256"),
        ("OMZIEN_WEBHOOK_PORT", "70000", "OMZIEN_WEBHOOK_PORT: Input should be less than"),
        ("OMZIEN_METRICS_PORT", "0", "OMZIEN_METRICS_PORT: Input should be greater than"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert str(caught.value).startswith(expected)


def test_webhook_settings_and_polling_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("URL", "SECRET", "LISTEN", "PORT"):
        monkeypatch.delenv(f"OMZIEN_WEBHOOK_{name}", raising=False)
    monkeypatch.delenv("OMZIEN_METRICS_PORT", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.webhook_url is None and settings.metrics_port is None
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8080)
    monkeypatch.setenv("OMZIEN_WEBHOOK_URL", "https://bot.example.org/telegram/omzien")
    monkeypatch.setenv("OMZIEN_WEBHOOK_SECRET", "Abc_-123")
    monkeypatch.setenv("OMZIEN_WEBHOOK_PORT", "8443")
    settings = load_settings(_env_file=None)
    assert settings.webhook_path == "/telegram/omzien" and settings.webhook_port == 8443
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "Abc_-123"
    assert "Abc_-123" not in repr(settings)


def test_a_webhook_without_a_secret_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env={"OMZIEN_WEBHOOK_URL": "https://bot.example.org/hook", "PATH": "/usr/bin:/bin",
             "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "omzien: OMZIEN_WEBHOOK_SECRET is not set: a webhook needs a secret that only Telegram"
        " and the bot know"
    ]


def test_cli_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env={"OMZIEN_TIMEZONE": "Nowhere/Land", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "omzien: OMZIEN_TIMEZONE: unknown time zone 'Nowhere/Land'; use a name like Europe/Amsterdam"
    ]
    assert "Traceback" not in result.stderr


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OMZIEN_DATABASE": str(tmp_path / "x")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "OMZIEN_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["run", "demo", "migrate", "backup", "health"])
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", command, "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: python -m bot {command}")


def test_token_is_redacted_from_every_record(caplog: pytest.LogCaptureFixture) -> None:
    token = "987654321:AAHsecretSECRETsecret_-x"
    protect_token(token)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").warning("HTTP Request: POST https://api/bot%s/getMe", token)
    try:
        raise RuntimeError(f"failed https://api/bot{token}/x")
    except RuntimeError:
        logging.getLogger("x").exception("boom")
    text = caplog.text + "".join(record.getMessage() for record in caplog.records)
    assert token not in text
    assert "<token>" in text
