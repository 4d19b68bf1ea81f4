"""Admin commands: ``/reload``, ``/stats [days]``, ``/unanswered [n]``, ``/learned [n]``, the
teach buttons (``bot.telegram.teaching``), and who may use them.

Only numeric user ids in ``ADMIN_IDS`` count, and only in a private chat with the bot (stats
and unanswered questions are not for a group's eyes). Everything else gets the same neutral
reply a non-existent command would get, and a log line saying why: non-admins (usernames are
never looked at, so a look-alike username does not help), anonymous group admins (1087968824),
posts from a linked channel (777000), anything sent on behalf of a chat, channel posts,
forwarded and edited messages, and admin buttons pressed by anyone else.

Handlers live in group -1, before the generic handlers, and stop the update there.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.answer import AnswerService, ChatState, fallback_language
from bot.config import Settings
from bot.logs import quote
from bot.nlu.result import LangHints
from bot.numbers import whole_number
from bot.reload import Reloader, ReloadResult
from bot.storage import Stats
from bot.telegram import teaching
from bot.telegram.adminui import (
    MAX_QUESTION_SHOWN,
    chunks,
    send,
    service_of,
    store_of,
    ui_html,
    ui_plain,
)
from bot.telegram.delivery.sending import answer_query, send_html
from bot.telegram.handlers import send_unknown_command
from bot.telegram.photos import send_picture

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
AnyApp = Application[Any, Any, Any, Any, Any, Any]

ADMIN_GROUP = -1
COMMANDS = ("reload", "stats", "unanswered", "learned")
ANONYMOUS_ADMIN_ID = 1087968824  # @GroupAnonymousBot: a group admin posting as the group
SERVICE_USER_ID = 777000  # Telegram itself: posts forwarded from a linked channel
CALLBACK_PREFIX = "adm:"
DEFAULT_DAYS, MAX_DAYS = 7, 365
DEFAULT_ITEMS, MAX_ITEMS = 10, 50
SHOWN_PROBLEMS = 10


# ------------------------------------------------------------------ shared helpers


async def reply_lang(update: Update, context: Context) -> str:
    """The language to talk to this user in (SPEC order, without a text to detect it from)."""
    chat, user = update.effective_chat, update.effective_user
    states = context.bot_data.get("states")
    state = ChatState()
    if states is not None and chat is not None:
        try:
            state = await states.load(chat.id, user.id if user else None)
        except Exception as exc:  # a broken store must not hide the reply
            log.warning("could not load the state of chat %s: %s", chat.id, exc)
    return fallback_language(state, LangHints(telegram=user.language_code if user else None))



# ------------------------------------------------------------------ who may


def refusal_reason(update: Update, admin_ids: frozenset[int]) -> str | None:
    """Why this update may not run an admin action, or None when it may."""
    if update.channel_post is not None or update.edited_channel_post is not None:
        return "channel post"
    if update.edited_message is not None:
        return "edited message"
    user = update.effective_user
    if user is None:
        return "no sender"
    if user.id == ANONYMOUS_ADMIN_ID:
        return "anonymous group admin"
    if user.id == SERVICE_USER_ID:
        return "channel-linked sender (777000)"
    message: Message | None = update.effective_message
    if update.callback_query is None and message is not None:
        if message.forward_origin is not None or message.is_automatic_forward:
            return "forwarded message"
        if message.sender_chat is not None:
            return f"sent on behalf of chat {message.sender_chat.id}"
    if user.is_bot:
        return "a bot"
    if user.id not in admin_ids:
        return "not in ADMIN_IDS"
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or chat.id != user.id:
        return "not a private chat with the admin"
    return None


def _who(update: Update) -> str:
    user, chat = update.effective_user, update.effective_chat
    name = f" @{quote(user.username)}" if user is not None and user.username else ""
    return (f"user {user.id if user else None}{name} in chat "
            f"{chat.id if chat else None} ({chat.type if chat else '-'})")


async def refuse(update: Update, context: Context, action: str, reason: str) -> None:
    """The neutral reply, and a log line saying who was refused and why."""
    log.warning("refused %s: %s; %s, update %s", action, reason, _who(update), update.update_id)
    lang = await reply_lang(update, context)
    if update.callback_query is not None:
        await answer_query(update.callback_query,
                           ui_plain(service_of(context), lang, "admin.refused"))
    elif update.effective_chat is not None and update.effective_chat.type == "private":
        await send_unknown_command(update, context)
    elif update.effective_chat is not None:
        await send_html(context, update.effective_chat.id,
                        ui_html(service_of(context), lang, "admin.refused"))


def _settings(context: Context) -> Settings:
    settings: Settings = context.bot_data["settings"]
    return settings


# ------------------------------------------------------------------ handlers


def _command(message: Message | None) -> str:
    text = (message.text or "") if message else ""
    return text.split()[0][1:].split("@", 1)[0].lower() if text.startswith("/") else ""


def _number(args: list[str], default: int, high: int) -> int | None:
    """The command's one argument (1 to ``high``), ``default`` without one, None if unusable."""
    if not args:
        return default
    return whole_number(args[0], 1, high) if len(args) == 1 else None


async def on_admin_command(update: Update, context: Context) -> None:
    """``/reload``, ``/stats``, ``/unanswered`` for admins; the neutral reply for the rest."""
    await _admin_command(update, context)
    raise ApplicationHandlerStop


async def _admin_command(update: Update, context: Context) -> None:
    command = _command(update.effective_message)
    reason = refusal_reason(update, _settings(context).admin_ids)
    if reason is not None:
        await refuse(update, context, f"/{command}", reason)
        return
    chat = update.effective_chat
    assert chat is not None
    service = service_of(context)
    lang = await reply_lang(update, context)
    log.info("admin /%s by %s", command, _who(update))
    if command == "reload":
        start_background(context, reload_and_reply(context, chat.id, lang, update))
    elif command == "stats":
        days = _number(context.args or [], DEFAULT_DAYS, MAX_DAYS)
        if days is None:
            await send(context, chat.id, [ui_html(service, lang, "admin.stats.usage")])
        else:
            await send_stats(context, chat.id, lang, days)
    elif command in ("unanswered", "learned"):
        n = _number(context.args or [], DEFAULT_ITEMS, MAX_ITEMS)
        if n is None:
            await send(context, chat.id, [ui_html(service, lang, f"admin.{command}.usage")])
        elif command == "unanswered":
            await teaching.send_unanswered(context, chat.id, lang, n)
        else:
            await teaching.send_learned(context, chat.id, lang, n)


async def on_admin_button(update: Update, context: Context) -> None:
    """``adm:stats:<days>``, ``adm:unans:<n>`` and the teach buttons (``adm:t:...``, see
    ``bot.telegram.teaching``), for admins only: verified on every press."""
    await _admin_button(update, context)
    raise ApplicationHandlerStop


async def _admin_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    reason = refusal_reason(update, _settings(context).admin_ids)
    if reason is not None:
        await refuse(update, context, f"button {quote(query.data)}", reason)
        return
    chat = update.effective_chat
    assert chat is not None
    lang = await reply_lang(update, context)
    kind, _, value = (query.data or "")[len(CALLBACK_PREFIX):].partition(":")
    if kind in teaching.KINDS:
        log.info("admin button %s by %s", quote(query.data), _who(update))
        await teaching.on_button(context, query, chat.id, lang, kind, value, start_background)
        return
    high = {"stats": MAX_DAYS, "unans": MAX_ITEMS}.get(kind)
    number = whole_number(value, 1, high) if high is not None else None
    if number is None:  # not a button we made (an old version's, or forged): say so politely
        log.info("admin button with unusable data %s", quote(query.data))
        await answer_query(query, ui_plain(service_of(context), lang, "bot.stale_button"))
        return
    await answer_query(query)
    if kind == "stats":
        await send_stats(context, chat.id, lang, number)
    else:
        await teaching.send_unanswered(context, chat.id, lang, number)


def start_background(context: Context, coroutine: Coroutine[Any, Any, None]) -> None:
    """Run slow admin work beside the updates, so questions keep being answered meanwhile."""
    tasks: set[asyncio.Task[None]] = context.bot_data.setdefault("admin_tasks", set())
    if context.application.running:  # awaited by Application.stop
        task = context.application.create_task(coroutine)
    else:  # tests drive process_update without running the application
        task = asyncio.create_task(coroutine)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def drain(app: AnyApp) -> None:
    """Wait for the admin work started in the background (tests, shutdown)."""
    tasks: set[asyncio.Task[None]] = app.bot_data.get("admin_tasks", set())
    while tasks:
        await asyncio.gather(*list(tasks), return_exceptions=True)


async def reload_and_reply(context: Context, chat_id: int, lang: str, update: Update) -> None:
    """Reload, then tell the admin what happened."""
    reloader: Reloader = context.bot_data["reloader"]
    user = update.effective_user
    result = await reloader.reload(f"/reload by user {user.id if user else None}")
    await send(context, chat_id, format_reload(result, service_of(context), lang))


def format_reload(result: ReloadResult, service: AnswerService, lang: str) -> list[str]:
    """The admin's summary: counts and time, or the first problems as ``file:line: message``."""
    def t(key: str, **values: object) -> str:
        return ui_html(service, lang, key, **values)

    if result.ok:
        lines = [t("admin.reload.ok", seconds=f"{result.seconds:.1f}", roles=result.roles,
                   languages=result.languages, intents=result.intents,
                   examples=result.examples, warnings=len(result.warnings))]
        shown = result.warnings[:SHOWN_PROBLEMS]
        if shown:
            lines += ["", t("admin.reload.warnings")]
        more = len(result.warnings) - len(shown)
    else:
        lines = [t("admin.reload.failed", count=len(result.errors)), ""]
        shown = result.errors[:SHOWN_PROBLEMS]
        more = len(result.errors) - len(shown)
    lines += [f"<code>{html.escape(str(p)[:MAX_QUESTION_SHOWN], quote=False)}</code>"
              for p in shown]
    if more > 0:
        lines.append(t("admin.reload.more", count=more))
    return chunks(lines)


async def send_stats(context: Context, chat_id: int, lang: str, days: int) -> bool:
    """The usage picture with the key numbers as its caption, and buttons for other spans;
    False when nothing was sent (no store, or Telegram refused)."""
    service = service_of(context)
    store = store_of(context)
    if store is None:
        await send(context, chat_id, [ui_html(service, lang, "admin.no_store")])
        return False
    stats = await store.stats(days)
    buttons = [InlineKeyboardButton(ui_plain(service, lang, "admin.stats.button", days=d),
                                    callback_data=f"{CALLBACK_PREFIX}stats:{d}")
               for d in (7, 30, 90) if d != days]
    from bot.charts.stats import render_stats  # matplotlib: loaded when a picture is drawn

    try:
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    except TelegramError as exc:  # cosmetic only
        log.debug("send_chat_action failed: %s", exc)
    picture = await asyncio.to_thread(render_stats, stats, service.catalog, lang)
    return await send_picture(context, chat_id, picture.png, picture.filename,
                              picture.caption, InlineKeyboardMarkup([buttons]))


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def format_stats(stats: Stats, service: AnswerService, lang: str) -> list[str]:
    """Questions per day, top intents, roles and languages, fallback rate, 👍/👎."""
    def t(key: str, **values: object) -> str:
        return ui_html(service, lang, key, **values)

    def ranked(title: str, items: tuple[tuple[str, int], ...],
               name: Any = lambda key: key) -> list[str]:
        rows = [f"{html.escape(str(name(k)), quote=False)}: {n}" for k, n in items[:10]]
        return ["", f"<b>{t(title)}</b>", *(rows or [t("admin.stats.none")])]

    per_day = [(d, n) for d, n in stats.per_day if n or stats.days <= 31][-31:]
    lines = [
        f"<b>{t('admin.stats.title', days=stats.days, since=stats.since, until=stats.until)}"
        "</b>",
        t("admin.stats.questions", count=stats.questions),
        t("admin.stats.fallback", rate=_percent(stats.fallback_rate), count=stats.fallbacks),
        t("admin.stats.feedback", up=stats.thumbs_up, down=stats.thumbs_down,
          ratio=_percent(stats.thumbs_up_ratio)),
        "",
        f"<b>{t('admin.stats.per_day')}</b>",
        *([f"{d.isoformat()}: {n}" for d, n in per_day] or [t("admin.stats.none")]),
        *ranked("admin.stats.intents", stats.intents),
        *ranked("admin.stats.roles", stats.roles,
                lambda role: service.catalog.role_name(role, lang)
                if role in service.catalog.role_ids else role),
        *ranked("admin.stats.languages", stats.langs),
    ]
    return chunks(lines)


# ------------------------------------------------------------------ wiring


def register(app: AnyApp) -> None:
    """Add the admin handlers (group -1) and the reloader (``bot_data["reloader"]``)."""
    settings: Settings = app.bot_data["settings"]
    service: AnswerService = app.bot_data["service"]
    if "reloader" not in app.bot_data:
        app.bot_data["reloader"] = Reloader(service, settings.content_dir, settings.intents_dir,
                                            cache_dir=settings.model_cache_dir,
                                            learned_dir=settings.learned_dir,
                                            calibrate_after_swap=True)
    app.add_handler(CommandHandler(list(COMMANDS), on_admin_command, filters.ALL),
                    ADMIN_GROUP)
    app.add_handler(CallbackQueryHandler(on_admin_button, pattern=f"^{CALLBACK_PREFIX}"),
                    ADMIN_GROUP)


__all__ = ["COMMANDS", "drain", "refusal_reason", "register", "reply_lang", "service_of",
           "ui_html", "ui_plain"]
