"""Scenarios 3, 4 and 6 at test size: an accepted send that times out, SIGKILL at random
moments, and a Bot API server failing for a while."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import AnswerService
from tests.reliability import scenarios


async def test_an_accepted_send_that_times_out_reaches_the_chat_once(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.ambiguous_send(service, tmp_path)
    assert result.passed, scenarios.format_table([result])
    assert result.figures["copies"] == 1


@pytest.mark.exclusive  # a repeat only within 1 s of a kill
async def test_sigkill_at_random_moments_loses_nothing_and_repeats_only_the_last_instant(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.crash_loop(service, tmp_path, updates=100, kills=3, seed=11,
                                        life=(0.5, 2.5))
    assert result.passed, scenarios.format_table([result])
    assert result.figures["integrity_check"] == "ok"
    assert result.figures["inbox_left"] == 0


async def test_server_faults_are_waited_out_and_everything_is_answered(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.server_faults(service, tmp_path, outage=3.0, users=20)
    assert result.passed, scenarios.format_table([result])


async def test_refusals_are_final_and_proxy_error_pages_are_retried(
        service: AnswerService) -> None:
    result = await scenarios.refusals(service, presses=3)
    assert result.passed, scenarios.format_table([result])


async def test_a_stop_during_back_off_is_prompt_and_the_restart_answers(
        service: AnswerService, tmp_path: Path) -> None:
    result = await scenarios.stop_while_retrying(service, tmp_path, users=6)
    assert result.passed, scenarios.format_table([result])


async def test_a_bot_api_failing_at_start_up_is_waited_out(
        service: AnswerService, tmp_path: Path) -> None:
    """Before polling begins nothing is stopping: a 502 on getMe is retried, not given up."""
    from tests.fakes.telegram_server import Fault, text_message

    server = await scenarios.new_server()
    server.faults.append(Fault("getMe", "status", status=502, count=2))
    bot = scenarios.BotProcess(server, tmp_path)
    try:
        await bot.start()
        server.push_update(text_message("hello", chat_id=9_100_001))
        assert await scenarios.wait_until(lambda: bool(server.messages(9_100_001)), 60)
        assert sum(1 for e in server.errors if e[0] == "getMe") == 2
    finally:
        await bot.close()
        await server.stop()
