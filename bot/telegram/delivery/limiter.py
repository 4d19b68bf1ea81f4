"""Keeping within Telegram's flood limits, and which failed calls are repeated.

Telegram allows a bot about 30 messages a second overall, about one a second in one private
chat (short bursts are fine) and 20 a minute in a group; beyond that it answers 429 with
``retry_after``. :class:`PacedRateLimiter` holds each send back in sliding windows until its
chat, and the bot as a whole, are under those limits, and waits out a ``RetryAfter`` for every
chat it concerns before retrying. Sliding windows rather than AIORateLimiter's leaky buckets,
because Telegram counts messages in a window: a leaky bucket lets the 21st group message out
after three seconds and earns a minute-long 429.

Only calls that post or edit a message are paced; answering a button press or an inline query,
``getChatMember`` and the like go straight through (they have no such limit, and a user waiting
for a button's spinner to stop should not wait behind a long answer).

Because pacing sleeps, updates of different chats run side by side
(``bot.telegram.delivery.processor``). What a failure that reaches a handler means is decided
once, in ``bot.telegram.delivery.sending``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.telegram.delivery.requests import ServerFailed

log = logging.getLogger(__name__)

# Bot API methods that post or change a message in a chat (what Telegram's flood limits count).
PACED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendAnimation", "sendVideo",
    "sendAudio", "sendVoice", "sendSticker", "sendLocation", "sendVenue", "sendContact",
    "sendPoll", "sendDice", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
    "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
})
MAX_RETRY_AFTER = 8  # 429s in a row for one call before it is given up
RETRY_AFTER_SLACK = 0.1  # seconds added to retry_after (our clock started after Telegram's)
IN_FLIGHT_POLL = 0.02  # seconds between looks while a window is full of unanswered sends
STOP_POLL = 0.1  # seconds between looks for a stop while a send waits
NETWORK_RETRIES = 7  # 0.5 + 1 + 2 + 4 + 8 + 16 + 30 s: a minute of outage is waited out
RETRY_DELAY_FIRST = 0.5
RETRY_DELAY_CAP = 30.0
# Set in an update's task once a message of its reply was posted (each update runs in a task
# of its own, so this is per update): from then on a stop does not give the reply up half-way.
DELIVERED: ContextVar[bool] = ContextVar("delivered", default=False)
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
    margin: float = 0.02  # slack between our count (from answers) and the server's


class SlidingWindows:
    """At most ``limit`` sends per ``period`` seconds per key, counted the safe way round.

    A send counts from the moment it is reserved until ``period`` after its *answer* came back
    (the server counted it at some moment in between). Counting from the reservation alone
    fails when the event loop lags: sends reserved a second apart can reach the server
    together, and earn a 429. ``block`` keeps a key shut while Telegram's ``retry_after`` runs.
    """

    def __init__(self, margin: float = 0.05) -> None:
        self.margin = margin
        self._events: dict[object, deque[float]] = {}
        self._in_flight: dict[object, int] = {}
        self._blocked: dict[object, float] = {}

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
        for key in [k for k, e in self._events.items()
                    if (not e or now - e[-1] >= period) and not self._in_flight.get(k)]:
            del self._events[key]
        for key in [k for k, until in self._blocked.items() if until <= now]:
            del self._blocked[key]

    def wait_time(self, key: object, limit: int, period: float) -> float:
        """Seconds until ``key`` has room (0 when it has room now)."""
        now = time.monotonic()
        blocked = self._blocked.get(key, 0.0) - now
        if limit <= 0 or period <= 0:
            return max(0.0, blocked)
        events = self._prune(now, period, key)
        if len(events) + self._in_flight.get(key, 0) < limit:
            return max(0.0, blocked)
        if len(events) >= limit:  # the oldest answered send must leave the window
            return max(events[0] + period - now + self.margin, blocked)
        return max(IN_FLIGHT_POLL, blocked)  # full only with sends still under way

    def begin(self, key: object) -> None:
        self._in_flight[key] = self._in_flight.get(key, 0) + 1

    def end(self, key: object, counted: bool = True) -> None:
        """The send is answered; ``counted=False`` when Telegram refused it (nothing posted)."""
        left = self._in_flight.get(key, 0) - 1
        if left > 0:
            self._in_flight[key] = left
        else:
            self._in_flight.pop(key, None)
        if counted:
            self._events.setdefault(key, deque()).append(time.monotonic())

    def block(self, key: object, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._blocked[key] = max(self._blocked.get(key, 0.0), until)


class PacedRateLimiter(BaseRateLimiter[int]):
    """Per-chat and overall sliding windows in front of every send; 429s waited out for all.

    A ``RetryAfter`` shuts the chat (and, unless it is a group, every chat: Telegram does not
    say which limit was hit) for ``retry_after`` seconds, then the call is repeated, up to
    ``max_retries`` times; no other send goes out during that window. (AIORateLimiter, used
    before, let other sends through during it, and dropped a message after three 429s.)

    A call that certainly did not reach Telegram (a 5xx status with any body, or a refused
    connection: see :func:`not_delivered`) is repeated with exponential back-off, up to
    ``network_retries`` times (about a minute in all), so a Bot API outage delays answers
    instead of losing them. Every other failure is final at once: a 400 ("query is too old",
    "not enough rights") or 403 would fail the same way a minute later, and retrying it would
    only hold up the chat's next answer.
    """

    def __init__(self, limits: PaceLimits | None = None, max_retries: int = MAX_RETRY_AFTER,
                 network_retries: int = NETWORK_RETRIES) -> None:
        self.limits = limits or PaceLimits()
        self.max_retries = max_retries
        self.network_retries = network_retries
        self._windows = SlidingWindows(self.limits.margin)
        # Whether the bot is stopping (set by the runner): a send that would still have to
        # wait raises StopSending instead, so that a stop never waits out a minute of back-off.
        self.stopping: Callable[[], bool] = lambda: False

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, unless the bot starts stopping meanwhile (then StopSending) and
        nothing of this update's reply has gone out yet (its rest is then sent, not repeated
        in full after the restart)."""
        deadline = time.monotonic() + seconds
        while True:
            if self.stopping() and not DELIVERED.get():
                raise StopSending("the bot is stopping; the update waits for the next start")
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, STOP_POLL))

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _chat(self, chat_id: object) -> tuple[object, int, float, bool]:
        """The window key, limit and period of a chat, and whether it is a group."""
        limits = self.limits
        if isinstance(chat_id, str):
            with contextlib.suppress(ValueError):  # "@channelname" stays a string: a group
                chat_id = int(chat_id)
        if isinstance(chat_id, int) and chat_id > 0:
            return ("chat", chat_id), limits.private, limits.private_period, False
        return ("chat", chat_id), limits.group, limits.group_period, True

    async def _reserve(self, key: object, limit: int, period: float) -> None:
        limits = self.limits
        while True:
            wait = max(self._windows.wait_time(key, limit, period),
                       self._windows.wait_time("overall", limits.overall, limits.overall_period))
            if wait <= 0:
                break
            await self._pause(wait)
        # No await between the check and the records: no other task can take the room.
        self._windows.begin(key)
        self._windows.begin("overall")

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
        paced = endpoint in PACED_METHODS and chat_id is not None
        key, limit, period, group = self._chat(chat_id)
        max_retries = rate_limit_args or self.max_retries
        retried = failed = 0
        while True:
            if paced:
                await self._reserve(key, limit, period)
            counted = True
            try:
                result = await callback(*args, **kwargs)
                if paced:
                    DELIVERED.set(True)  # this task's (update's) reply has begun
                return result
            except (BadRequest, Forbidden):
                counted = False  # refused (a muted group): nothing was posted, nothing counts
                raise
            except RetryAfter as exc:
                if retried >= max_retries:
                    log.error("%s: still rate limited after %d retries", endpoint, retried)
                    raise
                retried += 1
                seconds = retry_after_seconds(exc) + RETRY_AFTER_SLACK
                self._windows.block(key, seconds)
                if not group:
                    self._windows.block("overall", seconds)
                log.info("%s rate limited; waiting %.1f s before sending again", endpoint,
                         seconds)
                if not paced:
                    await self._pause(seconds)
            except NetworkError as exc:
                if failed >= self.network_retries or not not_delivered(exc):
                    raise
                delay = min(RETRY_DELAY_CAP, RETRY_DELAY_FIRST * 2 ** failed)
                failed += 1
                log.warning("%s failed (%s); the server took nothing, retrying in %.1f s",
                            endpoint, exc.message, delay)
                await self._pause(delay)
            finally:
                if paced:
                    self._windows.end(key, counted)
                    self._windows.end("overall", counted)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` through PTB's public attribute, int or timedelta (PTB 22 deprecates the
    int form; the warning says nothing to our users)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def not_delivered(exc: NetworkError) -> bool:
    """Whether the call certainly did not reach Telegram, so that repeating it is safe.

    A 5xx status (JSON, a proxy's HTML page or nothing: :class:`ServerFailed`) means the server
    answered that it failed; a refused connection means nothing was sent. A timeout or a
    connection dropped after the request went out is ambiguous (the message may have arrived),
    and a 4xx is the server's final word (``BadRequest`` and ``Forbidden`` are
    ``NetworkError`` subclasses in PTB): none of those is repeated.
    """
    if isinstance(exc, ServerFailed):
        return True
    return not isinstance(exc, TimedOut) and isinstance(exc.__cause__, httpx.ConnectError)


class StopSending(NetworkError):
    """The bot is stopping and this send would have to wait: it is given up, and its update is
    left unfinished in the inbox, to be answered after the restart."""
