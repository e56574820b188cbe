"""A PostgreSQL server for one test session: `OMZIEN_TEST_ENGINE=postgresql` puts every test
database on it.

Started on first use (initdb and pg_ctl in a temporary folder, as the `postgres` user when the
tests run as root, since PostgreSQL refuses to run as root), reached over a unix socket only,
and tuned for throwaway data: no fsync, no synchronous commit, no full-page writes. One database
is migrated once and kept as a template; each test gets its own copy (`CREATE DATABASE ...
TEMPLATE`, a file copy, much faster than migrating again), dropped when the test ends.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import asyncpg

ENGINE = os.environ.get("OMZIEN_TEST_ENGINE", "sqlite")
"""The engine under every storage fixture and `world`: sqlite (the default) or postgresql."""
TEMPLATE = "omzien_template"
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "listen_addresses": "",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "max_locks_per_transaction": "128",
}


def on_postgresql() -> bool:
    return ENGINE == "postgresql"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb): `make test` installs it")
    return Path(initdb).parent


class PostgresServer:
    def __init__(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="omzien-pg-"))
        self._data = self._root / "data"
        self.socket_dir = self._root / "socket"
        self._bin = _bin_dir()
        self._names = itertools.count(1)
        self._user: str | None = None
        self._template_ready = False

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self._user, "--"] if self._user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=self._root)

    def start(self) -> None:
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            self._user = "postgres"
            account = pwd.getpwnam(self._user)
            for path in (self._root, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run(str(self._bin / "initdb"), "-D", str(self._data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
        options = " ".join(f"-c {key}={value!r}" if value == "" else f"-c {key}={value}"
                           for key, value in SETTINGS.items())
        self._run(str(self._bin / "pg_ctl"), "-D", str(self._data), "-w", "-s",
                  "-l", str(self._root / "server.log"),
                  "-o", f"-k {self.socket_dir} {options}", "start")

    def stop(self) -> None:
        if (self._data / "postmaster.pid").exists():
            self._run(str(self._bin / "pg_ctl"), "-D", str(self._data), "-w", "-s",
                      "-m", "immediate", "stop")
        shutil.rmtree(self._root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url("postgres"))

    async def _ensure_template(self) -> None:
        if self._template_ready:
            return
        from storage.db import Database

        admin = await self._admin()
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEMPLATE)
            if exists is None:
                await admin.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await admin.close()
        database = await Database.open(self.url(TEMPLATE))
        await database.close()
        self._template_ready = True

    async def fresh_database(self, template: str = TEMPLATE) -> str:
        """The URL of a new database: migrated and empty, or a copy of `template`."""
        if template == TEMPLATE:
            await self._ensure_template()
        name = f"test_{os.getpid()}_{next(self._names)}"
        admin = await self._admin()
        try:
            await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await admin.close()
        return self.url(name)

    async def drop(self, url: str) -> None:
        name = url.rpartition("/")[2].partition("?")[0]
        admin = await self._admin()
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


_SERVER: PostgresServer | None = None


def server() -> PostgresServer:
    """The session's server, started on first use and stopped when the tests end."""
    global _SERVER
    if _SERVER is None:
        started = PostgresServer()
        try:
            started.start()
        except BaseException:
            started.stop()
            raise
        _SERVER = started
        atexit.register(stop)
    return _SERVER


def stop() -> None:
    global _SERVER
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None
