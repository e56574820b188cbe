"""`python -m bot demo` runs with no token and no network, a resident can talk to the bot, and
the tour it prints works: moving the clock shows a bump, an expiry, a reminder with buttons, a
look-back and the weekly digest; press answers are shown and files the bot sends are saved."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from sandbox.demo import TOUR, clock_target, demo_building, first_monday_after, tour_lines
from tests.harness import ROOT
from tests.languages.reading import chunks

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam


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
    assert "A short tour" in out and "clock +1d" in out, "make demo prints the tour"
    assert "Traceback" not in result.stderr


def test_the_clock_command_reads_steps_times_and_days() -> None:
    settings = load_settings(_env_file=None)
    start = first_monday_after(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), settings)
    assert start == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert clock_target("+1d", start, settings) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert clock_target("+2h30m", start, settings) == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)
    assert clock_target("19:00", start, settings) == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert clock_target("9:00", start, settings) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert clock_target("wo 19:00", start, settings) == datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    for nonsense in ("+", "+1x", "25:00", "soon", "gisteren 10:00"):
        assert clock_target(nonsense, start, settings) is None, nonsense


async def test_the_tour_shows_what_the_bot_does_as_time_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(_env_file=None)
    files = tmp_path / "files"
    async with demo_building(settings, tmp_path, start=MONDAY, files=files) as demo:
        demo.show_new()
        lines = tour_lines()
        assert lines and all(line in TOUR for line in lines)
        said: list[tuple[str, str]] = []
        for line in lines:
            assert await demo.handle(line)
            said.append((line, capsys.readouterr().out))

        def after(line: str, occurrence: int = 1) -> str:
            return [out for typed, out in said if typed == line][occurrence - 1]

        # An answer to a press is shown as the presser sees it; a file is saved and shown.
        assert "(pop-up for Anouk: Fijn, je komt!" in after("Anouk press Ik kom")
        calendar = after("Anouk press In mijn agenda")
        saved = list(files.iterdir())
        assert len(saved) == 1 and saved[0].read_bytes().startswith(b"BEGIN:VCALENDAR")
        assert f"(file saved: {saved[0]})" in calendar
        bump = after("clock 18:30")
        assert "— Mon 23 Nov 18:30 —" in bump and "nog geen helper" in bump
        expiry = after("clock 21:30")
        assert "— Mon 23 Nov 21:30 —" in expiry and "deze vraag is voorbij" in expiry
        tuesday = after("clock +1d")
        assert "Niemand kon helpen" in tuesday
        assert "Denk je eraan? Koffie in de hal" in tuesday and "[Ik kan toch niet]" in tuesday
        wednesday = after("clock +1d", 2)
        assert "Was je bij Koffie in de hal?" in wednesday and "[Ik was er niet]" in wednesday
        assert "Dit is voorbij." in wednesday and "Er kwamen 0" not in wednesday
        assert "waren erbij: 1" in after("Anouk press Fijn")
        for line, lang, key in (("Mehmet> /start", "tr", "start.private"),
                                ("Khadija> /start", "ar", "start.private"),
                                ("Agnieszka> /start", "pl", "start.private"),
                                ("Oksana> /privacy", "uk", "privacy.text")):
            assert all(part in after(line) for part in chunks(lang, key)), line
        digest = after("clock +4d")
        assert "— Sun 29 Nov 19:" in digest and "Open vragen" in digest
        assert "The clock now says Sun 29 Nov 21:30." in digest
