"""Charts over HTTP against the fake Bot API: multipart upload, then re-sent by file_id."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.answer import AnswerService, ChatState
from bot.charts.cache import ChartCache
from bot.config import Settings
from bot.content.telegram_html import plain_text
from bot.telegram import photos
from bot.telegram.app import build_application
from tests.fakes.telegram_server import FakeTelegram, Sent, callback, text_message, user

App = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture
async def app(settings: Settings, service: AnswerService,
              fake_telegram: FakeTelegram) -> AsyncIterator[App]:
    settings = Settings(**{**vars(settings), "api_base_url": fake_telegram.base_url})
    # A service of its own, so swapping the catalogue here cannot touch other tests.
    application = build_application(settings, AnswerService(service.catalog, service.engine),
                                    rate_limiter=False)
    assert any(isinstance(h, CallbackQueryHandler) and h.callback is photos.on_chart_button
               for h in application.handlers.get(0, []))  # the factory registered the charts
    async with application:
        yield application


async def press(app: App, data: str, lang: str | None = "en", chat_id: int = 3001) -> None:
    body = callback(data, chat_id=chat_id, from_user=user(chat_id, lang=lang))
    update = Update.de_json({"update_id": 1, **body}, app.bot)
    assert update is not None
    await app.process_update(update)


def photos_sent(server: FakeTelegram) -> list[Sent]:
    return [s for s in server.sent if s.method == "sendPhoto"]


async def test_chart_is_uploaded_as_multipart_then_resent_by_file_id(
        app: App, fake_telegram: FakeTelegram) -> None:
    await press(app, "ch:pay:ict-service-technician")
    first = photos_sent(fake_telegram)
    assert len(first) == 1
    upload = first[0].params["photo"]
    assert isinstance(upload, dict), "the first send must upload the file (multipart)"
    assert upload["filename"].endswith(".png") and upload["size"] > 10_000
    caption = first[0].params["caption"]
    assert first[0].params["parse_mode"] == "HTML"
    assert len(plain_text(caption)) <= 1024 and "utdanning.no" in caption
    file_id = first[0].result["photo"][-1]["file_id"]
    # The press was answered, and the general button handler did not answer it a second time.
    assert len([s for s in fake_telegram.sent if s.method == "answerCallbackQuery"]) == 1
    assert not [s for s in fake_telegram.sent if s.method == "sendMessage"]

    await press(app, "ch:pay:ict-service-technician")
    second = photos_sent(fake_telegram)
    assert len(second) == 2
    assert second[1].params["photo"] == file_id
    assert second[1].params["caption"] == caption
    assert fake_telegram.errors == []


async def test_caption_and_chart_follow_the_users_language(app: App,
                                                          fake_telegram: FakeTelegram) -> None:
    await press(app, "ch:career:helpdesk-specialist", lang="fa")
    await press(app, "ch:career:helpdesk-specialist", lang="nb", chat_id=3002)
    fa, nb = photos_sent(fake_telegram)
    assert "منبع" in fa.params["caption"] and "Adapto" in fa.params["caption"]
    assert "Kilde" in nb.params["caption"]
    # Different languages are different pictures: both uploaded, neither by the other's id.
    assert isinstance(fa.params["photo"], dict) and isinstance(nb.params["photo"], dict)


async def test_saved_language_choice_wins_over_telegrams(app: App,
                                                        fake_telegram: FakeTelegram) -> None:
    await app.bot_data["states"].save(3003, 3003, ChatState(lang="lv"))
    await press(app, "ch:pay:user-support-specialist", lang="en", chat_id=3003)
    (sent,) = photos_sent(fake_telegram)
    assert "Avots" in sent.params["caption"]


async def test_role_without_pay_figures_gets_a_sentence_not_a_chart(
        app: App, fake_telegram: FakeTelegram) -> None:
    await press(app, "ch:pay:it-project-manager")
    assert photos_sent(fake_telegram) == []
    (message,) = [s for s in fake_telegram.sent if s.method == "sendMessage"]
    assert "no pay chart" in message.params["text"]


async def test_send_chart_returns_false_and_sends_nothing_without_a_chart(
        app: App, fake_telegram: FakeTelegram) -> None:
    body = text_message("/salary it-service-manager chart", chat_id=3004)
    update = Update.de_json({"update_id": 5, **body}, app.bot)
    assert update is not None
    context: Any = type("Ctx", (), {"bot": app.bot, "bot_data": app.bot_data})()
    assert await photos.send_chart(update, context, "it-service-manager", "pay", "en") is False
    assert await photos.send_chart(update, context, "ict-service-technician", "career",
                                   "en") is False
    assert [s for s in fake_telegram.sent if s.method != "getMe"] == []
    assert await photos.send_chart(update, context, "helpdesk-specialist", "pay", "fa") is True
    assert len(photos_sent(fake_telegram)) == 1


async def test_stale_button_gets_a_notice(app: App, fake_telegram: FakeTelegram) -> None:
    await press(app, "ch:pay:no-such-role")
    await press(app, "ch:pie:helpdesk-specialist")
    answers = [s for s in fake_telegram.sent if s.method == "answerCallbackQuery"]
    assert len(answers) == 2 and all(a.params.get("text") for a in answers)
    assert photos_sent(fake_telegram) == []


async def test_reload_renders_again_and_uploads_afresh(app: App,
                                                       fake_telegram: FakeTelegram) -> None:
    await press(app, "ch:career:it-service-manager")
    cache: ChartCache = app.bot_data["charts"]
    assert cache.renders == 1
    service: AnswerService = app.bot_data["service"]
    reloaded = copy.copy(service.catalog)
    reloaded.version = "reloaded-" + service.catalog.version
    service.swap(reloaded, service.engine)
    await press(app, "ch:career:it-service-manager")
    _, second = photos_sent(fake_telegram)
    assert isinstance(second.params["photo"], dict), "after a reload the old file_id is unused"
    assert cache.renders == 2


async def test_concurrent_presses_share_one_render(app: App,
                                                   fake_telegram: FakeTelegram) -> None:
    await asyncio.gather(*(press(app, "ch:pay:helpdesk-specialist", lang="lv", chat_id=3100 + i)
                           for i in range(4)))
    assert len(photos_sent(fake_telegram)) == 4
    assert app.bot_data["charts"].renders == 1
