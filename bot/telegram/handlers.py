"""Thin Telegram handlers: Update in, AnswerService call, Reply out.

Handler groups (one handler per group answers an update): -1 admin commands (admin module),
0 commands (photos adds its ``^ch:`` buttons here), 1 buttons, inline queries, group
migrations and the bot's own membership changes, 2 free text and unknown commands,
3 non-text messages.

Decisions:

- Edited messages are ignored: answering an edit would post a second answer under the first
  (the old answer cannot be taken back), and users who correct a typo simply send it again.
- Channel posts are ignored (the bot is not meant for channels); so is everything in a group
  that is not a command, an @mention of the bot or a reply to one of its messages.
- Sending goes through ``bot.telegram.delivery.sending``: its one failure policy (final 4xx,
  no blind repeat of a send that may have arrived, migrated groups followed) serves every
  handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    BotCommand,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.answer import TOPIC_COMMANDS, AnswerService, ChatState, Reply, actions, fallback_language
from bot.constants import LANGUAGES
from bot.nlu.result import LangHints
from bot.telegram import photos
from bot.telegram.delivery.sending import (
    answer_query,
    migrate_chat,
    rights_changed,
    send_html,
    send_reply,
)
from bot.telegram.groups import addressed_text, is_group, is_group_admin
from bot.telegram.inline import on_inline_query
from bot.telegram.state import ChatStates
from bot.textfmt import html_to_text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
AnyApp = Application[Any, Any, Any, Any, Any, Any]
NEW_MESSAGES = filters.UpdateType.MESSAGE
META = ("start", "help", "roles")
COMMAND_ORDER = ("start", "help", "roles", "role", "salary", "duties", "skills", "interview",
                 "education", "career", "workplace", "qualities", "tools", "certifications",
                 "outlook", "compare", "language", "privacy", "forget")
# Telegram language codes we publish command descriptions for ("no" is Norwegian in clients).
COMMAND_LANGUAGES = {"en": "en", "nb": "nb", "no": "nb", "nn": "nn", "lv": "lv", "fa": "fa"}
# "/salary helpdesk chart": a last word asking for the picture rather than the text.
CHART_WORDS = frozenset({"chart", "graph", "picture", "diagram", "graf", "bilde", "bilete",
                         "diagramma", "grafiks", "attēls", "attels", "نمودار", "تصویر"})
CHART_KINDS = {"salary": "pay", "career": "career"}
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def register(app: AnyApp) -> None:
    """Register every handler in its group, and the one error handler."""
    app.add_handler(CommandHandler(list(TOPIC_COMMANDS), on_topic_command, NEW_MESSAGES), 0)
    app.add_handler(CommandHandler("compare", on_compare, NEW_MESSAGES), 0)
    app.add_handler(CommandHandler(list(META), on_meta_command, NEW_MESSAGES), 0)
    app.add_handler(CommandHandler("language", on_language_command, NEW_MESSAGES), 0)
    # Chart buttons ("ch:...") belong to the photos module.
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^(?!{actions.CHART_PREFIX})"), 1)
    app.add_handler(InlineQueryHandler(on_inline_query), 1)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate), 1)
    app.add_handler(ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER), 1)
    app.add_handler(MessageHandler(NEW_MESSAGES & filters.TEXT & ~filters.COMMAND, on_text), 2)
    app.add_handler(MessageHandler(NEW_MESSAGES & filters.COMMAND & filters.ChatType.PRIVATE,
                                   on_unknown_command), 2)
    app.add_handler(MessageHandler(
        NEW_MESSAGES & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
        on_non_text), 3)
    app.add_error_handler(on_error)

    async def on_flood(update: Update) -> None:
        await tell_flooder(app, update)

    app.bot_data["on_flood"] = on_flood  # called by bot.telegram.delivery.dispatch


# ------------------------------------------------------------------------- helpers

def _service(context: Context) -> AnswerService:
    service: AnswerService = context.bot_data["service"]
    return service


def _states(context: Context) -> ChatStates:
    states: ChatStates = context.bot_data["states"]
    return states


def _hints(update: Update) -> LangHints:
    user = update.effective_user
    return LangHints(telegram=user.language_code if user else None)


def _ids(update: Update) -> tuple[int, int | None]:
    """The chat whose context applies (the user's own for chat-less updates) and the user."""
    chat, user = update.effective_chat, update.effective_user
    user_id = user.id if user else None
    return (chat.id if chat else (user_id or 0)), user_id


async def _load(update: Update, context: Context) -> ChatState:
    chat_id, user_id = _ids(update)
    return await _states(context).load(chat_id, user_id)


async def _save(update: Update, context: Context, state: ChatState) -> None:
    chat_id, user_id = _ids(update)
    await _states(context).save(chat_id, user_id, state)


def _command_name(message: Message) -> str:
    return (message.text or " ").split()[0][1:].split("@", 1)[0].lower()


async def _call_hook(context: Context, name: str, *args: Any) -> None:
    """Analytics hooks of the admin module; a failing hook never costs the user an answer."""
    hook: Callable[..., Awaitable[None]] | None = context.bot_data.get(name)
    if hook is None:
        return
    try:
        await hook(*args)
    except Exception:
        log.exception("hook %s failed", name)


async def _language_allowed(update: Update, context: Context) -> bool:
    """Private chats choose freely; a group's language is its administrators' choice."""
    chat = update.effective_chat
    if not is_group(chat):
        return True
    assert chat is not None
    return await is_group_admin(context, chat, update.effective_user, update.effective_message)


async def _admins_only(update: Update, context: Context, state: ChatState) -> None:
    lang = fallback_language(state, _hints(update))
    text = _service(context).ui(lang, "bot.language_admins_only")
    await send_reply(update, context, Reply(messages=[text], buttons=[], lang=lang,
                                            intent="language", state=state))


# ------------------------------------------------------------------------- start-up

async def post_init(app: AnyApp) -> None:
    """Start-up work: publish the command list in every language plus a default."""
    service: AnswerService = app.bot_data["service"]
    for code, lang in [(None, "en"), *COMMAND_LANGUAGES.items()]:
        commands = [BotCommand(name, service.catalog.ui(lang, f"bot.command.{name}")[:256])
                    for name in COMMAND_ORDER]
        try:
            await app.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:  # cosmetic: never stop the bot for it
            log.warning("set_my_commands(%s) failed: %s", code, exc)


async def post_shutdown(app: AnyApp) -> None:
    """Close whatever the states keep open (the SQLite store) once updates have finished."""
    closer = getattr(app.bot_data.get("states"), "close", None)
    if closer is not None:
        await closer()


# ------------------------------------------------------------------------- handlers

async def on_text(update: Update, context: Context) -> None:
    """Free text: in private always, in groups only when it is meant for the bot."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    text = addressed_text(message, context.bot.username or "", context.bot.id)
    if text is None:
        return
    state = await _load(update, context)
    service = _service(context)
    if not text.strip():
        reply = service.command("help", state, _hints(update))
    else:
        reply = service.answer(text, state, _hints(update))
    if reply.state.lang != state.lang and not await _language_allowed(update, context):
        await _admins_only(update, context, state)
        return
    await _save(update, context, reply.state)
    await send_reply(update, context, reply)
    if text.strip():
        await _call_hook(context, "on_answer", update, reply, text)


async def on_topic_command(update: Update, context: Context) -> None:
    """``/salary [role] [chart]`` and the other topics; no role: the chat's last, else buttons."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    topic = TOPIC_COMMANDS[_command_name(message)]
    args = list(context.args or [])
    chart = bool(args) and topic in CHART_KINDS and args[-1].casefold() in CHART_WORDS
    if chart:
        args = args[:-1]
    state = await _load(update, context)
    reply = _service(context).topic(topic, " ".join(args), state, _hints(update))
    await _save(update, context, reply.state)
    if chart and reply.role is not None and reply.topic == topic and await _send_chart(
            update, context, reply.role, CHART_KINDS[topic], reply.lang):
        return
    await send_reply(update, context, reply)


async def _send_chart(update: Update, context: Context, role: str, kind: str, lang: str) -> bool:
    """Ask the photos module for the chart; False when the role has no chart of that kind."""
    if not _service(context).charts:
        return False
    sent: bool = await photos.send_chart(update, context, role, kind, lang)
    return sent


async def on_compare(update: Update, context: Context) -> None:
    if update.effective_chat is None:
        return
    state = await _load(update, context)
    reply = _service(context).compare(" ".join(context.args or []), state, _hints(update))
    await _save(update, context, reply.state)
    await send_reply(update, context, reply)


async def on_meta_command(update: Update, context: Context) -> None:
    """``/start [role or role__topic]``, ``/help``, ``/roles``."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    state = await _load(update, context)
    reply = _service(context).command(_command_name(message), state, _hints(update),
                                      " ".join(context.args or []))
    await _save(update, context, reply.state)
    await send_reply(update, context, reply)


async def on_language_command(update: Update, context: Context) -> None:
    """``/language [name]``: buttons, or set it at once; in groups for administrators only."""
    if update.effective_chat is None:
        return
    state = await _load(update, context)
    if not await _language_allowed(update, context):
        await _admins_only(update, context, state)
        return
    reply = _service(context).command("language", state, _hints(update),
                                      " ".join(context.args or []))
    await _save(update, context, reply.state)
    await send_reply(update, context, reply)


async def on_button(update: Update, context: Context) -> None:
    """A pressed inline button; stale ones get a short notice (the service decides)."""
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    state = await _load(update, context)
    action = actions.decode(data, _service(context).known())
    if isinstance(action, actions.SetLanguage) and not await _language_allowed(update, context):
        lang = fallback_language(state, _hints(update))
        await answer_query(query, _service(context).catalog.ui(lang, "bot.language_admins_only"))
        return
    reply = _service(context).press(data, state, _hints(update))
    await _save(update, context, reply.state)
    await answer_query(query, reply.notice)
    if reply.intent == "feedback" and reply.role and reply.topic:
        chat_id, user_id = _ids(update)
        value = 1 if isinstance(action, actions.Feedback) and action.up else -1
        pressed = query.message.message_id if query.message is not None else None
        await _call_hook(context, "on_feedback", chat_id, user_id, reply.role, reply.topic,
                         value, pressed)
    if reply.messages and query.message is not None:
        await send_reply(update, context, reply)


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command nobody handles (``/foo``, in a private chat): say so and show how to ask."""
    message = update.effective_message
    if message is None or _is_registered(context.application, _command_name(message)):
        return
    await send_unknown_command(update, context)


async def send_unknown_command(update: Update, context: Context) -> None:
    """The "I don't know that command" reply; admin refusals reuse it so that a refused
    command looks exactly like one that does not exist."""
    state = await _load(update, context)
    reply = _service(context).command("help", state, _hints(update))
    reply.messages[0] = _service(context).ui(reply.lang, "bot.unknown_command") + "\n\n" \
        + reply.messages[0]
    await send_reply(update, context, reply)


def _is_registered(app: AnyApp, name: str) -> bool:
    """Whether some module (admin, privacy, ...) handles ``/name`` in any handler group."""
    return any(isinstance(h, CommandHandler) and name in h.commands
               for group in app.handlers.values() for h in group)


async def on_non_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice, locations...: a short hint to write the question instead."""
    if update.effective_message is None or update.effective_chat is None:
        return
    state = await _load(update, context)
    lang = fallback_language(state, _hints(update))
    text = _service(context).ui(lang, "bot.non_text")
    await send_reply(update, context, Reply(messages=[text], buttons=[], lang=lang,
                                            intent="non_text", state=state))


async def on_migrate(update: Update, context: Context) -> None:
    """A group became a supergroup: its context and language follow it to the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await migrate_chat(context, message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await migrate_chat(context, message.migrate_from_chat_id, message.chat.id)


async def on_my_membership(update: Update, context: Context) -> None:
    """The bot's own membership or rights in a chat changed: a group that muted it may let it
    write again, so the next reply there is tried."""
    member = update.my_chat_member
    if member is not None:
        rights_changed(context, member.chat.id)


async def tell_flooder(app: AnyApp, update: Update) -> None:
    """The flood rule dropped this update (the first of the flood): tell the chat, once."""
    if update.effective_chat is None:
        return
    context = ContextTypes.DEFAULT_TYPE.from_update(update, app)
    state = await _load(update, context)
    lang = fallback_language(state, _hints(update))
    await send_html(context, update.effective_chat.id, _service(context).ui(lang, "bot.flood"))


async def on_error(update: object, context: Context) -> None:
    """The one error handler: log with the update id, apologise, never show internals.

    (A send given up at a stop, ``StopSending``, never comes here: its update is kept for the
    next start by ``bot.telegram.delivery.dispatch``.)
    """
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, type(context.error).__name__,
              exc_info=context.error)
    if not isinstance(update, Update) or isinstance(context.error, RetryAfter | Forbidden):
        return  # flooding or blocked: another message would not help
    try:
        state = await _load(update, context)
        lang = fallback_language(state, _hints(update))
        text = _service(context).ui(lang, "bot.error")
        if update.callback_query is not None:
            await answer_query(update.callback_query, html_to_text(text))
        elif update.effective_chat is not None and update.effective_message is not None:
            await send_reply(update, context, Reply(messages=[text], buttons=[], lang=lang,
                                                    intent="error", state=state))
    except Exception:  # the apology itself failed: nothing more to do than log it
        log.warning("could not tell the user about the failure of update %s", update_id)


__all__ = ["LANGUAGES", "migrate_chat", "register", "send_html", "send_reply"]
