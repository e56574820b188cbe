"""Every text a resident reads lives here, as gettext catalogs: `<lang>/LC_MESSAGES/*.po`.

Message ids are symbolic keys (`help.group`); each language, Dutch included, translates them.
Placeholders use `{name}` (python-brace-format). Catalogs are split per feature so that each
feature owns its texts. Check them with `make test` (tests/foundation/test_locales.py) and extract the ids
used in code with `pybabel extract -k t -o messages.pot bot handlers`.
"""

from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "nl"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("nl", "en")
