"""``helpdesk-bot backup PATH`` and ``helpdesk-bot stats [--days N] [--png FILE]``.

Both work while the bot runs: the backup reads one snapshot through SQLite's online backup API,
and stats reads committed counters (WAL lets readers and the bot's writer proceed together).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.constants import LANGUAGES
from bot.storage.backups import backup_database
from bot.storage.models import Stats
from bot.storage.schema import StorageError
from bot.storage.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the storage sub-commands to the ``helpdesk-bot`` parser."""
    backup = sub.add_parser(
        "backup",
        help="write a consistent copy of the database (safe while the bot runs)",
        description="Write a consistent copy of the SQLite database, safe while the bot runs.",
    )
    backup.add_argument("path", type=Path, help="the file to write (replaced if it exists)")
    backup.set_defaults(func=cmd_backup)
    stats = sub.add_parser("stats", help="usage statistics: questions, intents, fallback, 👍/👎",
                           description="Usage statistics from the database: questions, "
                                       "intents, answers from the fallback, 👍/👎.")
    stats.add_argument("--days", type=_positive_int, default=7, help="days to cover (default 7)")
    stats.add_argument("--json", action="store_true", help="print JSON instead of text")
    stats.add_argument("--png", type=Path, metavar="FILE",
                       help="also write the picture /stats sends (PNG) to FILE")
    stats.add_argument("--lang", choices=LANGUAGES, default="en",
                       help="language of the picture (default en)")
    stats.set_defaults(func=cmd_stats)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days >= 1, got {value!r}")
    return number


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy DATABASE_PATH to ``args.path``."""
    from bot.config import load_settings

    settings = load_settings()
    try:
        backup_database(settings.database_path, args.path)
    except (StorageError, OSError) as exc:
        print(f"helpdesk-bot backup: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {settings.database_path} to {args.path}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print usage over the last ``args.days`` days."""
    from bot.config import load_settings

    settings = load_settings()
    if not settings.database_path.is_file():
        print(f"helpdesk-bot stats: no database at {settings.database_path}", file=sys.stderr)
        return 1
    try:
        stats = asyncio.run(_read_stats(settings.database_path, settings.retention_days, args.days))
    except (StorageError, OSError) as exc:
        print(f"helpdesk-bot stats: {exc}", file=sys.stderr)
        return 1
    if args.png is not None:
        try:
            write_picture(stats, settings.content_dir, args.lang, args.png)
        except OSError as exc:
            print(f"helpdesk-bot stats: cannot write {args.png}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(stats_to_json(stats), ensure_ascii=False))
    else:
        print(format_stats(stats))
        if args.png is not None:
            print(f"\nPicture written to {args.png}")
    return 0


def write_picture(stats: Stats, content_dir: Path, lang: str, path: Path) -> None:
    """The picture of ``/stats`` in ``lang``, written to ``path`` (a file of the same name is
    replaced only once the picture is complete). matplotlib is loaded only here."""
    from bot.charts.stats import render_stats
    from bot.content.catalog import load_catalog

    picture = render_stats(stats, load_catalog(content_dir), lang)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(picture.png)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


async def _read_stats(path: Path, retention_days: int, days: int) -> Stats:
    store = await Store.open(path, retention_days=retention_days, purge_interval=None)
    try:
        return await store.stats(days)
    finally:
        await store.close()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_stats(stats: Stats, top: int = 10) -> str:
    """Plain-text report for the terminal (English; the bot formats its own per language)."""
    lines = [
        f"Questions {stats.since} .. {stats.until} ({stats.days} days): {stats.questions}",
        f"Fallback rate: {_percent(stats.fallback_rate)} ({stats.fallbacks})",
        f"Feedback: 👍 {stats.thumbs_up} / 👎 {stats.thumbs_down} "
        f"({_percent(stats.thumbs_up_ratio)} 👍)",
        "",
        "Per day:",
        *(f"  {day}  {count}" for day, count in stats.per_day),
    ]
    for title, ranked in (
        ("Top intents", stats.intents),
        ("Roles", stats.roles),
        ("Languages", stats.langs),
    ):
        lines += ["", f"{title}:"]
        lines += [f"  {name:<24} {count}" for name, count in ranked[:top]] or ["  -"]
    return "\n".join(lines)


def stats_to_json(stats: Stats) -> dict[str, Any]:
    """The stats as plain JSON values (dates as ISO strings)."""
    return {
        "days": stats.days,
        "since": stats.since.isoformat(),
        "until": stats.until.isoformat(),
        "questions": stats.questions,
        "fallbacks": stats.fallbacks,
        "fallback_rate": stats.fallback_rate,
        "thumbs_up": stats.thumbs_up,
        "thumbs_down": stats.thumbs_down,
        "thumbs_up_ratio": stats.thumbs_up_ratio,
        "per_day": [[day.isoformat(), count] for day, count in stats.per_day],
        "intents": [list(item) for item in stats.intents],
        "roles": [list(item) for item in stats.roles],
        "langs": [list(item) for item in stats.langs],
        "lang_days": {lang: list(counts) for lang, counts in stats.lang_days},
        "topic_votes": [list(item) for item in stats.topic_votes],
    }
