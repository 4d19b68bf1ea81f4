"""Charts on Telegram: the "Chart"/"Picture" buttons and sending a chart as a photo.

Contract with the rest of the Telegram layer: the app factory calls :func:`register`; the
``/salary <role> chart`` command calls :func:`send_chart`, which returns False (and sends
nothing) when the role has no chart of that kind, so the caller can say so in text.

Callback data: ``ch:pay:<role>`` and ``ch:career:<role>``. The handler sits in group 0 and stops
the update there, so the general button handler (group 1) never sees these presses.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, ContextTypes

from bot.answer import AnswerService, actions, fallback_language
from bot.charts import KINDS, has_chart
from bot.charts.cache import ChartCache
from bot.nlu.result import LangHints
from bot.telegram.delivery.sending import answer_query, refused, send_html

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
CALLBACK_PATTERN = "^" + actions.CHART_PREFIX
CACHE_KEY = "charts"


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Handle chart buttons in group 0 (before the general button handler in group 1)."""
    app.add_handler(CallbackQueryHandler(on_chart_button, pattern=CALLBACK_PATTERN), 0)


def chart_cache(context: Context) -> ChartCache:
    """The application's chart cache (created on first use)."""
    cache = context.bot_data.get(CACHE_KEY)
    if not isinstance(cache, ChartCache):
        cache = ChartCache()
        context.bot_data[CACHE_KEY] = cache
    return cache


def _service(context: Context) -> AnswerService:
    service: AnswerService = context.bot_data["service"]
    return service


async def on_chart_button(update: Update, context: Context) -> None:
    """A press on ``ch:<kind>:<role>``: answer the query, then send the chart (or say why not)."""
    query = update.callback_query
    if query is None:
        return
    user, chat = update.effective_user, update.effective_chat
    chat_id = chat.id if chat else (user.id if user else 0)
    state = await context.bot_data["states"].load(chat_id, user.id if user else None)
    lang = fallback_language(state, LangHints(telegram=user.language_code if user else None))
    service = _service(context)
    catalog = service.catalog
    action = actions.decode(query.data or "", service.known())
    if not isinstance(action, actions.ShowChart) or action.kind not in KINDS:
        await answer_query(query, catalog.ui(lang, "charts.stale"))
        raise ApplicationHandlerStop  # the general button handler must not answer it again
    kind, role = action.kind, action.role
    await answer_query(query)
    if not await send_chart(update, context, role, kind, lang) and chat is not None:
        text = catalog.ui(lang, f"charts.none.{kind}", role=catalog.role_name(role, lang))
        await send_html(context, chat.id, html.escape(text))
    raise ApplicationHandlerStop  # the general button handler must not answer it again


async def send_chart(update: Update, context: Context, role: str, kind: str, lang: str) -> bool:
    """Send the ``kind`` chart of ``role`` in ``lang`` as a photo; False if there is none.

    A chart Telegram already has is sent again by its ``file_id``; otherwise it is rendered off
    the event loop (or taken from the cache) and uploaded, and the ``file_id`` kept.
    """
    catalog = _service(context).catalog
    chat = update.effective_chat
    if chat is None or not has_chart(catalog, role, kind):
        return False
    cache = chart_cache(context)
    key = cache.key(catalog, role, kind, lang)
    message = update.effective_message if update.callback_query is None else None
    quote = (ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
             if message is not None and chat.type != ChatType.PRIVATE else None)
    try:
        known = cache.sent(key)
        if known is not None:
            try:
                await context.bot.send_photo(chat.id, known.file_id, caption=known.caption,
                                             parse_mode=ParseMode.HTML, reply_parameters=quote)
                return True
            except BadRequest as exc:  # the file id is no longer valid: upload afresh
                log.info("file id of %s refused (%s); uploading again", key, exc)
                cache.forget(key)
        chart = cache.get(key)
        if chart is None:
            try:
                await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
            except TelegramError as exc:  # cosmetic only
                log.debug("send_chat_action failed: %s", exc)
            chart = await cache.chart(catalog, role, kind, lang)
        sent = await context.bot.send_photo(
            chat.id, InputFile(chart.png, filename=chart.filename), caption=chart.caption,
            parse_mode=ParseMode.HTML, reply_parameters=quote)
    except (BadRequest, Forbidden, TimedOut) as exc:  # final: see bot.telegram.delivery.sending
        refused(chat.id, exc)
        return True
    if sent.photo:
        cache.remember(key, sent.photo[-1].file_id, chart.caption)
    return True


async def send_picture(context: Context, chat_id: int, png: bytes, filename: str, caption: str,
                       markup: InlineKeyboardMarkup | None = None) -> bool:
    """Upload a PNG with an HTML caption, under the failure policy of
    ``bot.telegram.delivery.sending`` (a final refusal is logged once); False if it was not
    delivered."""
    try:
        await context.bot.send_photo(chat_id, InputFile(png, filename=filename),
                                     caption=caption, parse_mode=ParseMode.HTML,
                                     reply_markup=markup)
    except (BadRequest, Forbidden, TimedOut) as exc:
        refused(chat_id, exc)
        return False
    return True


__all__ = ["register", "send_chart", "send_picture"]
