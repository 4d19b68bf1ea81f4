"""Thin Telegram handlers: Update in, AnswerService call, Reply out.

Edited messages are ignored on purpose: answering an edit again would post a second answer
under the first, and users simply send a new message. Channel posts are ignored too.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.constants import LANGUAGES, TOPIC_COMMANDS
from bot.nlu.result import LangHints
from bot.service import AnswerService, Reply
from bot.telegram.state import ChatStates

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
NEW_MESSAGES = filters.UpdateType.MESSAGE
COMMAND_ORDER = ("start", "help", "roles", "role", "salary", "duties", "skills", "interview",
                 "education", "career", "workplace", "qualities", "tools", "certifications",
                 "outlook", "compare", "language")
# Telegram language codes we publish command descriptions for ("no" is Norwegian in clients).
COMMAND_LANGUAGES = {"en": "en", "nb": "nb", "no": "nb", "nn": "nn", "lv": "lv", "fa": "fa"}


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every handler in its group, and the one error handler."""
    app.add_handler(CommandHandler(list(TOPIC_COMMANDS), on_topic_command, NEW_MESSAGES), 0)
    app.add_handler(CommandHandler("compare", on_compare, NEW_MESSAGES), 0)
    app.add_handler(CommandHandler(["start", "help", "roles", "language"], on_meta_command,
                                   NEW_MESSAGES), 0)
    app.add_handler(CallbackQueryHandler(on_button), 1)
    app.add_handler(MessageHandler(NEW_MESSAGES & filters.TEXT & ~filters.COMMAND, on_text), 2)
    app.add_handler(
        MessageHandler(NEW_MESSAGES & filters.ChatType.PRIVATE & ~filters.TEXT, on_non_text), 3
    )
    app.add_error_handler(on_error)


def _service(context: Context) -> AnswerService:
    service: AnswerService = context.bot_data["service"]
    return service


def _states(context: Context) -> ChatStates:
    states: ChatStates = context.bot_data["states"]
    return states


def _hints(update: Update) -> LangHints:
    user = update.effective_user
    return LangHints(telegram=user.language_code if user else None)


async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start-up work: publish the command list in every language plus a default."""
    service: AnswerService = app.bot_data["service"]
    for code, lang in [(None, "en"), *COMMAND_LANGUAGES.items()]:
        commands = [BotCommand(name, service.catalog.ui(lang, f"bot.command.{name}"))
                    for name in COMMAND_ORDER]
        try:
            await app.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:  # cosmetic: never stop the bot for it
            log.warning("set_my_commands(%s) failed: %s", code, exc)


async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Close whatever the states keep open (the SQLite store) once updates have finished."""
    closer = getattr(app.bot_data.get("states"), "close", None)
    if closer is not None:
        await closer()


def _addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """In groups, the text meant for the bot (mention removed), or None if it isn't for us."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    mention = re.compile(rf"@{re.escape(bot_username)}\b", re.IGNORECASE)
    if bot_username and mention.search(text):
        return mention.sub(" ", text).strip()
    return None


async def on_text(update: Update, context: Context) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    text = _addressed_text(message, context.bot.username or "", context.bot.id)
    if text is None:
        return
    user = update.effective_user
    states = _states(context)
    state = await states.load(chat.id, user.id if user else None)
    if not text.strip():
        reply = _service(context).command("help", state, _hints(update))
    else:
        reply = _service(context).answer(text, state, _hints(update))
    await states.save(chat.id, user.id if user else None, reply.state)
    await send_reply(update, context, reply)


async def on_topic_command(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or not message.text:
        return
    name = message.text.split()[0][1:].split("@", 1)[0].lower()
    states = _states(context)
    state = await states.load(chat.id, user.id if user else None)
    reply = _service(context).topic(TOPIC_COMMANDS[name], " ".join(context.args or []), state,
                                    _hints(update))
    await states.save(chat.id, user.id if user else None, reply.state)
    await send_reply(update, context, reply)


async def on_compare(update: Update, context: Context) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    states = _states(context)
    state = await states.load(chat.id, user.id if user else None)
    reply = _service(context).compare(" ".join(context.args or []), state, _hints(update))
    await states.save(chat.id, user.id if user else None, reply.state)
    await send_reply(update, context, reply)


async def on_meta_command(update: Update, context: Context) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or not message.text:
        return
    name = message.text.split()[0][1:].split("@", 1)[0].lower()
    states = _states(context)
    state = await states.load(chat.id, user.id if user else None)
    reply = _service(context).command(name, state, _hints(update), " ".join(context.args or []))
    await states.save(chat.id, user.id if user else None, reply.state)
    await send_reply(update, context, reply)


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    chat = update.effective_chat
    user = update.effective_user
    states = _states(context)
    chat_id = chat.id if chat else (user.id if user else 0)
    state = await states.load(chat_id, user.id if user else None)
    reply = _service(context).press(query.data or "", state, _hints(update))
    await states.save(chat_id, user.id if user else None, reply.state)
    await query.answer(reply.notice)
    if reply.messages:
        await send_reply(update, context, reply)


async def on_non_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice, locations...: a short hint to write the question instead."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    user = update.effective_user
    state = await _states(context).load(chat.id, user.id if user else None)
    from bot.service import fallback_language

    lang = fallback_language(state, _hints(update))
    await message.reply_text(html.escape(_service(context).catalog.ui(lang, "bot.non_text")),
                             parse_mode=ParseMode.HTML)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
         for row in reply.buttons]
    )


async def send_reply(update: Update, context: Context, reply: Reply) -> None:
    """Send each message of the reply; buttons go under the last one; in groups, quote."""
    chat = update.effective_chat
    if chat is None:
        return
    message = update.effective_message if update.callback_query is None else None
    quote = (ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
             if message is not None and chat.type != ChatType.PRIVATE else None)
    for index, text in enumerate(reply.messages):
        last = index == len(reply.messages) - 1
        try:
            await context.bot.send_message(
                chat_id=chat.id,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply) if last else None,
                reply_parameters=quote if index == 0 else None,
                link_preview_options=None,
            )
        except Forbidden:
            log.info("chat %s blocked the bot; not retrying", chat.id)
            return


async def on_error(update: object, context: Context) -> None:
    """The one error handler: log with the update id, apologise, never show internals."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        state = await _states(context).load(update.effective_chat.id, None)
        from bot.service import fallback_language

        lang = fallback_language(state, _hints(update))
        text = _service(context).catalog.ui(lang, "bot.error")
        await context.bot.send_message(update.effective_chat.id, html.escape(text),
                                       parse_mode=ParseMode.HTML)
    except Exception:  # the apology itself failed: nothing more to do than log it
        log.warning("could not tell chat about the failure of update %s", update_id)


__all__ = ["LANGUAGES", "register", "send_reply"]
