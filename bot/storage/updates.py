"""Updates exactly once: the store's part (the protocol is ``bot.telegram.delivery``'s).

Why a module of its own: the inbox and the claims are the store's half of the delivery
protocol and the one place its guarantees are written down.

Telegram delivers an update again when the bot dies before confirming it, and forgets it once
the next ``getUpdates`` confirms it, which PTB does long before the update is answered. So
every fetched update is first kept in the ``inbox`` table (``receive_updates``, committed
before the call returns); before its handlers run it is claimed (``claim_update``), and after
them ``FinishUpdate``, applied together with the update's analytics, commits them and the
finish in one transaction and takes the update out of the inbox. A restart handles what is
left there (``unfinished_updates``). The *reply* is sent at least once:

* delivered again after it was finished -> ``claim_update`` is ``False``: not answered twice;
* delivered again while this process still handles it -> ``False``;
* claimed by a process that died before its finish -> ``True``: answered again. If the crash
  came after the send but before the finish committed, the user sees the answer twice; if it
  came before the send they would otherwise have seen nothing. For a help desk a repeated
  answer is better than a silently lost one, and the window is only the time between send
  and commit.

``claim_update`` can also commit changes with the claim (applied once, even when the update is
handled again); the bot claims with none and queues the chat's state instead, which a repeat
only writes again.

Update ids are kept ``UPDATE_KEEP_DAYS`` (Telegram keeps undelivered updates for 24 hours).
"""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from bot.storage.changes import apply_change, timestamp
from bot.storage.core import StoreCore
from bot.storage.models import Change, FinishUpdate, InboxItem

UPDATE_KEEP_DAYS = 7


class UpdatesMixin(StoreCore):
    """The inbox of fetched updates and the claims and finishes of their handling."""

    async def receive_updates(self, updates: Iterable[InboxItem]) -> None:
        """Keep fetched updates in the inbox until they are finished; returns after the commit.

        Called before Telegram is told the updates arrived (the next ``getUpdates`` offset), so
        an update is always either still at Telegram or here: a crash loses none.
        """
        rows = [(i.update_id, i.chat_id, i.user_id, i.body) for i in updates]
        if not rows:
            return

        async def job(conn: aiosqlite.Connection) -> None:
            now = timestamp(self._clock())
            await conn.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, chat_id, user_id, body, received_at) "
                "VALUES (?, ?, ?, ?, ?)", [(*row, now) for row in rows])

        await self._write(job, f"receive {len(rows)}")

    async def claim_update(self, update_id: int, *changes: Change) -> bool:
        """Claim an update and commit the state changes it causes, atomically.

        ``True``: send the reply, then call ``finish_update``. ``False``: the update was already
        handled (or is being handled by this process); send nothing. See the module docstring.
        """
        owner = self._owner

        async def job(conn: aiosqlite.Connection) -> bool:
            now = self._clock()
            rows = list(
                await conn.execute_fetchall(
                    "SELECT owner, done FROM updates WHERE update_id = ?", (update_id,)
                )
            )
            if not rows:
                await conn.execute(
                    "INSERT INTO updates (update_id, owner, done, claimed_at) VALUES (?, ?, 0, ?)",
                    (update_id, owner, timestamp(now)),
                )
                for change in changes:
                    await apply_change(conn, change, now)
                return True
            previous_owner, done = rows[0]
            if done or previous_owner == owner:
                return False
            # Claimed by a run that died before finishing: its changes are committed already;
            # take the update over so that the reply is sent (again).
            await conn.execute(
                "UPDATE updates SET owner = ?, claimed_at = ? WHERE update_id = ?",
                (owner, timestamp(now), update_id),
            )
            return True

        return await self._write(job, f"claim {update_id}")

    async def finish_update(self, update_id: int, *, wait: bool = False) -> None:
        """*Queued* (unless ``wait``): the reply to a claimed update was sent.

        To store the update's analytics in the same transaction, ``submit`` them together with
        ``FinishUpdate(update_id)`` instead.
        """
        await self._apply_or_submit(wait, FinishUpdate(update_id))

    async def unfinished_updates(self) -> list[str]:
        """Bodies of received updates that were never finished, oldest first (for a restart).

        Rows of updates that are finished (a redelivered copy, say) are dropped on the way.
        """

        async def job(conn: aiosqlite.Connection) -> list[str]:
            await conn.execute(
                "DELETE FROM inbox WHERE update_id IN (SELECT update_id FROM updates WHERE done)")
            rows = await conn.execute_fetchall("SELECT body FROM inbox ORDER BY update_id")
            return [str(row[0]) for row in rows]

        return await self._write(job, "inbox")

    async def last_update_id(self) -> int | None:
        """The highest update id whose handling finished, if any is still kept."""
        rows = await self._fetch("SELECT max(update_id) FROM updates WHERE done")
        return rows[0][0] if rows else None
