"""Updates of different chats side by side, one chat's in order; one chat's flood contained.

Pacing sleeps (``limiter``), so a chat waiting for its window must not hold up the others; and
two messages of one user must not race on the chat's context. The processor only orders and
drops updates; each update it runs is claimed and finished around its handlers by
``dispatch.DeliveryApplication``, which also finishes the updates dropped here.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

UNBOUNDED = 1 << 30  # see PerChatUpdateProcessor
CHAT_SHARE = 4  # waiting updates of one chat that count towards the polling back-pressure
PRIVATE_BACKLOG = 16  # updates one private chat may have waiting; later ones are dropped
GROUP_BACKLOG = 128  # the same for a group (many people, 20 answers a minute)
FLOOD_RECENT = 60.0  # seconds: only updates this fresh can be dropped by the flood rule


def _recent(update: object) -> bool:
    """Sent within the last ``FLOOD_RECENT`` seconds. A backlog of older updates is the bot's
    own (a restart, an outage waited out), not someone typing too fast: never dropped."""
    message = update.effective_message if isinstance(update, Update) else None
    if message is None or message.date is None:
        return True
    return time.time() - message.date.timestamp() <= FLOOD_RECENT


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
    """Different chats concurrently, one chat's updates in arrival order; floods contained.

    An update waits for its chat's turn *before* it takes one of the ``max_concurrent_updates``
    slots: otherwise a flood in one group (paced at 20 a minute) would fill every slot with
    updates waiting for that group, and all other chats would wait minutes behind it. (PTB's
    own semaphore, taken before ``do_process_update``, is therefore made too large to bind.)

    One chat's flood must not stop the bot either. Polling pauses while :meth:`backlog` is
    high, and a chat counts there with at most ``CHAT_SHARE`` waiting updates, so other chats'
    updates keep arriving behind a flooder's hundreds. What the flooder gets: its first
    ``PRIVATE_BACKLOG`` (group: ``GROUP_BACKLOG``) waiting updates are answered in order; while
    that many wait, later ones sent in the last minute are dropped (``dropped`` is called with
    each, and with ``first=True`` once per flood, so the chat can be told once). Nobody typing
    by hand gets there (at one answer a second, 16 unanswered messages are 16 seconds of
    backlog); a backlog the bot built itself (a restart, an outage waited out) holds older
    messages, which are never dropped.
    """

    def __init__(self, max_concurrent_updates: int = 64, private_backlog: int = PRIVATE_BACKLOG,
                 group_backlog: int = GROUP_BACKLOG) -> None:
        super().__init__(UNBOUNDED)
        self.slots = max_concurrent_updates
        self.private_backlog = private_backlog
        self.group_backlog = group_backlog
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._waiting: dict[int, int] = {}  # per chat: updates handed in and not yet done
        self._flooding: set[int] = set()  # chats that had an update dropped in this backlog
        self.pending = 0  # updates handed to the processor and not yet done (incl. waiting)
        # Called with each update once every handler is done with it (tests wait on it).
        self.finished: Callable[[object], None] | None = None
        # Called with an update dropped by the flood rule, and whether it is the flood's first.
        self.dropped: Callable[[object, bool], None] | None = None

    def backlog(self) -> int:
        """Updates that hold up polling: each chat's first ``CHAT_SHARE``, and chat-less ones."""
        per_chat = sum(self._waiting.values())
        shared = sum(min(n, CHAT_SHARE) for n in self._waiting.values())
        return self.pending - per_chat + shared

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update_chat_key(update)
        if key is not None:
            waiting = self._waiting.get(key, 0)
            if waiting >= (self.private_backlog if key > 0 else self.group_backlog) \
                    and _recent(update):
                self._drop(key, update, coroutine)
                return
            self._waiting[key] = waiting + 1
        self.pending += 1
        try:
            async with self._chat_turn(update), self._slots:
                await coroutine
        finally:
            self.pending -= 1
            if key is not None:
                left = self._waiting.pop(key) - 1
                if left:
                    self._waiting[key] = left
                else:
                    self._flooding.discard(key)
            if self.finished is not None:
                self.finished(update)

    def _drop(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never started: no "never awaited" warning
        first = key not in self._flooding
        self._flooding.add(key)
        if first:
            log.warning("chat %s has %d updates waiting; dropping its next ones", key,
                        self._waiting.get(key, 0))
        if self.dropped is not None:
            self.dropped(update, first)
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
