"""SIGHUP reloads a running ``python -m bot run`` (against the fake Bot API server)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.conftest import TOKEN
from tests.fakes.telegram_server import FakeTelegram, text_message

ROLE_FILE = "content/roles/helpdesk-specialist/en.yaml"
OLD = "A helpdesk specialist, or technical support specialist,"
NEW = "A helpdesk specialist, known here as a sighup tester,"


class Bot:
    """The bot process and the log lines it has written so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        assert process.stderr is not None
        self.reader = asyncio.create_task(self._read(process.stderr))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.lines.append(line.decode(errors="replace").rstrip())

    async def wait_log(self, needle: str, after: int = 0, timeout: float = 60) -> int:
        """Index of the first line from ``after`` on that contains ``needle``."""
        async def find() -> int:
            while True:
                for i in range(after, len(self.lines)):
                    if needle in self.lines[i]:
                        return i
                if self.process.returncode is not None and self.reader.done():
                    raise AssertionError("\n".join(self.lines[-30:]))
                await asyncio.sleep(0.05)

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            raise AssertionError(f"no {needle!r} in the log:\n"
                                 + "\n".join(self.lines[-30:])) from None


async def _ask(fake: FakeTelegram, chat_id: int) -> str:
    fake.push_update(text_message("tell me about the helpdesk specialist", chat_id=chat_id))
    sent = await fake.wait_for(1, chat_id=chat_id, timeout=60)
    return str(sent[0].params["text"])


async def test_sighup_swaps_good_content_and_keeps_it_when_the_next_is_broken(
        tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content")
    shutil.copytree(PROJECT_ROOT / "intents", tmp_path / "intents")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ADMIN_", "WEBHOOK_", "DATABASE_", "LOG_",
                                "CONTENT_", "INTENTS_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.base_url,
               DATABASE_PATH=str(tmp_path / "bot.sqlite3"), LOG_LEVEL="INFO",
               CONTENT_DIR=str(tmp_path / "content"), INTENTS_DIR=str(tmp_path / "intents"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=str(tmp_path),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    bot = Bot(process)
    try:
        before = await _ask(fake_telegram, 6001)
        assert OLD in before

        role_file = tmp_path / ROLE_FILE
        role_file.write_text(role_file.read_text(encoding="utf-8").replace(OLD, NEW),
                             encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        await bot.wait_log("content reloaded (SIGHUP)")
        assert NEW in await _ask(fake_telegram, 6002)

        mark = len(bot.lines)
        role_file.write_text("name: [broken\n", encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        refused = await bot.wait_log("content reload (SIGHUP) refused", after=mark)
        where = await bot.wait_log(f"{ROLE_FILE}:", after=refused)
        assert re.search(rf"{re.escape(ROLE_FILE)}:[1-9]\d*: YAML", bot.lines[where])  # file:line
        assert NEW in await _ask(fake_telegram, 6003)  # the last good content stays live

        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
        await bot.reader
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, "\n".join(bot.lines[-30:])
    assert not any(TOKEN.split(":")[1] in line for line in bot.lines)


def test_a_database_from_a_newer_version_stops_run_with_one_line(tmp_path: Path) -> None:
    import sqlite3
    import subprocess

    db = tmp_path / "newer.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ADMIN_", "DATABASE_", "CONTENT_", "INTENTS_",
                                "LOG_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_PATH=str(db),
               TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "schema version 999" in result.stderr and "Traceback" not in result.stderr
