"""The accuracy floors of ``tests/nlu/`` as a gate: would a new engine lower any of them?

Two labelled sets have recorded floors: the project's own (``tests/nlu/*.jsonl`` with
``tests/nlu/baseline.json``) and the independent one (``tests/nlu/independent/*.jsonl`` with
its ``baseline.json``). The rules are those of ``tests/nlu/test_nlu_accuracy.py`` and
``tests/nlu/test_independent_set.py``: accuracies and recalls at least their floor, the false
fallback rate at most its ceiling, every language (own set) and every recorded kind
(independent set) at least its floor.

A new engine *lowers* a floor when it misses it and does worse there than the engine that runs
now: a floor the running engine already misses is not blamed on the change. The items that
change from right to wrong name what would break.

Installed as a package there is no ``tests/`` folder: :func:`floor_sets` returns None and the
caller says that the check was skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.constants import LANGUAGES
from bot.nlu.engine import Engine
from bot.nlu.evaluate import evaluate, load_items

DEFAULT_TESTS_DIR = PROJECT_ROOT / "tests" / "nlu"
AT_LEAST = ("intent_role_accuracy", "intent_accuracy", "lang_accuracy", "oos_recall",
            "other_job_recall", "pay_accuracy")
AT_MOST = ("false_fallback",)
EPSILON = 1e-9


@dataclass(frozen=True)
class FloorSet:
    """One labelled set and its recorded floors."""

    name: str  # "tests/nlu", "tests/nlu/independent"
    files: tuple[Path, ...]
    baseline: dict[str, Any]


@dataclass(frozen=True)
class Miss:
    """A floor the new engine would lower."""

    set_name: str
    metric: str  # "intent_role_accuracy", "per_language fa", "per_kind typo", ...
    value: float
    floor: float
    current: float

    def __str__(self) -> str:
        return (f"{self.set_name}: {self.metric} {self.value:.4f} "
                f"(floor {self.floor}, now {self.current:.4f})")


@dataclass(frozen=True)
class Broken:
    """A test item the running engine gets right and the new one would get wrong."""

    where: str  # "tests/nlu/en.jsonl:12"
    text: str
    expected: str  # "salary/helpdesk-specialist/en"
    got: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r} expected {self.expected}, got {self.got}"


@dataclass(frozen=True)
class FloorCheck:
    """The outcome: ``skipped`` when there are no floors to check against."""

    skipped: bool
    misses: tuple[Miss, ...] = ()
    broken: tuple[Broken, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.misses


def floor_sets(tests_dir: Path = DEFAULT_TESTS_DIR) -> list[FloorSet] | None:
    """The sets under ``tests_dir`` that have a ``baseline.json``; None when there is none."""
    found = []
    for folder in (tests_dir, tests_dir / "independent"):
        baseline = folder / "baseline.json"
        files = tuple(sorted(folder.glob("*.jsonl")))
        if baseline.is_file() and files:
            found.append(FloorSet(_shown(folder), files,
                                  json.loads(baseline.read_text(encoding="utf-8"))))
    return found or None


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def measure(engine: Engine, sets: list[FloorSet]) -> dict[str, dict[str, Any]]:
    """The report (``bot.nlu.evaluate``) of each set; slow (seconds): run it in a thread."""
    return {s.name: evaluate(engine, load_items(s.files)) for s in sets}


def figures(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, tuple[float, float,
                                                                                  bool]]:
    """metric -> (measured value, floor, True when higher is better) for every recorded floor."""
    out: dict[str, tuple[float, float, bool]] = {}
    for metric in AT_LEAST + AT_MOST:
        if metric in baseline and metric in report:
            out[metric] = (float(report[metric]), float(baseline[metric]), metric in AT_LEAST)
    if "per_language_min" in baseline:
        for lang in LANGUAGES:
            row = report["per_language"].get(lang)
            if row is not None:
                out[f"per_language {lang}"] = (float(row["intent_role_accuracy"]),
                                               float(baseline["per_language_min"]), True)
    for kind, floor in (baseline.get("per_kind") or {}).items():
        row = report["per_kind"].get(kind)
        if row is not None:
            out[f"per_kind {kind}"] = (float(row["intent_role_accuracy"]), float(floor), True)
    return out


def compare(sets: list[FloorSet], now: dict[str, dict[str, Any]],
            new: dict[str, dict[str, Any]]) -> FloorCheck:
    """The floors ``new`` lowers against ``now``, and the items it breaks."""
    misses: list[Miss] = []
    broken: list[Broken] = []
    for s in sets:
        before = figures(now[s.name], s.baseline)
        for metric, (value, floor, higher) in figures(new[s.name], s.baseline).items():
            current = before.get(metric, (value, floor, higher))[0]
            below = value < floor - EPSILON if higher else value > floor + EPSILON
            worse = value < current - EPSILON if higher else value > current + EPSILON
            if below and worse:
                misses.append(Miss(s.name, metric, value, floor, current))
        wrong_before = {row["where"] for row in now[s.name]["errors"]}
        for row in new[s.name]["errors"]:
            if row["where"] not in wrong_before:
                broken.append(Broken(
                    _where(row["where"]), row["text"],
                    f"{row['gold_intent']}/{row['gold_role']}/{row['gold_lang']}",
                    f"{row['intent']}/{row['role']}/{row['lang']}"))
    return FloorCheck(False, tuple(misses), tuple(broken))


def _where(where: str) -> str:
    path, _, line = where.rpartition(":")
    return f"{_shown(Path(path))}:{line}" if path else where


__all__ = ["DEFAULT_TESTS_DIR", "Broken", "FloorCheck", "FloorSet", "Miss", "compare",
           "floor_sets", "measure"]
