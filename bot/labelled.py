"""Labelled data files (the NLU items and the conversations): JSONL reading with file:line
errors, and the one dev/held split both reports use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from bot.problems import ContentError, Problem

T = TypeVar("T")


def half(key: str) -> str:
    """"dev" or "held", fixed by a hash of ``key``: developers read the dev half's failures
    only, so the held half keeps measuring what nobody tuned for."""
    return "dev" if hashlib.sha1(key.encode()).digest()[0] < 128 else "held"


def read_jsonl(paths: Iterable[Path], build: Callable[[dict[str, Any], str], T],
               what: str) -> list[T]:
    """``build(object, "file:line")`` for every non-empty line; every malformed line is
    reported (``bad <what>: ...``) in one ContentError."""
    out: list[T] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:  # missing, unreadable or not UTF-8
            problems.append(Problem(str(path), 0, f"cannot read {what}s: {exc.__class__.__name__}"))
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(build(json.loads(line), f"{path}:{n}"))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                problems.append(Problem(str(path), n, f"bad {what}: {exc}"))
    if problems:
        raise ContentError(problems)
    return out
