"""The Application factory: nothing happens at import; ``build_application`` wires it all.

Handlers are thin: they turn an Update into a call on :class:`bot.answer.AnswerService` and
send the :class:`bot.answer.Reply` back. Groups: 0 commands, 1 callbacks, inline queries and
group migrations, 2 free text, 3 non-text hints (see ``handlers.register``). Admin commands use
group -1 (``bot.telegram.admin``).

Throughput (``bot.telegram.delivery``): :class:`~.limiter.PacedRateLimiter` keeps within
Telegram's flood limits and :class:`~.processor.PerChatUpdateProcessor` runs chats side by
side, each chat's updates in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import BaseRequest, HTTPXRequest

from bot.answer import AnswerService
from bot.config import Settings
from bot.telegram import admin, handlers, photos, privacy, store_states
from bot.telegram.delivery.dispatch import DeliveryApplication
from bot.telegram.delivery.limiter import PacedRateLimiter
from bot.telegram.delivery.processor import PerChatUpdateProcessor
from bot.telegram.delivery.requests import ServerFailureRequest
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
        .application_class(DeliveryApplication)  # claim before, finish after every update
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
    # Every send goes through the one failure policy (see delivery.limiter.not_delivered).
    builder = builder.request(ServerFailureRequest(
        request if request is not None else HTTPXRequest(connection_pool_size=256)))
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if update_queue is not None:
        builder = builder.update_queue(update_queue)
    app = builder.build()
    app.bot_data["service"] = service
    app.bot_data["states"] = states if states is not None else MemoryChatStates()
    app.bot_data["settings"] = settings
    handlers.register(app)
    store_states.register(app)  # the analytics hooks, held until their update's finish
    admin.register(app)
    privacy.register(app)
    photos.register(app)
    return app

