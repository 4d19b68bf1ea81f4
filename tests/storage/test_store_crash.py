"""SIGKILL at random moments: the file stays intact and acknowledged writes are never lost."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.storage import LATEST_VERSION, Store

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_writer.py")
KILLS = 50

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _spawn(db: Path, base: int, stderr: Path) -> subprocess.Popen[str]:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    with stderr.open("w") as err:
        return subprocess.Popen(
            [sys.executable, str(CHILD), str(db), str(base)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
            cwd=ROOT,
        )


def _check(db: Path, acknowledged: set[int]) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        assert 0 <= version <= LATEST_VERSION
        if not acknowledged:
            return
        # Atomicity: a claim commits with its state, a finish with its analytics.
        torn = conn.execute(
            "SELECT count(*) FROM updates WHERE update_id NOT IN (SELECT chat_id FROM chats) "
            "OR (done AND update_id NOT IN (SELECT chat_id FROM unanswered))"
        ).fetchone()
        assert torn == (0,)
        updates = {row[0] for row in conn.execute("SELECT update_id FROM updates")}
        chats = {row[0] for row in conn.execute("SELECT chat_id FROM chats")}
        users = {row[0] for row in conn.execute("SELECT user_id FROM users")}
    finally:
        conn.close()
    assert acknowledged - updates == set()
    assert acknowledged - chats == set()
    assert acknowledged - users == set()


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20260310")))
    shared = tmp_path / "shared.sqlite3"
    all_acknowledged: set[int] = set()
    killed_while_writing = 0
    for kill in range(KILLS):
        # Every fifth kill hits a new file at any moment, often during start-up or migration.
        early = kill % 5 == 0
        db = tmp_path / f"fresh-{kill}.sqlite3" if early else shared
        stderr = tmp_path / f"child-{kill}.err"
        child = _spawn(db, kill * 10_000_000, stderr)
        first = ""
        try:
            if early:
                time.sleep(rng.uniform(0.0, 0.25))
            else:
                assert child.stdout is not None
                assert child.stdout.readline() == "ready\n", stderr.read_text()
                first = child.stdout.readline()  # writing has begun; now kill at random
                assert first.strip().isdigit(), stderr.read_text()
                time.sleep(rng.uniform(0.0, 0.08))
        finally:
            child.send_signal(signal.SIGKILL)
            out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, stderr.read_text()
        lines = out.split("\n")[:-1]  # the last piece is empty or a torn line
        acknowledged = {int(line) for line in lines if line.isdigit()}
        if not early:
            acknowledged.add(int(first))
        killed_while_writing += bool(acknowledged)
        _check(db, acknowledged)
        if not early:
            all_acknowledged |= acknowledged
        else:  # a file killed mid-migration opens and migrates cleanly
            asyncio.run(_reopen(db))
    _check(shared, all_acknowledged)
    assert killed_while_writing >= KILLS * 4 // 5  # every kill but the early ones hit writes


async def _reopen(db: Path) -> None:
    store = await Store.open(db, purge_interval=None)
    await store.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    finally:
        conn.close()
