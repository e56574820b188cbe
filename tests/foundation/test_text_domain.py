"""Typed text and names are made safe to show once, where they come in: no bidi tricks, and
nothing-but-invisible counts as empty."""

from __future__ import annotations

import pytest

from bot.domain.activity_drafts import InvalidInput, clean_place, clean_title
from bot.domain.ideas import clean_idea
from bot.domain.insights import LabelProblem, clean_label
from bot.domain.requests import TextError, validate_contact, validate_description
from bot.domain.settings import InvalidContact, clean_contact
from bot.domain.text import BIDI_CONTROLS, display_name, has_visible, normalise, typed_text

INVISIBLE_ONLY = ["\u200b", "\u200b\u200c\u200d", " \ufeff\u2060 ", "\u3164", "\u2800\u115f",
                  "\u202e\u200f", "\u00ad\n\t"]


@pytest.mark.parametrize("text", INVISIBLE_ONLY)
def test_invisible_text_counts_as_empty(text: str) -> None:
    assert not has_visible(text)
    assert typed_text(text) == ""
    assert display_name(text) == ""


@pytest.mark.parametrize("text", INVISIBLE_ONLY)
def test_every_place_that_takes_typed_text_refuses_invisible_text(text: str) -> None:
    assert validate_description(text) is TextError.EMPTY
    assert validate_contact(text) is TextError.EMPTY
    assert clean_label(text) is LabelProblem.EMPTY
    for clean in (clean_title, clean_place, clean_idea):
        with pytest.raises(InvalidInput):
            clean(text)
    with pytest.raises(InvalidContact):
        clean_contact(text)


def test_bidi_controls_are_removed_everywhere() -> None:
    for control in BIDI_CONTROLS:
        text = f"Koffie {control}bij Fatma"
        assert normalise(text) == "Koffie bij Fatma"
        assert validate_description(text) == "Koffie bij Fatma"
        assert clean_title(text) == "Koffie bij Fatma"
        assert clean_idea(text) == "Koffie bij Fatma"
        assert clean_label(text) == "Koffie bij Fatma"
        assert display_name(f"{control}Fatma") == "Fatma"


def test_what_was_meant_stays() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joiners make one emoji
    assert typed_text(f"  Soep {family} ") == f"Soep {family}"
    assert typed_text("مرحبا بالجيران") == "مرحبا بالجيران"
    assert typed_text("Regel 1\r\nRegel 2\tklaar") == "Regel 1\nRegel 2 klaar"
    assert typed_text("Cafe\u0301") == "Café"
    assert typed_text("a\u200bb\x00c") == "abc"
    assert display_name("Anne & Piet <b>") == "Anne & Piet <b>"
    assert display_name("Anne\n  Marie") == "Anne Marie"
