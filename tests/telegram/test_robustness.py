"""Robustness over HTTP: hostile text, long answers, flood limits, timeouts, blocked users,
and the one error handler. The fake server is strict: any refusal shows up in ``errors``."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from bot.answer import MAX_CALLBACK_BYTES, AnswerService, ChatState
from bot.constants import LANGUAGES, TOPIC_INTENTS
from bot.telegram.delivery.limiter import PacedRateLimiter
from tests.fakes.telegram_server import BOT_USER, Fault, Limits, callback, text_message, user
from tests.telegram.conftest import NO_PACING, StartBot, assert_clean, buttons, texts

BOT = str(BOT_USER["username"])
HOSTILE = [
    "<b>salary</b> </i> &amp <script>alert(1)</script> <a href='x'>helpdesk</a>",
    "🙂" * 60,
    "🔥🧑‍💻💸",
    "x" * 5000,
    "salary helpdesk " * 400,
    "\u202eknalb\u200d\u200c\u200f\u200e\u2066\u2069",
    "\u200f حقوق <i>helpdesk</i> \u200f",
    "&lt;&gt;&amp;&#0;&#xffff; < > & \" '",
    "/salary <b>x</b> " + "y" * 4100,
    "@" + BOT + " <u>" + "😀" * 2100,
]


async def test_hostile_text_causes_no_errors(start_bot: StartBot) -> None:
    bot = await start_bot()
    group = -1007000
    for number, text in enumerate(HOSTILE):
        private = await bot.send(text_message(text, chat_id=7000 + number))
        assert [c for c in private if c.method == "sendMessage"], text[:40]
        await bot.send(text_message(f"@{BOT} {text}", chat_id=group,
                                    from_user=user(7100)))
    assert_clean(bot.server)
    sent = [str(c.params["text"]) for c in bot.server.sent if c.method == "sendMessage"]
    assert not any("<script>" in t or "<u>" in t for t in sent)  # always escaped


async def test_long_answers_are_split_and_buttons_stay_under_the_last(
        start_bot: StartBot) -> None:
    bot = await start_bot()
    calls = [c for c in await bot.send(callback("st:ict-service-technician", chat_id=7200))
             if c.method == "sendMessage"]
    assert len(calls) >= 2
    assert all(len(str(c.result["text"])) <= 4096 for c in calls)
    assert all(not c.params.get("reply_markup") for c in calls[:-1])
    assert "t:ict-service-technician:skills" in buttons(calls[-1])
    assert_clean(bot.server)


def test_every_button_fits_telegrams_64_bytes(service: AnswerService) -> None:
    """All keyboards of all answers in all languages (the service refuses longer data)."""
    longest = 0
    for lang in LANGUAGES:
        state = ChatState(lang=lang)
        for role in service.catalog.role_ids:
            for topic in TOPIC_INTENTS:
                reply = service.press(f"t:{role}:{topic}", state)
                longest = max(longest, *(len(b.data.encode()) for row in reply.buttons
                                         for b in row))
            for other in service.catalog.role_ids:
                reply = service.press(f"c:{role}:{other}", state)
                longest = max([longest] + [len(b.data.encode()) for row in reply.buttons
                                           for b in row])
    assert 0 < longest <= MAX_CALLBACK_BYTES


async def test_retry_after_is_waited_out_and_nothing_is_lost(start_bot: StartBot) -> None:
    # One message a second per private chat and no pacing of our own: the second message of
    # a two-message answer is refused with 429 and must be sent again after retry_after.
    strict = Limits(overall_per_second=None, private_per_second=1, private_burst=1,
                    group_per_minute=None, retry_after=1)
    bot = await start_bot(limits=strict, rate_limiter=PacedRateLimiter(NO_PACING))
    await bot.send(callback("st:ict-service-technician", chat_id=7300))
    assert any(e[1] == 429 for e in bot.server.errors)
    assert bot.server.early_requests == 0  # nothing was sent during the retry_after window
    delivered = bot.server.messages(7300)
    assert len(delivered) == 2
    assert "t:ict-service-technician:skills" in buttons(delivered[-1])  # in order, complete


async def test_pacing_keeps_under_telegrams_limits_and_chats_do_not_wait_for_each_other(
        start_bot: StartBot) -> None:
    bot = await start_bot(limits=Limits(), rate_limiter=True)  # Telegram's limits, our pacing
    busy, other = 7400, 7401
    presses = [callback("st:ict-service-technician", chat_id=busy) for _ in range(3)]
    await bot.send_all([*presses, text_message("salary helpdesk", chat_id=other)])
    assert [e for e in bot.server.errors if e[1] == 429] == []
    assert len(bot.server.messages(busy)) == 6
    order = [int(c.params["chat_id"]) for c in bot.server.messages()]
    assert order.index(other) < len(order) - 1  # not queued behind the busy chat
    assert_clean(bot.server)


async def test_a_timed_out_send_is_not_retried(start_bot: StartBot) -> None:
    request = HTTPXRequest(read_timeout=0.5, connect_timeout=2.0)
    bot = await start_bot(request=request)
    bot.server.faults.append(Fault("sendMessage", "accept_timeout", delay=1.2))
    calls = await bot.send(text_message("salary helpdesk", chat_id=7500))
    # Telegram got the message; the bot did not hear back and must not send it again.
    assert len([c for c in calls if c.method == "sendMessage"]) == 1
    assert len(bot.server.messages(7500)) == 1
    again = await bot.send(text_message("and the skills?", chat_id=7500))
    assert texts(again)[0].startswith("Helpdesk specialist: skills")


async def test_a_user_who_blocked_the_bot_is_not_retried(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.server.blocked.add(7600)
    await bot.send(text_message("salary helpdesk", chat_id=7600))
    assert [e[1] for e in bot.server.errors] == [403]  # one attempt, no apology, no retry
    assert bot.server.messages(7600) == []


async def test_one_error_handler_apologises_without_internals(
        start_bot: StartBot, service: AnswerService, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    broken = AnswerService(service.catalog, service.engine, charts=False)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret /srv/internals token=abc")

    monkeypatch.setattr(broken, "answer", boom)
    monkeypatch.setattr(broken, "press", boom)
    bot = await start_bot(answer_service=broken)
    caplog.set_level(logging.ERROR, logger="bot")
    body = text_message("salary helpdesk", chat_id=7700, from_user=user(7700, lang="nb"))
    calls = await bot.send(body)
    shown = texts(calls)
    assert len(shown) == 1 and "Beklager" in shown[0]
    toast = await bot.send(callback("t:helpdesk-specialist:skills", chat_id=7700))
    assert [c.method for c in toast] == ["answerCallbackQuery"]
    everything = " ".join(str(c.params) for c in bot.server.sent)
    assert "secret" not in everything and "RuntimeError" not in everything
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    # The traceback is logged (as exc_text once the token redaction has formatted it).
    assert failures and all(r.exc_info or r.exc_text for r in failures)
    assert any(" 1 failed" in r.getMessage() or "update 1 " in r.getMessage()
               for r in failures)
    assert_clean(bot.server)
