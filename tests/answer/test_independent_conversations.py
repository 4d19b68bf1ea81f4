"""Conversations nobody here wrote (tests/conversations/independent/), judged turn by turn
through the terminal chat's code path, never fall below their recorded pass rate.

Written by helper sessions that saw only the seeds, the roles and the languages; each turn says
what kind of answer is right and which facts it must contain within its first 350 characters.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.answer import AnswerService
from bot.answer.evaluate import DETAIL_FIRST_MESSAGE, load_conversations, run, summary

ROOT = Path(__file__).resolve().parents[1] / "conversations" / "independent"
BASELINE = json.loads((ROOT / "baseline.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def result(service: AnswerService) -> dict[str, Any]:
    return summary(run(service, load_conversations(sorted(ROOT.glob("*.jsonl")))))


def test_enough_conversations_in_every_language(service: AnswerService) -> None:
    per = result(service)["per"]["lang"]
    assert result(service)["turns"] >= BASELINE["min_turns"]
    assert set(per) == {"en", "nb", "nn", "lv", "fa"}


def test_pass_rate_not_below_baseline(service: AnswerService) -> None:
    assert result(service)["rate"] >= BASELINE["rate"] - 1e-9, result(service)["per"]


def test_short_answers_fit_the_first_message(service: AnswerService) -> None:
    assert result(service)["detail_first_message_over"] == 0
    assert result(service)["detail_first_message_max"] <= DETAIL_FIRST_MESSAGE
