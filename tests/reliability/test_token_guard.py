"""Scenario 8's guard: it sees DEBUG records when on, and it would catch a leaked token; a
token Telegram rejects at start ends the bot in one line that does not hold it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.logs import RedactingFilter
from tests.fakes.telegram_server import FakeTelegram, Fault
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


WRONG_TOKEN = "987654321:AAHwrongTokenButWellFormed-zyxwvutsrq"


async def start_bot(tmp_path: Path, server: FakeTelegram, token: str, level: str
                    ) -> asyncio.subprocess.Process:
    """``python -m bot run`` (this checkout's code) against ``server``, output piped."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ADMIN_", "WEBHOOK_", "DATABASE_", "LOG_"))}
    env.update(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=server.base_url,
               DATABASE_PATH=str(tmp_path / "bot.sqlite3"), LOG_LEVEL=level)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=str(PROJECT_ROOT),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_rejected_token_is_one_line_and_exit_2(
        tmp_path: Path, fake_telegram: FakeTelegram, level: str) -> None:
    """Telegram's 401 to getMe: one line saying what to do; no traceback, the token nowhere
    (PTB's own start logs a traceback and ends in one that prints the token)."""
    process = await start_bot(tmp_path, fake_telegram, WRONG_TOKEN, level)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    assert process.returncode == 2, stderr[-3000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    expected = ("helpdesk-bot: TELEGRAM_BOT_TOKEN: Telegram rejected it (401 Unauthorized); "
                "check it with @BotFather")
    if level == "INFO":
        assert lines == [expected]
    else:  # among the start's DEBUG records (aiosqlite's thread may log before its newline)
        assert expected in stderr
    assert "Traceback" not in stderr
    for text in (stdout, stderr, (tmp_path / "bot.sqlite3").read_bytes().decode("latin-1")):
        assert WRONG_TOKEN not in text and WRONG_TOKEN.split(":")[1] not in text
    assert [m for m, _ in fake_telegram.calls] == ["getMe"]  # it stopped right there


async def test_sigterm_while_the_token_is_checked_exits_0(
        tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    """The check runs before PTB installs its stop signals: it answers SIGTERM itself."""
    fake_telegram.faults.append(Fault("getMe", "hang", delay=30))
    process = await start_bot(tmp_path, fake_telegram, TOKEN, "INFO")
    try:
        for _ in range(1200):
            if any(m == "getMe" for m, _ in fake_telegram.calls) or process.returncode:
                break
            await asyncio.sleep(0.05)
        assert [m for m, _ in fake_telegram.calls] == ["getMe"]
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]
    assert "Traceback" not in err.decode(errors="replace")


def test_a_handler_that_runs_before_ours_sees_no_token() -> None:
    """The records are cleaned where they are made, not by our handler: a handler that was
    there first (a log shipper configured before start-up, a test's capture) gets
    python-telegram-bot's DEBUG line "Set Bot API URL: …/bot<token>" without the token."""
    import io

    from telegram import Bot

    from bot.logs import setup_logging

    root = logging.getLogger()
    before_level, before_handlers = root.level, list(root.handlers)
    early = io.StringIO()
    handler = logging.StreamHandler(early)
    root.addHandler(handler)
    setup_logging("DEBUG", (TOKEN,), stream=io.StringIO())
    try:
        Bot(TOKEN, base_url="http://127.0.0.1:9/bot")
    finally:
        root.removeHandler(handler)
        for extra in set(root.handlers) - set(before_handlers):
            root.removeHandler(extra)
        for old in before_handlers:
            if old not in root.handlers:
                root.addHandler(old)
        root.setLevel(before_level)
    text = early.getvalue()
    assert "Set Bot API URL" in text  # the record that holds the token did reach the handler
    assert TOKEN.split(":", 1)[1] not in text
    assert "bot<redacted>" in text
