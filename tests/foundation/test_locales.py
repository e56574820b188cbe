"""Every message id is translated in every shipped language, with the same placeholders, and
every id the code asks for exists."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.app import FEATURES
from bot.i18n import catalogs, t
from locales import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


SINGULAR = {"t": (2,), "ts": (2,), "plain": (2,)}
PLURAL = {"tn": (2,), "tsn": (2,), "plainn": (2,)}


def extracted_ids(keywords: dict[str, tuple[int, ...]]) -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=keywords,
        ):
            if isinstance(message, str):
                found.add(message)
    return found


def used_message_ids(plural: bool | None = None) -> set[str]:
    """The message ids the code names literally: all, or only those rendered with (or without)
    a count."""
    if plural is None:
        return extracted_ids({**SINGULAR, **PLURAL})
    return extracted_ids(PLURAL if plural else SINGULAR)


def used_plain_ids() -> set[str]:
    """Ids rendered as plain text: button labels, press answers, file names."""
    return extracted_ids({"plain": (2,), "plainn": (2,)})


def test_code_asks_only_for_known_ids() -> None:
    used = used_message_ids()
    assert "welcome.group" in used
    missing = used - set(catalogs()[DEFAULT_LANGUAGE])
    assert not missing, f"ids used in code without a text: {sorted(missing)}"


def test_menu_descriptions_exist_and_fit_telegram() -> None:
    for feature in FEATURES:
        for command in getattr(feature, "COMMANDS", ()):
            for lang in SUPPORTED_LANGUAGES:
                description = t(lang, command.description_key)
                assert 1 <= len(description) <= 256
                name = command.name(lang)
                assert name.isascii() and name.islower() and 1 <= len(name) <= 32


def test_values_are_escaped_and_safe_fragments_are_not() -> None:
    rendered = t("nl", "start.linked", building="<Flat & Co>")
    assert "&lt;Flat &amp; Co&gt;" in rendered
    assert "<b>" in rendered


def test_no_care_jargon_in_dutch() -> None:
    jargon = ("cliënt", "zorgvrager", "casus", "interventie", "doelgroep", "kwetsbaar", " u ")
    for key, text in catalogs()["nl"].items():
        for word in jargon:
            assert word not in text.lower(), f"{key} uses {word.strip()!r}"
