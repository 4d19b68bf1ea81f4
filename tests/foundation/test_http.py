"""The bot over real HTTP against the fake Bot API server: polling, offsets, replies."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.answer import AnswerService
from bot.config import Settings
from bot.logs import install_redaction
from bot.telegram.app import build_application
from tests.conftest import TOKEN
from tests.fakes.telegram_server import FakeTelegram, text_message


async def _run_polling(settings: Settings, service: AnswerService, server: FakeTelegram,
                       questions: list[str]) -> None:
    settings = Settings(**{**vars(settings), "api_base_url": server.base_url})
    app = build_application(settings, service)
    async with app:
        assert app.updater is not None and app.post_init is not None
        await app.post_init(app)  # run_polling would call it; we drive the parts ourselves
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        for i, question in enumerate(questions):
            server.push_update(text_message(question, chat_id=2000 + i))
        await server.wait_for(len(questions), timeout=20)
        await app.updater.stop()
        await app.stop()


async def test_polling_answers_each_update_once(settings: Settings, service: AnswerService,
                                                fake_telegram: FakeTelegram) -> None:
    questions = ["salary helpdesk", "hva gjør en IT-prosjektleder?", "سلام"]
    await _run_polling(settings, service, fake_telegram, questions)
    await asyncio.sleep(0.2)
    sent = fake_telegram.messages()
    assert sorted(int(s.params["chat_id"]) for s in sent) == [2000, 2001, 2002]
    assert fake_telegram.errors == []
    assert fake_telegram.confirmed_offset >= 3 or fake_telegram.pending() == []
    assert any(m == "setMyCommands" for m, _ in fake_telegram.calls)


async def test_token_never_logged_at_debug(settings: Settings, service: AnswerService,
                                           fake_telegram: FakeTelegram,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    names = ("httpx", "httpcore", "telegram", "bot")
    before = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    install_redaction((TOKEN,))
    try:
        await _run_polling(settings, service, fake_telegram, ["what does a helpdesk do?"])
        logging.getLogger("bot.test").debug("url was %s", f"{fake_telegram.base_url}{TOKEN}/x")
    finally:  # later tests (the /privacy log test) rely on the levels the suite had
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert len(caplog.records) > 5
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
