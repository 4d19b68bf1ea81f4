"""Inline mode: ``@bot salary helpdesk`` in any chat offers the matching answers to share.

One result per matching (role, topic), in the user's language; an empty query lists the roles.
A result is the answer's first message (within Telegram's 4,096 characters) with a link that
opens the full answer, with its topic buttons, in a private chat with the bot (a ``/start``
deep link). Our callback buttons are left out: in someone else's chat they would have no chat
context to answer in.
"""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.answer import AnswerService
from bot.nlu.result import LangHints
from bot.telegram.keyboards import url_button

log = logging.getLogger(__name__)

# Answers change only when content is reloaded: five minutes is fresh enough, and saves work.
# Personal, because the language of a short query comes from the user's Telegram settings.
CACHE_SECONDS = 300
MAX_QUERY = 256  # Telegram's own limit on the query text


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    service: AnswerService = context.bot_data["service"]
    hints = LangHints(telegram=query.from_user.language_code if query.from_user else None)
    lang, items = service.inline(query.query[:MAX_QUERY], hints)
    username = context.bot.username
    label = service.catalog.ui(lang, "bot.button.open_in_bot")
    results = [
        InlineQueryResultArticle(
            id=item.id,
            title=item.title,
            description=item.description or None,
            input_message_content=InputTextMessageContent(
                item.text, parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True)),
            reply_markup=(url_button(label, f"https://t.me/{username}?start={item.deep_link}")
                          if username else None),
        )
        for item in items
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)
