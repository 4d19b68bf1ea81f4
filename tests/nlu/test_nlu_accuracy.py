"""Accuracy on the held-out labelled set must not drop below the recorded baseline.

The baseline (tests/nlu/baseline.json) is what the engine measured when it was last improved;
raise it when the engine gets better, never lower it to make a change pass.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu.engine import build_engine
from bot.nlu.evaluate import evaluate, load_items

HERE = Path(__file__).parent
BASELINE = json.loads((HERE / "baseline.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def report() -> dict[str, Any]:
    engine = build_engine(PROJECT_ROOT / "intents", load_catalog(PROJECT_ROOT / "content"))
    return evaluate(engine, load_items(sorted(HERE.glob("*.jsonl"))))


def test_the_labelled_set_is_big_enough() -> None:
    assert report()["items"] >= BASELINE["min_items"]


@pytest.mark.parametrize(
    "metric", ["intent_role_accuracy", "intent_accuracy", "lang_accuracy", "oos_recall"]
)
def test_not_below_baseline(metric: str) -> None:
    measured = report()[metric]
    errors = [
        f"{e['where']}: {e['text']!r} -> {e['intent']}/{e['role']}/{e['lang']}"
        for e in report()["errors"][:15]
    ]
    assert measured >= BASELINE[metric] - 1e-9, "\n".join(errors)


def test_false_fallback_not_above_baseline() -> None:
    assert report()["false_fallback"] <= BASELINE["false_fallback"] + 1e-9


@pytest.mark.parametrize("lang", ["en", "nb", "nn", "lv", "fa"])
def test_every_language_is_covered_and_accurate(lang: str) -> None:
    row = report()["per_language"].get(lang)
    assert row is not None, f"no {lang} items"
    assert row["intent_role_accuracy"] >= BASELINE["per_language_min"]
