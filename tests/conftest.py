"""Shared fixtures: the real content and engine, the fake Telegram server, settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.answer import AnswerService
from bot.config import PROJECT_ROOT, Settings
from tests.fakes.telegram_server import FakeTelegram
from tests.reliability.logguard import (  # noqa: F401  (hooks: LOG_LEVEL=DEBUG token guard)
    pytest_configure,
    pytest_runtest_setup,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

TOKEN = "123456789:AAHfakeTokenForTestsOnly-abcdefghijk"


@pytest.fixture(scope="session")
def service() -> AnswerService:
    """The real answer service over the shipped content and intents (built once)."""
    from bot.bootstrap import build_service

    return build_service(Settings(content_dir=PROJECT_ROOT / "content",
                                  intents_dir=PROJECT_ROOT / "intents"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(token=TOKEN, database_path=tmp_path / "bot.sqlite3",
                    content_dir=PROJECT_ROOT / "content", intents_dir=PROJECT_ROOT / "intents")


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(token=TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
