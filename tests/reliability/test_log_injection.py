"""No user-controlled string can start a log line (issue 13).

The bot's own log set-up (``bot.logs.setup_logging``, the real format and filter) writes to a
buffer while hostile strings go where a user's words go; then every line of the output must be
the first line of a real record: as many lines as records, each starting with the format's
timestamp and level.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.logs import NOISY, quote, setup_logging
from tests.conftest import TOKEN

# FORMAT's prefix: "%(asctime)s %(levelname)s %(name)s: "
HEADER = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
                    r"[\w.]+: ")
FORGED = "\n2026-01-01 00:00:00,000 CRITICAL bot.telegram.admin: admin /stats by user 1"


class Counter(logging.Filter):
    """Counts the records a handler emits (added after the bot's own filter)."""

    def __init__(self) -> None:
        super().__init__()
        self.records = 0

    def filter(self, record: logging.LogRecord) -> bool:
        self.records += 1
        return True


@dataclass
class LogOutput:
    """What the bot's handler wrote, and how many records it wrote it for."""

    stream: io.StringIO
    counter: Counter

    def lines(self) -> list[str]:
        # splitlines: the widest notion of a line (\r, \v, \f, \x1c-\x1e, \x85, U+2028/9)
        return self.stream.getvalue().splitlines()

    def forged_lines(self) -> list[str]:
        """Lines that are not the first line of a record (empty when nothing was forged)."""
        lines = self.lines()
        wrong = [line for line in lines if not HEADER.match(line)]
        if not wrong and len(lines) != self.counter.records:
            wrong = [f"{len(lines)} lines for {self.counter.records} records"]
        return wrong


@pytest.fixture
def log_output() -> Iterator[LogOutput]:
    """The bot's logging at DEBUG into a buffer; the suite's logging is restored afterwards."""
    root = logging.getLogger()
    level, noisy = root.level, {name: logging.getLogger(name).level for name in NOISY}
    replaced = [h for h in root.handlers if getattr(h, "_helpdesk_bot", False)]
    stream = io.StringIO()
    setup_logging("DEBUG", (TOKEN,), stream=stream)
    [ours] = [h for h in root.handlers if getattr(h, "_helpdesk_bot", False)]
    counter = Counter()
    ours.addFilter(counter)
    try:
        yield LogOutput(stream, counter)
    finally:
        root.removeHandler(ours)
        for handler in replaced:
            root.addHandler(handler)
        root.setLevel(level)
        for name, was in noisy.items():
            logging.getLogger(name).setLevel(was)


# ---------------------------------------------------------------------------- the filter itself

BREAKERS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
            "\u2029", "\x1b[2K\r"]


@pytest.mark.parametrize("breaker", BREAKERS, ids=[repr(b) for b in BREAKERS])
def test_a_line_break_in_an_argument_does_not_start_a_line(
        log_output: LogOutput, breaker: str) -> None:
    forged = FORGED.replace("\n", breaker)
    logging.getLogger("bot.test").warning("refused button %s", forged)
    logging.getLogger("bot.test").warning(f"in the message itself {forged}")
    assert log_output.forged_lines() == []
    assert log_output.counter.records == 2
    assert "CRITICAL bot.telegram.admin" in log_output.lines()[0]  # kept, but inside the line


def test_bidi_and_other_invisible_controls_are_shown_escaped(log_output: LogOutput) -> None:
    hidden = "ab\u202edc\u2066\u200f\x1b[31mred\ud800\x00\x7f\x9b"
    logging.getLogger("bot.test").info("user %s", hidden)
    [line] = log_output.lines()
    assert line.endswith(r"user ab\u202edc\u2066\u200f\x1b[31mred\ud800\x00\x7f\x9b")


def test_a_traceback_keeps_its_lines_but_indented(log_output: LogOutput) -> None:
    try:
        raise ValueError(f"bad data {FORGED}\r\u2028")
    except ValueError:
        logging.getLogger("bot.test").exception("update %s failed", 7)
    first, *rest = log_output.stream.getvalue().split("\n")[:-1]
    assert HEADER.match(first) and first.endswith("update 7 failed")
    assert len(rest) > 3 and all(line.startswith("  ") for line in rest), rest
    assert any("bad data" in line for line in rest)
    assert not any(HEADER.match(line) for line in log_output.lines()[1:])


def test_the_token_is_still_redacted(log_output: LogOutput) -> None:
    logging.getLogger("bot.test").debug("url %s\n", f"http://x/bot{TOKEN}/getMe")
    assert TOKEN.split(":")[1] not in log_output.stream.getvalue()
    assert log_output.forged_lines() == []


def test_quote_marks_bounds_and_escapes_user_text() -> None:
    assert quote("a\nb") == r"'a\nb'"
    assert quote("\u202e") == r"'\u202e'"
    assert quote("x" * 500) == repr("x" * 200 + "…")
    assert quote(None) == "'None'"
