"""The terminal chat (issue 14): the pure helpers of bot/terminal.py, the conversation object,
and `helpdesk-bot chat` driven as people use it: piped, and on a real terminal (a pty)."""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answer import AnswerService
from bot.chat import Admin, TerminalChat
from bot.config import Settings
from bot.constants import LANGUAGES
from bot.rtl import visual_order
from bot.terminal import (
    BOLD,
    NORMAL,
    Look,
    button_rows,
    display_width,
    label_choice,
    show_html,
    terminal_does_bidi,
    typed_number,
    wants_bidi,
    wants_colour,
)

ISOLATES_AND_MARKS = "\u2066\u2067\u2068\u2069\u200e\u200f"
LABELS = ["📄 Pay", "Overview", "Duties", "Skills", "Interview", "Education", "Career",
          "Workplace", "Qualities", "Tools", "Certificates", "Job market", "Compare with…",
          "👍", "👎"]


# ------------------------------------------------------------------ pure helpers


@pytest.mark.parametrize("width", [12, 20, 35, 60, 80, 200])
def test_button_rows_fit_the_width_and_keep_every_label_whole(width: int) -> None:
    rows = button_rows(LABELS, width)
    items = [f"[{n}] {label}" for n, label in enumerate(LABELS, 1)]
    assert "  ".join(rows) == "  ".join(items)  # all of them, in order, none cut
    for row in rows:
        assert display_width(row) <= width or row in items  # only a lone item may be wider
    if width >= 80:
        assert len(rows) <= 3
    # Each row is as full as it can be: the next row's first item would not have fitted.
    for row, following in itertools.pairwise(rows):
        first = following.split("  ")[0]
        assert display_width(f"{row}  {first}") > width


def test_a_label_wider_than_the_terminal_gets_its_own_row() -> None:
    assert button_rows(["a", "x" * 30, "b"], 10) == ["[1] a", "[2] " + "x" * 30, "[3] b"]


def test_display_width_counts_wide_and_invisible_characters() -> None:
    assert display_width("👍") == 2
    assert display_width("Pay") == 3
    assert display_width("می\u200cخواهم") == 7  # the non-joiner takes no column
    assert display_width("e\u0301") == 1  # a combining accent neither


@pytest.mark.parametrize(("text", "number"), [
    ("3", 3), (" 12 ", 12), ("۳", 3), ("٣", 3), ("0", 0), ("99", 99),
    ("²", None), ("-1", None), ("3a", None), ("3.0", None), ("", None), ("three", None)])
def test_typed_number(text: str, number: int | None) -> None:
    assert typed_number(text) == number


@pytest.mark.parametrize(("text", "number"), [
    ("Skills", 4), ("skills", 4), ("  SKILLS ", 4), ("pay", 1), ("📄 Pay", 1),
    ("compare with", 13), ("Compare with…", 13), ("job market", 12), ("👍", 14), ("👎", 15),
    ("skill", None), ("what are the skills", None), ("", None), ("…", None),
    ("pay?", None), ("skills?", None)])  # a question mark makes it a question
def test_a_typed_label_names_its_button(text: str, number: int | None) -> None:
    assert label_choice(text, LABELS) == number


def test_text_for_the_terminal_loses_marks_and_controls_and_gets_bold() -> None:
    markup = ("<b>Pay</b>\n\u200fLowest \u2068IT\u2069 &amp; more\x1b[2J\x07\n"
              "<i>Source</i>: <a href='x'>site</a>")
    plain = show_html(markup, Look(colour=False))
    assert plain == "Pay\nLowest IT & more[2J\nSource: site"
    coloured = show_html(markup, Look(colour=True))
    assert coloured.startswith(f"{BOLD}Pay{NORMAL}\n")
    assert coloured.count("\x1b") == 2  # ours only: the text's ESC is gone
    # A bold span over two lines is closed at the end of each line.
    assert show_html("<b>a\nb</b>", Look(colour=True)) == f"{BOLD}a{NORMAL}\n{BOLD}b{NORMAL}"


def test_persian_in_visual_order_only_when_bidi_is_on() -> None:
    line = "<b>\u200fحقوق \u2068IT Service Desk\u2069 (ایران)</b>"
    logical = show_html(line, Look(bidi=False), rtl=True)
    assert logical == "حقوق IT Service Desk (ایران)"
    aligned = show_html(line, Look(bidi=True), rtl=True)
    assert display_width(aligned) == 79  # a right-to-left paragraph ends at the right edge
    visual = aligned.lstrip()
    assert not set(visual) & set(ISOLATES_AND_MARKS)
    # Drawn left to right: the bracketed country comes first, mirrored so it still reads
    # "(...)", the Latin name keeps its own order, the first word is at the right end.
    assert visual.startswith("(") and ")" in visual[:8]
    assert "IT Service Desk" in visual
    assert visual.index("IT Service Desk") < len(visual) - 6
    assert "حقوق" not in visual  # joined: presentation forms, in reverse
    bold = show_html(line, Look(bidi=True, colour=True), rtl=True).lstrip()
    assert bold == f"{BOLD}{visual}{NORMAL}"  # a whole bold line stays bold
    assert show_html("Pay (Iran)", Look(bidi=True)) == "Pay (Iran)"  # no Persian: untouched


def test_a_long_persian_line_is_wrapped_before_it_is_reordered() -> None:
    """The terminal must not wrap a visual line (its first row would be the sentence's end):
    rows are cut here, each reordered and aligned right, and read top to bottom."""
    words = ["کمترین", "حقوق", "۲۰", "میلیون،", "میانه‌ی", "حقوق", "۳۵", "میلیون", "و",
             "بیشترین", "حقوق", "۴۵", "میلیون", "(ایران)."]
    look = Look(bidi=True, width=24)
    rows = show_html("\u200f" + " ".join(words), look, rtl=True).split("\n")
    assert len(rows) >= 3
    assert all(display_width(row) == 23 for row in rows)  # right-aligned, one column spare
    first_word = visual_order("کمترین")
    assert rows[0].endswith(first_word)  # the first word at the right edge of the first row
    assert rows[-1].lstrip().startswith(".(")  # the last words at the left of the last row
    assert show_html(" ".join(words), Look(bidi=False, width=24)).count("\n") == 0


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({"TERM": "xterm-256color"}, True, True),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, True, False),
    ({"TERM": "xterm-256color", "NO_COLOR": ""}, True, True),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "xterm-256color"}, False, False),
])
def test_colour_only_on_a_terminal_without_no_color(env: dict[str, str], tty: bool,
                                                    expected: bool) -> None:
    assert wants_colour(env, tty) is expected


@pytest.mark.parametrize(("env", "does"), [
    ({"TERM": "xterm"}, False),
    ({"TERM": "linux"}, False),
    ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, True),
    ({"TERM": "xterm-256color", "VTE_VERSION": "5202"}, False),  # before VTE's bidi
    ({"TERM": "tmux-256color", "VTE_VERSION": "7600", "TMUX": "/tmp/t,1,0"}, False),
    ({"TERM": "screen", "VTE_VERSION": "7600"}, False),
    ({"TERM": "xterm-256color", "KONSOLE_VERSION": "230800"}, True),
    ({"TERM": "mlterm"}, True),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"}, True),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, False),
])
def test_which_terminals_lay_out_persian_themselves(env: dict[str, str], does: bool) -> None:
    assert terminal_does_bidi(env) is does
    assert wants_bidi("auto", env, True) is not does
    assert wants_bidi("auto", env, False) is False  # piped: logical order for programs
    assert wants_bidi("on", env, False) is True and wants_bidi("off", env, True) is False


# ------------------------------------------------------------------ the conversation object


def test_a_number_out_of_range_gets_a_hint_not_the_fallback(service: AnswerService) -> None:
    chat = TerminalChat(service, "en")
    page = chat.handle("what does a helpdesk specialist earn")
    assert page is not None and chat.buttons
    shown, state = list(chat.buttons), chat.state
    for typed in ("99", "0", "۹۹"):
        hint = chat.handle(typed)
        assert hint is not None and not hint.fallback and hint.messages == []
        assert hint.notice is not None and f"1 to {len(shown)}" in hint.notice
        assert chat.buttons == shown and chat.state == state  # nothing else changed
    assert "no button 99" in chat.render(chat.handle("99") or page)
    empty = TerminalChat(service, "en").handle("3")
    assert empty is not None and empty.notice == \
        "There are no buttons to press right now: ask a question instead."


def test_a_typed_label_presses_its_button(service: AnswerService) -> None:
    by_label, by_number = TerminalChat(service, "en"), TerminalChat(service, "en")
    for chat in (by_label, by_number):
        chat.handle("what does a helpdesk specialist earn")
    got: dict[str, str] = {}
    for typed, label in (("skills", "Skills"), ("👍", "👍"), ("compare with", "Compare with…")):
        labels = [b.text for b in by_number.buttons]
        pressed = by_number.handle(str(labels.index(label) + 1))
        reply = by_label.handle(typed)
        assert pressed is not None and reply is not None
        assert (reply.messages, reply.notice) == (pressed.messages, pressed.notice), typed
        got[typed] = by_label.render(reply)
    # What only a press gives (as free text these are the thanks intent and a tools page):
    assert got["👍"] == "Thanks for the feedback!"
    assert got["compare with"].startswith("Compare Helpdesk specialist with which role?")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_telegram_only_and_admin_commands_say_so_in_the_users_language(
        service: AnswerService, lang: str) -> None:
    chat = TerminalChat(service, lang)
    english = TerminalChat(service, "en")
    for command in ("privacy", "forget", "stats", "reload", "unanswered"):
        reply = chat.handle(f"/{command}")
        assert reply is not None and reply.kind == "note" and reply.lang == lang
        assert reply.notice and f"/{command}" in reply.notice
        if lang != "en":
            assert reply.notice != (english.handle(f"/{command}") or reply).notice
    admins, privacy = chat.handle("/stats"), chat.handle("/privacy")
    assert admins is not None and "--user-id" in (admins.notice or "")
    assert privacy is not None and ("Telegram" in (privacy.notice or "")
                                    or "تلگرام" in (privacy.notice or ""))


def test_an_admin_reads_stats_from_the_database(service: AnswerService, tmp_path: Path) -> None:
    import asyncio

    from bot.storage import Store

    settings = Settings(database_path=tmp_path / "bot.sqlite3", admin_ids=frozenset({7}))
    chat = TerminalChat(service, "en", admin=Admin(service, settings))
    none = chat.handle("/stats")
    assert none is not None and "No database" in chat.render(none)

    async def make() -> None:
        store = await Store.open(settings.database_path, purge_interval=None)
        await store.record_unanswered(chat_id=1, user_id=1, text="how do I fix my printer",
                                      lang="en", intent="fallback", confidence=0.1, wait=True)
        await store.close()

    asyncio.run(make())
    stats = chat.render(chat.handle("/stats 30") or none)
    assert "Usage over the last 30 days" in stats and "Questions" in stats
    assert "<b>" not in stats
    unanswered = chat.render(chat.handle("/unanswered") or none)
    assert "how do I fix my printer" in unanswered
    assert "Send /stats for the last 7 days" in chat.render(chat.handle("/stats x") or none)


# ------------------------------------------------------------------ the command, piped


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ADMIN_", "WEBHOOK_", "DATABASE_", "LOG_",
                                "NO_COLOR", "COLUMNS", "TMUX", "VTE_", "KONSOLE_"))}
    env.update({"DATABASE_PATH": str(tmp_path / "db.sqlite3"), "HOME": str(tmp_path),
                "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "xterm-256color", **extra})
    return env


def _chat(args: list[str], env: dict[str, str], stdin: str, cwd: Path
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "chat", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=180, cwd=cwd)


def test_piped_chat_is_plain_fits_the_width_and_answers_every_line(tmp_path: Path) -> None:
    lines = ["what does a helpdesk specialist earn", "99", "skills", "/privacy", "/stats",
             "کارشناس پشتیبانی فنی چقدر درآمد دارد؟"]
    done = _chat([], _env(tmp_path, COLUMNS="40"), "\n".join(lines) + "\n", tmp_path)
    assert done.returncode == 0, done.stderr
    blocks = done.stdout.split("\n---\n")
    assert len(blocks) == len(lines) + 1 and blocks[-1] == ""
    assert "\x1b" not in done.stdout  # piped: no colour codes, whatever TERM says
    assert not set(done.stdout) & set(ISOLATES_AND_MARKS)
    assert all(display_width(row) <= 40 for block in blocks for row in block.split("\n")
               if row.startswith("["))
    assert blocks[1] == "There is no button 99: type a number from 1 to 15, or ask a question."
    assert blocks[2].startswith("Helpdesk specialist: skills")
    assert "works in the Telegram bot" in blocks[3]
    assert "--user-id" in blocks[4]
    assert "کارشناس پشتیبانی فنی" in blocks[5]  # piped: logical order


def test_piped_chat_with_bidi_on_draws_persian_in_visual_order(tmp_path: Path) -> None:
    done = _chat(["--bidi", "on"], _env(tmp_path), "کارشناس پشتیبانی فنی چقدر درآمد دارد؟\n",
                 tmp_path)
    assert done.returncode == 0, done.stderr
    assert "کارشناس" not in done.stdout  # reordered and joined
    assert any("\ufe70" <= c <= "\ufeff" for c in done.stdout)  # presentation forms
    assert not set(done.stdout) & set(ISOLATES_AND_MARKS)
    assert "[1]" in done.stdout


def test_user_id_in_admin_ids_may_use_admin_commands(tmp_path: Path) -> None:
    env = _env(tmp_path, ADMIN_IDS="4242")
    others = _chat([], env, "/stats\n", tmp_path)
    assert "is for the bot's admins" in others.stdout
    admin = _chat(["--user-id", "4242"], env, "/stats\n/reload\n", tmp_path)
    assert admin.returncode == 0, admin.stderr
    stats, reload, _ = admin.stdout.split("\n---\n")
    assert "No database is connected" in stats
    assert reload.startswith("Content reloaded in ")
    assert not (tmp_path / "db.sqlite3").exists()  # the chat does not create a database


# ------------------------------------------------------------------ the command on a terminal


class Terminal:
    """`helpdesk-bot chat` on a pseudo-terminal it controls (so Ctrl-C is a signal)."""

    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        import fcntl
        import pty
        import termios

        self.master, slave = pty.openpty()
        # The window size, as a terminal emulator sets it (COLUMNS is not used here).
        import struct

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 70, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", *args], stdin=slave, stdout=slave,
            stderr=slave, env=env, cwd=cwd, close_fds=True,
            preexec_fn=controlling_terminal)  # the test starts no threads before this
        os.close(slave)
        self.output = b""

    def wait_for(self, marker: bytes, after: int = 0, timeout: float = 120) -> bool:
        end = time.monotonic() + timeout
        while marker not in self.output[after:]:
            if time.monotonic() > end:
                return False
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # the other side closed
                    return False
                if not data:
                    return False
                self.output += data
        return True

    def prompt(self) -> None:
        before = len(self.output)
        assert self.wait_for(b"\n> ", before), self.output[-500:]

    def type(self, keys: bytes) -> int:
        mark = len(self.output)
        os.write(self.master, keys)
        return mark

    def finish(self) -> int:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(30)
        self.wait_for(b"\0never", timeout=1)  # whatever is left
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)
        return self.process.returncode


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(_env(tmp_path), tmp_path)
    yield term
    if term.process.poll() is None:
        term.process.kill()
        term.process.wait()


def test_on_a_terminal_bold_rows_editing_history_and_ctrl_d(terminal: Terminal,
                                                            tmp_path: Path) -> None:
    assert terminal.wait_for(b"\n> "), terminal.output[-500:]
    # Arrow keys edit the line (they used to end up in the message as escape codes).
    mark = terminal.type(b"what does a helpdesk specialst earn\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D"
                         b"\x1b[D\x1b[Di\r")
    assert terminal.wait_for(b"\n> ", mark), terminal.output[-500:]
    answer = terminal.output[mark:].decode()
    assert f"{BOLD}Helpdesk specialist: pay{NORMAL}" in answer
    assert "\x1b[D" not in answer.split("\r\n", 1)[1]
    rows = [r for r in answer.split("\r\n") if r.startswith("[")]
    assert len(rows) >= 2 and all(display_width(r) <= 70 for r in rows)
    mark = terminal.type(b"\x04")  # Ctrl-D
    assert terminal.finish() == 0
    assert terminal.output[mark:].endswith(b"\r\n")
    history = tmp_path / "state" / "helpdesk-bot" / "chat_history"
    assert history.read_text().splitlines()[-1] == "what does a helpdesk specialist earn"
    assert history.stat().st_mode & 0o777 == 0o600
    assert history.parent.stat().st_mode & 0o777 == 0o700


def test_on_a_terminal_ctrl_c_leaves_a_newline_and_exit_0(terminal: Terminal) -> None:
    assert terminal.wait_for(b"\n> "), terminal.output[-500:]
    # As a person does it: the keys, then (a moment after they are on the screen) Ctrl-C.
    # CPython's readline loop notices a signal only while it waits in select(): one that
    # comes between echoing a key and waiting again is seen at the next key, a window no
    # hand is fast enough for, but a test is.
    mark = terminal.type(b"half a question")
    assert terminal.wait_for(b"question", mark), terminal.output[-500:]
    time.sleep(0.5)
    mark = terminal.type(b"\x03")
    with contextlib.suppress(subprocess.TimeoutExpired):
        terminal.process.wait(5)
    if terminal.process.poll() is None:
        # On a loaded machine the chat may still have been redrawing after 0.5 s, so the
        # signal fell in the window above; the next key delivers it, as it would for a person.
        terminal.type(b" ")
    assert terminal.finish() == 0, terminal.output[-300:]
    assert terminal.output[mark:].endswith(b"\r\n")
    assert b"Traceback" not in terminal.output and b"KeyboardInterrupt" not in terminal.output


def test_on_a_terminal_no_color_means_plain(tmp_path: Path) -> None:
    term = Terminal(_env(tmp_path, NO_COLOR="1"), tmp_path, "--no-history")
    assert term.wait_for(b"\n> "), term.output[-500:]
    term.type(b"\x04")
    assert term.finish() == 0
    assert b"\x1b[1m" not in term.output and b"Helpdesk Careers" in term.output
    assert not (tmp_path / "state" / "helpdesk-bot" / "chat_history").exists()

