"""Fixtures for the store tests: a store on a temporary file with a clock the test controls."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.storage import Store


class FakeClock:
    """A settable UTC clock, so retention and day boundaries need no waiting."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest_asyncio.fixture
async def store(db_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    store = await Store.open(db_path, clock=clock, purge_interval=None)
    try:
        yield store
    finally:
        await store.close()


Query = Callable[..., list[tuple[Any, ...]]]


def _query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def query() -> Query:
    """``query(path, sql, params)``: read through a separate plain connection, i.e. what is
    really committed in the file."""
    return _query
