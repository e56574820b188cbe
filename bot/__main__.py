"""Command line: `python -m bot run | demo | migrate | backup PATH`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Omzien: neighbours in a block of flats looking out for each other.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot (long polling, or a webhook when OMZIEN_WEBHOOK_URL is set)",
        description="Run the bot with long polling against OMZIEN_BOT_API_URL, or, with "
        "OMZIEN_WEBHOOK_URL and OMZIEN_WEBHOOK_SECRET set, take updates on a webhook. "
        "Needs OMZIEN_BOT_TOKEN.",
    )
    demo = commands.add_parser(
        "demo",
        help="try the bot on a local sandbox with a seeded building; no token needed",
        description="Start a local Bot API sandbox, a seeded building and the real bot, and "
        "talk to it as any resident from this terminal.",
    )
    demo.add_argument("--script", type=Path, help="read the prompt lines from this file")
    commands.add_parser(
        "migrate",
        help="apply database migrations to OMZIEN_DATABASE",
        description="Apply the numbered schema migrations that are not applied yet.",
    )
    backup = commands.add_parser(
        "backup",
        help="copy the database to PATH while the bot keeps running",
        description="Make a consistent online backup of OMZIEN_DATABASE with SQLite's backup API.",
    )
    backup.add_argument("path", type=Path, help="where to write the copy")
    commands.add_parser(
        "health",
        help="exit 0 when a running bot shows a sign of life and its updates are flowing",
        description="For container health checks: reads the heartbeat beside OMZIEN_DATABASE "
        "and how long the oldest update not yet handled has waited.",
    )
    return parser


async def _migrate(settings: Settings) -> None:
    from storage.db import Database

    db = await Database.open(settings.database, migrate=False)
    try:
        applied = await db.migrate()
        version = await db.schema_version()
    finally:
        await db.close()
    done = ", ".join(str(number) for number in applied) or "none"
    print(f"{settings.database}: applied {done}; schema version {version}")


async def _backup(settings: Settings, target: Path) -> None:
    from storage.db import Database

    file = settings.database_file
    if file is not None and not file.exists():
        raise ConfigError(f"OMZIEN_DATABASE: {settings.database} does not exist")
    db = await Database.open(settings.database, migrate=False)
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(f"backed up {settings.database} to {target}")


def _demo(settings: Settings, script: Path | None) -> int:
    """The demo lives in the sandbox, which only a checkout has: the product runs without it."""
    try:
        from sandbox.demo import run_demo
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != "sandbox":
            raise
        print(
            "omzien: the demo needs the sandbox, which only a checkout has: run `make demo` there",
            file=sys.stderr,
        )
        return 2
    return run_demo(settings, script=script)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            setup_logging(settings.log_level, settings.token)
            from bot.app import run

            run(settings)
        elif args.command == "demo":
            return _demo(settings, args.script)
        elif args.command == "migrate":
            setup_logging(settings.log_level)
            asyncio.run(_migrate(settings))
        elif args.command == "health":
            from bot.health import check

            problem = asyncio.run(check(settings.database))
            if problem is not None:
                print(f"omzien: unhealthy: {problem}", file=sys.stderr)
                return 1
        elif args.command == "backup":
            setup_logging(settings.log_level)
            asyncio.run(_backup(settings, args.path))
    except ConfigError as exc:
        print(f"omzien: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
