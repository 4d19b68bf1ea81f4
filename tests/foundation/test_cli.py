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


# ------------------------------------------------------------------ errors a person understands


def _unwritable_database(tmp_path: Path) -> str:
    """A DATABASE_PATH nobody can create, root included: its folder would be under a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    return str(blocker / "db.sqlite3")


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "usage:" not in stderr
    return lines[0]


def test_every_configuration_problem_is_reported_at_once(tmp_path: Path) -> None:
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, ADMIN_IDS="12,abc", LOG_LEVEL="LOUD",
               WEBHOOK_PORT="0", CONTENT_DIR="/nonexistent/content")
    result = _run(["run"], env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == \
        ["LOG_LEVEL", "ADMIN_IDS", "CONTENT_DIR", "WEBHOOK_PORT"], result.stderr
    assert all(line.startswith("helpdesk-bot: ") for line in lines)
    assert "Traceback" not in result.stderr


def test_missing_token_and_another_problem_both_said(tmp_path: Path) -> None:
    result = _run(["run"], _env(tmp_path, LOG_LEVEL="LOUD"), cwd=tmp_path)
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr and "@BotFather" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 3


def test_dotenv_values_with_quotes_and_comments(tmp_path: Path) -> None:
    """python-dotenv's reading: quotes, `export`, a comment after the value, '#' in quotes."""
    from bot.config import load_settings

    (tmp_path / "data#1").mkdir()
    dotenv = tmp_path / ".env"
    dotenv.write_text('# the admins\n'
                      'ADMIN_IDS="12, 34"   # Kari and Ola\n'
                      "export LOG_LEVEL='warning' # quiet\n"
                      f"DATABASE_PATH='{tmp_path}/data#1/bot.sqlite3'\n"
                      "RETENTION_DAYS=7 # a week\n")
    settings = load_settings({}, dotenv=dotenv)
    assert settings.admin_ids == frozenset({12, 34})
    assert settings.log_level == "WARNING"
    assert settings.database_path == tmp_path / "data#1" / "bot.sqlite3"
    assert settings.retention_days == 7
    # The same file through the command line: nothing to complain about.
    env = {k: v for k, v in _env(tmp_path).items() if k != "DATABASE_PATH"}
    result = _run(["parse"], env, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_dotenv_bad_line_is_named_with_the_other_problems(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO\nthis is no setting\nADMIN_IDS=x\n")
    result = _run(["run"], _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert ".env" in lines[0] and "line 2 is not KEY=VALUE" in lines[0]
    assert "ADMIN_IDS" in lines[1]


@pytest.mark.parametrize("command", [["chat"], ["parse"], ["check"]])
def test_offline_commands_need_no_token_or_database(tmp_path: Path, command: list[str]) -> None:
    """chat, parse and check use neither Telegram nor the database: a malformed token or an
    unwritable DATABASE_PATH must not stop them (other settings are still checked)."""
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN="not-a-token",
               DATABASE_PATH=_unwritable_database(tmp_path))
    result = _run(command, env, "hello\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" not in result.stderr and "DATABASE_PATH" not in result.stderr
    assert not (tmp_path / "a-file").is_dir()


@pytest.mark.parametrize(("args", "words"), [
    (["classify", "--train", "{items}", "--fallback-rate", "2"], "--fallback-rate"),
    (["classify", "--train", "{items}", "--fallback-rate", "nan"], "--fallback-rate"),
    (["eval", "{items}", "--errors", "-3"], "--errors"),
    (["eval", "{items}", "--json", "/missing/dir/r.json"], "/missing/dir does not exist"),
    (["eval", "/missing/items.jsonl"], "no such file"),
    (["classify", "--train", "/missing/train.jsonl"], "no such file"),
    (["frobnicate"], "invalid choice"),
])
def test_a_bad_argument_is_one_line_and_exit_2(tmp_path: Path, args: list[str],
                                              words: str) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"text": "hi", "lang": "en", "intent": "greeting"}\n')
    result = _run([a.format(items=items) for a in args], _env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert words in line and line.startswith("helpdesk-bot")
    assert result.stdout == ""


def test_eval_report_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """The folder exists, the file cannot be made (/proc refuses even root): the report is
    printed, then one line says why the JSON is missing (it used to be a traceback)."""
    items = tmp_path / "items.jsonl"
    items.write_text('{"text": "hi", "lang": "en", "intent": "greeting"}\n')
    result = _run(["eval", str(items), "--json", "/proc/helpdesk-report.json"], _env(tmp_path),
                  cwd=tmp_path)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert line.startswith("helpdesk-bot eval: cannot write /proc/helpdesk-report.json: ")
    assert "Errno" not in line
    assert "accuracy" in result.stdout.lower()


def test_malformed_data_lines_are_told_without_python_internals(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('["a list"]\n{"text": 1\n"text"\n{"text": "hi"}\n')
    for args in (["eval", str(data)], ["classify", "--train", str(data)]):
        result = _run(args, _env(tmp_path), cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert [line.split(":")[2] for line in lines] == ["1", "2", "3", "4"], result.stderr
        for internal in ("indices", "Error", "Errno", "'str'", "Traceback", "KeyError"):
            assert internal not in result.stderr, (internal, result.stderr)


def test_an_unexpected_error_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from bot import cli
    from bot.content import commands

    def broken(args: object) -> int:
        raise TypeError("list indices must be integers or slices, not str")

    monkeypatch.setattr(commands, "cmd_check", broken)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert cli.main(["check"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "a bug" in line and "indices" not in line


def _broken_template(tmp_path: Path) -> Path:
    """A copy of content/ whose shared title macro fails when a page is rendered."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    common = content / "templates" / "_common.html.j2"
    text = common.read_text(encoding="utf-8")
    assert "{{ topic_title }}" in text
    common.write_text(text.replace("{{ topic_title }}", "{{ topic_title.nope() }}", 1),
                      encoding="utf-8")
    return content


@pytest.mark.parametrize("command", ["chat", "parse"])
def test_a_template_error_stops_the_start_with_file_and_line(tmp_path: Path,
                                                             command: str) -> None:
    """chat and parse start with the checks /reload and `check` apply: a template that fails
    is reported as file:line before the first answer (chat used to crash on /salary)."""
    env = _env(tmp_path, CONTENT_DIR=str(_broken_template(tmp_path)))
    result = _run([command], env, "/salary helpdesk\n", tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert "_common.html.j2:2:" in lines[0]
    assert lines[-1].startswith("helpdesk-bot: content or intents have ")
    assert "helpdesk-bot check" in lines[-1]
    assert "Traceback" not in result.stderr and "a bug" not in result.stderr
