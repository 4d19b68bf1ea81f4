"""What every part of the store builds on: the two connections, reads, and generic writes.

Why a module of its own: the parts of ``Store`` (``updates``, ``states``, ``stats``,
``questions``, ``privacy``, ``backups``) are mixins over ``StoreCore``; it gives them the read
connection (``_fetch``), the writer (``_write``, from ``bot.storage.writer``), the clock, and
the writes that are not one part's: ``apply``, ``submit``, ``flush`` and ``checkpoint``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.changes import apply_change
from bot.storage.models import Change
from bot.storage.schema import StorageError
from bot.storage.writer import Job, StoreClosedError, WriteFn, Writer

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoreCore(Writer):
    """Connections, clock and the writes shared by every part of the store."""

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        *,
        retention_days: int,
        clock: Callable[[], datetime],
    ) -> None:
        """Use ``Store.open``; this only wires already-open connections together."""
        super().__init__(path, writer)
        self.retention_days = retention_days
        self._reader = reader
        self._clock = clock
        self._owner = uuid.uuid4().hex  # tells this run's update claims from a dead run's
        self._closed = False
        self._purge_task: asyncio.Task[None] | None = None

    async def _fetch(self, sql: str, params: Iterable[object] = ()) -> list[Any]:
        """Rows from the read connection; database failures become ``StorageError``."""
        if self._closed:
            raise StoreClosedError(f"the store {self.path} is closed")
        try:
            return list(await self._reader.execute_fetchall(sql, tuple(params)))
        except sqlite3.Error as exc:
            raise StorageError(f"reading {self.path} failed: {exc}") from exc

    async def apply(self, *changes: Change) -> None:
        """Commit the changes together in one transaction."""
        if not changes:
            return
        await self._write(self._changes_job(changes), "apply")

    def submit(self, *changes: Change) -> None:
        """*Queued*: commit the changes together later; failures are logged, not raised.

        Queued writes keep their order among themselves and before a later ``flush``,
        ``forget_user`` or ``close``, but awaited writes may overtake them: use ``apply`` for
        state whose order matters.
        """
        if changes:
            self._enqueue(Job(self._changes_job(changes), None, "submit", background=True))

    async def _apply_or_submit(self, wait: bool, change: Change) -> None:
        """Analytics go to the background lane; ``wait`` only waits for their commit there."""
        if wait:
            await self._write(self._changes_job((change,)), "record", background=True)
        else:
            self.submit(change)

    def _changes_job(self, changes: Iterable[Change]) -> WriteFn[None]:
        """The job that applies ``changes``; times are taken now, not when the writer runs."""
        frozen = tuple(changes)
        now = self._clock()

        async def job(conn: aiosqlite.Connection) -> None:
            for change in frozen:
                await apply_change(conn, change, now)

        return job

    async def flush(self) -> None:
        """Wait until every write queued before this call is committed."""

        async def job(conn: aiosqlite.Connection) -> None:
            return None

        await self._write(job, "flush", barrier=True)

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it (best effort, never fails)."""

        async def job(conn: aiosqlite.Connection) -> None:
            try:
                await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:  # a reader in the way; the WAL gets reused later
                log.info("WAL checkpoint skipped: %s", exc)

        await self._write(job, "checkpoint", transaction=False)
