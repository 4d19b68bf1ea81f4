"""No update lost to a crash, and a bounded number in flight: the store's inbox.

PTB's updater tells Telegram that a batch arrived (the next ``getUpdates`` ``offset``) right
after queueing it, long before the updates are answered; a process killed meanwhile would lose
them for good. :class:`Inbox` sits in the ``getUpdates`` connection: every fetched batch is
committed to the store's inbox *before* the call returns, so before the next call can confirm
it; an update leaves the inbox when it is finished (``FinishUpdate``). At start-up, whatever is
still in the inbox is handled first.

Webhook mode uses the same inbox through :class:`InboxQueue`, the Application's update queue:
PTB's webhook handler answers Telegram ``200`` only once ``put`` returns, and ``put`` commits
the update to the inbox first (Telegram re-sends an update until it gets a 2xx). Replay at
start, the finish and the stop deferral are the same; back-pressure is Telegram's own
(``max_connections``), and there is no ``getUpdates`` to confirm.

Together with the claim of each update
(``dispatch.DeliveryApplication``) an update is answered once even across a ``SIGKILL``; only a
reply that Telegram accepted in the last instant before the kill, before its finish was
committed, is sent again after the restart (Telegram has no way to ask whether it arrived).

Two more duties follow from the same place:

* back-pressure: no new ``getUpdates`` while ``MAX_IN_FLIGHT`` updates wait or run, so memory
  and the work left at a stop stay bounded (one chat's flood counts only a little: see
  ``PerChatUpdateProcessor``);
* stopping: once the updater stops (``SIGTERM``), updates that have not started are left in
  the inbox for the next start instead of being answered now (``deferred``), so the bot exits
  within seconds, with every update it holds confirmed (:meth:`Inbox.confirm`, in
  ``post_stop``); an update whose reply would still have to wait before its first message
  went out is left there too (``limiter.StopSending``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.storage import InboxItem, StorageError, Store
from bot.telegram.delivery.processor import PerChatUpdateProcessor
from bot.telegram.delivery.requests import WrappedRequest

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
MAX_IN_FLIGHT = 200  # fetched updates waiting or being handled before polling pauses
ROOM_CHECK = 0.05  # seconds between looks for room while polling pauses


class Inbox:
    """The store's inbox wired to one Application; see the module docstring."""

    def __init__(self, store: Store, inner: BaseRequest | None = None,
                 limit: int = MAX_IN_FLIGHT) -> None:
        self.store = store
        self.limit = limit
        self.app: AnyApp | None = None
        self.kept_max = 0  # the highest update id committed to the inbox by this process
        self._ran = False  # the updater has been seen running (see stopping)
        self.request = InboxRequest(self, inner or HTTPXRequest(connection_pool_size=1))

    def attach(self, app: AnyApp) -> None:
        """Let ``app`` use the inbox: back-pressure, stop deferral, replay in ``post_init``."""
        self.app = app
        app.bot_data["inbox"] = self
        first = app.post_init

        async def post_init(app: AnyApp) -> None:
            if first is not None:
                await first(app)
            await self.replay()

        app.post_init = post_init
        then = app.post_stop

        async def post_stop(app: AnyApp) -> None:
            await self.confirm()
            if then is not None:
                await then(app)

        app.post_stop = post_stop

    async def confirm(self) -> None:
        """Confirm every update kept in the inbox, also those PTB never got to see.

        A stop can cancel a ``getUpdates`` whose batch was already committed here; PTB's own
        last call confirms only what it queued, so Telegram would deliver that batch again.
        Everything in the inbox is safe to confirm: the next start handles it from there.
        """
        if self.app is None or not self.kept_max:
            return
        try:
            await self.app.bot.get_updates(offset=self.kept_max + 1, timeout=0, limit=1)
        except TelegramError as exc:
            log.warning("could not confirm the updates kept in the inbox: %s", exc)

    def in_flight(self) -> int:
        """Updates queued or handled; a flooding chat counts with only a few (see
        ``PerChatUpdateProcessor.backlog``), so it cannot stop polling for everyone."""
        if self.app is None:
            return 0
        processor = self.app.update_processor
        backlog = processor.backlog() if isinstance(processor, PerChatUpdateProcessor) else 0
        return self.app.update_queue.qsize() + backlog

    def stopping(self) -> bool:
        """The updater stopped fetching after it ran: a stop is under way. (Before it first
        ran, at start-up, nothing is stopping: a send retried then is waited out.)"""
        updater = self.app.updater if self.app is not None else None
        if updater is None:
            return False
        if updater.running:
            self._ran = True
        return self._ran and not updater.running

    async def wait_for_room(self) -> None:
        while self.in_flight() >= self.limit and not self.stopping():
            await asyncio.sleep(ROOM_CHECK)

    async def keep(self, payload: bytes) -> None:
        """Commit a ``getUpdates`` answer's updates to the inbox (before they are confirmed)."""
        try:
            updates = json.loads(payload).get("result") or []
        except (ValueError, AttributeError):
            return  # not ours to judge: PTB reports a bad answer itself
        kept = await self.keep_updates(updates)
        self.kept_max = max([self.kept_max, *kept])

    async def keep_updates(self, updates: list[Any]) -> list[int]:
        """Commit updates (Telegram's JSON objects) to the inbox; the ids kept.

        The one way an update enters the inbox: a ``getUpdates`` batch (:meth:`keep`) or a
        webhook call (:class:`InboxQueue`), always before Telegram is told it arrived.
        """
        items = [_item(u) for u in updates if isinstance(u, dict) and "update_id" in u]
        try:
            await self.store.receive_updates(items)
        except StorageError as exc:  # availability first, as for claims: answer them anyway
            log.error("could not keep %d updates in the inbox, a crash now would lose them: %s",
                      len(items), exc)
            return []
        return [item.update_id for item in items]

    def queue(self) -> InboxQueue:
        """The Application's update queue for webhook mode (``ApplicationBuilder.update_queue``)."""
        return InboxQueue(self)

    async def replay(self) -> None:
        """Queue the updates a previous run received but never finished."""
        if self.app is None:
            return
        try:
            bodies = await self.store.unfinished_updates()
        except StorageError as exc:
            log.error("could not read the inbox: %s", exc)
            return
        for body in bodies:
            update = Update.de_json(json.loads(body), self.app.bot)
            if update is not None:  # put_nowait: already in the inbox, not to be kept again
                self.app.update_queue.put_nowait(update)
        if bodies:
            log.info("handling %d updates received before the last stop", len(bodies))


def _item(update: dict[str, Any]) -> InboxItem:
    """The inbox row of one update; chat and user ids let ``/forget`` find it."""
    chat_id = user_id = None
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat") or {}
        sender = value.get("from") or value.get("user") or {}
        chat_id, user_id = chat.get("id"), sender.get("id")
        break
    return InboxItem(int(update["update_id"]), chat_id, user_id,
                     json.dumps(update, ensure_ascii=False))


class InboxQueue(asyncio.Queue[object]):
    """Webhook mode's update queue: ``put`` keeps an update in the inbox, then queues it.

    PTB's webhook handler awaits ``put`` and only then answers Telegram ``200``; until then
    Telegram delivers the update again, so the update is always at Telegram or in the inbox.
    Anything else PTB queues (its stop signal) passes straight through.
    """

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            await self.inbox.keep_updates([item.to_dict()])
        await super().put(item)


class InboxRequest(WrappedRequest):
    """The ``getUpdates`` connection: waits for room, and keeps each batch before returning."""

    def __init__(self, inbox: Inbox, inner: BaseRequest) -> None:
        super().__init__(inner)
        self.inbox = inbox

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        polling = url.endswith("/getUpdates")
        if polling:
            await self.inbox.wait_for_room()
        code, payload = await self.inner.do_request(url, method, request_data, read_timeout,
                                                    write_timeout, connect_timeout, pool_timeout)
        if polling and code == 200 and not self.inbox.stopping():
            # While stopping, nothing fetched is queued or confirmed: Telegram keeps it.
            await self.inbox.keep(payload)
        return code, payload
