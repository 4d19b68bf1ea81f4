"""What the intent-engine benches share: the machine line, and the in-scope / out-of-scope
figures of a set of decisions (bench/banking77.py, bench/clinc150.py)."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.nlu.classifier import OUT_OF_SCOPE, Decision


def machine() -> dict[str, str]:
    """Where and when the figures were measured."""
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def scope_figures(
    decisions: Sequence[Decision], gold: Sequence[str], is_oos: Callable[[str], bool]
) -> dict[str, Any]:
    """In-scope accuracy (a refusal counts as an error), in-scope refused, OOS recall, and the
    top intent's accuracy (refusals aside) over the in-scope queries."""
    inside = [(d, g) for d, g in zip(decisions, gold, strict=True) if not is_oos(g)]
    outside = [d for d, g in zip(decisions, gold, strict=True) if is_oos(g)]
    return {
        "in_scope_accuracy": sum(d.intent == g for d, g in inside) / len(inside),
        "false_fallback": sum(d.intent == OUT_OF_SCOPE for d, _ in inside) / len(inside),
        "oos_recall": sum(d.intent == OUT_OF_SCOPE for d in outside) / len(outside),
        "top_intent_accuracy": sum(d.top_intent == g for d, g in inside) / len(inside),
    }
