"""Every text a resident reads lives here, as gettext catalogs: `<lang>/LC_MESSAGES/*.po`.

Message ids are symbolic keys (`help.group`); each language, Dutch included, translates them.
Placeholders use `{name}` (python-brace-format). A text with a count is a plural entry
(`msgid_plural`, one `msgstr[i]` per form of the language's `Plural-Forms` header) and gets the
count as `{count}`. Catalogs are split per feature so that each feature owns its texts. Check them
with `make test` (tests/foundation/test_locales.py) and extract the ids used in code with
`pybabel extract -k t -o messages.pot bot handlers`.

A language is one folder here and one line in `LANGUAGES` below.
"""

from dataclasses import dataclass
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Language:
    """A language the bot speaks: its code (Telegram's `language_code`, also the folder name and
    the Babel locale), its own name in its own script, and whether it is written right to left."""

    code: str
    native_name: str
    right_to_left: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("nl", "Nederlands"),
    Language("en", "English"),
    Language("tr", "Türkçe"),
    Language("ar", "العربية", right_to_left=True),
    Language("pl", "Polski"),
    Language("uk", "Українська"),
)
DEFAULT_LANGUAGE = "nl"
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(
    language.code for language in LANGUAGES if (LOCALES_DIR / language.code / "LC_MESSAGES").is_dir())
"""The languages whose catalogs are shipped (the test suite checks that all of `LANGUAGES` are)."""
RIGHT_TO_LEFT: frozenset[str] = frozenset(language.code for language in LANGUAGES if language.right_to_left)


def native_name(code: str) -> str:
    """A language's name as its speakers write it, for the language buttons (the code itself for
    a language the bot does not speak)."""
    return next((language.native_name for language in LANGUAGES if language.code == code), code)
