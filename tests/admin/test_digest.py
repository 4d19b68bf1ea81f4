"""The weekly digest (issue 15): each admin gets the picture, the week's 👎 count and the most
frequent unanswered questions with their teach buttons; an admin who blocked the bot does not
stop the others; the job exists only when WEEKLY_DIGEST is set."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import pytest
from telegram.ext import CallbackContext

from bot.answer import AnswerService
from bot.config import ConfigError, Settings, Weekly, load_settings
from bot.storage import SetUserLang, Store
from bot.telegram import admin
from bot.telegram.digest import weekly_digest
from bot.telegram.runner import schedule_jobs
from tests.admin.conftest import ADMIN_ID, Harness, make_harness
from tests.fakes.offline import OfflineRequest

BLOCKED, PERSIAN = 4243, 4244


class Blocked(OfflineRequest):
    """Telegram as it answers a bot that an admin blocked: 403 for every send to them."""

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        params = dict(request_data.parameters) if request_data else {}
        if str(params.get("chat_id")) == str(BLOCKED):
            self.calls.append((url.rsplit("/", 1)[-1] + " refused", params))
            return 403, json.dumps({"ok": False, "error_code": 403, "description":
                                    "Forbidden: bot was blocked by the user"}).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)


@pytest.fixture
async def admins(admin_settings: Settings, own_service: AnswerService,
                 store: Store) -> AsyncIterator[Harness]:
    settings = replace(admin_settings, admin_ids=frozenset({ADMIN_ID, BLOCKED, PERSIAN}),
                       weekly_digest=Weekly(0, time(8, 0, tzinfo=UTC)))
    h = await make_harness(settings, own_service, store)
    h.request = Blocked()
    h.app.bot._request = (h.app.bot._request[0], h.request)
    try:
        yield h
    finally:
        await admin.drain(h.app)
        await h.app.shutdown()


async def test_each_admin_gets_the_digest_and_a_blocked_one_stops_nobody(
        admins: Harness) -> None:
    h = admins
    for user_id in (2001, 2002, 2003):
        await h.store.record_unanswered(user_id, user_id, "can I work from the moon", "en",
                                        "out_of_scope", 0.1, wait=True)
    await h.store.record_unanswered(2004, 2004, "helpdesk specialist nerves of steel", "en",
                                    "overview", 0.3, answered=True, wait=True)
    for user_id in (2001, 2002):
        await h.store.record_feedback(user_id, user_id, "helpdesk-specialist:salary", -1,
                                      wait=True)
    await h.store.apply(SetUserLang(PERSIAN, "fa"))

    await weekly_digest(CallbackContext(h.app))

    sent = h.request.sent
    assert [p["chat_id"] for p in sent("sendMessage refused")] == [BLOCKED]  # tried, once
    texts = h.texts(ADMIN_ID)
    assert texts[0].startswith("<b>Weekly digest</b>, ") and texts[0].endswith(
        "👎 on answers this week: 2")
    assert texts[1].startswith("The 2 questions I most often could not answer well")
    assert texts[2].startswith("1. «can I work from the moon» — 3×")
    assert texts[3].startswith("2. «helpdesk specialist nerves of steel» — 1×")
    cards = [p for p in sent("sendMessage") if int(p["chat_id"]) == ADMIN_ID][2:]
    for card in cards:
        data = [b["callback_data"] for row in card["reply_markup"]["inline_keyboard"]
                for b in row]
        assert any(d.startswith("adm:t:") for d in data) and all(len(d) <= 64 for d in data)
    [caption] = h.captions(ADMIN_ID)
    assert "Questions: 0" in caption and "👎 2" in caption
    persian = h.texts(PERSIAN)
    assert persian[0].startswith("<b>گزارش هفتگی</b>") and persian[0].endswith(": ۲")
    assert h.captions(PERSIAN) and len(persian) == 4  # head, list head, two cards


async def test_the_digest_is_scheduled_only_when_weekly_digest_is_set(
        admin_settings: Settings, own_service: AnswerService, store: Store,
        tmp_path: Path) -> None:
    assert load_settings({}, dotenv=tmp_path / ".env").weekly_digest is None
    assert load_settings({"WEEKLY_DIGEST": "Fri 17:30"}, dotenv=tmp_path / ".env"
                         ).weekly_digest == Weekly(4, time(17, 30, tzinfo=UTC))
    with pytest.raises(ConfigError) as bad:
        load_settings({"WEEKLY_DIGEST": "friday 25:00"}, dotenv=tmp_path / ".env")
    assert bad.value.lines() == ["WEEKLY_DIGEST: 'friday 25:00' is not a weekday and a UTC "
                                 "time such as 'mon 08:00', or 'off'"]
    for weekly, expected in ((None, []), (Weekly(4, time(17, 30, tzinfo=UTC)),
                                          ["day_of_week='fri'", "hour='17'", "minute='30'"])):
        settings = replace(admin_settings, weekly_digest=weekly)
        h = await make_harness(settings, own_service, store)
        try:
            schedule_jobs(h.app, settings)
            jobs = h.app.job_queue.get_jobs_by_name("weekly-digest")
            assert len(jobs) == (1 if weekly else 0)
            assert {"heartbeat", "purge", "trim"} <= {j.name for j in h.app.job_queue.jobs()}
            trim = h.app.job_queue.get_jobs_by_name("trim")[0]
            with patch("bot.telegram.runner.release_free_memory") as released:
                await trim.callback(SimpleNamespace())  # type: ignore[arg-type]
            released.assert_called_once_with()
            for job in jobs:
                trigger = str(job.job.trigger)
                assert all(part in trigger for part in expected), trigger
                assert job.callback is weekly_digest
        finally:
            await h.app.shutdown()
