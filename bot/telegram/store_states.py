"""The Telegram layer over the SQLite store: chat states, and analytics kept per update.

Chat states
    :class:`StoreChatStates` implements :class:`bot.telegram.state.ChatStates`. Reads come from a
    bounded write-through cache (falling back to the store), writes are queued on the store's
    writer, so a reply never waits for a commit of its context. Kept: per chat the /language
    choice, the last role and topic and the rest of the dialogue (detail, pay slice); per user
    the language chosen in their private chat (it follows them into chats that have no choice
    of their own); and per chat the language of the last message whose language was detected
    confidently (it decides short messages).

Analytics with their update's finish
    Every update is claimed before its handlers and finished after them in one place
    (``bot.telegram.delivery``, whose docstring is the protocol). :class:`Recorder` holds the
    analytics an update produces (counters, feedback, unanswered texts) until then, and they
    are committed in the finish's transaction: the work an update caused is stored with its
    id, once, even when a crash makes the bot send the reply again.

Analytics hooks
    ``bot_data["on_answer"]`` and ``bot_data["on_feedback"]`` are called by the handlers; they
    only append to the update's pending changes, never wait, and never raise. The text of a
    question is kept only when the bot could not answer it or answered with low confidence, or
    when its answer gets a 👎: then it is stored like an unanswered question (the asker's user
    and chat id, so ``/forget`` finds it; ``RETENTION_DAYS``), marked ``disliked`` with the
    intent, role and language of the answer, so admins can teach it.

Where a 👎's question comes from
    The 👎 button names only the role and topic (callback data stay within 64 bytes and hold no
    text), and storing every question just in case one gets a 👎 would keep far more than
    ``/privacy`` promises. So :class:`AnsweredQuestions` remembers, in memory only, the last
    few questions answered in each chat (bounded; dropped by ``/forget``); a 👎 takes the
    latest one asked before the pressed message whose answer carries that button. A 👎 on an
    answer from before a restart (or long evicted) is counted but keeps no text.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.answer import AnswerService, ChatState, Reply, actions
from bot.constants import TOPIC_INTENTS
from bot.storage import (
    Change,
    CountAnswer,
    FinishUpdate,
    RecordFeedback,
    RecordUnanswered,
    SetChatState,
    SetUserLang,
    StorageError,
    Store,
)

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]

LOW_CONFIDENCE = 0.5  # a topic answer below this keeps its question text for /unanswered
# Updates whose analytics wait for their finish, at most (up to 64 run at once here).
# Beyond it the oldest are written without waiting: an update whose handling never ended
# (cancelled at a shutdown) must not hold its analytics forever.
MAX_PENDING_UPDATES = 100

ANSWERS_PER_CHAT = 10  # recent answers a 👎 can still reach, per chat
ANSWERED_CHATS = 5_000  # chats whose recent answers are remembered (least recent out)

# The update being handled in this task: the hooks file analytics under it.
_current_update: ContextVar[int | None] = ContextVar("current_update", default=None)


@dataclass
class _Entry:
    chat_lang: str | None = None
    last_role: str | None = None
    last_topic: str | None = None
    last_lang: str | None = None
    context: str | None = None


class StoreChatStates:
    """:class:`ChatStates` over the store, with a bounded write-through cache."""

    def __init__(self, store: Store, limit: int = 10_000) -> None:
        self.store = store
        self.limit = limit
        self._chats: OrderedDict[int, _Entry] = OrderedDict()
        self._users: OrderedDict[int, str | None] = OrderedDict()

    async def _entry(self, chat_id: int) -> _Entry:
        entry = self._chats.get(chat_id)
        if entry is None:
            record = await self.store.get_chat(chat_id)
            entry = _Entry(record.lang, record.last_role, record.last_topic, record.last_lang,
                           record.context)
            self._remember(self._chats, chat_id, entry)
        else:
            self._chats.move_to_end(chat_id)
        return entry

    async def _user_lang(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id in self._users:
            self._users.move_to_end(user_id)
            return self._users[user_id]
        lang = await self.store.get_user_lang(user_id)
        self._remember(self._users, user_id, lang)
        return lang

    def _remember(self, cache: OrderedDict[int, Any], key: int, value: Any) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > self.limit:
            cache.popitem(last=False)

    async def load(self, chat_id: int, user_id: int | None) -> ChatState:
        """The chat's state; its language is the chat's choice, else the user's own."""
        entry = await self._entry(chat_id)
        lang = entry.chat_lang or await self._user_lang(user_id)
        state = ChatState(lang=lang, last_role=entry.last_role, last_topic=entry.last_topic,
                          last_lang=entry.last_lang)
        state.load_context(entry.context)
        return state

    async def save(self, chat_id: int, user_id: int | None, state: ChatState) -> None:
        """Queue what changed; a language chosen in a private chat is the user's too."""
        entry = await self._entry(chat_id)
        user_lang = await self._user_lang(user_id)
        before = (entry.chat_lang, entry.last_role, entry.last_topic, entry.last_lang,
                  entry.context)
        changes: list[Change] = []
        if state.lang != (entry.chat_lang or user_lang):
            entry.chat_lang = state.lang
            if user_id is not None and user_id == chat_id:  # a group's choice is the group's
                self._remember(self._users, user_id, state.lang)
                changes.append(SetUserLang(user_id, state.lang))
        entry.last_role, entry.last_topic = state.last_role, state.last_topic
        entry.last_lang = state.last_lang
        entry.context = state.context_json()
        after = (entry.chat_lang, entry.last_role, entry.last_topic, entry.last_lang,
                 entry.context)
        if after != before:
            changes.append(SetChatState(chat_id, *after))
        if changes:
            try:
                self.store.submit(*changes)
            except StorageError as exc:
                log.warning("could not queue the state of chat %s: %s", chat_id, exc)

    def forget(self, user_id: int, chat_id: int | None = None) -> None:
        """Drop what the cache holds about a user and their private chat (``/forget``)."""
        self._users.pop(user_id, None)
        self._chats.pop(user_id if chat_id is None else chat_id, None)

    async def close(self) -> None:
        """Flush queued writes and close the store (called from ``post_shutdown``)."""
        await self.store.close()


# ------------------------------------------------------------------ questions a 👎 may keep


@dataclass(frozen=True)
class Asked:
    """A question answered in a chat, remembered (in memory) until a 👎 might keep it."""

    message_id: int  # Telegram's id of the question message
    user_id: int | None  # who asked: the stored text is theirs (``/forget``)
    text: str
    lang: str
    intent: str
    role: str | None
    confidence: float
    dislike: tuple[str, str]  # the (role, topic) its answer's 👎 button names


class AnsweredQuestions:
    """The last questions answered in each chat, bounded, never written anywhere by itself."""

    def __init__(self, per_chat: int = ANSWERS_PER_CHAT, chats: int = ANSWERED_CHATS) -> None:
        self.per_chat = per_chat
        self.chats = chats
        self._chats: OrderedDict[int, list[Asked]] = OrderedDict()

    def remember(self, chat_id: int, asked: Asked) -> None:
        recent = self._chats.setdefault(chat_id, [])
        recent.append(asked)
        del recent[:-self.per_chat]
        self._chats.move_to_end(chat_id)
        while len(self._chats) > self.chats:
            self._chats.popitem(last=False)

    def take(self, chat_id: int, dislike: tuple[str, str],
             pressed: int | None = None) -> Asked | None:
        """The question whose answer has this 👎 button: the latest asked before the pressed
        message (message ids grow within a chat); it is taken, so a second 👎 keeps nothing."""
        recent = self._chats.get(chat_id, [])
        for i in range(len(recent) - 1, -1, -1):
            asked = recent[i]
            if asked.dislike == dislike and (pressed is None or asked.message_id < pressed):
                del recent[i]
                return asked
        return None

    def forget(self, user_id: int, chat_id: int) -> None:
        """Drop the questions of a user (everywhere) and of their private chat."""
        self._chats.pop(chat_id, None)
        for recent in self._chats.values():
            recent[:] = [a for a in recent if a.user_id != user_id]


def dislike_button(reply: Reply, service: AnswerService) -> tuple[str, str] | None:
    """The (role, topic) the reply's 👎 button names, if it has one."""
    known = service.known()
    for row in reply.buttons:
        for button in row:
            action = actions.decode(button.data, known)
            if isinstance(action, actions.Feedback) and not action.up:
                return action.role, action.topic
    return None


# ------------------------------------------------------------------ analytics per update


class Recorder:
    """Holds each update's analytics until the update is finished, then writes them with it."""

    def __init__(self, app: AnyApp) -> None:
        self.app = app
        self._pending: OrderedDict[int, list[Change]] = OrderedDict()

    @property
    def store(self) -> Store | None:
        store: Store | None = self.app.bot_data.get("store")
        return store

    def begin(self, update_id: int) -> None:
        self._pending[update_id] = []
        while len(self._pending) > MAX_PENDING_UPDATES:  # finishes lost to bugs: write anyway
            _, changes = self._pending.popitem(last=False)
            self._submit(changes)
        _current_update.set(update_id)

    def add(self, *changes: Change) -> None:
        """File changes under the current update, or queue them now when there is none."""
        update_id = _current_update.get()
        pending = self._pending.get(update_id) if update_id is not None else None
        if pending is None:
            self._submit(list(changes))
        else:
            pending.extend(changes)

    def finish(self, update_id: int) -> None:
        """Queue the update's analytics and its finish as one change set (one transaction)."""
        self._submit([*self.take(update_id), FinishUpdate(update_id)])  # one transaction, queued

    def take(self, update_id: int) -> list[Change]:
        """The update's held analytics, no longer held."""
        changes = self._pending.pop(update_id, [])
        if _current_update.get() == update_id:
            _current_update.set(None)
        return changes

    def forget(self, user_id: int, chat_id: int) -> None:
        """Drop pending analytics that name the user or their private chat."""
        for update_id, changes in self._pending.items():
            self._pending[update_id] = [c for c in changes if not _about(c, user_id, chat_id)]

    def _submit(self, changes: list[Change]) -> None:
        store = self.store
        if store is None or not changes:
            return
        try:
            store.submit(*changes)
        except StorageError as exc:
            log.warning("analytics dropped (%d changes): %s", len(changes), exc)


def _about(change: Change, user_id: int, chat_id: int) -> bool:
    return (getattr(change, "user_id", None) == user_id
            or getattr(change, "chat_id", None) == chat_id)


def recorder(app: AnyApp) -> Recorder:
    """The application's recorder (created by :func:`register`)."""
    found: Recorder = app.bot_data["recorder"]
    return found


def _today() -> datetime:
    return datetime.now(UTC)


def make_on_answer(app: AnyApp) -> Any:
    """``bot_data["on_answer"]``: count the question; keep its text only if poorly answered."""

    async def on_answer(update: Update, reply: Reply, text: str) -> None:
        try:
            chat, user = update.effective_chat, update.effective_user
            changes: list[Change] = [
                CountAnswer(_today().date(), reply.intent, reply.role, reply.lang,
                            reply.fallback)]
            low = reply.intent in TOPIC_INTENTS and reply.confidence < LOW_CONFIDENCE
            if chat is not None and text.strip() and (reply.fallback or low):
                changes.append(RecordUnanswered(
                    chat.id, user.id if user else None, text, reply.lang, reply.intent,
                    reply.confidence, answered=not reply.fallback, role=reply.role))
            recorder(app).add(*changes)
            message = update.effective_message
            dislike = dislike_button(reply, app.bot_data["service"])
            if chat is not None and message is not None and dislike and text.strip():
                answered_questions(app).remember(chat.id, Asked(
                    message.message_id, user.id if user else None, text, reply.lang,
                    reply.intent, reply.role, reply.confidence, dislike))
        except Exception:  # analytics must never break a reply
            log.exception("recording an answer failed")

    return on_answer


def make_on_feedback(app: AnyApp) -> Any:
    """``bot_data["on_feedback"]``: a 👍 (+1) or 👎 (-1) on the answer about role/topic; a 👎
    also keeps the answered question (``pressed``: the id of the message it was pressed on)."""

    async def on_feedback(chat_id: int, user_id: int, role: str | None, topic: str | None,
                          value: int, pressed: int | None = None) -> None:
        try:
            changes: list[Change] = [RecordFeedback(
                chat_id, user_id, f"{role or '-'}:{topic or '-'}", 1 if value > 0 else -1)]
            asked = (answered_questions(app).take(chat_id, (role, topic), pressed)
                     if value < 0 and role and topic else None)
            if asked is not None:
                changes.append(RecordUnanswered(
                    chat_id, asked.user_id, asked.text, asked.lang, asked.intent,
                    asked.confidence, answered=True, role=asked.role, disliked=True))
            recorder(app).add(*changes)
        except Exception:
            log.exception("recording feedback failed")

    return on_feedback


def answered_questions(app: AnyApp) -> AnsweredQuestions:
    """The application's recent answers (created by :func:`register`)."""
    found: AnsweredQuestions = app.bot_data["answered_questions"]
    return found


def register(app: AnyApp) -> None:
    """Install the recorder and the analytics hooks."""
    app.bot_data["recorder"] = Recorder(app)
    app.bot_data["answered_questions"] = AnsweredQuestions()
    app.bot_data["on_answer"] = make_on_answer(app)
    app.bot_data["on_feedback"] = make_on_feedback(app)


async def forget(app: AnyApp, user_id: int) -> int:
    """Delete everything about a user and their private chat: store, caches, pending writes."""
    rec = recorder(app)
    rec.forget(user_id, user_id)
    answered_questions(app).forget(user_id, user_id)
    states = app.bot_data.get("states")
    forget_cached = getattr(states, "forget", None)
    if forget_cached is not None:
        forget_cached(user_id, user_id)
    store = rec.store
    if store is None:
        return 0
    return await store.forget_user(user_id, private_chat_id=user_id)


__all__ = ["AnsweredQuestions", "Recorder", "StoreChatStates", "forget", "register"]
