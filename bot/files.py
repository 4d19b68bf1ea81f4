"""The bot's data files are private to its user: folders it creates 0700, files 0600.

The database, its WAL and SHM, backups and the heartbeat sit next to question texts, names and
usernames, so no other local user may read them. Modes are given explicitly when a file is
created (``os.open`` with 0600 before SQLite opens it), never through ``os.umask``, which is
process-wide and would race with every other thread. SQLite creates the WAL, SHM and journal of
a database with the database file's own mode, so a database created 0600 keeps them 0600.
Files an older version left readable are tightened (group and other bits removed, never added).
A folder that already exists keeps the mode its admin gave it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
OWNER_BITS = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) when it is missing; the folder itself 0700."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite accepts an empty file)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def tighten(path: Path) -> None:
    """Take group and other permissions off the file ``path`` if it exists; a failure is only
    logged (the file still works, it is only less private)."""
    try:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISREG(info.st_mode) and mode & ~OWNER_BITS:
            path.chmod(mode & OWNER_BITS)
            log.info("%s was open to other users (%o); now %o", path, mode, mode & OWNER_BITS)
    except FileNotFoundError:
        return
    except OSError as exc:  # e.g. owned by another user
        log.warning("cannot make %s private: %s", path, exc)


def private_database(path: Path) -> None:
    """Before SQLite opens ``path``: its folder, and the file 0600 if it is new."""
    private_folder(path.parent)
    create_private(path)


def tighten_database(path: Path) -> None:
    """Once the database is known to be the bot's own (not one it refuses, which it leaves
    untouched): the file and its WAL, SHM and journal lose group and other permissions."""
    for file in (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)):
        tighten(file)
