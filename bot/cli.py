"""The ``helpdesk-bot`` command line: run, chat, and the admin/NLU/storage tools.

Every sub-command returns an exit status and every failure ends in clear lines on stderr, never
a traceback: a usage error is one line (exit 2), each configuration problem one line, all of
them at once (exit 2), content problems one ``file:line: message`` each and a summary (exit 1).
A bug the commands did not expect is one line too (exit 1); LOG_LEVEL=DEBUG shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from bot.cliargs import report_content_error
from bot.config import ConfigError, load_settings, offline_settings
from bot.problems import ContentError, describe_os_error
from bot.terminal import BIDI_MODES

TOOL_MODULES = (
    "bot.content.commands",
    "bot.nlu.commands",
    "bot.storage.commands",
    "bot.teach_commands",
    "bot.health",
)

NO_TOKEN_HELP = """\
helpdesk-bot run needs TELEGRAM_BOT_TOKEN: talk to @BotFather in Telegram, send /newbot, and put
the token it gives you in TELEGRAM_BOT_TOKEN (or a .env file). Meanwhile: helpdesk-bot chat"""


def _version() -> str:
    """The installed package's version (the one pyproject.toml declares)."""
    from importlib import metadata

    try:
        return metadata.version("helpdesk-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


class Parser(argparse.ArgumentParser):
    """argparse with a usage error in one line (argparse prints the whole usage first); the
    sub-commands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} -h)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="helpdesk-bot",
        description="A Telegram bot that answers questions about IT helpdesk careers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run the Telegram bot (long polling, or webhook if "
                                     "WEBHOOK_URL is set)",
                         description="Run the Telegram bot: long polling, or a webhook when "
                                     "WEBHOOK_URL is set. Needs TELEGRAM_BOT_TOKEN.")
    run.set_defaults(func=cmd_run)
    chat = sub.add_parser("chat", help="talk to the bot in the terminal (no token needed)",
                          description="Talk to the bot in the terminal: the same answers as "
                                      "on Telegram, no token needed. Type a question, or a "
                                      "button's number or name; Ctrl-D or Ctrl-C leaves. "
                                      "Piped input: one message a line, each reply followed "
                                      "by '---', plain text.")
    chat.add_argument("--lang", help="the Telegram language code the user would have")
    chat.add_argument("--user-id", type=int, default=1,
                      help="the Telegram user id to act as; an id in ADMIN_IDS may use the "
                           "admin commands /reload, /stats and /unanswered (these two read "
                           "the Telegram bot's database, DATABASE_PATH)")
    chat.add_argument("--bidi", choices=BIDI_MODES, default="auto",
                      help="Persian in visual order, for terminals that cannot lay out "
                           "right-to-left text: on, off, or auto (default: on unless the "
                           "terminal is known to do it itself, as GNOME Terminal, Konsole, "
                           "mlterm and macOS Terminal do; inside tmux or screen always on; "
                           "never for piped output)")
    chat.add_argument("--no-history", dest="history", action="store_false",
                      help="keep no line history (by default the lines you type are kept, "
                           "0600, in $XDG_STATE_HOME/helpdesk-bot/chat_history)")
    chat.set_defaults(func=cmd_chat)
    for name in TOOL_MODULES:  # each tool module adds its own sub-commands
        importlib.import_module(name).register(sub)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(require_token=True)
    except ConfigError as exc:
        unset = ("TELEGRAM_BOT_TOKEN", "not set")
        if unset not in exc.problems:
            raise
        for variable, message in exc.problems:  # the others, then how to get a token
            if (variable, message) != unset:
                print(f"helpdesk-bot: {variable}: {message}", file=sys.stderr)
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    from bot.telegram.runner import run_bot

    return run_bot(settings)


def cmd_chat(args: argparse.Namespace) -> int:
    settings = offline_settings()
    from bot.chat import run_chat

    return run_chat(settings, lang=args.lang, user_id=args.user_id, bidi=args.bidi,
                    history=args.history)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    try:
        if func is None:
            # No sub-command: the bot on Telegram when a token is configured, otherwise the
            # same conversation in the terminal, so a fresh checkout always does something
            # useful.
            has_token = load_settings(check_database=False).token is not None
            if not has_token and sys.stdin.isatty():
                print("No TELEGRAM_BOT_TOKEN set, so here is the terminal chat "
                      "(see README to run on Telegram).", file=sys.stderr)
            args = parser.parse_args(["run" if has_token else "chat"])
            func = args.func
        return int(func(args))
    except ConfigError as exc:
        for line in exc.lines():
            print(f"helpdesk-bot: {line}", file=sys.stderr)
        return 2
    except ContentError as exc:
        return report_content_error(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the command needed: which one and why, in words
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"helpdesk-bot: {where}{describe_os_error(exc)}", file=sys.stderr)
        return 1
    except Exception:  # a bug: one line, and the traceback only for whoever asks for it
        if os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG":
            traceback.print_exc()
        print("helpdesk-bot: an unexpected error stopped the command (a bug: please report "
              "it; LOG_LEVEL=DEBUG shows the details).", file=sys.stderr)
        return 1
