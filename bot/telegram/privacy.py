"""``/privacy`` and ``/forget``: what the bot keeps about a user, and deleting all of it.

Users in Norway and Latvia are under the GDPR. ``/privacy`` says, in the user's language, what
is stored, why, for how long (``RETENTION_DAYS`` for question texts) and how to delete it.
``/forget`` asks first (a button only the asking user can press), then deletes every row about
the user and their private chat in every table (``Store.forget_user``), drops the caches and
the analytics still waiting to be written, and confirms. The store zeroes deleted bytes and
checkpoints its WAL, so a backup taken afterwards holds none of it. Anonymous daily counters
(no user id, no text) are kept.

What is recorded about users is decided by the analytics hooks of
:mod:`bot.telegram.store_states`, and forgotten through it (``store_states.forget``).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.config import Settings
from bot.logs import quote
from bot.storage import StorageError
from bot.telegram import store_states
from bot.telegram.admin import reply_lang, service_of, ui_html, ui_plain
from bot.telegram.delivery.sending import answer_query, send_html

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
AnyApp = Application[Any, Any, Any, Any, Any, Any]

PRIVACY_GROUP = -1
CALLBACK_PREFIX = "pv:"  # pv:forget:<user id> / pv:keep:<user id>


async def on_privacy(update: Update, context: Context) -> None:
    """What is stored, why, for how long, and how to delete it."""
    chat = update.effective_chat
    if chat is not None:
        settings: Settings = context.bot_data["settings"]
        lang = await reply_lang(update, context)
        text = ui_html(service_of(context), lang, "admin.privacy.text",
                       days=settings.retention_days)
        await send_html(context, chat.id, text)
    raise ApplicationHandlerStop


async def on_forget(update: Update, context: Context) -> None:
    """Ask for confirmation with buttons that only this user can press."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and user is not None:
        service = service_of(context)
        lang = await reply_lang(update, context)
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(ui_plain(service, lang, "admin.privacy.forget_yes"),
                                 callback_data=f"{CALLBACK_PREFIX}forget:{user.id}"),
            InlineKeyboardButton(ui_plain(service, lang, "admin.privacy.forget_no"),
                                 callback_data=f"{CALLBACK_PREFIX}keep:{user.id}"),
        ]])
        await send_html(context, chat.id, ui_html(service, lang, "admin.privacy.forget_prompt"),
                        markup)
    raise ApplicationHandlerStop


async def on_forget_button(update: Update, context: Context) -> None:
    """Delete (or keep) after the confirmation; someone else's button only gets a notice."""
    await _forget_button(update, context)
    raise ApplicationHandlerStop


async def _forget_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user, chat = update.effective_user, update.effective_chat
    if query is None or user is None:
        return
    service = service_of(context)
    lang = await reply_lang(update, context)
    action, _, owner = (query.data or "")[len(CALLBACK_PREFIX):].partition(":")
    if owner != str(user.id):
        log.warning("refused /forget button of user %s pressed by user %s", quote(owner), user.id)
        await answer_query(query, ui_plain(service, lang, "admin.privacy.not_yours"))
        return
    await answer_query(query)
    if action != "forget":
        if chat is not None:
            await send_html(context, chat.id, ui_html(service, lang, "admin.privacy.kept"))
        return
    try:
        deleted = await store_states.forget(context.application, user.id)
    except StorageError:
        log.exception("forgetting user %s failed", user.id)
        raise
    log.info("forgot user %s: %d rows deleted", user.id, deleted)
    if chat is not None:
        await send_html(context, chat.id,
                        ui_html(service, lang, "admin.privacy.forgotten", count=deleted))


def register(app: AnyApp) -> None:
    """Add ``/privacy``, ``/forget`` and its confirmation buttons."""
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("privacy", on_privacy, new_messages), PRIVACY_GROUP)
    app.add_handler(CommandHandler("forget", on_forget, new_messages), PRIVACY_GROUP)
    app.add_handler(CallbackQueryHandler(on_forget_button, pattern=f"^{CALLBACK_PREFIX}"),
                    PRIVACY_GROUP)


__all__ = ["register"]
