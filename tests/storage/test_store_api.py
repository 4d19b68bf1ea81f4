"""What the store keeps and returns: preferences, context, updates, stats, unanswered, purge."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.storage import (
    ChatRecord,
    CountAnswer,
    FinishUpdate,
    RecordFeedback,
    SetChatLang,
    SetContext,
    StorageError,
    Store,
    StoreClosedError,
)
from bot.storage.changes import MAX_TEXT_CHARS
from bot.storage.updates import UPDATE_KEEP_DAYS

Query = Callable[..., list[tuple[Any, ...]]]


async def test_unknown_chat_and_user_have_nothing(store: Store) -> None:
    assert await store.get_chat(1) == ChatRecord(None, None, None)
    assert await store.get_user_lang(1) is None


async def test_language_and_context_are_kept_apart(store: Store) -> None:
    await store.set_context(5, "helpdesk-specialist", "salary")
    await store.set_chat_lang(5, "fa")
    assert await store.get_chat(5) == ChatRecord("fa", "helpdesk-specialist", "salary")
    await store.set_context(5, "it-service-manager", None)
    assert await store.get_chat(5) == ChatRecord("fa", "it-service-manager", None)
    await store.set_chat_lang(5, None)
    assert await store.get_chat(5) == ChatRecord(None, "it-service-manager", None)
    await store.set_user_lang(9, "lv")
    assert await store.get_user_lang(9) == "lv"
    assert await store.get_chat(9) == ChatRecord()


async def test_state_survives_reopening(db_path: Path) -> None:
    store = await Store.open(db_path, purge_interval=None)
    await store.set_chat_lang(1, "nn")
    await store.close()
    store = await Store.open(db_path, purge_interval=None)
    try:
        assert (await store.get_chat(1)).lang == "nn"
    finally:
        await store.close()


async def test_close_flushes_queued_writes(db_path: Path) -> None:
    store = await Store.open(db_path, purge_interval=None)
    for _ in range(100):
        await store.record_answer(date(2026, 3, 10), "salary", None, "en")
    await store.close()
    with pytest.raises(StoreClosedError):
        await store.record_answer(date(2026, 3, 10), "salary", None, "en")
    store = await Store.open(db_path, purge_interval=None)
    try:
        assert (await store.stats(1, today=date(2026, 3, 10))).questions == 100
    finally:
        await store.close()


# --- updates -------------------------------------------------------------------------------


async def test_an_update_is_claimed_once_with_its_changes(store: Store) -> None:
    day = date(2026, 3, 10)
    changes = (
        SetContext(1, "it-project-manager", "skills"),
        CountAnswer(day, "skills", None, "en"),
    )
    assert await store.claim_update(100, *changes) is True
    assert await store.claim_update(100, *changes) is False  # in flight here
    await store.finish_update(100, wait=True)
    assert await store.claim_update(100, *changes) is False  # done
    assert (await store.get_chat(1)).last_topic == "skills"
    assert (await store.stats(1, today=day)).questions == 1
    assert await store.last_update_id() == 100


async def test_after_a_crash_a_finished_update_is_not_answered_again(db_path: Path) -> None:
    first = await Store.open(db_path, purge_interval=None)
    assert await first.claim_update(7, SetChatLang(1, "nb"))
    await first.finish_update(7)
    await first.close()
    second = await Store.open(db_path, purge_interval=None)
    try:
        assert await second.claim_update(7, SetChatLang(1, "en")) is False
        assert (await second.get_chat(1)).lang == "nb"
    finally:
        await second.close()


async def test_an_unfinished_update_of_a_dead_run_is_sent_again_without_reapplying(
    db_path: Path,
) -> None:
    day = date(2026, 3, 10)
    first = await Store.open(db_path, purge_interval=None)
    assert await first.claim_update(8, CountAnswer(day, "salary", None, "nb"))
    await first.close()  # "crashed" before finish_update
    second = await Store.open(db_path, purge_interval=None)
    try:
        assert await second.claim_update(8, CountAnswer(day, "salary", None, "nb")) is True
        assert await second.claim_update(8) is False  # now ours and in flight
        assert (await second.stats(1, today=day)).questions == 1  # counted once
    finally:
        await second.close()


async def test_finish_commits_with_the_updates_analytics(store: Store, query: Query) -> None:
    day = date(2026, 3, 10)
    assert await store.claim_update(11)
    store.submit(CountAnswer(day, "salary", None, "en"), FinishUpdate(11))
    await store.flush()
    assert query(store.path, "SELECT done FROM updates WHERE update_id = 11") == [(1,)]
    assert (await store.stats(1, today=day)).questions == 1
    assert await store.claim_update(11) is False


async def test_a_failing_claim_claims_nothing(store: Store, query: Query) -> None:
    class Bad:
        """Not a change: the claim's transaction must roll back as a whole."""

    with pytest.raises(TypeError):
        await store.claim_update(9, SetChatLang(1, "nb"), Bad())  # type: ignore[arg-type]
    assert await store.get_chat(1) == ChatRecord()
    assert query(store.path, "SELECT count(*) FROM updates") == [(0,)]
    assert await store.claim_update(9, SetChatLang(1, "nb")) is True


# --- stats and feedback ----------------------------------------------------------------------


async def test_stats_count_days_intents_roles_languages_fallbacks_and_votes(store: Store) -> None:
    today = date(2026, 3, 10)
    old = today - timedelta(days=7)
    store.submit(
        CountAnswer(today, "salary", "it-project-manager", "nb"),
        CountAnswer(today, "salary", "it-project-manager", "nb"),
        CountAnswer(today, "skills", "helpdesk-specialist", "fa"),
        CountAnswer(today - timedelta(days=2), "out_of_scope", None, "en", fallback=True),
        CountAnswer(old, "greeting", None, "lv"),  # outside a 7-day window
        RecordFeedback(1, 1, "a", 1, day=today),
        RecordFeedback(2, 2, "a", 1, day=today),
        RecordFeedback(3, 3, "a", -1, day=today),
        RecordFeedback(4, 4, "a", -1, day=old),  # outside
    )
    stats = await _stats_after_flush(store, 7, today)
    assert stats.since == today - timedelta(days=6)
    assert stats.until == today
    assert stats.questions == 4
    assert stats.fallbacks == 1
    assert stats.fallback_rate == pytest.approx(0.25)
    assert len(stats.per_day) == 7
    assert stats.per_day[-1] == (today, 3)
    assert stats.per_day[-3] == (today - timedelta(days=2), 1)
    assert sum(count for _, count in stats.per_day) == 4
    assert stats.intents == (("salary", 2), ("out_of_scope", 1), ("skills", 1))
    assert stats.roles == (("it-project-manager", 2), ("helpdesk-specialist", 1))
    assert stats.langs == (("nb", 2), ("en", 1), ("fa", 1))
    assert (stats.thumbs_up, stats.thumbs_down) == (2, 1)
    assert stats.thumbs_up_ratio == pytest.approx(2 / 3)

    wide = await store.stats(8, today=today)
    assert wide.questions == 5
    assert wide.thumbs_down == 2


async def test_empty_stats_have_no_rates(store: Store) -> None:
    stats = await store.stats(3, today=date(2026, 3, 10))
    assert stats.questions == 0
    assert stats.fallback_rate is None
    assert stats.thumbs_up_ratio is None
    assert [count for _, count in stats.per_day] == [0, 0, 0]
    with pytest.raises(ValueError):
        await store.stats(0)


async def test_a_later_vote_on_the_same_answer_replaces_the_first(store: Store) -> None:
    today = date(2026, 3, 10)
    await store.record_feedback(1, 1, "helpdesk-specialist:salary", 1, wait=True)
    await store.record_feedback(1, 1, "helpdesk-specialist:salary", -1, wait=True)
    stats = await store.stats(1, today=today)
    assert (stats.thumbs_up, stats.thumbs_down) == (0, 1)
    with pytest.raises(ValueError):
        await store.record_feedback(1, 1, "x", 0)


async def _stats_after_flush(store: Store, days: int, today: date) -> Any:
    await store.flush()
    return await store.stats(days, today=today)


# --- unanswered and retention ---------------------------------------------------------------


async def test_unanswered_groups_similar_texts_newest_first(store: Store, clock: Any) -> None:
    start = clock.now
    for minutes, text, answered in [
        (0, "My printer is broken", False),
        (1, "how do I become a pilot", False),
        (2, "my  PRINTER is broken ", False),
        (3, "what does a CTO earn", True),
    ]:
        clock.now = start + timedelta(minutes=minutes)
        await store.record_unanswered(1, 1, text, "en", "out_of_scope", 0.2, answered=answered)
    await store.flush()

    items = await store.unanswered(10)
    assert [(item.text, item.count) for item in items] == [
        ("what does a CTO earn", 1),
        ("my  PRINTER is broken", 2),
        ("how do I become a pilot", 1),
    ]
    assert items[0].answered is True
    assert items[1].answered is False
    assert items[1].last_seen == start + timedelta(minutes=2)
    assert [item.text for item in await store.unanswered(1)] == ["what does a CTO earn"]
    not_answered = await store.unanswered(10, include_low_confidence=False)
    assert "what does a CTO earn" not in [item.text for item in not_answered]


async def test_long_and_empty_texts(store: Store) -> None:
    await store.record_unanswered(1, 1, "x" * (MAX_TEXT_CHARS * 3), "en", None, None, wait=True)
    await store.record_unanswered(1, 1, "   ", "en", None, None, wait=True)
    items = await store.unanswered(10)
    assert [len(item.text) for item in items] == [MAX_TEXT_CHARS]


async def test_purge_deletes_texts_older_than_retention(store: Store, clock: Any) -> None:
    now = clock.now
    for age_days, text in [(31, "too old"), (30.01, "just too old"), (29.9, "still kept")]:
        clock.now = now - timedelta(days=age_days)
        await store.record_unanswered(1, 1, text, "en", None, None, wait=True)
    clock.now = now
    assert await store.purge_expired() == 2
    assert [item.text for item in await store.unanswered(10)] == ["still kept"]
    assert await store.purge_expired(now + timedelta(days=1)) == 1
    assert await store.unanswered(10) == []


async def test_purge_forgets_old_update_ids(store: Store, clock: Any, query: Query) -> None:
    now = clock.now
    clock.now = now - timedelta(days=UPDATE_KEEP_DAYS + 1)
    assert await store.claim_update(1)
    clock.now = now
    assert await store.claim_update(2)
    await store.purge_expired()
    assert query(store.path, "SELECT update_id FROM updates") == [(2,)]


async def test_opening_purges_with_the_configured_retention(db_path: Path, clock: Any) -> None:
    store = await Store.open(db_path, clock=clock, purge_interval=None)
    now = clock.now
    clock.now = now - timedelta(days=6)
    await store.record_unanswered(1, 1, "six days old", "en", None, None, wait=True)
    await store.close()
    clock.now = now
    store = await Store.open(db_path, clock=clock, retention_days=5)
    try:
        assert await store.unanswered(10) == []
    finally:
        await store.close()


async def test_database_failures_surface_as_storage_errors(store: Store) -> None:
    async def duplicate(conn: aiosqlite.Connection) -> None:
        await conn.execute("INSERT INTO users (user_id, updated_at) VALUES (1, 0)")
        await conn.execute("INSERT INTO users (user_id, updated_at) VALUES (1, 0)")

    with pytest.raises(StorageError) as caught:
        await store._write(duplicate, "duplicate")
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert await store.get_user_lang(1) is None  # the job was rolled back
    await store.set_user_lang(1, "nb")  # and the writer goes on
    assert await store.get_user_lang(1) == "nb"


async def test_reads_after_close_fail_clearly(db_path: Path) -> None:
    store = await Store.open(db_path, purge_interval=None)
    await store.close()
    await store.close()  # twice is fine
    with pytest.raises(StoreClosedError):
        await store.get_chat(1)


async def test_purged_texts_are_gone_from_the_files(store: Store, clock: Any) -> None:
    secret = "okapi-lantern-5120 expired question"
    now = clock.now
    clock.now = now - timedelta(days=40)
    await store.record_unanswered(1, 1, secret, "en", None, None, wait=True)
    await store.checkpoint()  # as if it had sat in the database file for weeks
    clock.now = now
    assert await store.purge_expired() == 1
    for part in store.path.parent.iterdir():
        assert secret.encode() not in part.read_bytes(), part.name


async def test_connections_are_configured(store: Store) -> None:
    for conn in (store._writer, store._reader):
        settings = {}
        for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "secure_delete"):
            rows = list(await conn.execute_fetchall(f"PRAGMA {pragma}"))
            settings[pragma] = rows[0][0]
        assert settings == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 10_000,
            "secure_delete": 1,
        }
