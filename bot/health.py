"""Liveness for containers: the running bot touches a heartbeat file; ``health`` checks it.

A polling bot has no port to probe, so "healthy" means: the settings are valid, the database
opens and passes a quick check, and the bot's heartbeat file was touched recently (the bot
touches it every ``INTERVAL`` seconds from its event loop, so a hung loop turns unhealthy).
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import time
from pathlib import Path

from bot.config import Settings, load_settings
from bot.files import FILE_MODE, private_folder, tighten

INTERVAL = 30.0
MAX_AGE = 4 * INTERVAL


def heartbeat_path(settings: Settings) -> Path:
    return settings.database_path.with_name(settings.database_path.name + ".heartbeat")


def prepare_heartbeat(path: Path) -> None:
    """Its folder private and an old heartbeat file tightened, before the first beat."""
    private_folder(path.parent)
    tighten(path)


def touch_heartbeat(path: Path) -> None:
    """One beat (the runner's JobQueue calls it every ``INTERVAL`` s from the event loop)."""
    with contextlib.suppress(OSError):
        path.touch(mode=FILE_MODE)


def check_health(settings: Settings, now: float | None = None) -> list[str]:
    """Problems that make the running bot unhealthy; empty when all is well."""
    problems: list[str] = []
    db = settings.database_path
    if db.exists():
        try:
            with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    problems.append(f"database {db} fails quick_check")
        except sqlite3.Error as exc:
            problems.append(f"database {db}: {exc}")
    beat_file = heartbeat_path(settings)
    try:
        age = (now if now is not None else time.time()) - beat_file.stat().st_mtime
    except FileNotFoundError:
        problems.append(f"no heartbeat at {beat_file}: is the bot running?")
    else:
        if age > MAX_AGE:
            problems.append(f"heartbeat is {age:.0f} s old (limit {MAX_AGE:.0f} s)")
    return problems


def cmd_health(args: argparse.Namespace) -> int:
    problems = check_health(load_settings(check_database=False))
    for problem in problems:
        print(f"unhealthy: {problem}", file=sys.stderr)
    if not problems:
        print("healthy")
    return 1 if problems else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("health", help="exit 0 when the running bot is alive (Docker "
                                           "HEALTHCHECK)",
                            description="Exit 0 when the running bot is alive: its database "
                                        "opens and its heartbeat is recent (Docker HEALTHCHECK).")
    parser.set_defaults(func=cmd_health)
