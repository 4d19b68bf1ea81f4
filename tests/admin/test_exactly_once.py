"""An update delivered twice is answered once, also when it comes again after a restart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.answer import AnswerService
from bot.config import Settings
from bot.storage import Store
from bot.telegram import admin
from tests.admin.conftest import Harness, make_harness
from tests.fakes.telegram_server import callback, text_message, user

QUESTION = "my printer is broken"  # out of scope (SPEC.md): counted, and its text kept


def _counted(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        questions = conn.execute("SELECT coalesce(sum(questions), 0) FROM counters").fetchone()
        texts = conn.execute("SELECT count(*) FROM unanswered").fetchone()
    return int(questions[0]), int(texts[0])


async def test_duplicate_delivery_is_answered_once(harness: Harness) -> None:
    body = text_message(QUESTION, chat_id=4001, from_user=user(4001))
    first = harness.update(body, update_id=500)
    again = harness.update(body, update_id=500)
    await harness.app.process_update(first)
    await harness.app.process_update(again)
    await harness.send(callback("t:helpdesk-specialist:tools", chat_id=4001), update_id=501)
    await harness.send(callback("t:helpdesk-specialist:tools", chat_id=4001), update_id=501)
    assert len(harness.texts(4001)) == 2  # one answer to the question, one to the button
    await harness.store.flush()
    assert _counted(harness.store.path) == (1, 1)  # analytics written once, with the finish
    assert await harness.store.last_update_id() == 501


async def test_after_a_restart_finished_updates_stay_answered_and_unfinished_are_retried(
        admin_settings: Settings, own_service: AnswerService, tmp_path: Path) -> None:
    db = tmp_path / "restart.sqlite3"
    store = await Store.open(db, purge_interval=None)
    h = await make_harness(admin_settings, own_service, store)
    await h.send(text_message(QUESTION, chat_id=4002, from_user=user(4002)), update_id=700)
    # The process "dies" after claiming update 701 but before answering and finishing it.
    assert await store.claim_update(701)
    await admin.drain(h.app)
    await h.app.shutdown()
    await store.close()

    store = await Store.open(db, purge_interval=None)
    try:
        h2 = await make_harness(admin_settings, own_service, store)
        await h2.send(text_message(QUESTION, chat_id=4002, from_user=user(4002)),
                      update_id=700)
        assert h2.texts(4002) == []  # delivered again after it was answered: not again
        await h2.send(text_message("what tools does a helpdesk specialist use?",
                                   chat_id=4003, from_user=user(4003)), update_id=701)
        assert len(h2.texts(4003)) == 1  # claimed by the dead run, never answered: answered
        await store.flush()
        assert _counted(db) == (2, 1)
        await h2.app.shutdown()
    finally:
        await store.close()


async def test_without_a_store_every_update_is_answered(
        admin_settings: Settings, own_service: AnswerService, store: Store) -> None:
    h = await make_harness(admin_settings, own_service, store)
    h.app.bot_data.pop("store")  # the terminal chat and some tests run without one
    body = text_message(QUESTION, chat_id=4004, from_user=user(4004))
    await h.send(body, update_id=900)
    await h.send(body, update_id=900)
    assert len(h.texts(4004)) == 2
    await h.app.shutdown()


async def test_analytics_wait_for_the_finish_of_their_update(harness: Harness) -> None:
    from datetime import date

    from bot.storage import CountAnswer
    from bot.telegram.store_states import recorder

    rec = recorder(harness.app)
    assert await harness.store.claim_update(800)
    rec.begin(800)
    rec.add(CountAnswer(date(2026, 1, 2), "salary", None, "en"))
    await harness.store.flush()
    assert _counted(harness.store.path) == (0, 0)  # held back with the unfinished update
    rec.finish(800)
    await harness.store.flush()
    assert _counted(harness.store.path) == (1, 0)
    assert await harness.store.last_update_id() == 800
    rec.add(CountAnswer(date(2026, 1, 2), "salary", None, "en"))  # outside any update: now
    await harness.store.flush()
    assert _counted(harness.store.path) == (2, 0)
