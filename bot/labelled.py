"""Labelled data files (the NLU items and the conversations): JSONL reading with file:line
errors, and the one dev/held split both reports use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from bot.problems import ContentError, Problem, describe_os_error

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
        except UnicodeDecodeError:
            problems.append(Problem(str(path), 0, f"cannot read {what}s: not UTF-8 text"))
            continue
        except OSError as exc:  # missing, a folder, no permission
            problems.append(Problem(str(path), 0,
                                    f"cannot read {what}s: {describe_os_error(exc)}"))
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                problems.append(Problem(str(path), n, f"bad {what}: not JSON ({_json_error(exc)})"))
                continue
            if not isinstance(obj, dict):
                problems.append(Problem(str(path), n, f"bad {what}: a JSON object {{...}} was "
                                        f"expected, not {_json_kind(obj)}"))
                continue
            try:
                out.append(build(obj, f"{path}:{n}"))
            except KeyError as exc:
                problems.append(Problem(str(path), n, f"bad {what}: no {exc.args[0]!r} field"))
            except (ValueError, TypeError, AttributeError):
                problems.append(Problem(str(path), n, f"bad {what}: a field has a value of the "
                                        "wrong kind (see the other lines for the format)"))
    if problems:
        raise ContentError(problems)
    return out


def _json_error(exc: ValueError) -> str:
    """json's own words and where ("Expecting value at column 1"), without Python's names."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return "cannot be decoded"


def _json_kind(value: object) -> str:
    """What a JSON value is, in JSON's words."""
    if isinstance(value, list):
        return "a list [...]"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a number"
