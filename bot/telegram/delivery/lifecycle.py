"""Start and stop of update delivery: the inbox and the limiter wired to the Application, and
PTB's ``run_polling``/``run_webhook`` until a stop signal.

At a stop (``SIGINT``, ``SIGTERM``) PTB stops the updater first; from then on
:meth:`~bot.telegram.delivery.inbox.Inbox.stopping` is true, so updates not started yet stay
in the inbox, a send that would still have to wait gives up (``limiter.StopSending``), and
updates in flight finish; then the Application stops and the process exits 0.
"""

from __future__ import annotations

import logging
import signal
from typing import Any
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.telegram.delivery.inbox import Inbox
from bot.telegram.delivery.limiter import PacedRateLimiter
from bot.telegram.webhook import guarded_webhook

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def connect(app: AnyApp, inbox: Inbox) -> None:
    """Let ``app`` use ``inbox`` (replay at start, confirm at stop, back-pressure), and let
    the limiter see a stop coming, so that no send waits out its back-off then."""
    inbox.attach(app)
    if isinstance(app.bot.rate_limiter, PacedRateLimiter):
        app.bot.rate_limiter.stopping = inbox.stopping


def run(app: AnyApp, settings: Settings) -> None:
    """Long polling, or the webhook when WEBHOOK_URL is set, until a stop signal."""
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/")
        log.info("starting webhook on %s:%s/%s", settings.webhook_listen, settings.webhook_port,
                 path)
        # Config refuses a webhook without a secret; the guard compares it in constant time
        # and caps the body size (bot.telegram.webhook: PTB's server does neither).
        with guarded_webhook(settings.webhook_secret or ""):
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                stop_signals=STOP_SIGNALS,
                close_loop=False,
            )
    else:
        log.info("starting long polling")
        app.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=STOP_SIGNALS,
                        close_loop=False)
