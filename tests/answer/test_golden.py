"""Golden conversations in all five languages (tests/answer/golden.jsonl): every turn right.

Each turn asserts the kind of answer, its role and topic, and the specific figure with its
label on the same line ("women" and 42 540) or the specific fact, so swapped women's and men's
figures, a lost language carry-over, a follow-up that loses the role or a wrong correction
fail here. Run through the terminal chat's code path; judged by bot.answer.evaluate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import AnswerService
from bot.answer.evaluate import Conversation, load_conversations, run

GOLDEN = load_conversations([Path(__file__).parent / "golden.jsonl"])


def test_enough_golden_conversations_in_every_language() -> None:
    assert len(GOLDEN) >= 40
    langs = {c.lang for c in GOLDEN}
    assert {"en", "nb", "nn", "lv", "fa"} <= langs


@pytest.mark.parametrize("conversation", GOLDEN, ids=[c.id for c in GOLDEN])
def test_every_turn_is_right(service: AnswerService, conversation: Conversation) -> None:
    wrong = [f"turn {v.turn} {v.user!r}: {'; '.join(v.reasons)} (got {v.kind} {v.role} "
             f"{v.topic} {v.lang}: {v.reply_start[:150]!r})"
             for v in run(service, [conversation]) if not v.ok]
    assert not wrong, "\n".join(wrong)
