"""The lock files agree with pyproject.toml: `make test` and the image install only what they pin,
so a range changed in pyproject.toml without `make lock` must fail here, not in an install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def _pins(name: str) -> dict[str, tuple[str, int]]:
    """Each pinned project of a lock file: its version and how many hashes vouch for it."""
    pins: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        found = PIN.match(line)
        if found:
            current = canonicalize_name(found.group(1))
            pins[current] = (found.group(2), 0)
        elif current and HASH.search(line):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"{name}: a line that is neither a pin nor a hash: {line!r}")
    return pins


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements(kind: str) -> list[Requirement]:
    config = _pyproject()
    project = config["project"]
    build = config["build-system"]
    assert isinstance(project, dict) and isinstance(build, dict)
    wanted = [*project["dependencies"], *build["requires"]]
    if kind == "dev":
        wanted += project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize(("lock", "kind"), [("requirements.lock", "product"),
                                            ("requirements-dev.lock", "dev")])
def test_every_requirement_is_pinned_within_its_range_with_hashes(lock: str, kind: str) -> None:
    pins = _pins(lock)
    assert pins, f"{lock} pins nothing"
    unhashed = sorted(name for name, (_, hashes) in pins.items() if hashes == 0)
    assert not unhashed, f"{lock}: pins without a hash: {unhashed}"
    for requirement in _requirements(kind):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {name}: run `make lock`"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}: run `make lock`"
        )


def test_the_image_and_the_tests_run_the_same_versions() -> None:
    product = _pins("requirements.lock")
    dev = _pins("requirements-dev.lock")
    assert product.keys() <= dev.keys()
    differing = {name: (version, dev[name][0]) for name, (version, _) in product.items()
                 if dev[name][0] != version}
    assert not differing, f"the two lock files disagree (product, dev): {differing}"
