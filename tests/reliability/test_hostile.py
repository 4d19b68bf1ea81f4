"""Scenario 7: hostile input; a few thousand generated texts here, 100,000 in the bench."""

from __future__ import annotations

import pytest

from bot.answer import AnswerService
from tests.reliability.hostile import NASTY, problems, run_generated


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_corpus(service: AnswerService, text: str) -> None:
    for lang in ("en", "fa", None):
        assert problems(service, text, lang) == []


def test_generated_input(service: AnswerService) -> None:
    count, failures, _ = run_generated(service, 1500)
    assert count >= 1500
    assert failures == []


def test_the_check_can_fail(service: AnswerService, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.answer import Reply

    def broken(*args: object, **kwargs: object) -> Reply:
        return Reply(messages=["<b>unclosed", "x" * 5000], buttons=[], lang="en",
                     intent="greeting")

    monkeypatch.setattr(service, "answer", broken)
    found = problems(service, "hello")
    assert any("invalid HTML" in f for f in found) and any("5000" in f for f in found)
