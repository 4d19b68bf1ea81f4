"""Backups: a consistent copy of the database, taken while the bot runs.

Why a module of its own: a backup is made by a separate connection (SQLite's online backup
API, in a thread), not by the writer, and is also used without an open ``Store``
(``helpdesk-bot backup``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import uuid
from pathlib import Path

from bot.files import create_private, private_folder
from bot.storage.core import BUSY_TIMEOUT_MS, StoreCore
from bot.storage.schema import StorageError


class BackupMixin(StoreCore):
    """``Store.backup``: the online copy of an open store."""

    async def backup(self, path: Path | str) -> None:
        """Write a consistent copy to ``path`` with SQLite's online backup API.

        Committed writes are all in it; writers go on meanwhile (the copy reads one snapshot).
        """
        await asyncio.to_thread(backup_database, self.path, Path(path))


def backup_database(source: Path, dest: Path) -> None:
    """Copy ``source`` to ``dest`` with the online backup API, atomically replacing ``dest``.

    The copy is one snapshot (one backup step under a read transaction; WAL lets writers go
    on) and a self-contained file in rollback-journal mode. Blocking: run it in a thread.
    """
    source = Path(source)
    dest = Path(dest)
    if not source.is_file():
        raise StorageError(f"no database at {source}")
    if dest.resolve() == source.resolve():
        raise StorageError("the backup path is the database itself")
    private_folder(dest.parent)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        create_private(tmp)  # the copy holds what the database holds: 0600, as is its journal
        src = sqlite3.connect(source, isolation_level=None)
        try:
            src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise StorageError(f"backup of {source} to {dest} failed: {exc}") from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
