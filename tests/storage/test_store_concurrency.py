"""Many writers at once, another process writing, backups during writes, a failing job."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.storage import (
    ChatRecord,
    CountAnswer,
    RecordFeedback,
    RecordUnanswered,
    SetChatLang,
    SetContext,
    SetUserLang,
    Store,
    StoreClosedError,
)
from bot.storage.writer import MAX_WAITING_STREAK

Query = Callable[..., list[tuple[Any, ...]]]
DAY = date(2026, 3, 10)


async def test_256_concurrent_writers_no_errors_all_rows(store: Store, query: Query) -> None:
    async def writer(i: int) -> None:
        # Reads between writes: a handler's typical pattern on the shared store.
        await store.get_chat(i)
        assert await store.claim_update(10_000 + i, SetContext(i, "helpdesk-specialist", "duties"))
        await store.set_chat_lang(i, "lv")
        await store.set_user_lang(i, "fa")
        await store.record_answer(DAY, "duties", "helpdesk-specialist", "lv")
        await store.record_feedback(i, i, "helpdesk-specialist:duties", 1)
        await store.record_unanswered(i, i, f"question {i}", "lv", "out_of_scope", 0.1)
        await store.finish_update(10_000 + i)

    results = await asyncio.gather(*(writer(i) for i in range(256)), return_exceptions=True)
    await store.flush()

    assert [r for r in results if r is not None] == []
    assert query(
        store.path, "SELECT count(*) FROM chats WHERE lang = 'lv' AND last_topic = 'duties'"
    ) == [(256,)]
    assert query(store.path, "SELECT count(*) FROM users WHERE lang = 'fa'") == [(256,)]
    assert query(store.path, "SELECT count(*) FROM updates WHERE done = 1") == [(256,)]
    assert query(store.path, "SELECT count(*) FROM feedback") == [(256,)]
    assert query(store.path, "SELECT count(DISTINCT text) FROM unanswered") == [(256,)]
    assert query(store.path, "SELECT sum(questions) FROM counters") == [(256,)]
    assert query(store.path, "PRAGMA integrity_check") == [("ok",)]


async def test_writers_wait_for_another_process_instead_of_failing(
    store: Store, query: Query
) -> None:
    """A second connection (e.g. ``helpdesk-bot stats`` migrating) holds the write lock a bit."""
    stop = threading.Event()
    outside_errors: list[BaseException] = []

    def other_process() -> None:
        conn = sqlite3.connect(store.path, isolation_level=None, timeout=10)
        try:
            n = 0
            while not stop.is_set() and n < 200:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO counters (day, intent, role, lang, questions) "
                    "VALUES ('2000-01-01', 'x', '', 'en', 1) ON CONFLICT DO UPDATE SET "
                    "questions = questions + 1"
                )
                conn.execute("COMMIT")
                n += 1
        except BaseException as exc:  # reported below
            outside_errors.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    try:
        results = await asyncio.gather(
            *(store.apply(SetChatLang(i, "nn"), SetUserLang(i, "nn")) for i in range(256)),
            return_exceptions=True,
        )
    finally:
        stop.set()
        await asyncio.to_thread(thread.join)
    assert [r for r in results if r is not None] == []
    assert outside_errors == []
    assert query(store.path, "SELECT count(*) FROM chats") == [(256,)]


async def test_backups_are_consistent_while_writes_go_on(
    store: Store, tmp_path: Path, query: Query
) -> None:
    """Each write puts a chat row and a user row in one transaction: a torn copy would differ."""
    stop = asyncio.Event()
    written = 0

    async def keep_writing(offset: int) -> None:
        nonlocal written
        i = offset
        while not stop.is_set():
            await store.apply(SetChatLang(i, "en"), SetUserLang(i, "en"))
            store.submit(CountAnswer(DAY, "salary", None, "en"))
            written += 1
            i += 4

    writers = [asyncio.create_task(keep_writing(k)) for k in range(4)]
    counts = []
    try:
        for n in range(6):
            while written < 50 * (n + 1):  # let writes happen between backups
                assert not any(task.done() for task in writers)  # a writer failed
                await asyncio.sleep(0)
            copy = tmp_path / f"backup-{n}.sqlite3"
            await store.backup(copy)
            assert query(copy, "PRAGMA integrity_check") == [("ok",)]
            chats = {row[0] for row in query(copy, "SELECT chat_id FROM chats")}
            users = {row[0] for row in query(copy, "SELECT user_id FROM users")}
            assert chats == users
            counts.append(len(chats))
    finally:
        stop.set()
        await asyncio.gather(*writers)
    assert counts == sorted(counts)
    assert counts[-1] > 0
    assert counts[-1] <= written


async def test_a_failing_job_does_not_undo_the_others_in_its_batch(
    store: Store, query: Query
) -> None:
    async def fail(conn: aiosqlite.Connection) -> None:
        await conn.execute("INSERT INTO chats (chat_id, updated_at) VALUES (999, 0)")
        raise RuntimeError("boom")

    # Queued without yielding, so the writer takes them as one batch.
    good = [asyncio.ensure_future(store.set_chat_lang(i, "nb")) for i in range(5)]
    bad = asyncio.ensure_future(store._write(fail, "fail"))
    more = [asyncio.ensure_future(store.set_chat_lang(i, "nb")) for i in range(5, 10)]
    store.submit(RecordUnanswered(1, 1, "queued too", "nb", None, None))
    store.submit(RecordFeedback(1, 1, "k", 1))
    results = await asyncio.gather(*good, bad, *more, return_exceptions=True)
    await store.flush()

    assert [type(r).__name__ for r in results] == ["NoneType"] * 5 + ["RuntimeError"] + [
        "NoneType"
    ] * 5
    assert query(store.path, "SELECT count(*) FROM chats") == [(10,)]  # 999 rolled back
    assert query(store.path, "SELECT count(*) FROM unanswered") == [(1,)]
    assert query(store.path, "SELECT count(*) FROM feedback") == [(1,)]


async def test_awaited_writes_go_before_queued_analytics(store: Store) -> None:
    order: list[str] = []

    def job(name: str) -> Callable[[aiosqlite.Connection], Any]:
        async def run(conn: aiosqlite.Connection) -> None:
            order.append(name)

        return run

    # Queued without yielding: the writer sees all of them at once.
    background = [
        asyncio.ensure_future(store._write(job(f"analytics {i}"), "a", background=True))
        for i in range(40)
    ]
    state = asyncio.ensure_future(store._write(job("state"), "s"))
    barrier = asyncio.ensure_future(store._write(job("flush"), "f", barrier=True))
    late = asyncio.ensure_future(store._write(job("late analytics"), "a", background=True))
    await asyncio.gather(*background, state, barrier, late)

    assert order[0] == "state"
    assert order.index("flush") == 41  # after every analytics job queued before it
    assert order[1:41] == [f"analytics {i}" for i in range(40)]
    assert order[-1] == "late analytics"


async def test_a_dead_writer_fails_writes_instead_of_hanging(db_path: Path) -> None:
    store = await Store.open(db_path, purge_interval=None)
    assert store._writer_task is not None
    store._writer_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await store._writer_task
    with pytest.raises(StoreClosedError):
        await store.set_chat_lang(1, "en")
    assert await store.get_chat(1) == ChatRecord()  # reads still work
    await store.close()


async def test_analytics_are_not_held_back_by_a_long_busy_spell(store: Store) -> None:
    order: list[str] = []

    def job(name: str) -> Callable[[aiosqlite.Connection], Any]:
        async def run(conn: aiosqlite.Connection) -> None:
            order.append(name)

        return run

    store._waiting_streak = MAX_WAITING_STREAK  # as after that many awaited batches in a row
    analytics = asyncio.ensure_future(store._write(job("analytics"), "a", background=True))
    state = asyncio.ensure_future(store._write(job("state"), "s"))
    await asyncio.gather(analytics, state)
    assert order == ["analytics", "state"]
