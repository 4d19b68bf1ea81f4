"""Privacy: what the store deletes, and when.

Why a module of its own: keeping texts no longer than needed is a promise to users
(``/privacy``), so every deletion by time or on request is here, in one place to check.

Only texts of questions answered badly or not at all, or whose answer got a 👎, are stored, for
``retention_days``, then deleted by ``purge_expired`` (the running bot calls it from a JobQueue
job just after start and hourly; ``Store.open(purge_interval=...)`` runs its own loop instead,
for a store used without the bot), which also checkpoints the WAL. ``forget_user`` deletes
every row whose ``user_id`` is the user or whose ``chat_id`` is their private chat, in every
table, then checkpoints the WAL; with ``secure_delete`` the deleted bytes are zeroed, so
neither the file nor the next backup holds them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiosqlite

from bot.storage.changes import timestamp
from bot.storage.core import StoreCore
from bot.storage.updates import UPDATE_KEEP_DAYS
from bot.storage.writer import StoreClosedError

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30
DEFAULT_PURGE_INTERVAL = 3600.0


class PrivacyMixin(StoreCore):
    """Forgetting a user on request and purging expired texts and update ids."""

    async def forget_user(self, user_id: int, private_chat_id: int | None = None) -> int:
        """Delete everything about a user and their private chat; return the rows deleted.

        ``private_chat_id`` defaults to ``user_id`` (Telegram's id of a private chat). Queued
        writes are committed first, so nothing about the user lands after the deletion.
        """
        chat_id = user_id if private_chat_id is None else private_chat_id

        async def job(conn: aiosqlite.Connection) -> int:
            deleted = 0
            for table, columns in await _tables(conn):
                conditions: list[str] = []
                params: list[int] = []
                if "user_id" in columns:
                    conditions.append("user_id = ?")
                    params.append(user_id)
                if "chat_id" in columns:
                    conditions.append("chat_id = ?")
                    params.append(chat_id)
                if conditions:
                    cursor = await conn.execute(
                        f'DELETE FROM "{table}" WHERE {" OR ".join(conditions)}', params
                    )
                    deleted += max(cursor.rowcount, 0)
            return deleted

        deleted = await self._write(job, "forget", barrier=True)
        await self.checkpoint()
        return deleted

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Delete question texts older than ``retention_days`` and old update ids.

        Returns how many question texts were deleted.
        """
        moment = now or self._clock()
        texts_before = timestamp(moment - timedelta(days=self.retention_days))
        updates_before = timestamp(moment - timedelta(days=UPDATE_KEEP_DAYS))

        async def job(conn: aiosqlite.Connection) -> tuple[int, int]:
            cursor = await conn.execute(
                "DELETE FROM unanswered WHERE created_at < ?", (texts_before,)
            )
            deleted = max(cursor.rowcount, 0)
            await conn.execute("DELETE FROM updates WHERE claimed_at < ?", (updates_before,))
            # Texts of decisions that put nothing into intents/ expire like the questions.
            cursor = await conn.execute(
                "DELETE FROM decisions WHERE created_at < ? AND "
                "(action = 'ignore' OR status != 'live')", (texts_before,))
            return deleted, max(cursor.rowcount, 0)

        deleted, decided = await self._write(job, "purge", barrier=True)
        if deleted or decided:  # old page images in the WAL would still hold the texts
            await self.checkpoint()
        return int(deleted)

    async def _run_purge(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.purge_expired()
            except StoreClosedError:
                return
            except Exception:
                log.exception("purging expired question texts failed")


async def _tables(conn: aiosqlite.Connection) -> list[tuple[str, set[str]]]:
    """Every table of the schema (from sqlite_master) with its column names."""
    names = [
        row[0]
        for row in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    result = []
    for name in names:
        info = await conn.execute_fetchall(f'PRAGMA table_info("{name}")')
        result.append((name, {row[1] for row in info}))
    return result
