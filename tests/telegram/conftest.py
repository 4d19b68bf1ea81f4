"""The real Application from the factory, long-polling the fake Bot API server over HTTP.

``BotUnderTest.send`` queues one update and waits until every handler group has run for it
(the update processor says so), then returns the Bot API calls it caused, so a test can
also see that chatter in a group caused nothing at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, BaseRateLimiter
from telegram.request import BaseRequest

from bot.answer import AnswerService
from bot.config import Settings
from bot.content.telegram_html import validate_html
from bot.telegram.app import build_application
from bot.telegram.delivery.limiter import PacedRateLimiter, PaceLimits
from bot.telegram.delivery.processor import PerChatUpdateProcessor
from tests.fakes.telegram_server import FakeTelegram, Limits, Sent

NO_PACING = PaceLimits(overall=0, private=0, group=0)
RELAXED = Limits(overall_per_second=None, private_per_second=None, group_per_minute=None)


@dataclass
class BotUnderTest:
    """A running bot and the fake server it talks to."""

    server: FakeTelegram
    app: Application[Any, Any, Any, Any, Any, Any]
    done: dict[int, asyncio.Event] = field(default_factory=dict)

    def _event(self, update_id: int) -> asyncio.Event:
        return self.done.setdefault(update_id, asyncio.Event())

    async def send(self, body: dict[str, Any], timeout: float = 20.0) -> list[Sent]:
        """Deliver one update, wait until it is fully handled, return the calls it caused."""
        before = len(self.server.sent)
        update_id = self.server.push_update(body)
        await asyncio.wait_for(self._event(update_id).wait(), timeout)
        return self.server.sent[before:]

    async def send_all(self, bodies: list[dict[str, Any]], timeout: float = 30.0) -> list[Sent]:
        """Deliver several updates at once (they may run concurrently), wait for all."""
        before = len(self.server.sent)
        ids = [self.server.push_update(body) for body in bodies]
        await asyncio.wait_for(asyncio.gather(*(self._event(i).wait() for i in ids)), timeout)
        return self.server.sent[before:]


def texts(calls: list[Sent], method: str = "sendMessage") -> list[str]:
    """The shown (plain) text of each message sent by ``calls``."""
    return [str(c.result["text"]) for c in calls if c.method == method]


def buttons(call: Sent) -> list[str]:
    """Callback data of every button of one sent message."""
    markup = call.params.get("reply_markup") or {}
    return [b.get("callback_data") or b.get("url", "")
            for row in markup.get("inline_keyboard", []) for b in row]


def only_messages(calls: list[Sent]) -> list[Sent]:
    return [c for c in calls if c.method == "sendMessage"]


def assert_clean(server: FakeTelegram) -> None:
    """Nothing the bot sent was refused, and every HTML text was valid."""
    assert server.errors == [], server.errors
    for call in server.sent:
        shown = call.params.get("text", call.params.get("caption"))
        if call.params.get("parse_mode") == "HTML" and shown is not None:
            assert validate_html(str(shown)) == [], shown


StartBot = Callable[..., Awaitable[BotUnderTest]]


@pytest.fixture
async def start_bot(settings: Settings, service: AnswerService
                    ) -> AsyncIterator[StartBot]:
    """Start bots on their own fake servers; everything is stopped at the end of the test."""
    running: list[tuple[Application[Any, Any, Any, Any, Any, Any], FakeTelegram]] = []

    async def start(limits: Limits | None = None,
                    rate_limiter: bool | BaseRateLimiter[Any] | None = None,
                    request: BaseRequest | None = None,
                    setup: Callable[[Application[Any, Any, Any, Any, Any, Any]], None]
                    | None = None,
                    answer_service: AnswerService | None = None) -> BotUnderTest:
        server = FakeTelegram(token=settings.token or "", limits=limits or RELAXED)
        await server.start()
        app_settings = Settings(**{**vars(settings), "api_base_url": server.base_url})
        app = build_application(
            app_settings, answer_service or service, request=request,
            rate_limiter=rate_limiter if rate_limiter is not None
            else PacedRateLimiter(NO_PACING))
        bot = BotUnderTest(server, app)

        def mark_done(update: object) -> None:
            if isinstance(update, Update):
                bot._event(update.update_id).set()

        processor = app.update_processor
        assert isinstance(processor, PerChatUpdateProcessor)
        processor.finished = mark_done  # also after ApplicationHandlerStop in some group
        if setup is not None:
            setup(app)
        await app.initialize()
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        running.append((app, server))
        return bot

    yield start
    for app, server in running:
        assert app.updater is not None
        server.release_polls()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await server.stop()
