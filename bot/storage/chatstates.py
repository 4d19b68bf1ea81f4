"""``ChatStates`` (see ``bot.telegram.state``) over the SQLite store.

The handlers load a ``ChatState`` before answering and save the one the reply carries. With an
update id, ``save_for_update`` claims the update in the same transaction (see
``bot.storage.sqlite`` for why), and the reply is sent only when it returns ``True``.
"""

from __future__ import annotations

from bot.service import ChatState
from bot.storage.models import Change, SetChatState, SetUserLang
from bot.storage.sqlite import Store


def state_changes(chat_id: int, user_id: int | None, state: ChatState) -> tuple[Change, ...]:
    """The changes that persist ``state``; in a private chat the language is the user's too."""
    changes: list[Change] = [
        SetChatState(chat_id, state.lang, state.last_role, state.last_topic, state.last_lang)
    ]
    if user_id is not None and user_id == chat_id and state.lang is not None:
        changes.append(SetUserLang(user_id, state.lang))
    return tuple(changes)


class StoreChatStates:
    """Chat states kept in the store; a new chat starts with its user's language choice."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def load(self, chat_id: int, user_id: int | None) -> ChatState:
        record = await self.store.get_chat(chat_id)
        lang = record.lang
        if lang is None and user_id is not None and user_id == chat_id:
            lang = await self.store.get_user_lang(user_id)
        return ChatState(
            lang=lang,
            last_role=record.last_role,
            last_topic=record.last_topic,
            last_lang=record.last_lang,
        )

    async def save(self, chat_id: int, user_id: int | None, state: ChatState) -> None:
        await self.store.apply(*state_changes(chat_id, user_id, state))

    async def save_for_update(
        self,
        update_id: int,
        chat_id: int,
        user_id: int | None,
        state: ChatState,
        *extra: Change,
    ) -> bool:
        """Claim the update and save the state (plus ``extra``, e.g. counters) atomically.

        ``False``: the update was handled before; do not reply. After replying, call
        ``store.finish_update(update_id)``.
        """
        return await self.store.claim_update(
            update_id, *state_changes(chat_id, user_id, state), *extra
        )

    async def close(self) -> None:
        """Flush queued writes and close the store (called at shutdown)."""
        await self.store.close()
