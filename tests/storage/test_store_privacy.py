"""/forget and backups: nothing about a forgotten user survives, in the file or in a backup."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.storage import (
    ChatRecord,
    CountAnswer,
    InboxItem,
    SetContext,
    StorageError,
    Store,
    backup_database,
)

Query = Callable[..., list[tuple[Any, ...]]]

USER = 424242
OTHER = 515151
GROUP = -100777
SECRET = "zebra-quokka-7731 where is my payslip"
# Tables with neither a user_id nor a chat_id column: they must hold nothing personal.
# ``decisions`` holds the texts admins chose to teach: anonymous intent examples by design.
NON_PERSONAL = {"counters", "updates", "decisions"}


async def _remember_everything(store: Store, user: int, text: str) -> None:
    """Every kind of write the bot makes, for the user's private chat and a group."""
    await store.set_chat_lang(user, "nb")
    await store.set_context(user, "it-project-manager", "salary")
    await store.set_user_lang(user, "nb")
    await store.record_unanswered(user, user, text, "nb", "out_of_scope", 0.1)
    await store.record_unanswered(GROUP, user, text + " in group", "nb", "out_of_scope", 0.1)
    await store.record_feedback(user, user, "it-project-manager:salary", 1)
    await store.record_feedback(GROUP, user, "helpdesk-specialist:skills", -1)
    await store.record_answer(date(2026, 3, 10), "salary", "it-project-manager", "nb")
    assert await store.claim_update(user, SetContext(GROUP, "helpdesk-specialist", "skills"))
    await store.receive_updates([InboxItem(user + 1, user, user, f'{{"text": "{text}"}}')])
    await store.flush()


def _personal_rows(path: Path, user: int) -> dict[str, int]:
    """Rows per table that name the user or their private chat, from sqlite_master."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts: dict[str, int] = {}
        for table in tables:
            columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
            keys = [column for column in ("user_id", "chat_id") if column in columns]
            if not keys:
                assert table in NON_PERSONAL, f"{table}: personal data without user_id/chat_id?"
                continue
            where = " OR ".join(f"{key} = ?" for key in keys)
            row = conn.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', [user] * len(keys))
            counts[table] = row.fetchone()[0]
        return counts
    finally:
        conn.close()


async def test_forget_user_leaves_no_row_in_any_table(store: Store) -> None:
    await _remember_everything(store, USER, SECRET)
    await _remember_everything(store, OTHER, "another user's question")
    before = _personal_rows(store.path, USER)
    assert all(before.values()), before  # the check below is not vacuous

    deleted = await store.forget_user(USER)

    assert deleted == sum(before.values())
    assert _personal_rows(store.path, USER) == dict.fromkeys(before, 0)
    assert await store.get_chat(USER) == ChatRecord()
    assert await store.get_user_lang(USER) is None
    # Others, the group's context and the anonymous counters stay.
    assert all(_personal_rows(store.path, OTHER).values())
    assert (await store.get_chat(GROUP)).last_role == "helpdesk-specialist"
    assert (await store.stats(1, today=date(2026, 3, 10))).questions == 2
    assert [item.text for item in await store.unanswered(10)] == [
        "another user's question in group",
        "another user's question",
    ]


async def test_forget_takes_queued_writes_with_it(store: Store) -> None:
    await store.record_unanswered(USER, USER, SECRET, "en", None, None)  # queued, not awaited
    await store.forget_user(USER)
    assert await store.unanswered(10) == []


async def test_after_forget_neither_file_nor_backup_holds_the_text(
    store: Store, tmp_path: Path
) -> None:
    await _remember_everything(store, USER, SECRET)
    await _remember_everything(store, OTHER, "another user's question")
    before = tmp_path / "before.sqlite3"
    await store.backup(before)
    assert SECRET.encode() in before.read_bytes()  # the search below can find it

    await store.forget_user(USER)
    after = tmp_path / "after.sqlite3"
    await store.backup(after)

    assert SECRET.encode() not in after.read_bytes()
    assert b"another user's question" in after.read_bytes()
    for part in store.path.parent.iterdir():  # the live file and its WAL
        assert SECRET.encode() not in part.read_bytes(), part.name
    assert _personal_rows(after, USER) == dict.fromkeys(_personal_rows(after, USER), 0)


async def test_backup_is_one_self_contained_file(
    store: Store, tmp_path: Path, query: Query
) -> None:
    await store.set_chat_lang(1, "lv")
    target = tmp_path / "backups" / "copy.sqlite3"
    await store.backup(target)
    await store.backup(target)  # replaces
    assert sorted(path.name for path in target.parent.iterdir()) == ["copy.sqlite3"]
    assert query(target, "PRAGMA journal_mode") == [("delete",)]
    assert query(target, "PRAGMA integrity_check") == [("ok",)]
    assert query(target, "SELECT lang FROM chats WHERE chat_id = 1") == [("lv",)]
    copy = await Store.open(target, purge_interval=None)
    try:
        assert (await copy.get_chat(1)).lang == "lv"
    finally:
        await copy.close()


def test_backup_refuses_a_missing_database_and_itself(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database"):
        backup_database(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()
    db = tmp_path / "db.sqlite3"
    sqlite3.connect(db).close()
    with pytest.raises(StorageError, match="itself"):
        backup_database(db, tmp_path / "." / "db.sqlite3")


async def test_counters_alone_are_not_personal(store: Store) -> None:
    await store.apply(CountAnswer(date(2026, 3, 10), "salary", None, "en"))
    assert await store.forget_user(USER) == 0
