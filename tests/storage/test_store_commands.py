"""``helpdesk-bot backup PATH`` and ``helpdesk-bot stats [--days N]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import Store
from bot.storage.commands import register


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="helpdesk-bot")
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    db = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    return db


async def _fill(db: Path) -> None:
    store = await Store.open(db, purge_interval=None)
    today = datetime.now(UTC).date()
    try:
        await store.record_answer(today, "salary", "helpdesk-specialist", "fa", wait=True)
        await store.record_answer(today, "out_of_scope", None, "en", True, wait=True)
        await store.record_feedback(1, 1, "helpdesk-specialist:salary", 1, wait=True)
    finally:
        await store.close()


def test_stats_prints_the_numbers(env_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_fill(env_db))
    assert _run(["stats", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "(3 days): 2" in out
    assert "Fallback rate: 50% (1)" in out
    assert "👍 1 / 👎 0" in out
    assert "helpdesk-specialist" in out


def test_stats_json(env_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_fill(env_db))
    assert _run(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["days"] == 7
    assert data["questions"] == 2
    assert data["fallback_rate"] == 0.5
    assert data["intents"] == [["out_of_scope", 1], ["salary", 1]]
    assert len(data["per_day"]) == 7


def test_stats_without_a_database_says_so(env_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["stats"]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not env_db.exists()


def test_stats_rejects_zero_days(env_db: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        _run(["stats", "--days", "0"])
    assert caught.value.code == 2


def test_backup_copies_the_database(
    env_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_fill(env_db))
    target = tmp_path / "copies" / "b.sqlite3"
    assert _run(["backup", str(target)]) == 0
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT sum(questions) FROM counters").fetchone() == (2,)
    finally:
        conn.close()
    assert _run(["backup", str(tmp_path / "x.sqlite3")]) == 0


def test_backup_without_a_database_fails_cleanly(
    env_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["backup", str(tmp_path / "b.sqlite3")]) == 1
    assert capsys.readouterr().err.startswith("helpdesk-bot backup: no database at")


def test_the_console_script_has_both_commands(
    env_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    asyncio.run(_fill(env_db))
    assert main(["stats", "--days", "1"]) == 0
    assert main(["backup", str(tmp_path / "c.sqlite3")]) == 0
    assert (tmp_path / "c.sqlite3").is_file()
