"""Which language a resident gets: the one they picked, else their Telegram app's when the bot
speaks it, else none yet (and the bot asks).

Telegram sends each person's app language as `language_code`, an IETF tag such as `en-GB` or
`pt-br`; only its first part names the language. The bot speaks the languages in
`locales.LANGUAGES`.
"""

from __future__ import annotations

from locales import LANGUAGES

LANGUAGE_CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)


def spoken(code: str | None) -> str | None:
    """`code` as one of the bot's languages (`en-GB` is `en`), or None when it names none."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGE_CODES else None


def own_language(chosen: str | None, telegram: str | None) -> str | None:
    """A resident's language: the one they picked, else their Telegram app's; None when neither
    is one the bot speaks, so the resident is asked before anything else."""
    return spoken(chosen) or spoken(telegram)
