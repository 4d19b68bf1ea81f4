"""Scenario 8: run the whole suite with ``LOG_LEVEL=DEBUG`` and count token leaks in the logs.

With ``LOG_LEVEL=DEBUG`` in the environment, logging is set up at session start the way
``helpdesk-bot run`` sets it up (``bot.logs.setup_logging`` with the token as a secret, at
DEBUG), and a last root handler formats every record of the session, exceptions included, and
counts those that still hold the token (whole, or its secret part). Any such record fails the
session. The hooks are imported by ``tests/conftest.py``; without the variable they do nothing.
In a parallel run (pytest-xdist) each worker counts its own records and hands its counts to the
controller, which adds them up, reports them and fails the run on a leak.

    LOG_LEVEL=DEBUG .venv/bin/pytest
"""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest

from bot.logs import setup_logging
from tests.reliability.scenarios import TOKEN

SECRETS = (TOKEN, TOKEN.split(":", 1)[1])


class TokenCounter(logging.Handler):
    """Formats each record as a log file would show it and keeps those holding the token."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records = 0
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = self.format(record)
        except Exception:  # a broken record is not a leak; count its raw parts instead
            text = f"{record.msg!r} {record.args!r}"
        if any(secret in text for secret in SECRETS) and len(self.leaks) < 50:
            self.leaks.append(text[:400])


_counter: TokenCounter | None = None
_workers: list[tuple[int, list[str]]] = []  # (records, leaks) of each finished xdist worker


def _last(counter: TokenCounter) -> None:
    """Keep the counter after the bot's redacting handler (a test may have re-added that)."""
    root = logging.getLogger()
    if root.handlers and root.handlers[-1] is counter:
        return
    if counter in root.handlers:
        root.removeHandler(counter)
    root.addHandler(counter)


def pytest_configure(config: pytest.Config) -> None:
    global _counter
    if os.environ.get("LOG_LEVEL", "").upper() != "DEBUG":
        return
    setup_logging("DEBUG", (TOKEN,))
    _counter = TokenCounter()
    logging.getLogger().addHandler(_counter)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _counter is not None:
        _last(_counter)
        if logging.getLogger().level > logging.DEBUG:
            logging.getLogger().setLevel(logging.DEBUG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _counter is None:
        return
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: the controller judges the run
        output["token_guard"] = (_counter.records, _counter.leaks)
    if _leaks():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """xdist (controller): a worker has finished; keep its counts."""
    found = getattr(node, "workeroutput", {}).get("token_guard")
    if found is not None:
        _workers.append((int(found[0]), list(found[1])))


def _records() -> int:
    return (_counter.records if _counter else 0) + sum(n for n, _ in _workers)


def _leaks() -> list[str]:
    return (_counter.leaks if _counter else []) + [x for _, leaks in _workers for x in leaks]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _counter is None:
        return
    leaks = _leaks()
    terminalreporter.write_line(
        f"token guard (LOG_LEVEL=DEBUG): {_records()} log records, {len(leaks)} with the token")
    for leak in leaks[:10]:
        terminalreporter.write_line(f"  LEAK: {leak}")
