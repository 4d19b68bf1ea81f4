"""The weekly digest: each admin gets the usage picture, the week's 👎 count and the ten
questions the bot most often could not answer well, each with its teach buttons.

Off by default; ``WEEKLY_DIGEST`` (``mon 08:00``, UTC) turns it on and
``bot.telegram.runner.schedule_jobs`` runs :func:`weekly_digest` as a JobQueue job. Admins are
``ADMIN_IDS``; the digest goes to their private chats, in the language each chose there. Sends
follow the one failure policy (``bot.telegram.delivery.sending``, ``photos.send_picture``): a
refusal (an admin who blocked the bot) ends that admin's digest, and any other failure is logged;
neither stops the digest of the others. Buttons are the ``/unanswered`` cards' and are verified
on every press like them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram.ext import ContextTypes

from bot.answer import ChatState, fallback_language
from bot.config import Settings
from bot.content import formatting as fmt
from bot.nlu.result import LangHints
from bot.telegram.admin import send_stats
from bot.telegram.adminui import send, service_of, store_of, ui_html
from bot.telegram.delivery.limiter import StopSending
from bot.telegram.delivery.sending import send_html
from bot.telegram.teaching import card, teacher_of

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
DAYS = 7
QUESTIONS = 10


async def weekly_digest(context: Context) -> None:
    """The JobQueue job: the digest to every admin, one after the other."""
    settings: Settings = context.bot_data["settings"]
    sent = 0
    for admin_id in sorted(settings.admin_ids):
        try:
            sent += await send_digest(context, admin_id)
        except StopSending:  # the bot is stopping: the rest waits for next week
            raise
        except Exception:  # one admin's failure must not cost the others their digest
            log.exception("weekly digest to admin %s failed", admin_id)
    log.info("weekly digest sent to %d of %d admin(s)", sent, len(settings.admin_ids))


async def _lang(context: Context, admin_id: int) -> str:
    """The language the admin chose in their private chat (else the bot's default)."""
    states = context.bot_data.get("states")
    state = ChatState()
    if states is not None:
        try:
            state = await states.load(admin_id, admin_id)
        except Exception as exc:  # a broken store must not hide the digest
            log.warning("could not load the state of admin %s: %s", admin_id, exc)
    return fallback_language(state, LangHints())


async def send_digest(context: Context, admin_id: int) -> bool:
    """One admin's digest; False when it was not (completely) delivered."""
    service = service_of(context)
    store = store_of(context)
    lang = await _lang(context, admin_id)
    if store is None:
        await send(context, admin_id, [ui_html(service, lang, "admin.no_store")])
        return False
    until = datetime.now(UTC)
    since = until - timedelta(days=DAYS)
    stats = await store.stats(DAYS)
    head = [ui_html(service, lang, "admin.digest.title",
                    since=fmt.format_date(stats.since.isoformat(), lang),
                    until=fmt.format_date(stats.until.isoformat(), lang)),
            ui_html(service, lang, "admin.digest.dislikes",
                    count=fmt.format_int(stats.thumbs_down, lang))]
    if await send_html(context, admin_id, "\n".join(head)) is None:
        return False
    if not await send_stats(context, admin_id, lang, DAYS):
        return False
    items = await store.frequent_unanswered(QUESTIONS, since=since)
    if not items:
        return await send_html(context, admin_id,
                               ui_html(service, lang, "admin.digest.none")) is not None
    if await send_html(context, admin_id, ui_html(service, lang, "admin.digest.unanswered",
                                                  count=fmt.format_int(len(items), lang))) is None:
        return False
    teacher = teacher_of(context)
    for i, item in enumerate(items, start=1):
        guesses = teacher.guesses(item) if teacher is not None else []
        text, markup = card(item, i, guesses, service, lang)
        if await send_html(context, admin_id, text, markup) is None:
            return False
    return True


__all__ = ["send_digest", "weekly_digest"]
