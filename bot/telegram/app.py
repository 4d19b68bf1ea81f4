"""The Application factory: nothing happens at import; ``build_application`` wires it all.

Handlers are thin: they turn an Update into a call on :class:`bot.service.AnswerService` and
send the :class:`bot.service.Reply` back. Groups: 0 commands, 1 callbacks, inline queries and
group migrations, 2 free text, 3 non-text hints (see ``handlers.register``). Admin commands use
group -1 (``bot.telegram.admin``).

Throughput: :class:`~bot.telegram.pacing.PacedRateLimiter` keeps within Telegram's flood limits
and :class:`~bot.telegram.pacing.PerChatUpdateProcessor` runs chats side by side, each chat's
updates in order.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import Any

from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import BaseRequest

from bot.config import Settings
from bot.service import AnswerService
from bot.telegram import handlers
from bot.telegram.pacing import PacedRateLimiter, PerChatUpdateProcessor
from bot.telegram.state import ChatStates, MemoryChatStates

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    service: AnswerService,
    states: ChatStates | None = None,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    update_queue: asyncio.Queue[object] | None = None,
    rate_limiter: bool | BaseRateLimiter[Any] = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the PTB Application for ``settings``; ``request`` lets tests run it offline.

    ``rate_limiter``: True for the default pacing, False for none (offline tests), or a
    limiter of one's own (tests with relaxed limits).
    """
    if not settings.token:
        raise ValueError("a token is needed to build the Telegram application")
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .post_init(handlers.post_init)
        .post_shutdown(handlers.post_shutdown)
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if rate_limiter is True:
        builder = builder.rate_limiter(PacedRateLimiter())
    elif isinstance(rate_limiter, BaseRateLimiter):
        builder = builder.rate_limiter(rate_limiter)
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if update_queue is not None:
        builder = builder.update_queue(update_queue)
    app = builder.build()
    app.bot_data["service"] = service
    app.bot_data["states"] = states if states is not None else MemoryChatStates()
    app.bot_data["settings"] = settings
    handlers.register(app)
    register_optional_modules(app)
    return app


OPTIONAL_MODULES = ("bot.telegram.admin", "bot.telegram.privacy", "bot.telegram.photos")


def register_optional_modules(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Let admin, privacy and photo modules add their handlers when they are installed.

    They are built in parallel with this module; a missing one is skipped, but an import
    error inside one that exists is a real bug and propagates.
    """
    for name in OPTIONAL_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.debug("optional module %s not installed", name)
            continue
        module.register(app)
