"""No user-controlled string can start a log line (issue 13).

The bot's own log set-up (``bot.logs.setup_logging``, the real format and filter, at DEBUG
where python-telegram-bot logs every update and every call) writes to a buffer while hostile
strings go where a user's words go: into the real Application, over the fake Bot API server, as
message texts, first and last names, usernames, chat titles, command arguments, callback data
(the privacy and admin buttons, which log it) and inline queries. Then every line of the output
must be the first line of a real record: as many lines as records, each starting with the
format's timestamp and level.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.config import Settings
from bot.logs import NOISY, quote, setup_logging
from tests.conftest import TOKEN
from tests.fakes.telegram_server import BOT_USER, callback, inline_query, text_message, user
from tests.reliability.hostile import FAKE_RECORD, LINE_BREAKERS, log_injections
from tests.telegram.conftest import (  # noqa: F401  (start_bot: the fixture itself)
    StartBot,
    assert_clean,
    start_bot,
)

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


@contextlib.contextmanager
def bot_logging(level: str) -> Iterator[LogOutput]:
    """The bot's logging at ``level`` into a buffer; the suite's logging is restored after."""
    root = logging.getLogger()
    before, noisy = root.level, {name: logging.getLogger(name).level for name in NOISY}
    replaced = [h for h in root.handlers if getattr(h, "_helpdesk_bot", False)]
    stream = io.StringIO()
    setup_logging(level, (TOKEN,), stream=stream)
    [ours] = [h for h in root.handlers if getattr(h, "_helpdesk_bot", False)]
    counter = Counter()
    ours.addFilter(counter)
    try:
        yield LogOutput(stream, counter)
    finally:
        root.removeHandler(ours)
        for handler in replaced:
            root.addHandler(handler)
        root.setLevel(before)
        for name, was in noisy.items():
            logging.getLogger(name).setLevel(was)


@pytest.fixture
def log_output() -> Iterator[LogOutput]:
    """The bot's logging at DEBUG, where the most user text reaches the log."""
    with bot_logging("DEBUG") as output:
        yield output


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


# ---------------------------------------------------------------------------- the real bot

ADMIN = 4242
GROUP = -1004242


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with an admin, so that admin buttons and commands run too."""
    return replace(settings, admin_ids=frozenset({ADMIN}))


def _hostile_user(user_id: int, text: str) -> dict[str, Any]:
    return {**user(user_id, "en", username=text), "first_name": text, "last_name": text}


def _updates(number: int, text: str) -> list[dict[str, Any]]:
    """Every place one hostile text can enter by, each update in a chat of its own."""
    someone = 10_000 + number * 10
    group = text_message(f"@{BOT_USER['username']} {text}", chat_id=GROUP - number,
                         from_user=_hostile_user(someone + 1, text))
    group["message"]["chat"]["title"] = text
    admin = user(ADMIN, "en")
    return [
        text_message(text, chat_id=someone, from_user=_hostile_user(someone, text)),
        group,
        text_message(f"/stats {text}", chat_id=someone + 2,
                     from_user=_hostile_user(someone + 2, text)),  # refused: names logged
        callback(f"pv:forget:{text}", chat_id=someone + 3,
                 from_user=_hostile_user(someone + 3, text)),  # privacy logs the owner
        callback(f"adm:stats:{text}", chat_id=someone + 4,
                 from_user=_hostile_user(someone + 4, text)),  # refused: data logged
        callback(text, chat_id=someone + 5, from_user=_hostile_user(someone + 5, text)),
        inline_query(text, from_user=_hostile_user(someone + 6, text)),
        callback(f"adm:unans:{text}", chat_id=ADMIN, from_user=admin),  # the admin's own
        text_message(f"/unanswered {text}", chat_id=ADMIN, from_user=admin),
    ]


async def _log_carelessly(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What a future handler might do: log user text raw with ``%s``. The filter must cope."""
    message, query = update.effective_message, update.callback_query
    user, chat = update.effective_user, update.effective_chat
    careless = logging.getLogger("bot.telegram.careless")
    careless.info("text %s", message.text if message else None)
    careless.info("from %s %s @%s", user.first_name if user else None,
                  user.last_name if user else None, user.username if user else None)
    careless.info("chat %s; button %s; inline %s", chat.title if chat else None,
                  query.data if query else None,
                  update.inline_query.query if update.inline_query else None)


def _add_careless_logging(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, _log_carelessly), group=-9)


async def test_hostile_user_text_never_starts_a_log_line(
        log_output: LogOutput, start_bot: StartBot) -> None:  # noqa: F811
    bot = await start_bot(setup=_add_careless_logging)
    texts = log_injections(len(LINE_BREAKERS) + 3)
    for number, text in enumerate(texts):
        await bot.send_all(_updates(number, text), timeout=60)
    assert log_output.forged_lines() == []
    output = log_output.stream.getvalue()
    # The texts did reach the log (escaped, inside lines): from PTB at DEBUG and from us.
    assert output.count(FAKE_RECORD) >= len(texts) * 9
    assert output.count("bot.telegram.careless: text ") == len(texts) * 9
    assert output.count("refused /forget button of user '") == len(texts)
    assert output.count("refused button 'adm:stats:") == len(texts)
    assert output.count("admin button with unusable data 'adm:unans:") == len(texts)
    assert_clean(bot.server)


# ---------------------------------------------------------------------------- what /privacy says


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_privacy_tells_the_truth_about_the_log(
        level: str, start_bot: StartBot) -> None:  # noqa: F811
    """/privacy: normally the log holds no message text or name, only ids and the username of
    someone refused an admin command; at LOG_LEVEL=DEBUG it holds everything sent."""
    who = {**user(7401, "en", username="wombat_user"), "first_name": "Quokka",
           "last_name": "Numbat"}
    with bot_logging(level) as output:
        bot = await start_bot()
        await bot.send_all([
            text_message("zebrafinch printer trouble", chat_id=7401, from_user=who),
            text_message("/stats", chat_id=7402, from_user=who),  # refused: not an admin
            callback("t:helpdesk-specialist:skills", chat_id=7403, from_user=who),
            inline_query("zebrafinch salary", from_user=who),
        ])
    log = output.stream.getvalue()
    private = ("zebrafinch", "Quokka", "Numbat")
    if level == "INFO":
        assert [word for word in private if word in log] == []
        named = [line for line in output.lines() if "wombat_user" in line]
        assert named and all("refused /stats" in line for line in named), named
    else:
        assert all(word in log for word in private)
