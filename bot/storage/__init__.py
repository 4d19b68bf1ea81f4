"""Persistence of the bot: an aiosqlite store (see ``bot.storage.store`` for the design)."""

from bot.storage.backups import backup_database
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
from bot.storage.schema import LATEST_VERSION, SchemaTooNewError, StorageError
from bot.storage.store import Store
from bot.storage.writer import StoreClosedError

__all__ = [
    "LATEST_VERSION",
    "Change",
    "ChatRecord",
    "CountAnswer",
    "Decision",
    "FinishUpdate",
    "InboxItem",
    "RecordFeedback",
    "RecordUnanswered",
    "SchemaTooNewError",
    "SetChatLang",
    "SetChatState",
    "SetContext",
    "SetUserLang",
    "Stats",
    "StorageError",
    "Store",
    "StoreClosedError",
    "UnansweredItem",
    "backup_database",
]
