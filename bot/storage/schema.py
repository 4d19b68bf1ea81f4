"""The database schema as a list of migrations, and the code that applies them.

The schema version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes a database from
version ``i`` to ``i + 1``; each step runs in its own ``BEGIN IMMEDIATE`` transaction together
with the new version number, so a crash mid-migration leaves the previous version intact.
Never edit a released step: append a new one.

Privacy convention: a column named ``user_id`` or ``chat_id`` identifies a person or their
chat. ``Store.forget_user`` deletes by these names in every table it finds in ``sqlite_master``,
so a new table holding personal data must use them. Tables without them hold no personal data.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import aiosqlite

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # v1: preferences, context, counters and the processed updates.
    (
        """CREATE TABLE chats (
            chat_id    INTEGER PRIMARY KEY,
            lang       TEXT,
            last_role  TEXT,
            last_topic TEXT,
            updated_at INTEGER NOT NULL
        )""",
        """CREATE TABLE users (
            user_id    INTEGER PRIMARY KEY,
            lang       TEXT,
            updated_at INTEGER NOT NULL
        )""",
        # role '' = the question named no role (NULL would break the primary key's uniqueness).
        """CREATE TABLE counters (
            day       TEXT NOT NULL,
            intent    TEXT NOT NULL,
            role      TEXT NOT NULL DEFAULT '',
            lang      TEXT NOT NULL,
            questions INTEGER NOT NULL DEFAULT 0,
            fallbacks INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, intent, role, lang)
        ) WITHOUT ROWID""",
        # owner = the Store instance that claimed it; done = the reply was sent.
        """CREATE TABLE updates (
            update_id  INTEGER PRIMARY KEY,
            owner      TEXT NOT NULL,
            done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
            claimed_at INTEGER NOT NULL
        )""",
        "CREATE INDEX updates_claimed_at ON updates (claimed_at)",
    ),
    # v2: texts of questions answered badly or not at all, kept for RETENTION_DAYS.
    (
        """CREATE TABLE unanswered (
            id         INTEGER PRIMARY KEY,
            created_at INTEGER NOT NULL,
            chat_id    INTEGER NOT NULL,
            user_id    INTEGER,
            text       TEXT NOT NULL,
            norm       TEXT NOT NULL,
            lang       TEXT,
            intent     TEXT,
            confidence REAL,
            answered   INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1))
        )""",
        "CREATE INDEX unanswered_created_at ON unanswered (created_at)",
        "CREATE INDEX unanswered_user_id ON unanswered (user_id)",
        "CREATE INDEX unanswered_chat_id ON unanswered (chat_id)",
    ),
    # v3: 👍/👎 on answers; one vote per user and answer, the latest wins.
    (
        """CREATE TABLE feedback (
            user_id    INTEGER NOT NULL,
            answer_key TEXT NOT NULL,
            chat_id    INTEGER NOT NULL,
            value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
            day        TEXT NOT NULL,
            PRIMARY KEY (user_id, answer_key)
        )""",
        "CREATE INDEX feedback_day ON feedback (day)",
        "CREATE INDEX feedback_chat_id ON feedback (chat_id)",
    ),
    # v4: the language of the chat's last confidently detected message (reply-language rule).
    ("ALTER TABLE chats ADD COLUMN last_lang TEXT",),
    # v5: the inbox: bodies of fetched updates, kept from before Telegram is told they arrived
    # until they are finished, so that a crash loses none (see Store.receive_updates).
    (
        """CREATE TABLE inbox (
            update_id   INTEGER PRIMARY KEY,
            chat_id     INTEGER,
            user_id     INTEGER,
            body        TEXT NOT NULL,
            received_at INTEGER NOT NULL
        )""",
    ),
    # v6: the rest of a chat's dialogue context (detail asked, pay slice, kind of the last
    # answer) as JSON, so that "and part-time?" keeps working after a restart.
    ("ALTER TABLE chats ADD COLUMN context TEXT",),
    # v7: what admins decided about stored questions (teach as an example of an intent, or
    # ignore). Anonymous on purpose: no user_id or chat_id, so /forget has nothing to find here
    # and a taught text is only an intent example. status: live (in force), held (kept aside:
    # it would have lowered an accuracy floor; ``note`` says which items), undone.
    (
        """CREATE TABLE decisions (
            id         INTEGER PRIMARY KEY,
            created_at INTEGER NOT NULL,
            norm       TEXT NOT NULL,
            text       TEXT NOT NULL,
            lang       TEXT,
            action     TEXT NOT NULL CHECK (action IN ('teach', 'ignore')),
            intent     TEXT,
            role       TEXT,
            status     TEXT NOT NULL CHECK (status IN ('live', 'held', 'undone')),
            note       TEXT
        )""",
        "CREATE INDEX decisions_norm ON decisions (norm)",
    ),
    # v8: a question whose answer got a 👎 is kept like an unanswered one (same retention, same
    # /forget), with the role it was answered about and ``disliked`` set, so it can be taught.
    (
        "ALTER TABLE unanswered ADD COLUMN role TEXT",
        "ALTER TABLE unanswered ADD COLUMN disliked INTEGER NOT NULL DEFAULT 0 "
        "CHECK (disliked IN (0, 1))",
    ),
)

LATEST_VERSION = len(MIGRATIONS)


class StorageError(Exception):
    """Base of the errors the store raises on purpose."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer helpdesk-bot; refusing to touch it."""

    def __init__(self, path: Path | str, found: int, known: int) -> None:
        self.path = Path(path)
        self.found = found
        self.known = known
        super().__init__(
            f"database {path} has schema version {found}, but this helpdesk-bot knows only "
            f"versions up to {known}; upgrade helpdesk-bot, or point DATABASE_PATH at another "
            "file (the database was left untouched)"
        )


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The version recorded in the database header (0 for a new, empty file)."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def migrate(
    conn: aiosqlite.Connection, path: Path | str, target: int = LATEST_VERSION
) -> int:
    """Bring the database up to ``target`` one transaction per step; return the old version.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Raises
    ``SchemaTooNewError`` before writing anything when the file is newer than ``target``.
    """
    if not 0 <= target <= LATEST_VERSION:
        raise ValueError(f"no schema version {target}")
    start = await schema_version(conn)
    if start > LATEST_VERSION:
        raise SchemaTooNewError(path, start, LATEST_VERSION)
    version = start
    while version < target:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            version = await schema_version(conn)
            if version > LATEST_VERSION:
                raise SchemaTooNewError(path, version, LATEST_VERSION)
            if version < target:
                for statement in MIGRATIONS[version]:
                    await conn.execute(statement)
                version += 1
                await conn.execute(f"PRAGMA user_version = {version:d}")
            await conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("ROLLBACK")
            raise
    return start
