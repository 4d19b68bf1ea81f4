"""Claim before, finish after: one wrapper around PTB's handler dispatch for every update.

:class:`DeliveryApplication` is the Application (``ApplicationBuilder.application_class``);
its :meth:`~DeliveryApplication.process_update` claims the update, runs the handler groups
(PTB's own ``process_update``) and finishes the update, whatever the handlers did: returned,
raised ``ApplicationHandlerStop`` to keep later groups out, or failed (the error handler has
apologised by then). No handler claims or finishes anything itself.

The two exceptions to "finished after the handlers":

* ``StopSending`` (``limiter``): the bot is stopping and the reply would still have to wait;
  the update is left unfinished in the inbox and answered after the restart;
* the claim fails: the update was finished already, or is in flight in this process (a copy
  Telegram sent again), or the bot is stopping and the update has not started (it stays in
  the inbox for the next start).

An update the flood rule drops (``processor``) is claimed and finished without handlers, and
the chat is told once per flood (``bot_data["on_flood"]``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, Job

from bot.storage import FinishUpdate
from bot.telegram.delivery.inbox import Inbox
from bot.telegram.delivery.limiter import StopSending
from bot.telegram.delivery.processor import PerChatUpdateProcessor
from bot.telegram.store_states import Recorder

log = logging.getLogger(__name__)

FloodNotice = Callable[[Update], Awaitable[None]]


@dataclass
class _Run:
    """The update this task handles, and whether it stays in the inbox."""

    update_id: int
    task: asyncio.Task[Any] | None = field(default_factory=asyncio.current_task)
    deferred: bool = False


# Set while an update's handlers run; PTB awaits them (and the error handler) in this task.
_run: ContextVar[_Run | None] = ContextVar("delivery_run", default=None)


class DeliveryApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application with every update claimed before its handlers and finished after."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        processor = self.update_processor
        if isinstance(processor, PerChatUpdateProcessor):
            processor.dropped = self._dropped

    def _recorder(self) -> Recorder | None:
        found = self.bot_data.get("recorder")
        return found if isinstance(found, Recorder) else None

    async def process_update(self, update: object) -> None:
        """Claim, run the handler groups, finish (see the module docstring)."""
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        if not await self.claim(update):
            return
        run = _Run(update.update_id)
        token = _run.set(run)
        try:
            await super().process_update(update)
        finally:
            _run.reset(token)
        if run.deferred:
            rec = self._recorder()
            if rec is not None:
                rec.take(update.update_id)  # counted when the restart answers it
            return
        await self.finish(update.update_id)

    async def process_error(self, update: object | None, error: Exception,
                            job: Job[Any] | None = None, coroutine: Any = None) -> bool:
        """A ``StopSending`` ends the update's handling unfinished; other errors go to the
        error handlers."""
        if not isinstance(error, StopSending):
            return await super().process_error(update, error, job, coroutine)
        run = _run.get()
        if run is not None and run.task is asyncio.current_task():
            run.deferred = True
            log.info("stopping: update %s is left for the next start", run.update_id)
        else:  # work beside the updates (admin's background replies): nothing to keep
            log.info("stopping: a send was given up")
        return True  # no apology, no later handler group

    async def claim(self, update: Update) -> bool:
        """Whether to handle ``update``: claimed in the store (or no store to ask)."""
        rec = self._recorder()
        store = rec.store if rec is not None else None
        if rec is None or store is None:
            return True
        inbox = self.bot_data.get("inbox")
        if isinstance(inbox, Inbox) and inbox.stopping():
            return False  # not started yet: left in the inbox for the next start
        try:
            claimed = await store.claim_update(update.update_id)
        except Exception as exc:  # availability first: a broken store must not silence the bot
            log.warning("could not claim update %s, answering anyway: %s", update.update_id, exc)
            return True
        if not claimed:
            log.info("update %s was already handled; not answering it again", update.update_id)
            return False
        rec.begin(update.update_id)
        return True

    async def finish(self, update_id: int) -> None:
        """Commit the update's held analytics with its finish; it leaves the inbox.

        Awaited, in the writer's first lane: a kill between the reply and this commit is what
        could repeat the reply after a restart, so that moment is kept to milliseconds.
        """
        rec = self._recorder()
        store = rec.store if rec is not None else None
        if rec is None or store is None:
            return
        try:
            await store.apply(*rec.take(update_id), FinishUpdate(update_id))
        except Exception as exc:  # availability first, as for the claim
            log.warning("could not finish update %s: %s", update_id, exc)

    def _dropped(self, update: object, first: bool) -> None:
        self.create_task(self._finish_dropped(update, first), name="flood-drop")

    async def _finish_dropped(self, update: object, first: bool) -> None:
        """A dropped update leaves the inbox unanswered (claimed too: a copy Telegram sends
        again is not answered either); the flood's first drop tells the chat."""
        if not isinstance(update, Update):
            return
        rec = self._recorder()
        store = rec.store if rec is not None else None
        if store is not None:
            try:
                await store.claim_update(update.update_id)
                await store.apply(FinishUpdate(update.update_id))
            except Exception as exc:  # availability first, as for the claim
                log.warning("could not finish dropped update %s: %s", update.update_id, exc)
        notice: FloodNotice | None = self.bot_data.get("on_flood")
        if first and notice is not None:
            await notice(update)


__all__ = ["DeliveryApplication"]
