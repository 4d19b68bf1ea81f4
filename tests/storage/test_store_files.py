"""The data folder is 0700 and every file of user data 0600, whatever the process umask.

The files hold question texts, names and usernames. The umask is set to the usual 022 here
(what the files got before: folder 0755, files 0644) and restored afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.health import prepare_heartbeat, touch_heartbeat
from bot.storage import SchemaTooNewError, Store


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def heartbeat(path: Path) -> None:
    """One beat as the running bot makes it (a file already there must be dated 1970)."""
    prepare_heartbeat(path)
    touch_heartbeat(path)
    assert path.stat().st_mtime > 0


async def test_the_folder_the_bot_creates_and_every_file_in_it_are_private(
        tmp_path: Path) -> None:
    folder = tmp_path / "data"
    db = folder / "bot.sqlite3"
    store = await Store.open(db, purge_interval=None)
    try:
        await store.record_unanswered(5, 5, "how do I reset a password?", "en", None, None,
                                      wait=True)
        await store.set_chat_lang(5, "en")
        side = {db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")}
        assert all(p.exists() for p in side)  # written, and still open: WAL and SHM exist
        await store.backup(folder / "backups" / "copy.sqlite3")
        await heartbeat(db.with_name(db.name + ".heartbeat"))
        files = {p: mode(p) for p in folder.rglob("*") if p.is_file()}
        folders = {p: mode(p) for p in (folder, *folder.rglob("*")) if p.is_dir()}
    finally:
        await store.close()
    names = {p.relative_to(folder).as_posix() for p in files}
    assert names == {"bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm",
                     "bot.sqlite3.heartbeat", "backups/copy.sqlite3"}
    assert {p: oct(m) for p, m in files.items() if m != 0o600} == {}
    assert {p: oct(m) for p, m in folders.items() if m != 0o700} == {}


async def test_files_left_readable_are_tightened_and_an_existing_folder_is_kept(
        tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o750)  # the admin's choice
    folder.chmod(0o750)
    db = folder / "bot.sqlite3"
    await (await Store.open(db, purge_interval=None)).close()
    beat_file = db.with_name(db.name + ".heartbeat")
    beat_file.touch()
    for path in (db, beat_file):  # as an older version left them
        path.chmod(0o644)
    os.utime(beat_file, (0, 0))
    store = await Store.open(db, purge_interval=None)
    try:
        await store.set_chat_lang(5, "en")
        await heartbeat(beat_file)
        wal = db.with_name(db.name + "-wal")
        assert (mode(db), mode(wal), mode(beat_file)) == (0o600, 0o600, 0o600)
    finally:
        await store.close()
    assert mode(folder) == 0o750


async def test_a_database_the_bot_refuses_is_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "newer.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA user_version = 999")
    db.chmod(0o644)
    with pytest.raises(SchemaTooNewError):
        await Store.open(db, purge_interval=None)
    assert mode(db) == 0o644


async def test_a_backup_replaces_a_readable_file_with_a_private_one(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3", purge_interval=None)
    dest = tmp_path / "copy.sqlite3"
    dest.write_text("old")
    dest.chmod(0o644)
    try:
        await store.backup(dest)
    finally:
        await store.close()
    assert mode(dest) == 0o600
