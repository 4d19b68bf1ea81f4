"""Record the floors of the independent sets (tests/nlu/independent/baseline.json and
tests/conversations/independent/baseline.json) from what the engine measures now.

Run: .venv/bin/python bench/record_baselines.py
Each floor sits one item (or turn) below the measured figure, rounded down, so the next change
may not lose more than that. Raise them when the engine gets better; never to make a change pass.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answer.evaluate import load_conversations, run, summary  # noqa: E402
from bot.bootstrap import build_service  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.nlu.evaluate import evaluate, load_items  # noqa: E402

NLU = ROOT / "tests" / "nlu" / "independent"
CONVERSATIONS = ROOT / "tests" / "conversations" / "independent"


def floor(value: float, count: int) -> float:
    """One item below ``value`` (a share of ``count``), rounded down to 4 decimals."""
    return max(0.0, math.floor((value - 1 / max(count, 1)) * 10_000) / 10_000)


def main() -> int:
    service = build_service(load_settings(), charts=False)
    report = evaluate(service.engine, load_items(sorted(NLU.glob("*.jsonl"))))
    rows = report["errors"]
    items = report["items"]
    oos = sum(r["support"] for k, r in report["per_intent"].items() if k == "out_of_scope")
    other_jobs = report["per_kind"].get("other-job", {}).get("items", 1)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    nlu = {
        "recorded": f"{stamp}, {items} items, {len(rows)} wrong; floors one item below",
        "min_items": 1000,
        "intent_role_accuracy": floor(report["intent_role_accuracy"], items),
        "lang_accuracy": floor(report["lang_accuracy"], items),
        "oos_recall": floor(report["oos_recall"], oos),
        "other_job_recall": floor(report["other_job_recall"], other_jobs),
        "pay_accuracy": floor(report["pay_accuracy"], report["pay_items"]),
        # At most one more in-scope item sent to the fallback (its share is of in-scope items).
        "false_fallback": math.ceil((report["false_fallback"] + 1 / max(items - oos, 1))
                                    * 10_000) / 10_000,
        "per_kind": {kind: floor(row["intent_role_accuracy"], row["items"])
                     for kind, row in report["per_kind"].items()},
    }
    (NLU / "baseline.json").write_text(json.dumps(nlu, indent=2) + "\n", encoding="utf-8")
    result = summary(run(service, load_conversations(sorted(CONVERSATIONS.glob("*.jsonl")))))
    turns = result["turns"]
    conv = {"recorded": f"{stamp}, {turns} turns, {result['right']} right; the floor sits one "
                        "turn below",
            "min_turns": 200, "rate": floor(result["rate"], turns)}
    (CONVERSATIONS / "baseline.json").write_text(json.dumps(conv, indent=2) + "\n",
                                                 encoding="utf-8")
    print(json.dumps({"nlu": nlu, "conversations": conv}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
