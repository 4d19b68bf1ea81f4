"""``helpdesk-bot run``: long polling by default, a webhook when WEBHOOK_URL is set.

PTB's ``run_polling``/``run_webhook`` stop on SIGINT and SIGTERM: updates in flight finish,
``post_shutdown`` closes the store, and the process exits 0.
"""

from __future__ import annotations

import logging
import signal
from urllib.parse import urlparse

from telegram import Update

from bot.bootstrap import build_service
from bot.config import Settings
from bot.logs import setup_logging
from bot.telegram.app import build_application

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_bot(settings: Settings) -> int:
    """Run until stopped; returns the exit status."""
    secrets = tuple(s for s in (settings.token, settings.webhook_secret) if s)
    setup_logging(settings.log_level, secrets)
    service = build_service(settings)
    app = build_application(settings, service)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/")
        log.info("starting webhook on %s:%s/%s", settings.webhook_listen, settings.webhook_port,
                 path)
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            stop_signals=STOP_SIGNALS,
        )
    else:
        log.info("starting long polling")
        app.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=STOP_SIGNALS)
    log.info("stopped")
    return 0
