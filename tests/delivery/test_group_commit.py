"""Group commit: a commit is on disk before whoever made it goes on, and commits that end while
a sync runs share the next one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import group_commit
from storage.group_commit import GroupCommit

pytestmark = pytest.mark.sqlite_only(reason="group commit syncs SQLite's write-ahead log")


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every fsync, counted."""
    done: list[int] = []

    def fsync(fd: int) -> None:
        done.append(fd)

    monkeypatch.setattr(group_commit.os, "fsync", fsync)
    return done


async def test_a_commit_returns_only_after_its_log_was_synced(tmp_path: Path,
                                                              syncs: list[int]) -> None:
    wal = tmp_path / "db.sqlite3-wal"
    wal.write_bytes(b"frames")
    commits = GroupCommit(wal)
    await commits.wrote()
    assert len(syncs) == 1
    await commits.wrote()
    assert len(syncs) == 2  # a later commit is never covered by an earlier sync
    await commits.close()


async def test_commits_that_end_together_share_one_sync(tmp_path: Path,
                                                        syncs: list[int]) -> None:
    wal = tmp_path / "db.sqlite3-wal"
    wal.write_bytes(b"frames")
    commits = GroupCommit(wal)
    await asyncio.gather(*(commits.wrote() for _ in range(20)))
    assert 1 <= len(syncs) <= 2  # the first alone, then every one waiting meanwhile together
    await commits.close()


async def test_a_database_in_memory_syncs_nothing(syncs: list[int]) -> None:
    commits = GroupCommit(None)
    await commits.wrote()
    assert syncs == []
    await commits.close()
