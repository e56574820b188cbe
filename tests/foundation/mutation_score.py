"""The mutation score per core module, read from what `mutmut run` left in mutants/.

`make mutate` runs mutmut over the modules in `[tool.mutmut] only_mutate` and then this, which
prints one row per module (mutants, killed, survived, score) and fails when any module is below
`REQUIRED`. A mutant counts as killed when a test failed or it ran past its time limit (an
endless loop is caught too); "no tests" and "survived" are both mutants the tests let through.

Usage: python -m tests.foundation.mutation_score [--list]   (--list also names every mutant not killed)
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

REQUIRED = 90.0
"""Per module, in percent."""

KILLED = {1, 3, 24, -24, 36, 152, 255}
"""mutmut's exit codes for a failed test (1, or 3 for an error inside pytest) and a time-out."""
SURVIVED = {0}


def modules(root: Path) -> list[str]:
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    return list(config["tool"]["mutmut"]["only_mutate"])


def results(root: Path, module: str) -> dict[str, int | None]:
    meta = root / "mutants" / f"{module}.meta"
    if not meta.exists():
        raise SystemExit(f"no results for {module}: run `make mutate` first")
    found: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    return found


def main(argv: list[str]) -> int:
    root = Path.cwd()
    rows: list[tuple[str, int, int, int, float]] = []
    missed: list[str] = []
    for module in modules(root):
        codes = results(root, module)
        killed = sum(1 for code in codes.values() if code in KILLED)
        survived = sum(1 for code in codes.values() if code in SURVIVED)
        score = 100.0 * killed / len(codes) if codes else 100.0
        rows.append((module, len(codes), killed, survived, score))
        missed += sorted(name for name, code in codes.items() if code not in KILLED)
    width = max(len(row[0]) for row in rows)
    print(f"{'module':<{width}}  mutants  killed  survived  score")
    for module, total, killed, survived, score in rows:
        print(f"{module:<{width}}  {total:>7}  {killed:>6}  {survived:>8}  {score:>5.1f}%")
    total = sum(row[1] for row in rows)
    killed = sum(row[2] for row in rows)
    print(f"{'all':<{width}}  {total:>7}  {killed:>6}  {sum(row[3] for row in rows):>8}"
          f"  {100.0 * killed / max(total, 1):>5.1f}%")
    if "--list" in argv:
        print("\nnot killed (`mutmut show NAME` prints the change):")
        print("\n".join(f"  {name}" for name in missed))
    below = [row[0] for row in rows if row[4] < REQUIRED]
    if below:
        print(f"\nbelow {REQUIRED:.0f}%: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
