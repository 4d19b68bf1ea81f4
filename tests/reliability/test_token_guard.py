"""Scenario 8's guard: it sees DEBUG records when on, and it would catch a leaked token."""

from __future__ import annotations

import logging
import os

from bot.logs import RedactingFilter
from tests.reliability import logguard
from tests.reliability.scenarios import TOKEN


def test_the_counter_catches_a_token_and_redaction_removes_it() -> None:
    counter = logguard.TokenCounter()
    record = logging.LogRecord("httpx", logging.DEBUG, __file__, 1,
                               "POST http://127.0.0.1/bot%s/getMe", (TOKEN,), None)
    counter.handle(record)
    assert counter.records == 1 and len(counter.leaks) == 1  # the guard can fail
    RedactingFilter((TOKEN,)).filter(record)  # what the bot's handler does to each record
    counter.handle(record)
    assert len(counter.leaks) == 1


def test_debug_records_reach_the_guard_when_it_is_on() -> None:
    if os.environ.get("LOG_LEVEL", "").upper() != "DEBUG":
        assert logguard._counter is None  # off: the suite's logging is untouched
        return
    assert logguard._counter is not None
    before = logguard._counter.records
    logging.getLogger("bot.test").debug("token guard probe")
    assert logguard._counter.records == before + 1
