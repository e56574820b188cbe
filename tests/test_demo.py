"""`python -m bot demo` runs with no token and no network, and a resident can talk to the bot."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.harness import ROOT


def test_demo_runs_a_scripted_conversation() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMZIEN_")}
    script = "Fatma: /help\nFatma open 1 Begin hier\nKees> /start\nquit\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=ROOT, env=env, input=script, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#1 [Flat De Linde] Omzien: Hoi buren!" in out
    assert "Dit kun je met Omzien doen" in out
    assert "[private chat with Fatma] Omzien: Hoi Fatma!" in out
    assert "Je hoort nu bij Flat De Linde" in out
    assert "[private chat with Kees] Omzien: Hoi Kees!" in out
    assert "Traceback" not in result.stderr
