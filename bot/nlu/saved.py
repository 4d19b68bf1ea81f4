"""Trained models saved on disk and reused while nothing they were built from has changed.

Like ``rasa train`` producing a model file, so that ``parse``, ``chat``, a container restart or a
webhook cold start loads in a fraction of a second instead of training for several. A saved
file is named by a key: a hash of everything the model depends on (the files it was trained
from, the code that trains and reads it, the versions of the libraries whose objects it holds).
A file that does not match its key, cannot be read, is not ours or is writable by others is
rebuilt, never trusted; saving is best effort (a read-only disk only costs the training time).

The files are pickles, which can run code when loaded: a file is read only when this user owns
it and nobody else may write to it (files are written 0600, a new folder is made 0700). They
hold no user input: the models' look-up caches are left out when saving.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import BinaryIO, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
MAGIC = b"helpdesk-bot saved model 1\n"
# Libraries whose objects (or whose training results) a saved model holds.
LIBRARIES = ("numpy", "scikit-learn", "scipy", "rapidfuzz", "py3langid")
_CODE = Path(__file__).resolve().parents[1]  # the whole bot package


_RUNTIME: str | None = None  # the digest of the Python, libraries and code of this process


def _runtime() -> str:
    """Python and library versions and the bot's code, hashed once per process: the code that
    runs does not change under it (an edit takes effect at the next start, with a new key), and
    reading 100 files and 5 package records cost a saved model's load ~0.05 s every time."""
    global _RUNTIME
    if _RUNTIME is None:
        key = Key.__new__(Key)
        key._hash = hashlib.sha256(b"runtime\0")
        key.add(sys.version)
        for name in LIBRARIES:
            try:
                key.add(f"{name}=={metadata.version(name)}")
            except metadata.PackageNotFoundError:
                key.add(f"{name} missing")
        # The code that builds and reads the model: any change to it is a new model.
        key.add_files(sorted(_CODE.rglob("*.py")), _CODE)
        _RUNTIME = key.hexdigest()
    return _RUNTIME


class Key:
    """Accumulates what a saved model depends on into one hex digest."""

    def __init__(self, kind: str) -> None:
        self._hash = hashlib.sha256(MAGIC + kind.encode() + b"\0")
        self.add(_runtime())

    def add(self, value: str | bytes) -> Key:
        data = value.encode() if isinstance(value, str) else value
        self._hash.update(len(data).to_bytes(8, "big") + data)
        return self

    def add_files(self, files: Iterable[Path], root: Path) -> Key:
        """Each file's path below ``root`` and its bytes (an unreadable file raises OSError)."""
        for path in files:
            self.add(path.relative_to(root).as_posix()).add(path.read_bytes())
        return self

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def load_or_build(
    folder: Path | None, name: str, key: str, build: Callable[[], T], kind: type[T]
) -> T:
    """The model saved as ``name`` under ``key`` in ``folder``, else ``build()`` saved there.

    ``folder`` None: no saving (always built).
    """
    if folder is None:
        return build()
    found = load_saved(folder, name, key, kind)
    if found is not None:
        return found
    model = build()
    save_model(folder, name, key, model)
    return model


def _path(folder: Path, name: str, key: str) -> Path:
    return folder / f"{name}-{key[:32]}.pickle"


def load_saved(folder: Path, name: str, key: str, kind: type[T],
               refs: Mapping[str, object] | None = None) -> T | None:
    """The model saved as ``name`` under ``key`` in ``folder``; None when there is none usable.
    ``refs``: the objects it was saved referring to (see :func:`save_model`)."""
    return _load(_path(folder, name, key), key, kind, refs)


def save_model(folder: Path, name: str, key: str, model: object,
               refs: Mapping[str, object] | None = None) -> None:
    """Save ``model`` as ``name`` under ``key`` (atomically, best effort; see :func:`_save`).
    ``refs``: objects that ``model`` holds but that are kept elsewhere (in another saved file):
    saved as their names only, and loaded as the objects ``load_saved`` is given under them."""
    _save(folder, _path(folder, name, key), name, key, model, refs)


class _Pickler(pickle.Pickler):
    """Writes the objects of ``refs`` as their names (pickle's persistent ids)."""

    def __init__(self, handle: BinaryIO, refs: Mapping[str, object]) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = {id(obj): name for name, obj in refs.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self._names.get(id(obj))


class _Unpickler(pickle.Unpickler):
    """Reads the names :class:`_Pickler` wrote as the objects of ``refs`` (an unknown name
    raises: the file is then unusable)."""

    def __init__(self, handle: BinaryIO, refs: Mapping[str, object]) -> None:
        super().__init__(handle)
        self._refs = refs

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, str) or pid not in self._refs:
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self._refs[pid]


def _load(path: Path, key: str, kind: type[T], refs: Mapping[str, object] | None = None
          ) -> T | None:
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not _trusted(info):
                log.warning("saved model %s: not owned by this user or writable by others; "
                            "rebuilding", path)
                return None
            if handle.read(len(MAGIC)) != MAGIC or handle.read(64).decode("ascii") != key:
                raise ValueError("written for other inputs")
            with paused_gc():  # our own file: owner and mode checked above
                model = pickle.load(handle) if refs is None else _Unpickler(handle, refs).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated, corrupt or foreign file: rebuild, never trust it
        log.warning("saved model %s unusable (%s); rebuilding", path, exc.__class__.__name__)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    if not isinstance(model, kind):
        log.warning("saved model %s holds a %s; rebuilding", path, type(model).__name__)
        return None
    return model


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: loading or building a model allocates hundreds
    of thousands of objects, none of them garbage, and the collections they trigger took half
    of a load's time. (The collector is process-wide; a pause of a second harms nothing.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _trusted(info: os.stat_result) -> bool:
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owner_ok and stat.S_ISREG(info.st_mode) and not info.st_mode & 0o022


def _save(folder: Path, path: Path, name: str, key: str, model: object,
          refs: Mapping[str, object] | None = None) -> None:
    """Write atomically (a reader never sees half a file) and drop older files of ``name``."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=folder)  # created 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + key.encode("ascii"))
                if refs is None:
                    pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
                else:
                    _Pickler(handle, refs).dump(model)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception as exc:  # best effort: a model that cannot be saved still answers
        log.info("saved model: cannot write %s (%s); it will be trained again next time",
                 folder, exc.__class__.__name__)
        return
    for old in folder.glob(f"{name}-*.pickle"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()

