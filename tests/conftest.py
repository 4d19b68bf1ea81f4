"""Shared fixtures: the real content and engine, the fake Telegram server, settings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
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


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Bots started as processes save their trained engine here (one training for the whole
    session, and nothing written to the user's own cache folder)."""
    folder = tmp_path_factory.mktemp("models")
    before = os.environ.get("MODEL_CACHE_DIR")
    os.environ["MODEL_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        del os.environ["MODEL_CACHE_DIR"]
    else:
        os.environ["MODEL_CACHE_DIR"] = before


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
