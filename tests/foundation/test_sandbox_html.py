"""The sandbox's HTML parse mode against Telegram's behaviour: text, UTF-16 entities, errors."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.html_text import EntityParseError, normalize_url, parse_html, trim, utf16_len
from sandbox.text_entities import detect_entities


def kinds(entities: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(e["type"], e["offset"], e["length"]) for e in entities]


def test_plain_text_and_named_entities_decode() -> None:
    text, entities = parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#128075; &#x41; &nbsp;")
    assert text == 'a <b> & "c" 👋 A &nbsp;'  # only the four named entities exist in Telegram
    assert entities == []


def test_semicolon_is_optional_and_unknown_ampersands_stay() -> None:
    assert parse_html("R&amp D &lt3 AT&T")[0] == "R& D <3 AT&T"


def test_offsets_are_utf16_code_units() -> None:
    text, entities = parse_html("👋 <b>hi</b> <i>👋x</i>")
    assert text == "👋 hi 👋x"
    assert kinds(entities) == [("bold", 3, 2), ("italic", 6, 3)]
    assert utf16_len(text) == 9


def test_arabic_and_escaped_text_offsets() -> None:
    text, entities = parse_html("مرحبا <b>جار</b> &lt;3 <u>x</u>")
    assert text == "مرحبا جار <3 x"
    assert kinds(entities) == [("bold", 6, 3), ("underline", 13, 1)]


def test_nested_entities_are_sorted_outer_first() -> None:
    text, entities = parse_html("<b>bold <i>both</i></b>")
    assert text == "bold both"
    assert kinds(entities) == [("bold", 0, 9), ("italic", 5, 4)]


def test_links_mentions_spoilers_blockquotes_and_code() -> None:
    text, entities = parse_html(
        '<a href="https://example.com">site</a> <a href="tg://user?id=42">you</a> '
        '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span> '
        "<blockquote expandable>q</blockquote><code>c</code>"
        '<pre><code class="language-python">p</code></pre>'
    )
    assert text == "site you st qcp"
    by_type = {e["type"]: e for e in entities}
    assert by_type["text_link"]["url"] == "https://example.com/"
    assert by_type["text_mention"]["user"]["id"] == 42
    assert [e["type"] for e in entities].count("spoiler") == 2
    assert by_type["expandable_blockquote"]["offset"] == 12
    assert by_type["pre"]["language"] == "python"
    assert "language" not in by_type["code"]


def test_invalid_link_is_dropped_not_refused() -> None:
    text, entities = parse_html('<a href="javascript:alert(1)">x</a>')
    assert (text, entities) == ("x", [])


def test_nothing_nests_inside_code() -> None:
    _, entities = parse_html("<code><b>x</b></code>")
    assert kinds(entities) == [("code", 0, 1)]


def test_empty_entities_are_not_created() -> None:
    assert parse_html("<b></b>x") == ("x", [])


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<x>hi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("é<x>", 'Unsupported start tag "x" at byte offset 2'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 9"),
        (
            "<a href>y</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ("<a href=x!>y</a>", "Unexpected end of name token at byte offset 8"),
    ],
)
def test_errors_use_telegrams_wording_and_byte_offsets(html: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(html)
    assert str(raised.value) == error


def test_trim_keeps_entities_in_place() -> None:
    text, entities = parse_html("\n  <b>hi</b> there  \n")
    trimmed, moved = trim(text, entities)
    assert trimmed == "hi there"
    assert kinds(moved) == [("bold", 0, 2)]


def test_detected_entities_skip_code_and_links() -> None:
    text, entities = parse_html(
        "<code>/help</code> /start@OmzienBot @neighbour #fiets https://x.nl, mail a@b.nl"
    )
    detected = kinds(detect_entities(text, entities))
    assert ("code", 0, 5) in detected
    assert ("bot_command", 6, 16) in detected
    assert ("mention", 23, 10) in detected
    assert ("hashtag", 34, 6) in detected
    assert ("url", 41, 12) in detected
    assert ("email", 60, 6) in detected
    assert not any(kind == "bot_command" and offset == 0 for kind, offset, _ in detected)


def test_url_normalisation() -> None:
    assert normalize_url("example.com") == "http://example.com/"
    assert normalize_url("https://t.me/OmzienBot?start=x") == "https://t.me/OmzienBot?start=x"
    assert normalize_url("tg://resolve?domain=x") == "tg://resolve?domain=x"
    assert normalize_url("ftp://example.com") is None
    assert normalize_url("not a url") is None
