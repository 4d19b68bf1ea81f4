"""An update delivered twice is answered once, also when it comes again after a restart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from telegram import Update

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


def _done(db: Path) -> dict[int, bool]:
    with sqlite3.connect(db) as conn:
        return {int(i): bool(d) for i, d in conn.execute("SELECT update_id, done FROM updates")}


async def test_updates_their_handler_stops_early_are_finished_too(harness: Harness) -> None:
    """Admin, privacy and chart handlers stop later handler groups themselves
    (ApplicationHandlerStop); the finish does not depend on them: no handler finishes by
    hand, and a copy Telegram sends again is not answered."""
    from tests.admin.conftest import ADMIN_ID, admin_user

    stopped_early = {
        1001: text_message("/privacy", chat_id=4010),
        1002: text_message("/forget", chat_id=4010),
        1003: callback("pv:keep:4010", chat_id=4010),
        1004: text_message("/stats", chat_id=ADMIN_ID, from_user=admin_user()),
        1005: text_message("/stats", chat_id=4010),  # refused: not an admin
        1006: callback("ch:nothing:nobody", chat_id=4010),  # a stale chart button
    }
    for update_id, body in stopped_early.items():
        await harness.send(body, update_id=update_id)
    sent = len(harness.request.calls)
    assert sent >= len(stopped_early)  # each was answered somehow
    done = _done(harness.store.path)
    assert {i: done.get(i) for i in stopped_early} == dict.fromkeys(stopped_early, True)
    for update_id, body in stopped_early.items():
        await harness.send(body, update_id=update_id)
    assert len(harness.request.calls) == sent  # delivered again: not answered again


async def test_a_send_given_up_at_a_stop_leaves_its_update_for_the_next_start(
        admin_settings: Settings, own_service: AnswerService, tmp_path: Path) -> None:
    """``StopSending``: no apology, no finish, no analytics; the next start answers it once."""
    from typing import Any

    from telegram.ext import BaseRateLimiter

    from bot.telegram.app import build_application
    from bot.telegram.delivery.limiter import StopSending
    from bot.telegram.store_states import StoreChatStates
    from tests.fakes.offline import OfflineRequest

    class GivesUpOnce(BaseRateLimiter[int]):
        """The first message would have to wait while the bot stops: it is given up."""

        def __init__(self) -> None:
            self.given_up = 0

        async def initialize(self) -> None:
            return None

        async def shutdown(self) -> None:
            return None

        async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any],
                                  endpoint: str, data: dict[str, Any],
                                  rate_limit_args: int | None) -> Any:
            if endpoint == "sendMessage" and not self.given_up:
                self.given_up += 1
                raise StopSending("the bot is stopping")
            return await callback(*args, **kwargs)

    db = tmp_path / "stop.sqlite3"
    store = await Store.open(db, purge_interval=None)
    request, limiter = OfflineRequest(), GivesUpOnce()
    app = build_application(admin_settings, own_service, StoreChatStates(store), request=request,
                            get_updates_request=OfflineRequest(), rate_limiter=limiter)
    app.bot_data["store"] = store
    await app.initialize()
    body = text_message(QUESTION, chat_id=4020, from_user=user(4020))
    update = Update.de_json({"update_id": 1100, **body}, app.bot)
    assert update is not None
    await app.process_update(update)
    assert limiter.given_up == 1
    assert request.sent_texts(4020) == []  # no apology either: nothing failed
    await app.shutdown()
    await store.close()
    assert _done(db) == {1100: False}  # claimed by the stopped run, not finished
    assert _counted(db) == (0, 0)  # its analytics come with the answer after the restart

    store = await Store.open(db, purge_interval=None)
    try:
        h = await make_harness(admin_settings, own_service, store)
        await h.send(body, update_id=1100)
        await h.send(body, update_id=1100)
        assert len(h.texts(4020)) == 1
        await store.flush()
        assert _counted(db) == (1, 1)
        await h.app.shutdown()
    finally:
        await store.close()
