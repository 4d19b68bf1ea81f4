"""Messages and button answers leave through here, under one failure policy (photos apply
the same policy in ``bot.telegram.photos``, which adds re-uploading a stale file id).

The rate limiter (``limiter.PacedRateLimiter``) already waits out a 429 and repeats a call the
server certainly did not take (5xx, refused connection). What reaches this module is final,
and each outcome is handled once, here, for every handler (answers, admin, privacy, photos):

- ``TimedOut``: logged, not repeated: the message may have arrived, and a second copy is worse
  than a missing one the user can ask again for.
- ``Forbidden`` (the user blocked the bot, the bot left the group): logged, nothing else.
- ``ChatMigrated`` (a group became a supergroup): the chat's context moves, and the message is
  sent to the new chat once (Telegram refused it, so this cannot duplicate it).
- ``BadRequest`` "can't parse entities": our HTML should never be wrong, but if it is, the user
  still gets the words as plain text.
- Any other ``BadRequest`` (a muted group: "not enough rights"; a deleted chat): logged once,
  final; the chat's next update is not held up.
- A group that refused our text for lack of rights is remembered (:class:`MutedChats`): no
  message is tried there again until the mute could have changed.
- A button press whose query expired ("query is too old"): the toast is lost, but the answer
  messages of the press are still sent (:func:`answer_query` never raises for it).

Functions return ``None``/``False`` when nothing was delivered; they never raise for a refusal.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.answer import ChatState, Reply
from bot.telegram.delivery.limiter import StopSending
from bot.telegram.keyboards import keyboard
from bot.telegram.state import ChatStates
from bot.textfmt import html_to_text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
QUERY_TEXT_LIMIT = 200  # characters Telegram shows in a button's toast
MUTE_MEMORY = 600.0  # seconds a group that refused our text is not written to again
MAX_MUTED = 4096  # groups remembered at most (the oldest mute is forgotten first)
# Telegram's words when a group does not let the bot write (400, or 403 in some chats).
MUTE_WORDS = ("not enough rights to send text", "have no rights to send a message",
              "chat_write_forbidden")
MUTED_KEY = "muted_chats"


class MutedChats:
    """Groups that refused the bot's text for lack of rights, remembered for a while.

    Every later message there would be refused the same way, a round trip and a log line
    each, so none is tried until the mute could have changed: ``MUTE_MEMORY`` later (an admin
    may change the group's permissions, which the bot is not told of), or at once when
    Telegram says the bot's own membership there changed (:func:`rights_changed`).
    """

    def __init__(self, memory: float = MUTE_MEMORY, limit: int = MAX_MUTED,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.memory = memory
        self.limit = limit
        self.clock = clock
        self._until: OrderedDict[int, float] = OrderedDict()

    def mute(self, chat_id: int) -> None:
        self._until.pop(chat_id, None)
        self._until[chat_id] = self.clock() + self.memory
        while len(self._until) > self.limit:
            self._until.popitem(last=False)

    def muted(self, chat_id: int) -> bool:
        until = self._until.get(chat_id)
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._until[chat_id]
        return False

    def unmute(self, chat_id: int) -> None:
        self._until.pop(chat_id, None)


def muted_chats(context: Context) -> MutedChats:
    """The application's memory of muted groups (created on first use)."""
    found = context.bot_data.get(MUTED_KEY)
    if not isinstance(found, MutedChats):
        found = context.bot_data[MUTED_KEY] = MutedChats()
    return found


def rights_changed(context: Context, chat_id: int) -> None:
    """The bot's membership in ``chat_id`` changed (``my_chat_member``): try it again."""
    muted_chats(context).unmute(chat_id)


def _mute_refusal(exc: TelegramError) -> bool:
    return isinstance(exc, BadRequest | Forbidden) \
        and any(words in exc.message.lower() for words in MUTE_WORDS)


async def answer_query(query: CallbackQuery, text: str | None = None, *,
                       alert: bool = False) -> bool:
    """Stop the button's spinner (with a toast when ``text``); False when Telegram refused.

    An expired or unknown query is the usual refusal (the press waited too long, e.g. behind a
    restart): it is final, and the caller goes on to send the answer as a message.
    """
    try:
        await query.answer(text[:QUERY_TEXT_LIMIT] if text else None, show_alert=alert)
    except BadRequest as exc:
        log.info("button answer refused (%s); the reply goes out as a message", exc.message)
        return False
    except TimedOut:
        log.warning("answering a button press timed out")
        return False
    return True


async def send_reply(update: Update, context: Context, reply: Reply) -> None:
    """Send each message of the reply; buttons go under the last one; in groups, quote."""
    chat = update.effective_chat
    if chat is None:
        return
    message = update.effective_message if update.callback_query is None else None
    quote = (ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
             if message is not None and chat.type != ChatType.PRIVATE else None)
    chat_id = chat.id
    for index, text in enumerate(reply.messages):
        last = index == len(reply.messages) - 1
        sent = await send_html(context, chat_id, text, keyboard(reply) if last else None,
                               quote if index == 0 else None)
        if sent is None:
            return
        chat_id = sent.chat_id


async def send_html(context: Context, chat_id: int, text: str,
                    markup: InlineKeyboardMarkup | None = None,
                    quote: ReplyParameters | None = None, *,
                    follow_migration: bool = True) -> Message | None:
    """One HTML message, under the module's failure policy; None if it was not delivered."""
    if muted_chats(context).muted(chat_id):
        log.debug("chat %s muted the bot a moment ago; not trying", chat_id)
        return None
    try:
        return await _send(context, chat_id, text, markup, quote, ParseMode.HTML)
    except ChatMigrated as exc:
        if not follow_migration:
            log.warning("chat %s moved twice in one send; not following", chat_id)
            return None
        new_id = int(exc.new_chat_id)
        await migrate_chat(context, chat_id, new_id)
        return await send_html(context, new_id, text, markup, quote, follow_migration=False)
    except BadRequest as exc:
        if "can't parse entities" not in exc.message.lower():
            _refused_text(context, chat_id, exc)
            return None
        log.error("Telegram rejected our HTML for chat %s: %s", chat_id, exc.message)
        try:
            return await _send(context, chat_id, html_to_text(text)[:4096], markup, quote, None)
        except StopSending:
            raise  # the update waits for the next start
        except TelegramError as again:
            _refused_text(context, chat_id, again)
            return None
    except (Forbidden, TimedOut) as exc:
        _refused_text(context, chat_id, exc)
    return None


def _refused_text(context: Context, chat_id: int, exc: TelegramError) -> None:
    """A final refusal of a message: logged once, and a group's mute remembered."""
    refused(chat_id, exc)
    if chat_id < 0 and _mute_refusal(exc):
        muted_chats(context).mute(chat_id)
        log.info("chat %s does not let the bot write; not trying again for %.0f minutes or "
                 "until its rights change", chat_id, MUTE_MEMORY / 60)


def refused(chat_id: int, exc: TelegramError) -> None:
    """Log a final failure to deliver to ``chat_id`` once, at the level it deserves."""
    if isinstance(exc, Forbidden):
        log.info("chat %s blocked the bot or removed it; not retrying", chat_id)
    elif isinstance(exc, TimedOut):
        log.warning("sending to chat %s timed out; not retried, it may have arrived", chat_id)
    else:
        log.warning("Telegram refused a message to chat %s (%s); not retrying", chat_id,
                    exc.message)


async def _send(context: Context, chat_id: int, text: str,
                markup: InlineKeyboardMarkup | None, quote: ReplyParameters | None,
                parse_mode: str | None) -> Message:
    return await context.bot.send_message(
        chat_id=chat_id, text=text, parse_mode=parse_mode, reply_markup=markup,
        reply_parameters=quote, link_preview_options=NO_PREVIEW)


async def migrate_chat(context: Context, old_id: int, new_id: int) -> None:
    """Copy the old chat's state to the new chat unless the new one already has its own."""
    states: ChatStates = context.bot_data["states"]
    old, new = await states.load(old_id, None), await states.load(new_id, None)
    if old != ChatState() and new == ChatState():
        await states.save(new_id, None, old)
    log.info("chat %s migrated to %s", old_id, new_id)


__all__ = ["MutedChats", "answer_query", "migrate_chat", "muted_chats", "refused",
           "rights_changed", "send_html", "send_reply"]
