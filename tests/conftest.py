"""Shared fixtures: the real content and engine, the fake Telegram server, settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from pathlib import Path

import pytest

from bot.answer import AnswerService
from bot.config import PROJECT_ROOT, Settings
from tests import parallel
from tests.fakes.telegram_server import FakeTelegram
from tests.reliability import logguard
from tests.reliability.logguard import (  # noqa: F401  (hooks: LOG_LEVEL=DEBUG token guard)
    pytest_runtest_setup,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

TOKEN = "123456789:AAHfakeTokenForTestsOnly-abcdefghijk"


def pytest_configure(config: pytest.Config) -> None:
    parallel.configure(config)  # the run's model cache (MODEL_CACHE_DIR), the exclusive marker
    logguard.pytest_configure(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    parallel.unconfigure(config)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None
                            ) -> Generator[None, None, None]:
    with parallel.turn(item):  # @pytest.mark.exclusive: alone, when the suite runs in parallel
        yield


@pytest.fixture(scope="session")
def model_cache() -> Path:
    """Where bots started as processes save and load the trained engine: one folder for the
    whole run, parallel workers included (one training for the run, and nothing written to the
    user's own cache folder)."""
    return parallel.model_cache()


@pytest.fixture(scope="session")
def service(model_cache: Path) -> AnswerService:
    """The real answer service over the shipped content and intents (built once)."""
    from bot.bootstrap import build_service
    from bot.nlu.engine import build_engine

    built = build_service(Settings(content_dir=PROJECT_ROOT / "content",
                                   intents_dir=PROJECT_ROOT / "intents"))  # trained here
    # Saved for the bots the tests start (from the memo of the training just done, unless
    # another worker saved it first), so that none of them trains.
    build_engine(PROJECT_ROOT / "intents", built.catalog, model_cache)
    return built


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
