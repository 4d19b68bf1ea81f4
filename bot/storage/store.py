"""The bot's SQLite store: preferences, context, counters, feedback, unanswered questions.

``Store`` is the one public class; it opens and closes the store and is put together from one
module per job, each a mixin over ``bot.storage.core.StoreCore``:

* ``writer``: the one writer task, its two lanes and batched transactions;
* ``core``: the connections, reads, ``apply``, ``submit``, ``flush``, ``checkpoint``;
* ``changes``: the SQL of each ``Change``;
* ``updates``: the inbox, claims and finishes (updates exactly once: the store's part);
* ``states``: chats' and users' languages and context;
* ``stats``: counters, votes and the ``Stats`` report;
* ``questions``: questions kept for review and admins' decisions about them;
* ``privacy``: ``forget_user`` and ``purge_expired`` (retention);
* ``backups``: the online backup.

Connections and locking
    One file (``DATABASE_PATH``) in WAL mode with ``busy_timeout``, ``foreign_keys`` and
    ``secure_delete`` on. Every write goes through one writer task that owns the write
    connection: callers queue a job, the writer runs queued jobs together in one
    ``BEGIN IMMEDIATE`` transaction (each job inside its own savepoint, so one failing job does
    not undo the others), commits, and only then resolves the callers' futures. Concurrent
    handlers therefore never interleave transactions on a shared connection and never see
    ``SQLITE_BUSY`` from each other; another process (``helpdesk-bot stats``) is waited for by
    ``busy_timeout``. Reads use a second, read-only connection, and WAL lets them run while the
    writer commits. Analytics (``record_*``, ``submit``, ``finish_update``) are queued in a
    background lane without waiting for the commit; writes a caller awaits (state, claims) go
    first, in transactions of their own, so a reply never waits behind analytics. ``flush``,
    ``forget_user``, ``purge_expired`` and ``close`` are barriers: they run after everything
    queued before them, of either lane.

Durability
    ``synchronous=NORMAL``: a committed transaction survives a crash or kill of the process
    (the WAL is in the OS's hands at commit); a power cut may lose the last transactions but
    never corrupts the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.files import private_database, tighten_database
from bot.storage.backups import BackupMixin
from bot.storage.core import BUSY_TIMEOUT_MS, utcnow
from bot.storage.privacy import DEFAULT_PURGE_INTERVAL, DEFAULT_RETENTION_DAYS, PrivacyMixin
from bot.storage.questions import QuestionsMixin
from bot.storage.schema import (
    LATEST_VERSION,
    SchemaTooNewError,
    StorageError,
    migrate,
    schema_version,
)
from bot.storage.states import StatesMixin
from bot.storage.stats import StatsMixin
from bot.storage.updates import UpdatesMixin


class Store(UpdatesMixin, StatesMixin, StatsMixin, QuestionsMixin, PrivacyMixin, BackupMixin):
    """The async SQLite store. Create with ``await Store.open(path)``; ``await close()`` at exit.

    Methods that return data read committed state. Methods documented as *queued* return as
    soon as the write is queued; everything else returns after its transaction committed.
    """

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        purge_interval: float | None = DEFAULT_PURGE_INTERVAL,
        clock: Callable[[], datetime] = utcnow,
    ) -> Self:
        """Open (creating a missing folder 0700 and the file 0600), migrate, start the writer.

        Raises ``SchemaTooNewError`` when the file was written by a newer version. With
        ``purge_interval`` set, expired question texts are purged now and then periodically.
        """
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        path = Path(path)
        private_database(path)  # 0600 before SQLite opens it: its WAL and SHM get the same
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            try:
                await _configure(writer)
                # Refuse a newer file before anything (journal mode included) touches it.
                found = await schema_version(writer)
                if found > LATEST_VERSION:
                    raise SchemaTooNewError(path, found, LATEST_VERSION)
                await writer.execute("PRAGMA journal_mode = WAL")
                await migrate(writer, path)
                tighten_database(path)  # files an older version left readable
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"cannot use {path} as the bot's database: {exc}") from exc
            reader = await aiosqlite.connect(path, isolation_level=None)
        except BaseException:
            await writer.close()
            raise
        try:
            await _configure(reader)
            await reader.execute("PRAGMA query_only = ON")
        except BaseException:
            await reader.close()
            await writer.close()
            raise
        store = cls(path, writer, reader, retention_days=retention_days, clock=clock)
        store._writer_task = asyncio.create_task(store._run_writer(), name="store-writer")
        if purge_interval is not None:
            try:
                await store.purge_expired()
            except BaseException:
                await store.close()
                raise
            store._purge_task = asyncio.create_task(
                store._run_purge(purge_interval), name="store-purge"
            )
        return store

    async def close(self) -> None:
        """Flush every queued write, stop the writer and close both connections."""
        if self._closed:
            return
        self._closed = self._closing = True
        if self._purge_task is not None:
            self._purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purge_task
        self._stopping = True
        self._wakeup.set()
        try:
            if self._writer_task is not None and not self._writer_task.done():
                await self._writer_task
            with contextlib.suppress(sqlite3.Error):
                await self._writer.execute("PRAGMA optimize")  # keeps query plans good
        finally:
            await self._reader.close()
            await self._writer.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def _configure(conn: aiosqlite.Connection) -> None:
    for pragma in (
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA secure_delete = ON",
    ):
        await conn.execute(pragma)
