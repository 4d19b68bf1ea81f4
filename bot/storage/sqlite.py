"""The bot's SQLite store: preferences, context, counters, feedback, unanswered questions.

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

Updates exactly once (the store's part; the protocol is ``bot.telegram.delivery``'s)
    Telegram delivers an update again when the bot dies before confirming it, and forgets it
    once the next ``getUpdates`` confirms it, which PTB does long before the update is
    answered. So every fetched update is first kept in the ``inbox`` table
    (``receive_updates``, committed before the call returns); before its handlers run it is
    claimed (``claim_update``), and after them ``FinishUpdate``, applied together with the
    update's analytics, commits them and the finish in one transaction and takes the update
    out of the inbox. A restart handles what is left there (``unfinished_updates``). The
    *reply* is sent at least once:

    * delivered again after it was finished -> ``claim_update`` is ``False``: not answered twice;
    * delivered again while this process still handles it -> ``False``;
    * claimed by a process that died before its finish -> ``True``: answered again. If the crash
      came after the send but before the finish committed, the user sees the answer twice; if
      it came before the send they would otherwise have seen nothing. For a help desk a
      repeated answer is better than a silently lost one, and the window is only the time
      between send and commit.

    ``claim_update`` can also commit changes with the claim (applied once, even when the update
    is handled again); the bot claims with none and queues the chat's state instead, which a
    repeat only writes again.

    Update ids are kept ``UPDATE_KEEP_DAYS`` (Telegram keeps undelivered updates for 24 hours).

Privacy
    Only texts of questions answered badly or not at all, or whose answer got a 👎, are
    stored, for ``retention_days``, then deleted by ``purge_expired`` (the running bot calls it
    from a JobQueue job just after start and hourly; ``Store.open(purge_interval=...)`` runs
    its own loop instead, for a store used without the bot), which also checkpoints the WAL.
    ``forget_user`` deletes every row whose ``user_id`` is the user or whose ``chat_id`` is their
    private chat, in every table, then checkpoints the WAL; with ``secure_delete`` the deleted
    bytes are zeroed, so neither the file nor the next backup holds them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import sqlite3
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiosqlite

from bot.files import create_private, private_database, private_folder, tighten_database
from bot.storage.models import (
    Change,
    ChatRecord,
    CountAnswer,
    Decision,
    FinishUpdate,
    InboxItem,
    RecordFeedback,
    RecordUnanswered,
    SetChatLang,
    SetChatState,
    SetContext,
    SetUserLang,
    Stats,
    UnansweredItem,
)
from bot.storage.schema import (
    LATEST_VERSION,
    SchemaTooNewError,
    StorageError,
    migrate,
    schema_version,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteFn = Callable[[aiosqlite.Connection], Awaitable[T]]

BUSY_TIMEOUT_MS = 10_000
MAX_BATCH = 256  # waiting jobs committed together at most
MAX_BACKGROUND_BATCH = 32  # analytics jobs per transaction: keeps waiting writes' delay short
MAX_WAITING_STREAK = 8  # batches of awaited jobs in a row before analytics get one
MAX_TEXT_CHARS = 1000  # longer unanswered questions are cut; Telegram allows 4096
UPDATE_KEEP_DAYS = 7
DEFAULT_RETENTION_DAYS = 30
DEFAULT_PURGE_INTERVAL = 3600.0


class StoreClosedError(StorageError):
    """The store was closed (or its writer stopped) before the write could be queued or run."""


@dataclass
class _Job:
    """One unit of work for the writer; ``future`` is ``None`` for fire-and-forget jobs."""

    fn: WriteFn[Any]
    future: asyncio.Future[Any] | None
    label: str
    transaction: bool = True  # False: run alone, outside a transaction (checkpoints)
    background: bool = False  # analytics: committed after the waiting writes
    barrier: bool = False  # runs only after every job queued before it, of either lane
    seq: int = 0  # queueing order, set by ``Store._enqueue``


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(moment: datetime) -> int:
    """Unix seconds; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def normalize_question(text: str) -> str:
    """The grouping key of /unanswered: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


async def _apply_change(conn: aiosqlite.Connection, change: Change, now: datetime) -> None:
    """Run the SQL of one change inside the caller's transaction."""
    ts = _ts(now)
    if isinstance(change, SetChatLang):
        await conn.execute(
            "INSERT INTO chats (chat_id, lang, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang, "
            "updated_at = excluded.updated_at",
            (change.chat_id, change.lang, ts),
        )
    elif isinstance(change, SetContext):
        await conn.execute(
            "INSERT INTO chats (chat_id, last_role, last_topic, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET last_role = excluded.last_role, "
            "last_topic = excluded.last_topic, updated_at = excluded.updated_at",
            (change.chat_id, change.role, change.topic, ts),
        )
    elif isinstance(change, SetChatState):
        await conn.execute(
            "INSERT INTO chats (chat_id, lang, last_role, last_topic, last_lang, context, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
            "lang = excluded.lang, last_role = excluded.last_role, "
            "last_topic = excluded.last_topic, last_lang = excluded.last_lang, "
            "context = excluded.context, updated_at = excluded.updated_at",
            (
                change.chat_id,
                change.lang,
                change.last_role,
                change.last_topic,
                change.last_lang,
                change.context,
                ts,
            ),
        )
    elif isinstance(change, SetUserLang):
        await conn.execute(
            "INSERT INTO users (user_id, lang, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, "
            "updated_at = excluded.updated_at",
            (change.user_id, change.lang, ts),
        )
    elif isinstance(change, CountAnswer):
        await conn.execute(
            "INSERT INTO counters (day, intent, role, lang, questions, fallbacks) "
            "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (day, intent, role, lang) DO UPDATE SET "
            "questions = questions + 1, fallbacks = fallbacks + excluded.fallbacks",
            (
                change.day.isoformat(),
                change.intent,
                change.role or "",
                change.lang,
                int(change.fallback),
            ),
        )
    elif isinstance(change, RecordUnanswered):
        text = change.text.strip()[:MAX_TEXT_CHARS]
        if not text:
            return
        await conn.execute(
            "INSERT INTO unanswered (created_at, chat_id, user_id, text, norm, lang, intent, "
            "confidence, answered, role, disliked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _ts(change.at) if change.at is not None else ts,
                change.chat_id,
                change.user_id,
                text,
                normalize_question(text),
                change.lang,
                change.intent,
                change.confidence,
                int(change.answered),
                change.role,
                int(change.disliked),
            ),
        )
    elif isinstance(change, RecordFeedback):
        day = change.day or now.date()
        await conn.execute(
            "INSERT INTO feedback (user_id, answer_key, chat_id, value, day) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, answer_key) DO UPDATE SET "
            "chat_id = excluded.chat_id, value = excluded.value, day = excluded.day",
            (change.user_id, change.answer_key, change.chat_id, change.value, day.isoformat()),
        )
    elif isinstance(change, FinishUpdate):
        await conn.execute("UPDATE updates SET done = 1 WHERE update_id = ?", (change.update_id,))
        await conn.execute("DELETE FROM inbox WHERE update_id = ?", (change.update_id,))
    else:  # pragma: no cover - guarded by the type checker
        raise TypeError(f"not a store change: {change!r}")


class Store:
    """The async SQLite store. Create with ``await Store.open(path)``; ``await close()`` at exit.

    Methods that return data read committed state. Methods documented as *queued* return as
    soon as the write is queued; everything else returns after its transaction committed.
    """

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
        self.path = path
        self.retention_days = retention_days
        self._writer = writer
        self._reader = reader
        self._clock = clock
        self._owner = uuid.uuid4().hex  # tells this run's update claims from a dead run's
        self._waiting: deque[_Job] = deque()  # writes a caller awaits: state, claims
        self._background: deque[_Job] = deque()  # analytics nobody waits for
        self._wakeup = asyncio.Event()
        self._waiting_streak = 0
        self._seq = itertools.count()
        self._closed = False
        self._closing = False  # no new jobs
        self._stopping = False  # the writer ends once both lanes are empty
        self._writer_task: asyncio.Task[None] | None = None
        self._purge_task: asyncio.Task[None] | None = None

    # --- life cycle ----------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        purge_interval: float | None = DEFAULT_PURGE_INTERVAL,
        clock: Callable[[], datetime] = _utcnow,
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

    # --- reads ---------------------------------------------------------------------------

    async def _fetch(self, sql: str, params: Iterable[object] = ()) -> list[Any]:
        """Rows from the read connection; database failures become ``StorageError``."""
        if self._closed:
            raise StoreClosedError(f"the store {self.path} is closed")
        try:
            return list(await self._reader.execute_fetchall(sql, tuple(params)))
        except sqlite3.Error as exc:
            raise StorageError(f"reading {self.path} failed: {exc}") from exc

    async def get_chat(self, chat_id: int) -> ChatRecord:
        """The chat's language choice and last role and topic (all ``None`` when unknown)."""
        rows = await self._fetch(
            "SELECT lang, last_role, last_topic, last_lang, context FROM chats WHERE chat_id = ?",
            (chat_id,),
        )
        if not rows:
            return ChatRecord()
        lang, role, topic, last_lang, context = rows[0]
        return ChatRecord(lang=lang, last_role=role, last_topic=topic, last_lang=last_lang,
                          context=context)

    async def get_user_lang(self, user_id: int) -> str | None:
        """The language the user chose, if any."""
        rows = await self._fetch("SELECT lang FROM users WHERE user_id = ?", (user_id,))
        return rows[0][0] if rows else None

    async def last_update_id(self) -> int | None:
        """The highest update id whose handling finished, if any is still kept."""
        rows = await self._fetch("SELECT max(update_id) FROM updates WHERE done")
        return rows[0][0] if rows else None

    async def stats(self, days: int = 7, *, today: date | None = None) -> Stats:
        """Usage over the ``days`` UTC days ending with ``today`` (default: the clock's day)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        until = today or self._clock().astimezone(UTC).date()
        since = until - timedelta(days=days - 1)
        span = (since.isoformat(), until.isoformat())
        rows = await self._fetch(
            "SELECT day, intent, role, lang, questions, fallbacks FROM counters "
            "WHERE day BETWEEN ? AND ?",
            span,
        )
        per_day: Counter[str] = Counter()
        day_lang: Counter[tuple[str, str]] = Counter()
        intents: Counter[str] = Counter()
        roles: Counter[str] = Counter()
        langs: Counter[str] = Counter()
        questions = fallbacks = 0
        for day, intent, role, lang, count, fallback_count in rows:
            per_day[day] += count
            day_lang[day, lang] += count
            intents[intent] += count
            if role:
                roles[role] += count
            langs[lang] += count
            questions += count
            fallbacks += fallback_count
        votes: Counter[int] = Counter()
        topics: dict[str, Counter[int]] = {}
        for key, value, count in await self._fetch(
            "SELECT answer_key, value, count(*) FROM feedback WHERE day BETWEEN ? AND ? "
            "GROUP BY answer_key, value",
            span,
        ):
            votes[value] += count
            topics.setdefault(str(key).rpartition(":")[2], Counter())[value] += count
        days_iso = [(since + timedelta(days=i)).isoformat() for i in range(days)]
        ranked_langs = _ranked(langs)
        return Stats(
            days=days,
            since=since,
            until=until,
            questions=questions,
            fallbacks=fallbacks,
            per_day=tuple(
                (day, per_day[day.isoformat()])
                for day in (since + timedelta(days=i) for i in range(days))
            ),
            intents=_ranked(intents),
            roles=_ranked(roles),
            langs=ranked_langs,
            thumbs_up=votes[1],
            thumbs_down=votes[-1],
            lang_days=tuple((lang, tuple(day_lang[day, lang] for day in days_iso))
                            for lang, _ in ranked_langs),
            topic_votes=tuple(sorted(((topic, c[1], c[-1]) for topic, c in topics.items()),
                                     key=lambda t: (-(t[1] + t[2]), t[0]))),
        )

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
        return await self._unanswered("AND created_at >= ?", (_ts(since), max(n, 0)),
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

    # --- admins' decisions about stored questions (anonymous: no user or chat id) --------

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
                (_ts(now), normalize_question(text), text, lang, action, intent, role, status,
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

    # --- writes that wait for their commit ------------------------------------------------

    async def apply(self, *changes: Change) -> None:
        """Commit the changes together in one transaction."""
        if not changes:
            return
        await self._write(self._changes_job(changes), "apply")

    async def set_chat_lang(self, chat_id: int, lang: str | None) -> None:
        """Save the chat's /language choice (``None`` clears it)."""
        await self.apply(SetChatLang(chat_id, lang))

    async def set_user_lang(self, user_id: int, lang: str | None) -> None:
        """Save the user's language choice (``None`` clears it)."""
        await self.apply(SetUserLang(user_id, lang))

    async def set_context(self, chat_id: int, role: str | None, topic: str | None) -> None:
        """Remember the chat's last role and topic."""
        await self.apply(SetContext(chat_id, role, topic))

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
                    (update_id, owner, _ts(now)),
                )
                for change in changes:
                    await _apply_change(conn, change, now)
                return True
            previous_owner, done = rows[0]
            if done or previous_owner == owner:
                return False
            # Claimed by a run that died before finishing: its changes are committed already;
            # take the update over so that the reply is sent (again).
            await conn.execute(
                "UPDATE updates SET owner = ?, claimed_at = ? WHERE update_id = ?",
                (owner, _ts(now), update_id),
            )
            return True

        return await self._write(job, f"claim {update_id}")

    async def receive_updates(self, updates: Iterable[InboxItem]) -> None:
        """Keep fetched updates in the inbox until they are finished; returns after the commit.

        Called before Telegram is told the updates arrived (the next ``getUpdates`` offset), so
        an update is always either still at Telegram or here: a crash loses none.
        """
        rows = [(i.update_id, i.chat_id, i.user_id, i.body) for i in updates]
        if not rows:
            return

        async def job(conn: aiosqlite.Connection) -> None:
            now = _ts(self._clock())
            await conn.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, chat_id, user_id, body, received_at) "
                "VALUES (?, ?, ?, ?, ?)", [(*row, now) for row in rows])

        await self._write(job, f"receive {len(rows)}")

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
        texts_before = _ts(moment - timedelta(days=self.retention_days))
        updates_before = _ts(moment - timedelta(days=UPDATE_KEEP_DAYS))

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

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it (best effort, never fails)."""

        async def job(conn: aiosqlite.Connection) -> None:
            try:
                await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:  # a reader in the way; the WAL gets reused later
                log.info("WAL checkpoint skipped: %s", exc)

        await self._write(job, "checkpoint", transaction=False)

    async def backup(self, path: Path | str) -> None:
        """Write a consistent copy to ``path`` with SQLite's online backup API.

        Committed writes are all in it; writers go on meanwhile (the copy reads one snapshot).
        """
        await asyncio.to_thread(backup_database, self.path, Path(path))

    async def flush(self) -> None:
        """Wait until every write queued before this call is committed."""

        async def job(conn: aiosqlite.Connection) -> None:
            return None

        await self._write(job, "flush", barrier=True)

    # --- queued writes (fire and forget) --------------------------------------------------

    def submit(self, *changes: Change) -> None:
        """*Queued*: commit the changes together later; failures are logged, not raised.

        Queued writes keep their order among themselves and before a later ``flush``,
        ``forget_user`` or ``close``, but awaited writes may overtake them: use ``apply`` for
        state whose order matters.
        """
        if changes:
            self._enqueue(_Job(self._changes_job(changes), None, "submit", background=True))

    async def record_answer(
        self,
        day: date,
        intent: str,
        role: str | None,
        lang: str,
        fallback: bool = False,
        *,
        wait: bool = False,
    ) -> None:
        """*Queued* (unless ``wait``): count one question in the daily counters."""
        await self._apply_or_submit(wait, CountAnswer(day, intent, role, lang, fallback))

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

    async def record_feedback(
        self, chat_id: int, user_id: int, answer_key: str, value: int, *, wait: bool = False
    ) -> None:
        """*Queued* (unless ``wait``): a 👍 (+1) or 👎 (-1) on an answer; the latest vote counts."""
        await self._apply_or_submit(wait, RecordFeedback(chat_id, user_id, answer_key, value))

    async def finish_update(self, update_id: int, *, wait: bool = False) -> None:
        """*Queued* (unless ``wait``): the reply to a claimed update was sent.

        To store the update's analytics in the same transaction, ``submit`` them together with
        ``FinishUpdate(update_id)`` instead.
        """
        await self._apply_or_submit(wait, FinishUpdate(update_id))

    # --- the writer ----------------------------------------------------------------------

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
                await _apply_change(conn, change, now)

        return job

    def _enqueue(self, job: _Job) -> None:
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
        self._enqueue(_Job(fn, future, label, transaction, background, barrier))
        return await future

    def _next_batch(self) -> list[_Job]:
        """The jobs of the next transaction, or one job to run outside a transaction.

        Awaited jobs go first, all of them in one transaction, so a reply never waits behind
        analytics. A barrier first takes the analytics queued before it. Analytics run in small
        batches when nothing is awaited, or after ``MAX_WAITING_STREAK`` batches in a row of
        awaited jobs, so that a busy spell cannot hold them back without end.
        """
        batch: list[_Job] = []
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

    def _background_batch(self) -> list[_Job]:
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

    async def _run_alone(self, job: _Job) -> None:
        try:
            result = await job.fn(self._writer)
        except Exception as exc:
            _settle(job, error=exc)
        else:
            _settle(job, result=result)

    async def _run_batch(self, batch: list[_Job]) -> None:
        """One transaction; a failing job is rolled back to its savepoint, the rest commit."""
        conn = self._writer
        outcomes: list[tuple[_Job, Any, Exception | None]] = []
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

    async def _run_purge(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.purge_expired()
            except StoreClosedError:
                return
            except Exception:
                log.exception("purging expired question texts failed")


def _settle(job: _Job, *, result: Any = None, error: Exception | None = None) -> None:
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


_DECISION_SELECT = ("SELECT id, created_at, text, lang, action, intent, role, status, note "
                    "FROM decisions")


def _decision(row: Any) -> Decision:
    id_, created, text, lang, action, intent, role, status, note = row
    return Decision(id_, datetime.fromtimestamp(created, UTC), text, lang, action, intent,
                    role, status, note)


def _ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


async def _configure(conn: aiosqlite.Connection) -> None:
    for pragma in (
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA secure_delete = ON",
    ):
        await conn.execute(pragma)


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
