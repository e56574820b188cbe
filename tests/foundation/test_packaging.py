"""The product ships without the sandbox: not in the distribution, not in the image, not needed to run.

The sandbox (a local Bot API) lives in the checkout, behind the tests and the demo; a resident's
building runs only `bot`, `handlers`, `storage` and `locales`, installed from the product's lock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = {"bot", "handlers", "storage", "locales"}
DEV_ONLY = {"sandbox", "tests", "benchmarks"}


def _distribution(monkeypatch: pytest.MonkeyPatch) -> Distribution:
    """What setuptools builds from pyproject.toml: the same discovery `pip install .` runs."""
    monkeypatch.chdir(ROOT)
    dist = Distribution()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # `[tool.setuptools]` is "beta" in older setuptools
        apply_configuration(dist, ROOT / "pyproject.toml")
    return dist


def _names(requirements: list[str]) -> set[str]:
    """Project names from requirement strings, normalised (`Foo_Bar[x]>=1` → `foo-bar`)."""
    names = set()
    for requirement in requirements:
        found = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert found is not None, requirement
        names.add(re.sub(r"[-_.]+", "-", found.group()).lower())
    return names


def test_distribution_holds_the_product_packages_only(monkeypatch: pytest.MonkeyPatch) -> None:
    packages = set(_distribution(monkeypatch).packages or [])
    assert {name.partition(".")[0] for name in packages} == PRODUCT
    assert "bot.domain" in packages
    assert not {name for name in packages if name.partition(".")[0] in DEV_ONLY}


def test_servers_and_postgresql_are_runtime_requirements_and_tools_are_dev_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """aiohttp serves the webhook and /metrics, asyncpg reaches PostgreSQL; test tools stay out."""
    dist = _distribution(monkeypatch)
    runtime = _names(dist.install_requires)
    assert {"python-telegram-bot", "aiohttp", "asyncpg", "prometheus-client"} <= runtime
    assert set(dist.extras_require) == {"dev"}
    dev = _names(dist.extras_require["dev"])
    assert {"pytest", "ruff", "mypy", "hypothesis", "mutmut"} <= dev
    assert not dev & runtime


def test_image_copies_the_product_and_nothing_else() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    sources: set[str] = set()
    for line in dockerfile.splitlines():
        words = line.split()
        if words and words[0].upper() in {"COPY", "ADD"}:
            sources.update(word.rstrip("/") for word in words[1:-1] if not word.startswith("--"))
    assert sources == PRODUCT | {"pyproject.toml", "README.md", "requirements.lock"}


def test_product_imports_and_demo_explains_without_the_sandbox() -> None:
    """With `sandbox` unimportable, every product module loads and the demo says why it cannot
    start, in one line."""
    program = """
import importlib, pkgutil, sys
sys.modules["sandbox"] = None
for top in ("bot", "handlers", "storage", "locales"):
    package = importlib.import_module(top)
    for module in pkgutil.walk_packages(package.__path__, top + "."):
        importlib.import_module(module.name)
from bot.__main__ import main
sys.exit(main(["demo"]))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMZIEN_")}
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "omzien: the demo needs the sandbox, which only a checkout has: run `make demo` there"
    ]
