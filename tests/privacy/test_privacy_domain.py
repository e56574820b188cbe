"""The privacy rules as plain Python: retention moments, the action budget, group erasure steps,
the export document, and pseudonyms in logs."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel, Field, ValidationError

from bot.domain.privacy import (
    ERASURE_CONFIRM_WINDOW,
    ActionCounter,
    GroupErasure,
    RateLimit,
    Verdict,
    export_document,
    next_retention_run,
    removed_group_cutoff,
    retention_cutoff,
    retention_ref,
)
from bot.logs import protect_token, pseudonym, redact, set_pseudonym_key
from tests.harness import AMS

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Amsterdam


def test_retention_cutoff_counts_days_back() -> None:
    assert retention_cutoff(NOW, 90) == NOW - timedelta(days=90)
    with pytest.raises(ValueError):
        retention_cutoff(NOW, 0)


def test_removed_group_cutoff_is_thirty_days() -> None:
    assert removed_group_cutoff(NOW) == NOW - timedelta(days=30)


def test_next_retention_run_is_the_coming_night_at_four() -> None:
    due = next_retention_run(NOW, AMS)
    assert due.astimezone(AMS) == datetime(2026, 11, 24, 4, 0, tzinfo=AMS)
    early = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 03:00 Amsterdam: still tonight
    assert next_retention_run(early, AMS).astimezone(AMS) == datetime(2026, 11, 23, 4, 0, tzinfo=AMS)
    exactly = datetime(2026, 11, 23, 4, 0, tzinfo=AMS)
    assert next_retention_run(exactly, AMS) > exactly


def test_next_retention_run_across_daylight_saving() -> None:
    before_switch = datetime(2026, 3, 28, 12, 0, tzinfo=AMS)  # clocks go forward on the 29th
    due = next_retention_run(before_switch, AMS)
    assert due.astimezone(AMS).hour == 4 and due.astimezone(AMS).day == 29


def test_retention_ref_is_the_local_date() -> None:
    assert retention_ref(next_retention_run(NOW, AMS), AMS) == "2026-11-24"


def test_counter_allows_up_to_the_minute_limit_and_tells_once() -> None:
    counter = ActionCounter(RateLimit(per_minute=3, per_hour=100))
    assert [counter.check(1, NOW) for _ in range(3)] == [Verdict.ALLOWED] * 3
    assert counter.check(1, NOW) is Verdict.REFUSED_TELL
    assert counter.check(1, NOW + timedelta(seconds=5)) is Verdict.REFUSED_QUIET
    assert counter.check(2, NOW) is Verdict.ALLOWED, "another resident is not affected"
    later = NOW + timedelta(seconds=61)
    assert counter.check(1, later) is Verdict.ALLOWED
    for _ in range(2):
        counter.check(1, later)
    assert counter.check(1, later) is Verdict.REFUSED_TELL, "a new stretch is told again"


def test_counter_hour_limit() -> None:
    counter = ActionCounter(RateLimit(per_minute=100, per_hour=5))
    for minute in range(5):
        assert counter.check(7, NOW + timedelta(minutes=minute)) is Verdict.ALLOWED
    assert counter.check(7, NOW + timedelta(minutes=10)) is Verdict.REFUSED_TELL
    assert counter.check(7, NOW + timedelta(minutes=61)) is Verdict.ALLOWED


def test_refused_actions_do_not_extend_the_wait() -> None:
    counter = ActionCounter(RateLimit(per_minute=2, per_hour=100))
    counter.check(1, NOW)
    counter.check(1, NOW)
    for second in range(1, 59):
        assert counter.check(1, NOW + timedelta(seconds=second)) is not Verdict.ALLOWED
    assert counter.check(1, NOW + timedelta(seconds=61)) is Verdict.ALLOWED


def test_counter_forgets_quiet_residents() -> None:
    counter = ActionCounter()
    for user_id in range(ActionCounter.PRUNE_EVERY - 1):
        counter.check(user_id, NOW)
    assert len(counter) == ActionCounter.PRUNE_EVERY - 1
    counter.check(10**9, NOW + timedelta(hours=2))
    assert len(counter) <= 1


def test_erasure_accepts_only_its_message_step_and_time() -> None:
    erasure = GroupErasure(building_id=-1, message_id=10, step=1, requested_at=NOW)
    assert erasure.accepts(10, 1, NOW + timedelta(minutes=1))
    assert not erasure.accepts(11, 1, NOW), "another message"
    assert not erasure.accepts(10, 2, NOW), "second step before the first"
    assert not erasure.accepts(10, 1, NOW + ERASURE_CONFIRM_WINDOW + timedelta(seconds=1))


def test_export_document_is_readable_json_with_every_section() -> None:
    raw = export_document(5, NOW, {"resident": {"profile": {"first_name": "Zoë 👋"}},
                                   "requests": {"asked": [{"at": NOW}]}})
    document = json.loads(raw)
    assert document["omzien_export"]["user_id"] == 5
    assert document["data"]["resident"]["profile"]["first_name"] == "Zoë 👋"
    assert document["data"]["requests"]["asked"][0]["at"] == NOW.isoformat()
    assert "Zoë" in raw.decode(), "non-ASCII kept readable"


def test_pseudonym_is_stable_keyed_and_hides_the_id() -> None:
    set_pseudonym_key("one")
    first = pseudonym(123456789)
    assert first == pseudonym(123456789)
    assert "123456789" not in first
    assert pseudonym(123456788) != first
    set_pseudonym_key("two")
    assert pseudonym(123456789) != first
    assert pseudonym(None) == "u-none"


def test_rejected_input_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    """pydantic quotes the rejected value in its error; a resident's text must not be logged."""

    class Draft(BaseModel):
        text: str = Field(max_length=5)

    protect_token(None)
    said = "".join(["Pi", "et is ziek, 'echt' waar"])  # not a literal: tracebacks show source lines
    try:
        Draft(text=said)
    except ValidationError as error:
        assert "Piet" not in redact(str(error))
        logging.getLogger("tests.privacy").error("update 1 failed", exc_info=error)
    record = caplog.records[-1]
    assert "Piet" not in (record.exc_text or "") and "input_value=<hidden>" in (record.exc_text or "")
