"""The ``helpdesk-bot`` command line: run, chat, and the admin/NLU/storage tools.

Every sub-command returns an exit status. Configuration and content errors end in one clear
line on stderr (exit 2 for configuration, 1 for content), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_settings
from bot.problems import ContentError

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
                                      "on Telegram, no token needed. Piped input: one "
                                      "message a line, each reply followed by '---'.")
    chat.add_argument("--lang", help="the Telegram language code the user would have")
    chat.add_argument("--user-id", type=int, default=1, help="the Telegram user id to act as")
    chat.set_defaults(func=cmd_chat)
    for name in TOOL_MODULES:  # each tool module adds its own sub-commands
        importlib.import_module(name).register(sub)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(require_token=True)
    except ConfigError as exc:
        if exc.variable == "TELEGRAM_BOT_TOKEN" and "not set" in str(exc):
            print(NO_TOKEN_HELP, file=sys.stderr)
            return 2
        raise
    from bot.telegram.runner import run_bot

    return run_bot(settings)


def cmd_chat(args: argparse.Namespace) -> int:
    settings = load_settings()
    from bot.chat import run_chat

    return run_chat(settings, lang=args.lang, user_id=args.user_id)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        # No sub-command: the bot on Telegram when a token is configured, otherwise the same
        # conversation in the terminal, so a fresh checkout always does something useful.
        try:
            has_token = load_settings(check_database=False).token is not None
        except ConfigError as exc:
            print(f"helpdesk-bot: {exc}", file=sys.stderr)
            return 2
        if not has_token and sys.stdin.isatty():
            print("No TELEGRAM_BOT_TOKEN set, so here is the terminal chat "
                  "(see README to run on Telegram).", file=sys.stderr)
        args = parser.parse_args(["run" if has_token else "chat"])
        func = args.func
    try:
        return int(func(args))
    except ConfigError as exc:
        print(f"helpdesk-bot: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"helpdesk-bot: content or intents have {len(exc.problems)} problem(s):",
              file=sys.stderr)
        for problem in exc.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
