"""``helpdesk-bot chat``: the Telegram conversation in a terminal, no token needed.

Interactive (standard input is a terminal): line editing and history with the standard
library's ``readline`` (the history is kept 0600 in ``$XDG_STATE_HOME/helpdesk-bot/`` unless
``--no-history``), a welcome, headings in bold where colour is wanted, buttons as numbered
options in rows that fit the width; a number or a button's label presses it. Ctrl-D or Ctrl-C
leave with a newline and exit status 0. How text is shown (bold, bidi, rows) is
:mod:`bot.terminal`.

Piped (standard input not a terminal): one message a line; each reply is printed as plain text
followed by a line holding only ``---`` (SPEC.md).

Commands are those of Telegram (one table: :meth:`AnswerService.slash`). ``/privacy`` and
``/forget`` say they work in Telegram; ``/reload``, ``/stats`` and ``/unanswered`` work for a
``--user-id`` listed in ADMIN_IDS (stats and unanswered questions read the Telegram bot's
database at DATABASE_PATH, if there is one) and tell anyone else how to become one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from bot.answer import AnswerService, Button, ChatState, Reply, fallback_language
from bot.answer.compose import fill
from bot.config import Settings, user_folder
from bot.content.formatting import format_int
from bot.nlu.result import LangHints
from bot.numbers import whole_number
from bot.terminal import (
    Look,
    button_rows,
    label_choice,
    show_html,
    show_plain,
    typed_number,
)
from bot.textfmt import html_to_text

if TYPE_CHECKING:
    from bot.reload import Reloader
    from bot.storage import Store

T = TypeVar("T")

MAX_INPUT = 4096
PROMPT = "> "
HISTORY_LINES = 1000
TELEGRAM_ONLY = ("privacy", "forget")
ADMIN_COMMANDS = ("reload", "stats", "unanswered")


def history_file(env: Mapping[str, str]) -> Path | None:
    """Where the interactive chat keeps its line history (XDG state folder), or None."""
    folder = user_folder(env, "XDG_STATE_HOME", ".local/state")
    return folder / "chat_history" if folder else None


class TerminalChat:
    """One terminal conversation: the chat state and the buttons last shown."""

    def __init__(self, service: AnswerService, lang: str | None = None, *,
                 admin: Admin | None = None) -> None:
        self.service = service
        self.hints = LangHints(telegram=lang)
        self.state = ChatState()
        self.buttons: list[Button] = []
        self.admin = admin  # set when the user is in ADMIN_IDS

    def handle(self, line: str) -> Reply | None:
        """Answer one input line: a button number or label, a /command, or free text."""
        text = line.strip()[:MAX_INPUT]
        if not text:
            return None
        number = typed_number(text)
        label = None if number is not None else label_choice(text, [b.text for b in
                                                                     self.buttons])
        if number is not None and not 1 <= number <= len(self.buttons):
            return self.note("no_such_button", number=number, count=len(self.buttons)) \
                if self.buttons else self.note("no_buttons")
        choice = number or label
        if choice is not None:
            reply = self.service.press(self.buttons[choice - 1].data, self.state, self.hints)
        elif text.startswith("/"):
            reply = self.command(text)
        else:
            reply = self.service.answer(text, self.state, self.hints)
        self.state = reply.state
        if reply.messages:
            self.buttons = [b for row in reply.buttons for b in row]
        return reply

    def command(self, text: str) -> Reply:
        """A ``/command``: Telegram's table, but for what only Telegram or admins can do."""
        name = text[1:].partition(" ")[0].split("@", 1)[0].lower()
        if name in TELEGRAM_ONLY:
            return self.note("telegram_only", command=name)
        if name in ADMIN_COMMANDS:
            if self.admin is None:
                return self.note("admins_only", command=name)
            lang = self.lang
            return self.said(self.admin.run(name, text[1:].partition(" ")[2], lang), lang)
        return self.service.slash(text, self.state, self.hints)

    @property
    def lang(self) -> str:
        """The reply language when there is no text to detect it from."""
        return fallback_language(self.state, self.hints)

    def note(self, key: str, **values: object) -> Reply:
        """A short terminal-only line (``bot.terminal.<key>``); state and buttons stay."""
        lang = self.lang
        numbers = {k: format_int(v, lang) if isinstance(v, int) else v for k, v in values.items()}
        text = fill(self.service.catalog.ui(lang, f"bot.terminal.{key}").replace("**", ""),
                    numbers)
        return Reply(messages=[], buttons=[], lang=lang, intent="terminal", state=self.state,
                     notice=text.strip(), kind="note")

    def said(self, messages: list[str], lang: str) -> Reply:
        """Messages made here (admin replies): no buttons, state unchanged."""
        return Reply(messages=messages, buttons=[], lang=lang, intent="admin", state=self.state,
                     kind="admin")

    def render(self, reply: Reply, look: Look | None = None) -> str:
        """The reply as terminal text: messages, a notice, then the buttons in rows."""
        look = look or Look()
        rtl = reply.lang == "fa"
        parts = [show_html(m, look, rtl) for m in reply.messages]
        if reply.notice:
            parts.append(show_plain(reply.notice, look, rtl))
        if reply.messages and self.buttons:
            # One column spare: a row that fills the last column makes some terminals wrap.
            rows = button_rows([b.text for b in self.buttons], max(look.width - 1, 1))
            parts.append("\n".join(show_plain(row, look, rtl) for row in rows))
        return "\n\n".join(parts)


class Admin:
    """The admin commands, for a ``--user-id`` listed in ADMIN_IDS. The replies are the ones
    Telegram admins get (the same formatting functions), shown as terminal text."""

    def __init__(self, service: AnswerService, settings: Settings) -> None:
        self.service = service
        self.settings = settings
        self._reloader: Reloader | None = None

    def run(self, name: str, args: str, lang: str) -> list[str]:
        from bot.telegram import admin as formats  # the Telegram admin's words, no Telegram

        if name == "reload":
            from bot.reload import Reloader

            if self._reloader is None:
                self._reloader = Reloader(self.service, self.settings.content_dir,
                                          self.settings.intents_dir,
                                          cache_dir=self.settings.model_cache_dir)
            result = asyncio.run(self._reloader.reload("terminal /reload"))
            return formats.format_reload(result, self.service, lang)
        path = self.settings.database_path
        if not path.is_file():
            return [formats.ui_html(self.service, lang, "admin.no_store")]
        if name == "stats":
            days = _argument(args, formats.DEFAULT_DAYS, formats.MAX_DAYS)
            if days is None:
                return [formats.ui_html(self.service, lang, "admin.stats.usage")]
            stats = asyncio.run(self._read(lambda store: store.stats(days)))
            return formats.format_stats(stats, self.service, lang)
        count = _argument(args, formats.DEFAULT_ITEMS, formats.MAX_ITEMS)
        if count is None:
            return [formats.ui_html(self.service, lang, "admin.unanswered.usage")]
        items = asyncio.run(self._read(lambda store: store.unanswered(count)))
        from bot.telegram.teaching import format_unanswered

        return format_unanswered(items, self.service, lang)

    async def _read(self, query: Callable[[Store], Awaitable[T]]) -> T:
        from bot.storage import Store

        store = await Store.open(self.settings.database_path,
                                 retention_days=self.settings.retention_days,
                                 purge_interval=None)
        try:
            return await query(store)
        finally:
            await store.close()


def _argument(args: str, default: int, high: int) -> int | None:
    """The one optional number of /stats and /unanswered, as Telegram reads it."""
    words = args.split()
    if not words:
        return default
    return whole_number(words[0], 1, high) if len(words) == 1 else None


def run_chat(settings: Settings, lang: str | None = None, user_id: int = 1,
             stdin: TextIO | None = None, stdout: TextIO | None = None, *,
             bidi: str = "auto", history: bool = True,
             env: Mapping[str, str] | None = None) -> int:
    """Run the conversation until end of input (or Ctrl-D / Ctrl-C interactively)."""
    from bot.bootstrap import build_checked_service
    from bot.terminal import wants_bidi, wants_colour

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    env = os.environ if env is None else env
    try:
        service = build_checked_service(settings, charts=False)
    except KeyboardInterrupt:  # Ctrl-C while starting: leave as from the prompt
        stdout.write("\n")
        return 0
    admin = Admin(service, settings) if user_id in settings.admin_ids else None
    chat = TerminalChat(service, lang, admin=admin)
    tty = stdout.isatty()
    colour, visual = wants_colour(env, tty), wants_bidi(bidi, env, tty)

    def look() -> Look:  # the width is read again for every reply: terminals get resized
        return Look(colour, visual, shutil.get_terminal_size().columns)

    if stdin.isatty():
        # Ctrl-C leaves even when whatever started us ignored SIGINT (nohup, a test runner's
        # workers): an ignored signal is inherited, and Python then never raises
        # KeyboardInterrupt.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.default_int_handler)
        path = history_file(env) if history else None
        return _interactive(chat, stdin, stdout, look, path)
    try:
        for line in stdin:
            reply = _answer(chat, line)
            if reply is None:
                continue
            stdout.write(chat.render(reply, look()) + "\n---\n")
            stdout.flush()
    except KeyboardInterrupt:
        stdout.write("\n")
    return 0


def _answer(chat: TerminalChat, line: str) -> Reply | None:
    """``chat.handle``, but a failure is the bot's own "something went wrong" reply, as on
    Telegram, and the conversation goes on."""
    try:
        return chat.handle(line)
    except Exception:
        return chat.said([html_to_text(chat.service.ui(chat.lang, "bot.error"))], chat.lang)


def _interactive(chat: TerminalChat, stdin: TextIO, stdout: TextIO,
                 look: Callable[[], Look], history: Path | None) -> int:
    reader = LineReader(stdin, stdout, history)
    try:
        welcome = chat.service.command("start", chat.state, chat.hints)
        chat.buttons = [b for row in welcome.buttons for b in row]
        intro = chat.note("intro")
        stdout.write(chat.render(welcome, look()) + "\n\n" + chat.render(intro, look()) + "\n")
        while True:
            stdout.write("\n")
            stdout.flush()
            reply = _answer(chat, reader.read(PROMPT))
            if reply is not None:
                stdout.write(chat.render(reply, look()) + "\n")
    except (EOFError, KeyboardInterrupt):  # Ctrl-D, Ctrl-C: leave on a line of its own
        stdout.write("\n")
        stdout.flush()
        return 0
    finally:
        reader.save()


class LineReader:
    """``input`` with readline's editing and history on the process's own terminal; a plain
    read otherwise. ``read`` raises EOFError at the end of input."""

    def __init__(self, stdin: TextIO, stdout: TextIO, history: Path | None) -> None:
        self.stdin, self.stdout = stdin, stdout
        self.history = history
        self.readline: Any = None
        if stdin is sys.stdin and stdout is sys.stdout:
            try:
                import readline
            except ImportError:  # a Python built without it: input() works, unedited
                return
            self.readline = readline
            readline.set_history_length(HISTORY_LINES)
            if history is not None:
                with contextlib.suppress(OSError):
                    readline.read_history_file(history)

    def read(self, prompt: str) -> str:
        if self.stdin is sys.stdin and self.stdout is sys.stdout:
            return input(prompt)
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line

    def save(self) -> None:
        """Write the history 0600 in a 0700 folder (it holds the questions asked); a folder
        that cannot be written only costs the history."""
        if self.readline is None or self.history is None:
            return
        from bot.files import create_private, private_folder

        with contextlib.suppress(OSError):
            private_folder(self.history.parent)
            create_private(self.history)
            self.readline.write_history_file(self.history)
