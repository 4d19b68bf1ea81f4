"""The command line as a user runs it: piped chat, config errors, no token, SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.storage import RecordUnanswered, Store
from tests.conftest import TOKEN
from tests.fakes.telegram_server import FakeTelegram, text_message


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ADMIN_", "WEBHOOK_", "DATABASE_", "LOG_"))}
    env.update({"DATABASE_PATH": str(tmp_path / "db.sqlite3"), **extra})
    return env


def _run(args: list[str], env: dict[str, str], stdin: str = "", cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def test_version_is_the_declared_one(tmp_path: Path) -> None:
    import tomllib

    from bot.config import PROJECT_ROOT

    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    done = _run(["--version"], _env(tmp_path))
    assert done.returncode == 0 and done.stdout.strip() == f"helpdesk-bot {declared}"


def test_every_sub_command_describes_itself(tmp_path: Path) -> None:
    """`helpdesk-bot X -h` says what X does, for every X the main help lists."""
    import re

    main = _run(["-h"], _env(tmp_path))
    names = re.findall(r"^    ([a-z]+)\s", main.stdout, flags=re.MULTILINE)
    assert {"run", "chat", "parse", "check"} <= set(names), main.stdout
    for name in names:
        page = _run([name, "-h"], _env(tmp_path)).stdout
        body = page.split("\n\n")[1] if "\n\n" in page else ""
        assert body.strip() and not body.lstrip().startswith(("positional", "options")), \
            (name, page)


def test_piped_chat_gives_one_reply_per_line(tmp_path: Path) -> None:
    result = _run(["chat"], _env(tmp_path),
                  "what does an IT project manager do?\nand the skills?\nthanks!\n", tmp_path)
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n---\n")
    assert result.stdout.count("\n---\n") == 3
    assert blocks[-1] == ""
    assert "IT project manager" in blocks[0]
    assert "skills" in blocks[1].lower()
    assert "<b>" not in result.stdout


def test_piped_chat_respects_lang(tmp_path: Path) -> None:
    result = _run(["chat", "--lang", "nb"], _env(tmp_path), "/start\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Hei" in result.stdout


@pytest.mark.parametrize(("variable", "value"), [
    ("ADMIN_IDS", "12,abc"),
    ("TELEGRAM_BOT_TOKEN", "not-a-token"),
    ("LOG_LEVEL", "LOUD"),
    ("WEBHOOK_PORT", "99999"),
    ("WEBHOOK_URL", "http://insecure.example"),
    ("CONTENT_DIR", "/nonexistent/content"),
    ("INTENTS_DIR", "/nonexistent/intents"),
    ("TELEGRAM_API_BASE_URL", "ftp://x"),
])
def test_bad_setting_is_one_line_and_exit_2(tmp_path: Path, variable: str, value: str) -> None:
    env = _env(tmp_path, **{"TELEGRAM_BOT_TOKEN": TOKEN, variable: value})
    result = _run(["run"], env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr


def test_webhook_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    """Without WEBHOOK_SECRET anyone who finds the URL could post forged (admin) updates."""
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, WEBHOOK_URL="https://bot.example/hook")
    result = _run(["run"], env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("helpdesk-bot: WEBHOOK_SECRET: not set")
    assert "WEBHOOK_URL" in lines[0] and "openssl rand" in lines[0]
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr + result.stdout
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was set up


def test_unwritable_database_path(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        database = locked / "sub" / "db.sqlite3"
        if os.geteuid() == 0:  # root can write anywhere; use a path under a file instead
            file = tmp_path / "file"
            file.write_text("x")
            database = file / "db.sqlite3"
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_PATH=str(database))
        result = _run(["run"], env, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0
        assert "DATABASE_PATH" in result.stderr
    finally:
        locked.chmod(0o700)


def test_missing_token_explains_botfather_and_chat(tmp_path: Path) -> None:
    result = _run(["run"], _env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "helpdesk-bot chat" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2


def test_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=nope\n")
    result = _run(["run"], _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN), cwd=tmp_path)
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr


async def test_sigterm_stops_cleanly_with_replies_sent(tmp_path: Path,
                                                       fake_telegram: FakeTelegram) -> None:
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_telegram.base_url,
               LOG_LEVEL="DEBUG")
    # A question text past RETENTION_DAYS (30) in the database: the running bot purges it.
    store = await Store.open(tmp_path / "db.sqlite3", purge_interval=None)
    old = datetime.now(UTC) - timedelta(days=40)
    await store.apply(RecordUnanswered(1, 1, "an old question", "en", None, None, at=old))
    await store.close()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=str(PROJECT_ROOT),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        for i in range(3):
            fake_telegram.push_update(text_message("salary helpdesk", chat_id=3000 + i))
        await fake_telegram.wait_for(3, timeout=60)
        # The running bot keeps the heartbeat that Docker's HEALTHCHECK reads.
        health = _run(["health"], env, cwd=PROJECT_ROOT)
        assert health.returncode == 0, health.stderr
        # ... and purges question texts past their retention just after it starts.
        def kept() -> int:
            with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite3")) as conn:
                return int(conn.execute("SELECT count(*) FROM unanswered "
                                        "WHERE text = 'an old question'").fetchone()[0])

        for _ in range(100):
            if not kept():
                break
            await asyncio.sleep(0.1)
        assert kept() == 0
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert TOKEN not in stderr.decode()
    assert TOKEN.split(":")[1] not in stderr.decode()
    assert fake_telegram.pending() == []  # offsets confirmed before exit
