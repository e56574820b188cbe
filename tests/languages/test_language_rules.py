"""Which language a resident gets, how the choice is offered, and what Telegram is given per
language: plain checks without the sandbox."""

from __future__ import annotations

import re

import pytest

from bot.app import FEATURES
from bot.domain.languages import LANGUAGE_CODES, own_language, spoken
from bot.i18n import plain
from bot.menu import MenuCommand
from bot.profile import (
    COMMAND_DESCRIPTION_LIMIT,
    DESCRIPTION_LIMIT,
    SHORT_DESCRIPTION_LIMIT,
    published_languages,
)
from handlers.community.language import first_question, language_keyboard
from handlers.community.start import FIRST_CONTACT, first_contact_keyboard
from handlers.kit.buttons import CALLBACK_DATA_LIMIT
from locales import LANGUAGES, SUPPORTED_LANGUAGES, native_name

COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def every_command() -> list[MenuCommand]:
    return [command for feature in FEATURES for command in getattr(feature, "COMMANDS", ())]


@pytest.mark.parametrize(("telegram", "expected"), [
    ("en", "en"), ("en-GB", "en"), ("pt-br", None), ("TR", "tr"), ("uk-UA", "uk"), ("ar_EG", "ar"),
    ("fr", None), ("", None), (None, None), ("pl", "pl"), ("nl-BE", "nl"),
])
def test_telegram_language_counts_only_when_the_bot_speaks_it(
        telegram: str | None, expected: str | None) -> None:
    assert spoken(telegram) == expected


def test_a_picked_language_wins_over_telegrams() -> None:
    assert own_language("pl", "en") == "pl"
    assert own_language(None, "en-US") == "en"
    assert own_language(None, "fr") is None
    assert own_language("xx", "uk") == "uk"  # a stored code the bot no longer speaks


def test_every_language_is_offered_in_its_own_name() -> None:
    markup = language_keyboard("lang")
    labels = [button.text for row in markup.inline_keyboard for button in row]
    data = [button.callback_data for row in markup.inline_keyboard for button in row]
    assert labels == [language.native_name for language in LANGUAGES]
    assert data == [f"lang:{language.code}" for language in LANGUAGES]
    assert native_name("uk") == "Українська" and native_name("ar") == "العربية"


def test_the_first_question_is_asked_in_every_language_with_a_text() -> None:
    question = first_question()
    for lang in SUPPORTED_LANGUAGES:
        assert plain(lang, "language.first_contact") in question
    assert len(question.split("\n")) == len(set(question.split("\n")))


def test_a_deep_link_rides_along_on_the_first_buttons_when_it_fits() -> None:
    token = "Ab3_-x9Qz1Lm"
    pressed = [b.callback_data for row in first_contact_keyboard(token).inline_keyboard
               for b in row]
    assert pressed == [f"{FIRST_CONTACT}:{code}:{token}" for code in LANGUAGE_CODES]
    too_long = "x" * (CALLBACK_DATA_LIMIT - len(FIRST_CONTACT) - 3)
    for payload in (None, too_long, "not a payload"):
        plain_buttons = [b.callback_data for row in first_contact_keyboard(payload).inline_keyboard
                         for b in row]
        assert plain_buttons == [f"{FIRST_CONTACT}:{code}" for code in LANGUAGE_CODES]


@pytest.mark.parametrize("lang", [language.code for language in LANGUAGES])
def test_every_language_gets_command_names_telegram_accepts(lang: str) -> None:
    for command in every_command():
        name = command.name(lang)
        assert COMMAND_NAME.match(name), (lang, name)
        if lang not in command.names:
            assert name == command.names["en"]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_profile_texts_fit_telegram(lang: str) -> None:
    assert 1 <= len(plain(lang, "bot.description")) <= DESCRIPTION_LIMIT
    assert 1 <= len(plain(lang, "bot.short_description")) <= SHORT_DESCRIPTION_LIMIT
    for command in every_command():
        assert 1 <= len(plain(lang, command.description_key)) <= COMMAND_DESCRIPTION_LIMIT


def test_texts_are_published_for_everyone_else_and_per_language() -> None:
    assert published_languages("en") == [(None, "en"), *((code, code) for code in SUPPORTED_LANGUAGES)]
