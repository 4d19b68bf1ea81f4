"""Logging set-up: one line per record, no token, and no line a user can forge.

The bot token is a password: it must never reach a log line or an error message at any level.
httpx/httpcore log every request URL (which contains ``bot<token>``), so they are held at
WARNING, and a filter on every handler redacts ``bot<digits>:<secret>`` and the literal token
from the message, the arguments and any traceback text.

User text reaches the log too: ours (a refused button's callback data, a username) and, at
DEBUG, python-telegram-bot's (every update and every Bot API call, with texts and names). A
newline in such text would start a line of its own that reads like a record of ours
(``2026-01-01 00:00:00,000 CRITICAL ...``), a carriage return or a bidi override would hide
or reorder what a reader sees. So the same filter, the one home of this rule, rewrites every
record: the formatted message keeps no control, line-separator or bidi character (each becomes a
visible escape such as ``\\n`` or ``\\u202e``), and every further line of a traceback is
indented. A line that starts at column 0 is therefore always the start of a real record.

The rewrite happens where each record is made (a log-record factory that :func:`setup_logging`
installs), so every handler sees the clean record whatever order handlers were added in (a log
shipper or a test's capture handler added later would otherwise see python-telegram-bot's
DEBUG line "Set Bot API URL: …/bot<token>"); the filter on our own handler repeats it for
records made without the factory (``logging.makeLogRecord``).
Code that logs user text on purpose also wraps it in :func:`quote`, so that a reader sees
where it begins and ends.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

TOKEN_PATTERN = re.compile(r"(?:bot)?\d{3,20}:[A-Za-z0-9_-]{20,}")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("httpx", "httpcore", "hpack", "tornado.access")
QUOTE_LIMIT = 200  # characters of user text shown in one log line
CONTINUATION = "  "  # what every line of a traceback after the record's first line starts with

# What must not reach a log line as it is: C0 and C1 controls and DEL (``\n``, ``\r``, ESC,
# NEL...), the Unicode line and paragraph separators, the bidi marks, embeddings, overrides
# and isolates, and lone surrogates (which a UTF-8 stream cannot even write).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e"
                    "\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def one_line(text: str) -> str:
    """``text`` with every character that could end, hide or reorder a log line escaped."""
    return UNSAFE.sub(_escape, text)


def quote(text: object, limit: int = QUOTE_LIMIT) -> str:
    """User text as a quoted, escaped, bounded literal, for a log line that names it on purpose.

    The quotes show where the user's words begin and end (a username cannot pose as the rest
    of our sentence), and ``limit`` keeps a 4,096-character message from filling the log.
    """
    value = str(text)
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace anything that looks like a bot token, and the given secrets, with a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return TOKEN_PATTERN.sub("bot<redacted>", text)


def _block(text: str, secrets: tuple[str, ...]) -> str:
    """A traceback or stack: redacted, each line escaped, every line indented (idempotent)."""
    lines = [one_line(line) for line in redact(text, secrets).split("\n")]
    return "\n".join(line if line.startswith(CONTINUATION) else CONTINUATION + line
                     for line in lines)


def clean(record: logging.LogRecord, secrets: tuple[str, ...]) -> None:
    """Rewrite ``record`` so that no token survives formatting and no user text can start a
    log line (see the module docstring); cleaning it twice changes nothing more."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not hide the record
        message = f"{record.msg!r} {record.args!r}"
    record.msg = one_line(redact(message, secrets))
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = _block(text, secrets)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = _block(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = _block(record.stack_info, secrets)


class RedactingFilter(logging.Filter):
    """A handler's filter that cleans (:func:`clean`) each record it is given."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        clean(record, self.secrets)
        return True


class _CleaningFactory:
    """The log-record factory that cleans each record as it is made (installed once; a later
    :func:`setup_logging` only replaces its secrets)."""

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make = make
        self.secrets: tuple[str, ...] = ()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        clean(record, self.secrets)
        return record


def _install_factory(secrets: tuple[str, ...]) -> None:
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _CleaningFactory):
        factory = _CleaningFactory(factory)
        logging.setLogRecordFactory(factory)
    factory.secrets = tuple(s for s in secrets if s)


def setup_logging(level: int | str = "INFO", secrets: tuple[str, ...] = (),
                  stream: TextIO | None = None) -> None:
    """One format for everything, on stderr (or ``stream``); safe to call more than once."""
    _install_factory(secrets)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_helpdesk_bot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
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
