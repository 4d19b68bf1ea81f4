"""Logging set-up with token redaction.

The bot token is a password: it must never reach a log line or an error message at any level.
httpx/httpcore log every request URL (which contains ``bot<token>``), so they are held at
WARNING, and a filter on every handler redacts ``bot<digits>:<secret>`` and the literal token
from the message, the arguments and any traceback text.
"""

from __future__ import annotations

import logging
import re
import sys

TOKEN_PATTERN = re.compile(r"(?:bot)?\d{3,20}:[A-Za-z0-9_-]{20,}")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("httpx", "httpcore", "hpack", "tornado.access")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace anything that looks like a bot token, and the given secrets, with a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return TOKEN_PATTERN.sub("bot<redacted>", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no token survives formatting."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text, self.secrets)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def setup_logging(level: int | str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """One format for everything, on stderr; safe to call more than once."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_helpdesk_bot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    handler._helpdesk_bot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def install_redaction(secrets: tuple[str, ...]) -> None:
    """Add the redacting filter to every root handler (e.g. pytest's capture handlers)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(secrets))
