"""CLINC150 ("full" split, Larson et al. 2019) through the generic intent engine.

150 in-scope intents (100 train, 20 validation, 30 test queries each) and out-of-scope queries
(100 train, 100 validation, 1,000 test). Trained on the train split, optionally with its 100
out-of-scope queries as a trained ``out_of_scope`` class (the paper's "oos-train"); calibrated
only on train or validation data; measured on the test split: in-scope accuracy (a refusal
counts as an error), in-scope queries refused, OOS recall.

1. As ``helpdesk-bot classify`` calibrates today: threshold from a held-out part of the
   training data (pseudo out-of-scope intents), for several fallback budgets.
2. ``classify --validation``: temperature and threshold fitted on the validation split (its
   out-of-scope queries included), then refitted on train + validation (bot/nlu/validation.py).

Run: .venv/bin/python bench/clinc150.py [--data FILE] [--json PATH]   (about 160 s of CPU)
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scope import machine, scope_figures  # noqa: E402
from bot.nlu.classifier import OUT_OF_SCOPE, IntentClassifier  # noqa: E402
from bot.nlu.validation import calibrate_on, joined  # noqa: E402

DATA = ROOT / "bench/data/clinc150/data_full.json.gz"
BUDGETS = [0.01, 0.05]  # the engine's own calibration (0.05: classify's default)
VALIDATION_BUDGETS = [0.01, 0.015, 0.02, 0.03, 0.05]

Split = tuple[list[str], list[str]]


def load(path: Path) -> dict[str, Split]:
    """Each split as (texts, labels); the dataset's "oos" label is the engine's out-of-scope."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    return {
        name: ([t for t, _ in rows], [OUT_OF_SCOPE if i == "oos" else i for _, i in rows])
        for name, rows in raw.items()
    }


def measured(model: IntentClassifier, test: Split) -> dict[str, Any]:
    figures = scope_figures(model.decide_many(test[0]), test[1], OUT_OF_SCOPE.__eq__)
    figures["threshold"] = model.calibration.threshold
    return figures


def own_calibration(train: Split, test: Split, budgets: list[float]) -> list[dict[str, Any]]:
    """The engine as ``classify`` trains it, one model per budget (calibration is training)."""
    rows = []
    for budget in budgets:
        started = time.perf_counter()
        model = IntentClassifier.train(*train, max_false_fallback=budget, blend=True)
        seconds = time.perf_counter() - started
        rows.append({"budget": budget, "train_s": seconds, **measured(model, test)})
    return rows


def validated(train: Split, val: Split, test: Split) -> list[dict[str, Any]]:
    """``classify --validation`` for every budget: one model to calibrate, one refit (as
    bot/nlu/validation.py's ``train_validated`` does for one budget)."""
    started = time.perf_counter()
    first = IntentClassifier.train(*train, calibrate=False, blend=True)
    calibrations = [calibrate_on(first, *val, b) for b in VALIDATION_BUDGETS]
    model = IntentClassifier.train(*joined(*train, *val), calibrate=False, blend=True)
    seconds = time.perf_counter() - started
    rows = []
    for budget, calibration in zip(VALIDATION_BUDGETS, calibrations, strict=True):
        model.calibration = calibration
        rows.append({"budget": budget, "train_s": seconds, **measured(model, test)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA, help="data_full.json(.gz)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    data = load(args.data)

    def plus(*names: str) -> Split:
        return ([t for n in names for t in data[n][0]], [i for n in names for i in data[n][1]])

    train, oos_train = data["train"], plus("train", "oos_train")
    val, test = plus("val", "oos_val"), plus("test", "oos_test")
    figures: dict[str, Any] = {
        **machine(),
        "train": len(train[0]),
        "test_in_scope": len(data["test"][0]),
        "test_oos": len(data["oos_test"][0]),
        "settings": {
            "own calibration": own_calibration(train, test, BUDGETS),
            "own calibration, oos-train": own_calibration(oos_train, test, BUDGETS[:1]),
            "--validation": validated(train, val, test),
            "--validation, oos-train": validated(oos_train, val, test),
        },
    }
    print(
        f"CLINC150 full: {figures['train']} train, test {figures['test_in_scope']} in-scope + "
        f"{figures['test_oos']} out-of-scope; {figures['machine']}, {figures['date']}"
    )
    print("in-scope accuracy counts a refusal as an error; top intent ignores refusals")
    head = (f"{'setting':<26}{'budget':>7}{'in-scope acc':>14}{'refused':>9}"
            f"{'OOS recall':>12}{'top intent':>12}{'train s':>9}")
    print(head)
    for name, rows in figures["settings"].items():
        for row in rows:
            print(
                f"{name:<26}{row['budget']:>7.1%}{row['in_scope_accuracy']:>14.1%}"
                f"{row['false_fallback']:>9.1%}{row['oos_recall']:>12.1%}"
                f"{row['top_intent_accuracy']:>12.1%}{row['train_s']:>9.1f}"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
