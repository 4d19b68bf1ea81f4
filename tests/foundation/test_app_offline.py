"""The real Application from the project's factory processes real Update JSON, offline."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.answer import AnswerService
from bot.config import Settings
from bot.telegram.app import build_application
from tests.fakes.offline import OfflineRequest
from tests.fakes.telegram_server import callback, text_message


async def _app(settings: Settings, service: AnswerService) -> tuple[Any, OfflineRequest]:
    request = OfflineRequest()
    app = build_application(settings, service, request=request,
                            get_updates_request=OfflineRequest(), rate_limiter=False)
    await app.initialize()
    return app, request


def _update(app: Any, body: dict[str, Any], update_id: int = 1) -> Update:
    update = Update.de_json({"update_id": update_id, **body}, app.bot)
    assert update is not None
    return update


async def test_private_question_gets_an_html_answer_with_topic_buttons(
        settings: Settings, service: AnswerService) -> None:
    app, request = await _app(settings, service)
    await app.process_update(_update(app, text_message("what does a helpdesk specialist earn?")))
    sent = request.sent("sendMessage")
    assert len(sent) == 1
    assert sent[0]["parse_mode"] == "HTML"
    assert "20" in sent[0]["text"] and "45" in sent[0]["text"]
    buttons = [b["callback_data"] for row in sent[0]["reply_markup"]["inline_keyboard"]
               for b in row]
    assert "t:helpdesk-specialist:skills" in buttons
    assert all(len(d.encode()) <= 64 for d in buttons)
    await app.shutdown()


async def test_context_carries_the_role_to_a_follow_up(settings: Settings,
                                                       service: AnswerService) -> None:
    app, request = await _app(settings, service)
    await app.process_update(_update(app, text_message("tell me about the it project manager")))
    await app.process_update(_update(app, text_message("and the salary?"), 2))
    texts = request.sent_texts()
    assert len(texts) == 2
    assert "IT project manager" in texts[1]
    assert not any(ch.isdigit() for ch in texts[1].split("Source")[0]), texts[1]
    await app.shutdown()


async def test_button_press_answers_the_topic(settings: Settings, service: AnswerService) -> None:
    app, request = await _app(settings, service)
    await app.process_update(_update(app, callback("t:it-service-manager:tools")))
    assert "ServiceNow" in request.sent_texts()[0]
    assert request.sent("answerCallbackQuery")
    await app.shutdown()


async def test_hostile_text_is_escaped_and_answered(settings: Settings,
                                                    service: AnswerService) -> None:
    app, request = await _app(settings, service)
    for i, text in enumerate(["<b>salary</b> </i> &amp", "🙂" * 50, "x" * 4096,
                              "\u202eknalb\u200d\u200c"], start=1):
        await app.process_update(_update(app, text_message(text), i))
    assert len(request.sent_texts()) == 4  # OfflineRequest rejects invalid HTML with 400
    await app.shutdown()


async def test_sticker_gets_a_hint_to_write(settings: Settings, service: AnswerService) -> None:
    app, request = await _app(settings, service)
    body = text_message("x")
    del body["message"]["text"]
    body["message"]["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular",
                                  "width": 512, "height": 512, "is_animated": False,
                                  "is_video": False}
    await app.process_update(_update(app, body))
    assert "text" in request.sent_texts()[0].lower()
    await app.shutdown()


async def test_group_chatter_is_ignored_but_mentions_are_answered(
        settings: Settings, service: AnswerService) -> None:
    app, request = await _app(settings, service)
    await app.process_update(_update(app, text_message("what's for lunch?", chat_id=-100)))
    assert request.sent_texts() == []
    await app.process_update(
        _update(app, text_message("@helpdesk_careers_bot salary helpdesk", chat_id=-100), 2))
    texts = request.sent("sendMessage")
    assert len(texts) == 1
    assert texts[0]["reply_parameters"]["message_id"]  # quotes the asking message
    await app.shutdown()
