"""Schema versions: a new file, every earlier version, a half-done step, a newer file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.storage import LATEST_VERSION, SchemaTooNewError, StorageError, Store, schema

Query = Callable[..., list[tuple[Any, ...]]]


def _schema_sql(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    finally:
        conn.close()
    return {row[0] for row in rows}


async def _make_version(path: Path, version: int) -> None:
    """A database as an older helpdesk-bot left it, with a row in every table it had."""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await schema.migrate(conn, path, target=version)
        if version >= 1:
            await conn.execute(
                "INSERT INTO chats (chat_id, lang, last_role, last_topic, updated_at) "
                "VALUES (7, 'nn', 'it-project-manager', 'salary', 1)"
            )
            await conn.execute("INSERT INTO users (user_id, lang, updated_at) VALUES (7, 'fa', 1)")
            await conn.execute(
                "INSERT INTO counters (day, intent, role, lang, questions, fallbacks) "
                "VALUES ('2026-03-10', 'salary', '', 'nn', 3, 1)"
            )
        if version >= 2:
            await conn.execute(
                "INSERT INTO unanswered (created_at, chat_id, user_id, text, norm) "
                "VALUES (1773144000, 7, 7, 'old question', 'old question')"
            )


async def test_empty_file_gets_latest_schema_in_wal_mode(db_path: Path, query: Query) -> None:
    store = await Store.open(db_path, purge_interval=None)
    await store.close()
    assert query(db_path, "PRAGMA user_version") == [(LATEST_VERSION,)]
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    tables = {row[0] for row in query(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"chats", "users", "counters", "updates", "unanswered", "feedback"} <= tables


def test_there_is_a_real_migration_path() -> None:
    assert LATEST_VERSION >= 2


@pytest.mark.parametrize("version", range(LATEST_VERSION))
async def test_every_earlier_version_migrates_and_keeps_data(
    tmp_path: Path, version: int, query: Query
) -> None:
    old = tmp_path / "old.sqlite3"
    fresh = tmp_path / "fresh.sqlite3"
    await _make_version(old, version)
    assert query(old, "PRAGMA user_version") == [(version,)]

    store = await Store.open(old, purge_interval=None)
    try:
        if version >= 1:
            chat = await store.get_chat(7)
            assert (chat.lang, chat.last_role, chat.last_topic) == (
                "nn",
                "it-project-manager",
                "salary",
            )
            assert await store.get_user_lang(7) == "fa"
            assert chat.last_lang is None
        # Tables added by later steps work after migrating.
        await store.record_unanswered(7, 7, "new question", "nn", "out_of_scope", 0.1, wait=True)
        await store.record_feedback(7, 7, "it-project-manager:salary", -1, wait=True)
        texts = [item.text for item in await store.unanswered(10)]
        assert "new question" in texts
        assert ("old question" in texts) == (version >= 2)
    finally:
        await store.close()

    assert query(old, "PRAGMA user_version") == [(LATEST_VERSION,)]
    store = await Store.open(fresh, purge_interval=None)
    await store.close()
    # Migrating step by step ends in exactly the schema a new file gets.
    assert _schema_sql(old) == _schema_sql(fresh)


async def test_newer_database_is_refused_clearly_and_left_alone(
    db_path: Path, query: Query
) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()

    with pytest.raises(SchemaTooNewError) as caught:
        await Store.open(db_path, purge_interval=None)

    message = str(caught.value)
    assert f"schema version {LATEST_VERSION + 1}" in message
    assert f"up to {LATEST_VERSION}" in message
    assert "upgrade helpdesk-bot" in message
    assert str(db_path) in message
    assert query(db_path, "PRAGMA user_version") == [(LATEST_VERSION + 1,)]
    assert query(db_path, "SELECT count(*) FROM sqlite_master") == [(0,)]
    assert query(db_path, "PRAGMA journal_mode") == [("delete",)]


async def test_a_file_that_is_no_database_is_refused_clearly(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text("not a database, just some notes\n" * 100)
    with pytest.raises(StorageError, match=r"cannot use .* as the bot.s database"):
        await Store.open(db_path, purge_interval=None)


async def test_a_failing_step_leaves_the_previous_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, query: Query
) -> None:
    broken = (*schema.MIGRATIONS, ("CREATE TABLE half_done (x INTEGER)", "NOT VALID SQL"))
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    monkeypatch.setattr(schema, "LATEST_VERSION", len(broken))
    db_path.parent.mkdir(parents=True)

    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError):
            await schema.migrate(conn, db_path, target=len(broken))

    assert query(db_path, "PRAGMA user_version") == [(len(broken) - 1,)]
    names = {row[0] for row in query(db_path, "SELECT name FROM sqlite_master")}
    assert "half_done" not in names
