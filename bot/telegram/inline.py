"""Inline mode: ``@bot salary helpdesk`` in any chat offers the matching answers to share.

One result per matching (role, topic), in the user's language; an empty query lists the roles.
A result is the answer's first message (within Telegram's 4,096 characters) with a link that
opens the full answer, with its topic buttons, in a private chat with the bot (a ``/start``
deep link). Our callback buttons are left out: in someone else's chat they would have no chat
context to answer in.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes
from telegram.helpers import create_deep_linked_url

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
            reply_markup=open_in_bot(label, username, item.deep_link),
        )
        for item in items
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def open_in_bot(label: str, username: str | None, payload: str) -> InlineKeyboardMarkup | None:
    """A button opening ``/start <payload>`` in a private chat with the bot.

    PTB builds the link and checks the payload against Telegram's rules (at most 64 of
    ``A-Z a-z 0-9 _ -``); a payload outside them (a role folder named with a dot or a
    non-Latin letter) gets no button rather than a link that opens a bare ``/start``.
    """
    if not username:
        return None
    try:
        return url_button(label, create_deep_linked_url(username, payload))
    except ValueError:
        log.warning("no 'open in bot' button: %r is not a valid /start payload", payload)
        return None
