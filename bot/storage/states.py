"""Chat and user states: the chat's language, last role, topic and context; the user's language.

Why a module of its own: these are the only rows a reply depends on, read before answering and
written (awaited, in order) after it; everything else the store keeps is analytics or review.
"""

from __future__ import annotations

from bot.storage.core import StoreCore
from bot.storage.models import ChatRecord, SetChatLang, SetContext, SetUserLang


class StatesMixin(StoreCore):
    """Reads and awaited writes of the ``chats`` and ``users`` tables."""

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

    async def set_chat_lang(self, chat_id: int, lang: str | None) -> None:
        """Save the chat's /language choice (``None`` clears it)."""
        await self.apply(SetChatLang(chat_id, lang))

    async def set_user_lang(self, user_id: int, lang: str | None) -> None:
        """Save the user's language choice (``None`` clears it)."""
        await self.apply(SetUserLang(user_id, lang))

    async def set_context(self, chat_id: int, role: str | None, topic: str | None) -> None:
        """Remember the chat's last role and topic."""
        await self.apply(SetContext(chat_id, role, topic))
