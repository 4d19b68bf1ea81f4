"""What the suite shares between its processes when it runs in parallel (pytest-xdist, ``-n``).

* One model cache for the whole run: the first process that needs the trained engine (a test
  session, or a bot started as a subprocess) saves it, every other process loads it, and nothing
  is written to the user's own cache folder. The controller makes the folder and passes it on
  through ``MODEL_CACHE_DIR`` (workers and the bots they start inherit the environment).
* ``@pytest.mark.exclusive``: a test whose pass criteria include a tight time window (a repeat
  only of a reply accepted < 1 s before a kill) runs while no other test of the run does, so a
  neighbour's CPU load cannot push it past its window. (Windows of seconds, such as a stop
  within 10 s, need no such care.) A reader-writer lock on files: every other test holds the
  shared side while it runs; an exclusive test closes a gate first (no new test starts), then
  waits for the running ones to end.

Without xdist the suite runs in one process and the lock is never taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = "HELPDESK_TEST_SHARED"  # the run's shared folder, set by the controller
_made: list[tuple[Path, str | None]] = []


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "exclusive: runs while no other test does (its pass criteria include a time "
        "window); see tests/parallel.py")
    if is_worker(config):
        return  # the controller's folder and MODEL_CACHE_DIR came with the environment
    shared = Path(tempfile.mkdtemp(prefix="helpdesk-tests-"))
    (shared / "models").mkdir(mode=0o700)
    _made.append((shared, os.environ.get("MODEL_CACHE_DIR")))
    os.environ[SHARED] = str(shared)
    os.environ["MODEL_CACHE_DIR"] = str(shared / "models")


def unconfigure(config: pytest.Config) -> None:
    if is_worker(config) or not _made:
        return
    shared, before = _made.pop()
    shutil.rmtree(shared, ignore_errors=True)
    os.environ.pop(SHARED, None)
    if before is None:
        os.environ.pop("MODEL_CACHE_DIR", None)
    else:
        os.environ["MODEL_CACHE_DIR"] = before


def model_cache() -> Path:
    """The run's shared model cache."""
    return Path(os.environ[SHARED]) / "models"


def private_model_cache(folder: Path) -> Path:
    """A model cache of one test's own, holding what the shared one holds now: for a test whose
    bot saves another engine (one with a taught example), which would otherwise replace the
    shared one (a folder keeps one engine) and make the next bot of the run train again."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for saved in model_cache().glob("*.pickle"):
        with contextlib.suppress(OSError):  # another process may be replacing it just now
            shutil.copy2(saved, folder / saved.name)
    return folder


@contextlib.contextmanager
def turn(item: pytest.Item) -> Iterator[None]:
    """Hold the run's lock for one test: shared, or exclusive for ``@pytest.mark.exclusive``."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    shared = Path(os.environ[SHARED])
    with open(shared / "gate.lock", "a") as gate, open(shared / "room.lock", "a") as room:
        if item.get_closest_marker("exclusive") is not None:
            fcntl.flock(gate, fcntl.LOCK_EX)  # no test starts from now on
            fcntl.flock(room, fcntl.LOCK_EX)  # the running ones have ended
            try:
                yield
            finally:
                fcntl.flock(room, fcntl.LOCK_UN)
                fcntl.flock(gate, fcntl.LOCK_UN)
        else:
            fcntl.flock(gate, fcntl.LOCK_SH)  # waits while an exclusive test waits or runs
            fcntl.flock(room, fcntl.LOCK_SH)
            fcntl.flock(gate, fcntl.LOCK_UN)
            try:
                yield
            finally:
                fcntl.flock(room, fcntl.LOCK_UN)
