"""What the sub-commands share: argument types (a bad value is refused by argparse in one line,
``helpdesk-bot eval: argument --errors: ...``, exit 2, before any work starts) and the one way
content problems are reported."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from bot.numbers import whole_number
from bot.problems import ContentError

SHOWN_PROBLEMS = 20  # content problems listed before the summary line

LARGE = 10**9  # "any number" for counts: larger ones are typos


def share(text: str) -> float:
    """A fraction from 0 to 1 (``0.05``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1 (e.g. 0.05), got {text!r}")
    return value


def count(text: str) -> int:
    """A whole number, 0 or more."""
    value = whole_number(text, 0, LARGE)
    if value is None:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, got {text!r}")
    return value


def input_file(text: str) -> Path:
    """A file that exists (checked now, so a typo is not found after minutes of work)."""
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    return path


def output_file(text: str) -> Path:
    """A file to write, in a folder that exists (checked now, before the work, not after)."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text}: folder {folder} does not exist")
    return path


def report_content_error(exc: ContentError) -> int:
    """The first problems as ``file:line: message``, then one line saying how many there are
    and where to see them all; the exit status (1)."""
    for problem in exc.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    more = len(exc.problems) - SHOWN_PROBLEMS
    print(f"helpdesk-bot: content or intents have {len(exc.problems)} problem(s)"
          + (f" ({more} more not shown)" if more > 0 else "")
          + "; `helpdesk-bot check` lists them all.", file=sys.stderr)
    return 1
