"""Logging that never shows the bot token, nor who residents are or what they wrote.

httpx logs every request URL at INFO and those URLs contain the token; at DEBUG, PTB logs every
update and API call in full and aiosqlite every statement with its values (names, texts, ids).
Rather than trust each library, every log record is cleaned where it is made (a record
factory), so no handler, level or test capture can ever see them: the token is replaced, and a
record from another library keeps only its fixed text, never the values put into it. The
chattiest libraries are also held at a level where they say nothing about updates. The bot's own
records name residents only by `pseudonym`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Any

_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{10,}")
OWN_LOGGERS = ("bot", "handlers", "storage")
"""The product's own loggers: their values are chosen to hold no personal data."""
LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "aiosqlite": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "asyncio": logging.WARNING,
}
"""Libraries that log updates, requests or statements below these levels."""
_installed_tokens: set[str] = set()
_pseudonym_key: bytes = secrets.token_bytes(32)


def set_pseudonym_key(key: str | bytes) -> None:
    """Use this key (OMZIEN_LOG_SALT, or the database's own secret) for `pseudonym`."""
    global _pseudonym_key
    _pseudonym_key = key.encode() if isinstance(key, str) else key


def pseudonym(user_id: int | None) -> str:
    """A user id as it may appear in logs: a keyed hash, stable per database, so one resident's
    lines can be followed without the log revealing who they are."""
    if user_id is None:
        return "u-none"
    digest = hmac.new(_pseudonym_key, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"u-{digest[:12]}"


_VALIDATION_INPUT = re.compile(r"input_value=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,\]\s]+)")
"""pydantic puts the rejected input (a resident's text) into its error message."""


def redact(text: str) -> str:
    for token in _installed_tokens:
        text = text.replace(token, "<token>")
    text = _VALIDATION_INPUT.sub("input_value=<hidden>", text)
    return _TOKEN_SHAPE.sub("<token>", text)


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_omzien_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.args and not _own(record.name):
            record.args = None
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; keep the raw record
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    factory._omzien_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _own(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


def protect_token(token: str | None) -> None:
    """Make sure `token`, and what other libraries put into their records, can never be
    written by any logger in this process."""
    if token:
        _installed_tokens.add(token)
    _install_record_factory()
    for name, level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)


def setup_logging(level: str = "INFO", token: str | None = None) -> None:
    """One plain handler on the root logger; the token is protected before anything logs."""
    protect_token(token)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
