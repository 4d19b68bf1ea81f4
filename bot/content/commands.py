"""Sub-command ``check`` (registered by bot/cli.py): validate content and intents for admins."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from bot.problems import Problem


def register(sub: Any) -> None:
    """Add ``check`` to the ``helpdesk-bot`` argparse sub-parsers."""
    check = sub.add_parser(
        "check",
        help="check content/ and intents/: one 'file:line: message' per problem, exit 1 if any",
        description="Check content/ and intents/ with every rule a reload applies: one "
                    "'file:line: message' per problem, exit status 1 if there is any.",
    )
    check.add_argument("--content", type=Path, help="content directory (default CONTENT_DIR)")
    check.add_argument("--intents", type=Path, help="intents directory (default INTENTS_DIR)")
    check.set_defaults(func=cmd_check)


def _intent_problems(intents_dir: Path, content_dir: Path, learned_dir: Path | None = None
                     ) -> tuple[list[Problem], bool]:
    """Problems of intents/, and whether the intents checker exists at all yet."""
    try:
        data = importlib.import_module("bot.nlu.data")
    except ModuleNotFoundError as exc:
        if exc.name not in ("bot.nlu", "bot.nlu.data"):
            raise
        return [], False
    check_intents = getattr(data, "check_intents", None)
    if check_intents is None:
        return [], False
    from bot.content.catalog import load_content

    catalog, _ = load_content(content_dir)
    return list(check_intents(intents_dir, catalog, learned_dir)), True


def cmd_check(args: argparse.Namespace) -> int:
    """Print every problem, then a summary; exit status 1 when there is any."""
    content_dir: Path | None = args.content
    intents_dir: Path | None = args.intents
    learned_dir: Path | None = None
    if content_dir is None or intents_dir is None:
        from bot.config import offline_settings

        settings = offline_settings()
        content_dir = content_dir or settings.content_dir
        if intents_dir is None:  # the taught examples belong to the configured intents
            intents_dir, learned_dir = settings.intents_dir, settings.learned_dir
    from bot.content.check import check_content

    problems = check_content(content_dir)
    intent_problems, checked_intents = _intent_problems(intents_dir, content_dir, learned_dir)
    everything = problems + sorted(set(intent_problems))
    for problem in everything:
        print(problem)
    checked = "content and intents" if checked_intents else "content (intents checker missing)"
    if everything:
        print(f"{len(everything)} problem(s) in {checked}: {len(problems)} in content, "
              f"{len(intent_problems)} in intents.", file=sys.stderr)
        return 1
    print(f"OK: no problems in {checked}.", file=sys.stderr)
    return 0
