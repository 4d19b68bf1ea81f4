"""The SQL of each ``Change`` (``bot.storage.models``): what a queued or awaited write does.

Why a module of its own: the changes are the one vocabulary shared by awaited writes
(``apply``), queued analytics (``submit``) and claims (``claim_update``); their SQL is kept
in one place, run by whichever job applies them, inside that job's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from bot.storage.models import (
    Change,
    CountAnswer,
    FinishUpdate,
    RecordFeedback,
    RecordUnanswered,
    SetChatLang,
    SetChatState,
    SetContext,
    SetUserLang,
)

MAX_TEXT_CHARS = 1000  # longer unanswered questions are cut; Telegram allows 4096


def timestamp(moment: datetime) -> int:
    """Unix seconds; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def normalize_question(text: str) -> str:
    """The grouping key of /unanswered: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


async def apply_change(conn: aiosqlite.Connection, change: Change, now: datetime) -> None:
    """Run the SQL of one change inside the caller's transaction."""
    ts = timestamp(now)
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
                timestamp(change.at) if change.at is not None else ts,
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
