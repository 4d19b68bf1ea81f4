"""Where the Telegram layer keeps each chat's state.

The protocol lets the handlers work the same over the SQLite store (production) and over a
plain dictionary (the terminal chat and a few unit tests).
"""

from __future__ import annotations

from typing import Protocol

from bot.answer import ChatState


class ChatStates(Protocol):
    """Load and save :class:`ChatState` per chat, and the language a user chose."""

    async def load(self, chat_id: int, user_id: int | None) -> ChatState: ...

    async def save(self, chat_id: int, user_id: int | None, state: ChatState) -> None: ...


class MemoryChatStates:
    """In-memory states, bounded so that a flood of chats cannot grow memory without end."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._states: dict[int, ChatState] = {}

    async def load(self, chat_id: int, user_id: int | None) -> ChatState:
        state = self._states.get(chat_id)
        return ChatState() if state is None else ChatState(**vars(state))

    async def save(self, chat_id: int, user_id: int | None, state: ChatState) -> None:
        self._states.pop(chat_id, None)
        self._states[chat_id] = state
        while len(self._states) > self.limit:
            self._states.pop(next(iter(self._states)))
