"""The memos of the last build and check, saved next to the engine for the first ``/reload``.

A reload after an edit is fast because the previous build and check left memos behind (what
each example masks to, its n-grams, the lexicons, what the checks found for each text: the
module globals named in ``MEMOS``). A bot that starts from the saved engine has none of them,
and its first reload made them all again (~4 s). So they are saved with the engine, under its
key, and read back only when a reload starts (:func:`restore`): they cost disk, not the
running bot's memory.

Every memo checks itself when used (a digest of what it was made from, or the very lexicons
object it was made with), so a memo that no longer fits is rebuilt, never trusted; a file that
does not match the engine's key or cannot be read is ignored. The objects the engine holds
(lexicons, role matcher, classifier, ...) are saved as references to it, not a second time.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from pathlib import Path

from bot.nlu.saved import load_saved, save_model

log = logging.getLogger(__name__)

NAME = "reload-memos"
# (module, global): every memo a reload reads. Each is replaced whole or, for the matcher's
# masked texts and the n-gram memo, changed only under BUILD_LOCK.
MEMOS = (
    ("bot.nlu.lexicon", "_LAST"),
    ("bot.nlu.data", "_FOLDED"),
    ("bot.nlu.data", "_DETAIL_HITS"),
    ("bot.nlu.data", "_JOBS"),
    ("bot.nlu.data", "_ROLE_ONLY"),
    ("bot.nlu.engine", "_LAST_MATCHER"),
    ("bot.nlu.engine", "_LAST_MODEL"),
    ("bot.nlu.engine", "_LAST_VARIANT"),
    ("bot.nlu.engine", "_LAST_FEATURES"),
    ("bot.nlu.engine", "_LAST_ROLE_WORDS"),
    ("bot.reload", "_clean_content"),
)
# The memos that hold a part of the engine (at this index): saved only with that engine, whose
# part it is then saved as a reference to (a later build's part would be saved whole).
PARTS = {
    "bot.nlu.lexicon._LAST": 1,
    "bot.nlu.data._DETAIL_HITS": 0,
    "bot.nlu.data._JOBS": 0,
    "bot.nlu.engine._LAST_MATCHER": 1,
    "bot.nlu.engine._LAST_MODEL": 1,
    "bot.nlu.engine._LAST_ROLE_WORDS": 1,
}
# Held by a build while it changes memos in place, and by a save while it writes them: the
# calibrated engine is saved in the background, perhaps while the next reload builds.
BUILD_LOCK = threading.RLock()


def _refs(engine: object) -> dict[str, object]:
    """The engine's parts by attribute name (what the memos share with it)."""
    return {name: value for name, value in vars(engine).items()
            if not isinstance(value, str | bytes | int | float | bool | type(None))}


def save(folder: Path, key: str, engine: object) -> None:
    """Save the memos as they are now, for ``engine`` (a :class:`~bot.nlu.engine.Engine`)
    saved under ``key`` (best effort)."""
    refs = _refs(engine)
    parts = {id(part) for part in refs.values()}
    with BUILD_LOCK:
        found = {f"{module}.{name}": getattr(sys.modules[module], name)
                 for module, name in MEMOS if module in sys.modules}
        for memo, at in PARTS.items():
            if memo in found and (found[memo] is None or id(found[memo][at]) not in parts):
                del found[memo]  # none, or another build's
        save_model(folder, NAME, key, found, refs)


def restore(folder: Path, key: str, engine: object) -> bool:
    """Make the memos saved with ``engine`` (loaded from ``folder``, where it is saved under
    ``key``) this process's, where it has none yet; whether there were any to read."""
    found = load_saved(folder, NAME, key, dict, _refs(engine))
    if found is None:
        return False
    with BUILD_LOCK:
        for module, name in MEMOS:
            if f"{module}.{name}" in found:
                held = importlib.import_module(module)
                if not getattr(held, name):  # this process's own memos come first
                    setattr(held, name, found[f"{module}.{name}"])
    log.info("reload: the memos of the saved engine read (%d)", len(found))
    return True
