"""Scenarios 1, 2 and 5 at test size: a burst, a group flood (window scaled down), a stop.

Pass criteria are counts (duplicates, sends per window, early requests); the timings of the
full-size runs are in RELIABILITY.md (``bench/reliability.py``).
"""

from __future__ import annotations

from pathlib import Path

from bot.answer import AnswerService
from tests.reliability import scenarios
from tests.reliability.scenarios import Result


def _passed(result: Result) -> None:
    assert result.passed, scenarios.format_table([result])


async def test_burst_of_200_users_each_answered_once_within_the_limits(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.burst(service, tmp_path, users=200)
    _passed(result)
    assert result.figures["messages"] == 200
    assert result.figures["token_in_log"] == 0


async def test_group_flood_stays_under_the_group_limit_and_drops_nothing(
        service: AnswerService) -> None:
    # The real window is 60 s (bench); here the pacing and the server both use 2 s.
    result = await scenarios.group_flood(service, commands=100, period=2.0, limit=20,
                                         spread=2.0)
    _passed(result)
    assert result.figures["group_replies"] == 100


async def test_sigterm_during_a_burst_exits_0_with_in_flight_replies_sent(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.stop_during_burst(service, tmp_path, users=150, stop_after=30)
    _passed(result)
    # The stop must not have waited for the whole burst: some updates were left for later.
    assert result.figures["left_for_next_start"] > 0


async def test_one_chats_flood_does_not_hold_up_another_chat(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.flood(service, tmp_path, messages=300, presses=200, muted=40)
    assert result.passed, scenarios.format_table([result])
