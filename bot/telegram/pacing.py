"""Keeping within Telegram's flood limits, and processing chats side by side.

Telegram allows a bot about 30 messages a second overall, about one a second in one private
chat (short bursts are fine) and 20 a minute in a group; beyond that it answers 429 with
``retry_after``. :class:`PacedRateLimiter` is PTB's :class:`~telegram.ext.AIORateLimiter` (which
waits out a ``RetryAfter`` and retries the call) with sliding windows in front that hold each
send back until its chat, and the bot as a whole, are under those limits. Sliding windows rather
than AIORateLimiter's leaky buckets, because Telegram counts messages in a window: a leaky
bucket lets the 21st group message out after three seconds and earns a minute-long 429.

Only calls that post or edit a message are paced; answering a button press or an inline query,
``getChatMember`` and the like go straight through (they have no such limit, and a user waiting
for a button's spinner to stop should not wait behind a long answer).

Because pacing sleeps, :class:`PerChatUpdateProcessor` lets updates of different chats run
concurrently while the updates of one chat still run one after another, in order: otherwise a
single chatty user would hold up everyone else, and two messages of one user could race on the
chat's context.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

log = logging.getLogger(__name__)

# Bot API methods that post or change a message in a chat (what Telegram's flood limits count).
PACED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendAnimation", "sendVideo",
    "sendAudio", "sendVoice", "sendSticker", "sendLocation", "sendVenue", "sendContact",
    "sendPoll", "sendDice", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
    "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
})
NETWORK_RETRIES = 7  # 0.5 + 1 + 2 + 4 + 8 + 16 + 30 s: a minute of outage is waited out
RETRY_DELAY_FIRST = 0.5
RETRY_DELAY_CAP = 30.0
UNBOUNDED = 1 << 30  # see PerChatUpdateProcessor
MAX_WINDOWS = 4096  # chats whose recent sends are remembered before idle ones are dropped


@dataclass(frozen=True)
class PaceLimits:
    """How many messages per how many seconds; ``0`` switches a limit off."""

    overall: int = 30
    overall_period: float = 1.0
    private: int = 3  # three in three seconds: about one a second, a short answer goes at once
    private_period: float = 3.0
    group: int = 20
    group_period: float = 60.0
    margin: float = 0.05  # clock slack between our count and the server's


class SlidingWindows:
    """At most ``limit`` events per ``period`` seconds per key; :meth:`acquire` waits for room."""

    def __init__(self, margin: float = 0.05) -> None:
        self.margin = margin
        self._events: dict[object, deque[float]] = {}

    def _prune(self, now: float, period: float, key: object) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= MAX_WINDOWS:
                self._forget_idle(now, period)
            events = self._events[key] = deque()
        while events and now - events[0] >= period:
            events.popleft()
        return events

    def _forget_idle(self, now: float, period: float) -> None:
        for key in [k for k, e in self._events.items() if not e or now - e[-1] >= period]:
            del self._events[key]

    def wait_time(self, key: object, limit: int, period: float) -> float:
        """Seconds until ``key`` has room (0 when it has room now)."""
        if limit <= 0 or period <= 0:
            return 0.0
        now = time.monotonic()
        events = self._prune(now, period, key)
        if len(events) < limit:
            return 0.0
        return events[0] + period - now + self.margin

    def record(self, key: object) -> None:
        self._events.setdefault(key, deque()).append(time.monotonic())


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter (RetryAfter waited out and retried) behind per-chat sliding windows.

    A call that certainly did not reach Telegram (an error status such as 500 or 502, or a
    refused connection: see :func:`not_delivered`) is repeated with exponential back-off, up to
    ``network_retries`` times (about a minute in all), so a Bot API outage delays answers
    instead of losing them.
    """

    def __init__(self, limits: PaceLimits | None = None, max_retries: int = 3,
                 network_retries: int = NETWORK_RETRIES) -> None:
        # The windows below do all the pacing; the parent only retries after a RetryAfter.
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self.limits = limits or PaceLimits()
        self.network_retries = network_retries
        self._windows = SlidingWindows(self.limits.margin)

    async def _reserve(self, chat_id: object) -> None:
        limits = self.limits
        if isinstance(chat_id, str):
            with contextlib.suppress(ValueError):  # "@channelname" stays a string: a group
                chat_id = int(chat_id)
        is_private = isinstance(chat_id, int) and chat_id > 0
        chat_limit, chat_period = ((limits.private, limits.private_period) if is_private
                                   else (limits.group, limits.group_period))
        while True:
            wait = max(self._windows.wait_time(("chat", chat_id), chat_limit, chat_period),
                       self._windows.wait_time("overall", limits.overall, limits.overall_period))
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        # No await between the check and the records: no other task can take the room.
        self._windows.record(("chat", chat_id))
        self._windows.record("overall")

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        for attempt in itertools.count():
            if endpoint in PACED_METHODS and chat_id is not None:
                await self._reserve(chat_id)
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            except NetworkError as exc:
                if attempt >= self.network_retries or not not_delivered(exc):
                    raise
                delay = min(RETRY_DELAY_CAP, RETRY_DELAY_FIRST * 2 ** attempt)
                log.warning("%s failed (%s); the server took nothing, retrying in %.1f s",
                            endpoint, exc.message, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def not_delivered(exc: NetworkError) -> bool:
    """Whether the call certainly did not reach Telegram, so that repeating it is safe.

    An error status (500, 502, ...) means the server answered that it failed; a refused
    connection means nothing was sent. A timeout or a connection dropped after the request went
    out is ambiguous (the message may have arrived): those are not repeated.
    """
    if isinstance(exc, TimedOut):
        return False
    cause = exc.__cause__
    if cause is None:
        return True  # raised for an HTTP error status, not by the transport
    return isinstance(cause, httpx.ConnectError)


def update_chat_key(update: object) -> int | None:
    """The chat an update belongs to (the user for chat-less updates), for ordering."""
    if not isinstance(update, Update):
        return None
    if update.inline_query is not None or update.chosen_inline_result is not None:
        return None  # inline queries touch no chat state: no need to queue them
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently, one chat's updates in arrival order.

    An update waits for its chat's turn *before* it takes one of the ``max_concurrent_updates``
    slots: otherwise a flood in one group (paced at 20 a minute) would fill every slot with
    updates waiting for that group, and all other chats would wait minutes behind it. (PTB's
    own semaphore, taken before ``do_process_update``, is therefore made too large to bind.)
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(UNBOUNDED)
        self.slots = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self.pending = 0  # updates handed to the processor and not yet done (incl. waiting)
        # Called with each update once every handler is done with it (tests wait on it).
        self.finished: Callable[[object], None] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self.pending += 1
        try:
            async with self._chat_turn(update), self._slots:
                await coroutine
        finally:
            self.pending -= 1
            if self.finished is not None:
                self.finished(update)

    @contextlib.asynccontextmanager
    async def _chat_turn(self, update: object) -> AsyncIterator[None]:
        key = update_chat_key(update)
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
