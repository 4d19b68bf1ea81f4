"""Pacing windows and the per-chat update processor, without clocks or sleeps."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot.telegram.delivery.limiter import SlidingWindows
from bot.telegram.delivery.processor import PerChatUpdateProcessor, update_chat_key
from tests.fakes.telegram_server import callback, inline_query, text_message


def _send(windows: SlidingWindows, key: object) -> None:
    windows.begin(key)
    windows.end(key)


def test_windows_allow_a_burst_then_ask_to_wait() -> None:
    windows = SlidingWindows(margin=0.0)
    for _ in range(3):
        assert windows.wait_time(("chat", 1), limit=3, period=3.0) == 0.0
        _send(windows, ("chat", 1))
    wait = windows.wait_time(("chat", 1), limit=3, period=3.0)
    assert 2.0 < wait <= 3.0
    assert windows.wait_time(("chat", 2), limit=3, period=3.0) == 0.0  # other chats unaffected
    for _ in range(20):
        _send(windows, ("chat", -5))
    assert 59.0 < windows.wait_time(("chat", -5), limit=20, period=60.0) <= 60.0
    assert windows.wait_time(("chat", -5), limit=0, period=60.0) == 0.0  # 0 switches it off


def test_sends_in_flight_count_until_answered_and_blocks_hold() -> None:
    windows = SlidingWindows(margin=0.0)
    for _ in range(3):
        windows.begin(("chat", 1))  # reserved, no answer yet
    assert windows.wait_time(("chat", 1), limit=3, period=3.0) > 0.0
    windows.end(("chat", 1))
    assert windows.wait_time(("chat", 1), limit=3, period=3.0) > 0.0  # answered ones count too
    windows.block(("chat", 9), 5.0)
    assert 4.0 < windows.wait_time(("chat", 9), limit=3, period=3.0) <= 5.0


def _update(body: dict[str, Any], update_id: int) -> Update:
    update = Update.de_json({"update_id": update_id, **body}, None)
    assert update is not None
    return update


def test_updates_are_keyed_by_chat() -> None:
    assert update_chat_key(_update(text_message("hi", chat_id=42), 1)) == 42
    assert update_chat_key(_update(callback("x", chat_id=-7), 2)) == -7
    assert update_chat_key(_update(inline_query("salary"), 3)) is None
    assert update_chat_key("not an update") is None


async def test_one_chat_in_order_other_chats_alongside() -> None:
    processor = PerChatUpdateProcessor()
    done: list[str] = []
    release = asyncio.Event()

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    first = _update(text_message("a", chat_id=1), 1)
    second = _update(text_message("b", chat_id=1), 2)
    elsewhere = _update(text_message("c", chat_id=2), 3)
    tasks = [asyncio.create_task(processor.process_update(first, work("first", release))),
             asyncio.create_task(processor.process_update(second, work("second"))),
             asyncio.create_task(processor.process_update(elsewhere, work("elsewhere")))]
    for _ in range(20):
        await asyncio.sleep(0)
    assert done == ["elsewhere"]  # chat 1 waits for its first update; chat 2 did not wait
    release.set()
    await asyncio.gather(*tasks)
    assert done == ["elsewhere", "first", "second"]
    assert processor._locks == {}  # nothing kept for idle chats


async def test_a_flooding_chat_counts_little_and_its_excess_is_dropped() -> None:
    processor = PerChatUpdateProcessor(private_backlog=6)
    release = asyncio.Event()
    ran: list[int] = []
    dropped: list[tuple[int, bool]] = []
    processor.dropped = lambda update, first: dropped.append(
        (update.update_id if isinstance(update, Update) else 0, first))

    async def work(update_id: int) -> None:
        await release.wait()
        ran.append(update_id)

    flood = [_update(text_message("spam", chat_id=5), i) for i in range(1, 11)]
    tasks = [asyncio.create_task(processor.process_update(u, work(u.update_id)))
             for u in flood]
    tasks.append(asyncio.create_task(processor.process_update(
        _update(text_message("hi", chat_id=6), 99), work(99))))
    for _ in range(20):
        await asyncio.sleep(0)
    assert processor.backlog() == 4 + 1  # the flooder's share, and the other chat's update
    assert dropped == [(7, True), (8, False), (9, False), (10, False)]  # one notice per flood
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(ran) == [1, 2, 3, 4, 5, 6, 99]
    assert processor.backlog() == 0
    # Once the backlog is gone, a new flood is a new flood: it is told again.
    more = [_update(text_message("spam", chat_id=5), i) for i in range(20, 28)]
    release.clear()
    tasks = [asyncio.create_task(processor.process_update(u, work(u.update_id)))
             for u in more]
    for _ in range(20):
        await asyncio.sleep(0)
    assert dropped[-2:] == [(26, True), (27, False)]
    release.set()
    await asyncio.gather(*tasks)


async def test_a_stop_gives_a_reply_up_only_before_its_first_message() -> None:
    import contextvars

    from bot.telegram.delivery.limiter import PacedRateLimiter, PaceLimits, StopSending

    limiter = PacedRateLimiter(PaceLimits(overall=0, private=1, private_period=0.2))
    limiter.stopping = lambda: True
    sent: list[str] = []

    async def send(name: str) -> bool:
        sent.append(name)
        return True

    async def reply(*names: str) -> None:
        for name in names:
            await limiter.process_request(lambda n=name: send(n), (), {}, "sendMessage",
                                          {"chat_id": 5}, None)

    # One update's reply of two messages: the second waits for the window even while
    # stopping, since the first went out (a restart would repeat the first otherwise).
    await asyncio.create_task(reply("a1", "a2"), context=contextvars.Context())
    assert sent == ["a1", "a2"]
    # Another update whose first message would have to wait is given up: it stays unanswered
    # in the inbox for the next start.
    with pytest.raises(StopSending):
        await asyncio.create_task(reply("b1"), context=contextvars.Context())
    assert sent == ["a1", "a2"]


async def test_a_backlog_of_old_messages_is_the_bots_own_and_never_dropped() -> None:
    processor = PerChatUpdateProcessor(private_backlog=2)
    dropped: list[object] = []
    processor.dropped = lambda update, first: dropped.append(update)
    release = asyncio.Event()

    async def work() -> None:
        await release.wait()

    def old(i: int) -> Update:
        body = text_message("asked before a restart", chat_id=8)
        body["message"]["date"] -= 600  # ten minutes ago: the bot was down
        return _update(body, i)

    tasks = [asyncio.create_task(processor.process_update(old(i), work())) for i in range(5)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert dropped == []
    release.set()
    await asyncio.gather(*tasks)


async def test_a_5xx_is_safe_to_repeat_but_a_gateway_timeout_is_not() -> None:
    from telegram.error import TimedOut
    from telegram.request import BaseRequest, RequestData

    from bot.telegram.delivery.limiter import not_delivered
    from bot.telegram.delivery.requests import ServerFailed, ServerFailureRequest

    class Answer(BaseRequest):
        def __init__(self, code: int) -> None:
            self.code = code

        async def initialize(self) -> None: ...

        async def shutdown(self) -> None: ...

        @property
        def read_timeout(self) -> float | None:
            return None

        async def do_request(self, url: str, method: str,
                             request_data: RequestData | None = None, read_timeout: Any = None,
                             write_timeout: Any = None, connect_timeout: Any = None,
                             pool_timeout: Any = None) -> tuple[int, bytes]:
            return self.code, b"<html>nginx</html>"

    with pytest.raises(ServerFailed) as failed:
        await ServerFailureRequest(Answer(502)).do_request("u", "POST")
    assert not_delivered(failed.value)
    with pytest.raises(TimedOut) as timed_out:
        await ServerFailureRequest(Answer(504)).do_request("u", "POST")
    assert not not_delivered(timed_out.value)
    assert await ServerFailureRequest(Answer(200)).do_request("u", "POST") == (
        200, b"<html>nginx</html>")
