"""``helpdesk-bot chat``: the Telegram conversation in a terminal, no token needed.

Interactive: a prompt, replies as plain text, buttons as numbered options (type the number to
press one). Piped (stdin not a terminal): one message a line; each reply is printed as plain text
followed by a line holding only ``---`` (SPEC.md).
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.answer import AnswerService, Button, ChatState, Reply
from bot.config import Settings
from bot.nlu.result import LangHints
from bot.numbers import whole_number
from bot.textfmt import html_to_text

MAX_INPUT = 4096


class TerminalChat:
    """One terminal conversation: the chat state and the buttons last shown."""

    def __init__(self, service: AnswerService, lang: str | None = None) -> None:
        self.service = service
        self.hints = LangHints(telegram=lang)
        self.state = ChatState()
        self.buttons: list[Button] = []

    def handle(self, line: str) -> Reply | None:
        """Answer one input line: a button number, a /command, or free text."""
        text = line.strip()[:MAX_INPUT]
        if not text:
            return None
        number = whole_number(text, 1, len(self.buttons))
        if number is not None:
            reply = self.service.press(self.buttons[number - 1].data, self.state, self.hints)
        elif text.startswith("/"):
            reply = self.command(text)
        else:
            reply = self.service.answer(text, self.state, self.hints)
        self.state = reply.state
        if reply.messages:
            self.buttons = [b for row in reply.buttons for b in row]
        return reply

    def command(self, text: str) -> Reply:
        return self.service.slash(text, self.state, self.hints)

    def render(self, reply: Reply) -> str:
        parts = [html_to_text(m) for m in reply.messages]
        if reply.notice:
            parts.append(reply.notice)
        if reply.messages and self.buttons:
            parts.append("  ".join(f"[{i}] {b.text}" for i, b in enumerate(self.buttons, 1)))
        return "\n\n".join(parts)


def run_chat(settings: Settings, lang: str | None = None, user_id: int = 1,
             stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the conversation until end of input (or Ctrl-D / Ctrl-C interactively)."""
    from bot.bootstrap import build_checked_service

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    chat = TerminalChat(build_checked_service(settings, charts=False), lang)
    if stdin.isatty():
        return _interactive(chat, stdin, stdout)
    for line in stdin:
        reply = chat.handle(line)
        if reply is None:
            continue
        stdout.write(chat.render(reply) + "\n---\n")
        stdout.flush()
    return 0


def _interactive(chat: TerminalChat, stdin: TextIO, stdout: TextIO) -> int:
    welcome = chat.service.command("start", chat.state, chat.hints)
    chat.buttons = [b for row in welcome.buttons for b in row]
    stdout.write(chat.render(welcome) + "\n(Type a question, a number to press a button, or "
                 "Ctrl-D to leave.)\n")
    while True:
        stdout.write("\n> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\n")
            return 0
        reply = chat.handle(line)
        if reply is not None:
            stdout.write(chat.render(reply) + "\n")
