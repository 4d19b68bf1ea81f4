"""Questions kept for review (/unanswered, the digest) and admins' decisions about them.

Why a module of its own: these are the only texts users wrote that the store keeps; reading
them grouped, teaching or ignoring them (``decisions``, anonymous: no user or chat id) and
deleting them belong together. Their expiry is ``bot.storage.privacy``'s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.storage.changes import MAX_TEXT_CHARS, normalize_question, timestamp
from bot.storage.core import StoreCore
from bot.storage.models import Decision, RecordUnanswered, UnansweredItem


class QuestionsMixin(StoreCore):
    """Unanswered (or badly answered) questions and the decisions taken about them."""

    async def record_unanswered(
        self,
        chat_id: int,
        user_id: int | None,
        text: str,
        lang: str | None,
        intent: str | None,
        confidence: float | None,
        *,
        answered: bool = False,
        wait: bool = False,
    ) -> None:
        """*Queued* (unless ``wait``): keep a question's text for /unanswered.

        ``answered=True`` for a low-confidence answer, ``False`` for the fallback reply.
        """
        change = RecordUnanswered(
            chat_id, user_id, text, lang, intent, confidence, answered=answered
        )
        await self._apply_or_submit(wait, change)

    async def unanswered(
        self, n: int = 10, *, include_low_confidence: bool = True
    ) -> list[UnansweredItem]:
        """The ``n`` most recently asked distinct questions kept for review, with counts.

        Texts differing only in case or spacing count as one; the latest wording is shown.
        Questions an admin decided about (taught, ignored) are left out while that decision
        is in force.
        """
        where = "" if include_low_confidence else "AND answered = 0"
        return await self._unanswered(where, (max(n, 0),))

    async def frequent_unanswered(self, n: int = 10, *, since: datetime) -> list[UnansweredItem]:
        """The ``n`` questions asked most often since ``since`` (undecided, grouped like
        :meth:`unanswered`), most first; the weekly digest's list."""
        return await self._unanswered("AND created_at >= ?", (timestamp(since), max(n, 0)),
                                      order="g.n DESC, g.last_seen DESC, g.last_id DESC")

    async def unanswered_item(self, row_id: int) -> UnansweredItem | None:
        """The stored question that row ``row_id`` is an asking of (grouped like
        :meth:`unanswered`, decided or not), or None when it is gone (purged, forgotten)."""
        found = await self._unanswered(
            "AND norm = (SELECT norm FROM unanswered WHERE id = ?)", (row_id, 1), decided=True)
        return found[0] if found else None

    async def _unanswered(self, where: str, params: tuple[object, ...], *,
                          decided: bool = False,
                          order: str = "g.last_seen DESC, g.last_id DESC") -> list[UnansweredItem]:
        if not decided:
            where += " AND norm NOT IN (SELECT norm FROM decisions WHERE status = 'live')"
        rows = await self._fetch(
            "SELECT u.text, u.lang, u.intent, g.n, g.last_seen, g.fallbacks, g.last_id, u.role,"
            " g.disliked FROM ("
            "  SELECT count(*) AS n, max(id) AS last_id, max(created_at) AS last_seen,"
            "   sum(answered = 0) AS fallbacks, max(disliked) AS disliked"
            f"  FROM unanswered WHERE 1 {where} GROUP BY norm"
            ") AS g JOIN unanswered AS u ON u.id = g.last_id "
            f"ORDER BY {order} LIMIT ?",
            params,
        )
        return [
            UnansweredItem(
                text=text,
                count=count,
                last_seen=datetime.fromtimestamp(last, UTC),
                lang=lang,
                intent=intent,
                answered=not fallback_count,
                id=row_id,
                role=role,
                disliked=bool(disliked),
            )
            for text, lang, intent, count, last, fallback_count, row_id, role, disliked in rows
        ]

    async def decisions(self, n: int = 10, *, status: str | None = None) -> list[Decision]:
        """The latest ``n`` decisions, newest first (only those of ``status`` when given)."""
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = await self._fetch(f"{_DECISION_SELECT} {where} ORDER BY id DESC LIMIT ?",
                                 (*params, max(n, 0)))
        return [_decision(row) for row in rows]

    async def decision(self, decision_id: int) -> Decision | None:
        rows = await self._fetch(f"{_DECISION_SELECT} WHERE id = ?", (decision_id,))
        return _decision(rows[0]) if rows else None

    async def live_decision(self, text: str) -> Decision | None:
        """The decision in force about this question (same grouping as /unanswered)."""
        rows = await self._fetch(
            f"{_DECISION_SELECT} WHERE norm = ? AND status = 'live' ORDER BY id DESC LIMIT 1",
            (normalize_question(text),))
        return _decision(rows[0]) if rows else None

    async def record_decision(self, text: str, lang: str | None, action: str,
                              intent: str | None = None, role: str | None = None, *,
                              status: str = "live", note: str | None = None) -> Decision:
        """Keep a decision about a question; returns it with its id. Only the text, never who
        asked it: a taught question is an anonymous example."""
        text = " ".join(text.split())[:MAX_TEXT_CHARS]
        now = self._clock()

        async def job(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "INSERT INTO decisions (created_at, norm, text, lang, action, intent, role, "
                "status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (timestamp(now), normalize_question(text), text, lang, action, intent, role, status,
                 note))
            return int(cursor.lastrowid or 0)

        decision_id = await self._write(job, "decision")
        return Decision(decision_id, now.astimezone(UTC).replace(microsecond=0), text, lang,
                        action, intent, role, status, note)

    async def set_decision_status(self, decision_id: int, status: str) -> None:
        async def job(conn: aiosqlite.Connection) -> None:
            await conn.execute("UPDATE decisions SET status = ? WHERE id = ?",
                               (status, decision_id))

        await self._write(job, "decision status")

    async def delete_unanswered(self, row_id: int) -> int:
        """Delete the stored question of row ``row_id`` (every asking of it); returns the rows
        deleted. The WAL is checkpointed so that the text leaves the file too."""
        async def job(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
                "DELETE FROM unanswered WHERE norm = (SELECT norm FROM unanswered WHERE id = ?)",
                (row_id,))
            return max(cursor.rowcount, 0)

        deleted: int = await self._write(job, "delete question")
        if deleted:
            await self.checkpoint()
        return deleted


_DECISION_SELECT = ("SELECT id, created_at, text, lang, action, intent, role, status, note "
                    "FROM decisions")


def _decision(row: Any) -> Decision:
    id_, created, text, lang, action, intent, role, status, note = row
    return Decision(id_, datetime.fromtimestamp(created, UTC), text, lang, action, intent,
                    role, status, note)
