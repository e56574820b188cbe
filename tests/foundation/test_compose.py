"""`docker-compose.yml` runs the bot on PostgreSQL as the README says: the bot waits for a healthy
database, the data lives in a volume, secrets come from `.env`, and every variable it names
(its commented webhook lines too) is one the README's configuration table explains."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.foundation.test_readme_config import table_rows

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\bOMZIEN_[A-Z0-9_]+\b")


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_bot_is_built_here_and_waits_for_a_healthy_postgresql() -> None:
    services = _compose()["services"]
    assert set(services) == {"bot", "db"}
    bot, db = services["bot"], services["db"]
    assert bot["build"] == "."
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["environment"]["OMZIEN_DATABASE"].startswith("postgresql://omzien:")
    assert bot["environment"]["OMZIEN_DATABASE"].endswith("@db:5432/omzien")
    assert re.fullmatch(r"postgres:15(\.\d+)*", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_the_database_lives_in_a_named_volume() -> None:
    compose = _compose()
    mounts = compose["services"]["db"]["volumes"]
    volume, _, target = mounts[0].partition(":")
    assert target == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]


def test_secrets_come_from_the_env_file_not_from_the_compose_file() -> None:
    compose = _compose()
    bot = compose["services"]["bot"]
    assert bot["env_file"] == ".env"
    assert "OMZIEN_BOT_TOKEN" not in bot["environment"]
    assert "${POSTGRES_PASSWORD" in bot["environment"]["OMZIEN_DATABASE"]
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^OMZIEN_BOT_TOKEN=$", example, re.MULTILINE)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)


def test_every_variable_named_is_in_the_readme_table() -> None:
    documented = set(table_rows())
    for name in ("docker-compose.yml", ".env.example"):
        named = set(VARIABLE.findall((ROOT / name).read_text(encoding="utf-8")))
        assert {"OMZIEN_WEBHOOK_URL", "OMZIEN_BOT_TOKEN"} & named
        assert named <= documented, f"{name} names {sorted(named - documented)}, not in README.md"
