"""The store's one writer task: every write of the process goes through it.

Why a module of its own: the batching rules (two lanes, barriers, one savepoint per job) are
the subtle part of the store's locking and know nothing about tables; the parts that do know
tables (``bot.storage.updates``, ``states``, ``stats``, ``questions``, ``privacy``) only hand
it jobs through ``_write``.

How the lanes and barriers order the jobs is told under "Connections and locking" in
``bot.storage.store``; ``Writer._next_batch`` is where it is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.schema import StorageError

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteFn = Callable[[aiosqlite.Connection], Awaitable[T]]

MAX_BATCH = 256  # waiting jobs committed together at most
MAX_BACKGROUND_BATCH = 32  # analytics jobs per transaction: keeps waiting writes' delay short
MAX_WAITING_STREAK = 8  # batches of awaited jobs in a row before analytics get one


class StoreClosedError(StorageError):
    """The store was closed (or its writer stopped) before the write could be queued or run."""


@dataclass
class Job:
    """One unit of work for the writer; ``future`` is ``None`` for fire-and-forget jobs."""

    fn: WriteFn[Any]
    future: asyncio.Future[Any] | None
    label: str
    transaction: bool = True  # False: run alone, outside a transaction (checkpoints)
    background: bool = False  # analytics: committed after the waiting writes
    barrier: bool = False  # runs only after every job queued before it, of either lane
    seq: int = 0  # queueing order, set by ``Writer._enqueue``


class Writer:
    """The write connection, the two lanes of queued jobs and the task that commits them."""

    def __init__(self, path: Path, writer: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._waiting: deque[Job] = deque()  # writes a caller awaits: state, claims
        self._background: deque[Job] = deque()  # analytics nobody waits for
        self._wakeup = asyncio.Event()
        self._waiting_streak = 0
        self._seq = itertools.count()
        self._closing = False  # no new jobs
        self._stopping = False  # the writer ends once both lanes are empty
        self._writer_task: asyncio.Task[None] | None = None

    def _enqueue(self, job: Job) -> None:
        if self._closing or self._writer_task is None or self._writer_task.done():
            raise StoreClosedError(f"the store {self.path} is closed")
        job.seq = next(self._seq)
        (self._background if job.background else self._waiting).append(job)
        self._wakeup.set()

    async def _write(
        self,
        fn: WriteFn[T],
        label: str,
        *,
        transaction: bool = True,
        background: bool = False,
        barrier: bool = False,
    ) -> T:
        """Queue ``fn`` for the writer and wait for its commit; its result or error is ours."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._enqueue(Job(fn, future, label, transaction, background, barrier))
        return await future

    def _next_batch(self) -> list[Job]:
        """The jobs of the next transaction, or one job to run outside a transaction.

        Awaited jobs go first, all of them in one transaction, so a reply never waits behind
        analytics. A barrier first takes the analytics queued before it. Analytics run in small
        batches when nothing is awaited, or after ``MAX_WAITING_STREAK`` batches in a row of
        awaited jobs, so that a busy spell cannot hold them back without end.
        """
        batch: list[Job] = []
        if self._background and self._waiting_streak >= MAX_WAITING_STREAK:
            self._waiting_streak = 0
            return self._background_batch()
        while self._waiting and len(batch) < MAX_BATCH:
            job = self._waiting[0]
            if job.barrier:
                while self._background and self._background[0].seq < job.seq:
                    if len(batch) >= MAX_BATCH:
                        return batch
                    batch.append(self._background.popleft())
            if not job.transaction:
                return batch or [self._waiting.popleft()]
            batch.append(self._waiting.popleft())
        if batch:
            self._waiting_streak += 1
            return batch
        self._waiting_streak = 0
        return self._background_batch()

    def _background_batch(self) -> list[Job]:
        count = min(MAX_BACKGROUND_BATCH, len(self._background))
        return [self._background.popleft() for _ in range(count)]

    async def _run_writer(self) -> None:
        """Commit batches until ``close`` asks to stop and both lanes are empty."""
        try:
            while True:
                batch = self._next_batch()
                if not batch:
                    if self._stopping:
                        return
                    self._wakeup.clear()
                    await self._wakeup.wait()
                elif len(batch) == 1 and not batch[0].transaction:
                    await self._run_alone(batch[0])
                else:
                    await self._run_batch(batch)
        finally:
            self._closing = True
            for lane in (self._waiting, self._background):
                while lane:
                    _settle(lane.popleft(), error=StoreClosedError("the store writer stopped"))

    async def _run_alone(self, job: Job) -> None:
        try:
            result = await job.fn(self._writer)
        except Exception as exc:
            _settle(job, error=exc)
        else:
            _settle(job, result=result)

    async def _run_batch(self, batch: list[Job]) -> None:
        """One transaction; a failing job is rolled back to its savepoint, the rest commit."""
        conn = self._writer
        outcomes: list[tuple[Job, Any, Exception | None]] = []
        try:
            await conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                await conn.execute("SAVEPOINT job")
                try:
                    result = await job.fn(conn)
                except Exception as exc:
                    await conn.execute("ROLLBACK TO job")
                    await conn.execute("RELEASE job")
                    outcomes.append((job, None, exc))
                else:
                    await conn.execute("RELEASE job")
                    outcomes.append((job, result, None))
            await conn.execute("COMMIT")
        except Exception as exc:
            log.error("store transaction failed (%d jobs): %s", len(batch), exc)
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    await conn.execute("ROLLBACK")
            for job in batch:
                _settle(job, error=exc)
            return
        for job, result, error in outcomes:
            _settle(job, result=result, error=error)


def _settle(job: Job, *, result: Any = None, error: Exception | None = None) -> None:
    """Hand the outcome to the waiting caller, or log a queued job's failure.

    Database failures reach callers as ``StorageError`` (cause attached), so the layers above
    need to catch one type; other errors (programming mistakes) pass unchanged.
    """
    if isinstance(error, sqlite3.Error):
        wrapped = StorageError(f"store write {job.label!r} failed: {error}")
        wrapped.__cause__ = error
        error = wrapped
    if job.future is None:
        if error is not None:
            log.error("queued store write %s failed: %s", job.label, error)
        return
    if job.future.done():  # the caller gave up waiting (cancelled); the write stands
        return
    if error is not None:
        job.future.set_exception(error)
    else:
        job.future.set_result(result)
